"""Per-request page context: language, CSRF token, and rendering with the right headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from directory.errors import Forbidden
from directory.photos.storage import signed_media_origin
from directory.server_secret import app_secret
from directory.settings import Settings
from directory.web.i18n import (
    LANG_COOKIE,
    LANG_COOKIE_MAX_AGE_S,
    LANG_NAMES,
    choose_lang,
    translations,
)
from directory.web.security import (
    csrf_cookie_name,
    csrf_token_valid,
    new_csrf_token,
    page_headers,
    tokens_match,
)
from directory.web.templating import environment


@dataclass(frozen=True, slots=True)
class LangLink:
    """One entry of the language switch."""

    code: str
    name: str
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class Page:
    """What every page handler needs to answer: who asks, in which language, how to render."""

    request: Request
    settings: Settings
    lang: str
    remember_lang: bool
    csrf_token: str
    csrf_is_new: bool

    def gettext(self, message: str, **variables: Any) -> str:
        """Translate a message (ids are English) into the page language."""
        text = translations(self.lang).gettext(message)
        return text % variables if variables else text

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure when the configured public site is https (never from the
        request's scheme, which a proxy on another host may report wrongly)."""
        return self.settings.https

    @property
    def csrf_cookie(self) -> str:
        """The CSRF cookie's name (``__Host-`` prefixed on https)."""
        return csrf_cookie_name(self.settings.https)

    def path(self) -> str:
        """This page's path as a same-site link: never ``//host`` (protocol-relative)."""
        path = self.request.url.path
        return "/" + path.lstrip("/\\") if path[1:2] in ("/", "\\") else path

    def url_with(self, **params: str | None) -> str:
        """This page's path and query with some parameters replaced (None removes one)."""
        items = [(k, v) for k, v in self.request.query_params.multi_items() if k not in params]
        items += [(k, v) for k, v in params.items() if v is not None]
        query = urlencode(items)
        return self.path() + (f"?{query}" if query else "")

    def require_csrf(self, submitted: str | None, *, expected: str | None = None) -> None:
        """Refuse a POST whose form token does not match (the cookie's, or ``expected``).

        The cookie's token must also carry the server's signature: a cookie someone
        else planted cannot be echoed into a valid pair."""
        if expected is None:
            cookie = self.request.cookies.get(self.csrf_cookie)
            expected = (
                cookie if csrf_token_valid(app_secret(self.request.app.state), cookie) else None
            )
        if not tokens_match(expected, submitted):
            raise Forbidden(detail="The form expired or did not come from this site.")

    def redirect(self, url: str, *, private: bool = False) -> RedirectResponse:
        """A 303 "see other" after a POST, with the page headers and cookies."""
        response = RedirectResponse(url, status_code=303)
        self.finish(response, private=private)
        return response

    def absolute(self, path: str) -> str:
        """An absolute URL for a site path (canonical, alternate, JSON-LD, edit links).

        The configured public base URL when there is one; else the request's own base,
        whose Host the TrustedHostMiddleware has already checked against allowed_hosts."""
        base = self.settings.public_base_url or str(self.request.base_url).rstrip("/")
        return base + "/" + path.lstrip("/")

    def lang_links(self) -> list[LangLink]:
        """The language switch: the same page in each language."""
        return [
            LangLink(code=code, name=name, url=self.url_with(lang=code), current=code == self.lang)
            for code, name in LANG_NAMES.items()
        ]

    def render(
        self,
        template: str,
        *,
        status_code: int = 200,
        private: bool = False,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """Render a template in the page language, with security headers and cookies."""
        body = (
            environment(self.lang)
            .get_template(template)
            .render(
                page=self,
                request=self.request,
                settings=self.settings,
                csrf_token=self.csrf_token,
                **context,
            )
        )
        response = HTMLResponse(body, status_code=status_code)
        self.finish(response, private=private)
        if headers:
            response.headers.update(headers)
        return response

    def finish(self, response: Any, *, private: bool = False) -> None:
        """Headers and cookies every page response carries, redirects included."""
        media = signed_media_origin(self.settings)
        response.headers.update(
            page_headers(self.settings.tile_url, private=private, media_origin=media)
        )
        response.headers["Content-Language"] = self.lang
        response.headers["Vary"] = "Accept-Language, Cookie"
        secure = self.secure_cookies
        if self.remember_lang:
            response.set_cookie(
                LANG_COOKIE,
                self.lang,
                max_age=LANG_COOKIE_MAX_AGE_S,
                samesite="lax",
                secure=secure,
                httponly=True,
            )
        if self.csrf_is_new:
            response.set_cookie(
                self.csrf_cookie, self.csrf_token, path="/", samesite="lax", secure=secure,
                httponly=True,
            )  # fmt: skip


def get_page(request: Request) -> Page:
    """The page context of this request."""
    settings: Settings = request.app.state.settings
    lang, explicit = choose_lang(request, settings.default_lang)
    secret = app_secret(request.app.state)
    token = request.cookies.get(csrf_cookie_name(settings.https))
    is_new = not csrf_token_valid(secret, token)
    return Page(
        request=request,
        settings=settings,
        lang=lang,
        remember_lang=explicit,
        csrf_token=new_csrf_token(secret) if is_new else str(token),
        csrf_is_new=is_new,
    )


PageDep = Annotated[Page, Depends(get_page)]
