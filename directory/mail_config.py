"""The mail settings (``DEKAT_SMTP_URL``, ``DEKAT_MAIL_FROM``) parsed and checked.

Kept apart from the sending code (``directory/inquiries/mail.py``) so that the settings can
refuse a bad value at start-up without importing a feature package; URL forms are listed
there.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import getaddresses
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

from email_validator import EmailNotValidError, validate_email

_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})
_DEFAULT_PORTS: Final = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to hand mail over; ``security`` is ``none``, ``starttls`` or ``tls``."""

    host: str
    port: int
    username: str | None
    password: str | None
    security: str

    def __repr__(self) -> str:  # never show the password in logs or tracebacks
        return f"SmtpConfig(host={self.host!r}, port={self.port}, security={self.security!r})"


def parse_smtp_url(url: str) -> SmtpConfig:
    """The server a ``smtp://`` or ``smtps://`` URL names; ValueError (without the
    password) when it is not one."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError("smtp_url must look like smtp://user:pass@host:587?starttls=true")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValueError("smtp_url has an invalid port") from None
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(options) - {"starttls"}
    if unknown:
        raise ValueError(f"smtp_url: unknown option(s) {', '.join(sorted(unknown))}")
    starttls = (options.get("starttls") or [""])[-1].lower()
    if starttls and starttls not in _TRUE | _FALSE:
        raise ValueError("smtp_url: starttls must be true or false")
    security = "tls" if scheme == "smtps" else "starttls" if starttls in _TRUE else "none"
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return SmtpConfig(parts.hostname, port, username, password, security)


def parse_sender(value: str) -> str:
    """A From header value with exactly one valid address; ValueError otherwise."""
    if any(ch in value for ch in "\r\n\x00"):
        raise ValueError("mail_from must be one line")
    found = getaddresses([value])
    if len(found) != 1 or not found[0][1]:
        raise ValueError("mail_from must be one address, e.g. 'Dekat <noreply@example.id>'")
    try:
        validate_email(found[0][1], check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"mail_from: {exc}") from None
    return value.strip()
