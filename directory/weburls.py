"""Website addresses typed by owners or imported: normalise, and refuse what is not public web.

``normalize_url`` accepts ``http``/``https`` only, adds ``https://`` when the scheme is
missing (``kopikenangan.com`` → ``https://kopikenangan.com/``) and returns one canonical
spelling: lower-case scheme and host, IDN hosts in punycode, no default port, ``/`` for
an empty path, non-ASCII path/query characters percent-encoded. It is idempotent.

Refused: other schemes (``javascript:``, ``data:``, ``mailto:``...), user info
(``https://bank.com@evil.com``), backslashes, whitespace and control characters, hosts
without a dot, ``localhost`` and special-use names (``.local``, ``.internal``, ``.test``...),
IP literals that are not globally routable (private, loopback, link-local, CGNAT,
IPv4-mapped IPv6...), numeric hosts that browsers would read as odd IPv4 forms
(``127.1``, ``0x7f.0.0.1``), and anything over :data:`MAX_URL_LEN` characters.

This is a check of the *text*. A server that fetches these URLs must still guard
against names that resolve to private addresses (SSRF, DNS rebinding) when it connects.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Final
from urllib.parse import quote, urlsplit

MAX_URL_LEN: Final = 500
_SCHEMES: Final = frozenset({"http", "https"})
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
# Names that never reach the public web (RFC 6761, RFC 8375, RFC 7686 and common LAN use).
_SPECIAL_SUFFIXES: Final = (
    "localhost", "local", "internal", "lan", "home", "corp", "intranet", "home.arpa",
    "test", "invalid", "example", "onion", "arpa",
)  # fmt: skip
_SCHEME_PREFIX: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_LABEL: Final = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_NUMERIC_LABEL: Final = re.compile(r"(0x[0-9a-f]*|[0-9]+)")
_FORBIDDEN_CHARS: Final = re.compile(r"[\s\\\x00-\x1f\x7f]")
_NAT64: Final = ipaddress.ip_network("64:ff9b::/96")
# Keep what is already a valid URL character or a %-escape; encode the rest (UTF-8).
_PATH_SAFE: Final = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE: Final = _PATH_SAFE + "?"


class InvalidUrlError(ValueError):
    """Text that is not an acceptable public http(s) address; the message says why."""


def _with_scheme(text: str) -> str:
    """Add ``https://`` unless the text already starts with a scheme; refuse other schemes."""
    if text.startswith("//"):
        return "https:" + text
    m = _SCHEME_PREFIX.match(text)
    if m is None:
        return "https://" + text
    scheme, rest = m.group(1).lower(), text[m.end() :]
    # "example.com:8080" and "localhost:8000" are a host and a port, not a scheme.
    if "." in scheme or rest[:1].isdigit():
        return "https://" + text
    if scheme not in _SCHEMES:
        raise InvalidUrlError(f"only http and https addresses are allowed, not '{scheme}:'")
    if not rest.startswith("//"):
        raise InvalidUrlError("expected '//' after the scheme")
    return text


def _check_ip(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise InvalidUrlError(f"'{host}' is not a valid IP address") from None
    embedded: ipaddress.IPv4Address | None = None
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if not address.is_global or (embedded is not None and not embedded.is_global):
        raise InvalidUrlError(f"'{host}' is not a public address")
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def _check_host(host: str) -> str:
    """The canonical host (lower case, punycode, no trailing dot), or InvalidUrlError."""
    if ":" in host:  # urlsplit gives IPv6 literals without their brackets
        return _check_ip(host)
    host = host.removesuffix(".")
    if not host:
        raise InvalidUrlError("the address has no host name")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidUrlError(f"'{host}' is not a valid host name") from None
    labels = ascii_host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):  # browsers read such hosts as IPv4 addresses
        return _check_ip(ascii_host)
    if len(labels) < 2:
        raise InvalidUrlError(f"'{host}' is not a public host name (it needs a dot)")
    if len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidUrlError(f"'{host}' is not a valid host name")
    for suffix in _SPECIAL_SUFFIXES:
        if ascii_host == suffix or ascii_host.endswith("." + suffix):
            raise InvalidUrlError(f"'{host}' is not a public host name")
    return ascii_host


@lru_cache(maxsize=8192)
def _normalize_cached(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidUrlError("the address is empty")
    if len(text) > MAX_URL_LEN:
        raise InvalidUrlError(f"the address is longer than {MAX_URL_LEN} characters")
    if _FORBIDDEN_CHARS.search(text):
        raise InvalidUrlError(
            "the address must not contain spaces, backslashes or control characters"
        )
    text = _with_scheme(text)
    try:
        parts = urlsplit(text)
    except ValueError:  # unbalanced or invalid [IPv6] brackets
        raise InvalidUrlError("the address has an invalid [IPv6] host") from None
    scheme = parts.scheme.lower()
    if "@" in parts.netloc:
        raise InvalidUrlError("the address must not contain a user name or password ('@')")
    try:
        port = parts.port
    except ValueError:
        raise InvalidUrlError("the port is not a number between 1 and 65535") from None
    if port == 0:
        raise InvalidUrlError("the port is not a number between 1 and 65535")
    host = _check_host(parts.hostname or "")
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    url = f"{scheme}://{netloc}{quote(parts.path, safe=_PATH_SAFE) or '/'}"
    if parts.query:
        url += "?" + quote(parts.query, safe=_QUERY_SAFE)
    if parts.fragment:
        url += "#" + quote(parts.fragment, safe=_QUERY_SAFE + "#")
    if len(url) > MAX_URL_LEN:
        raise InvalidUrlError(f"the address is longer than {MAX_URL_LEN} characters")
    return url


def normalize_url(text: str) -> str:
    """The canonical public http(s) URL for ``text`` (module docstring); else InvalidUrlError."""
    if not isinstance(text, str):
        raise InvalidUrlError(f"the address must be text, not {type(text).__name__}")
    return _normalize_cached(text)
