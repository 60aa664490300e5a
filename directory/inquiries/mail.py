"""Sending e-mail: the one module that talks SMTP (standard library ``smtplib``).

Configured by ``DEKAT_SMTP_URL`` and ``DEKAT_MAIL_FROM``; with either unset nothing is
sent and :func:`send_mail` says so by returning False. URL forms:

* ``smtp://user:pass@host:587?starttls=true`` — plain connection upgraded with STARTTLS
  (refused if the server does not offer it: credentials never go in clear text);
* ``smtps://user:pass@host:465`` — TLS from the first byte;
* ``smtp://host:25`` — no TLS, no login (a relay on the same machine or network).

User name and password are percent-decoded. Certificates are verified with the system's
trust store. Messages are plain text, UTF-8. Callers decide what to do with a failure;
the inquiry code logs it and keeps the inquiry (mail is a courtesy, the page is the truth).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid

from pydantic import SecretStr

from directory.mail_config import SmtpConfig, parse_smtp_url
from directory.settings import Settings


def mail_enabled(settings: Settings) -> bool:
    """Whether notifications are configured (both the server and the sender)."""
    return settings.smtp_url is not None and settings.mail_from is not None


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message with the headers mail servers expect of automated mail."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = getaddresses([sender])[0][1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    # RFC 3834: no vacation auto-replies to a notification.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    return message


def _connect(config: SmtpConfig, timeout_s: float) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if config.security == "tls":
        return smtplib.SMTP_SSL(config.host, config.port, timeout=timeout_s, context=context)
    client = smtplib.SMTP(config.host, config.port, timeout=timeout_s)
    if config.security == "starttls":
        client.starttls(context=context)  # raises when the server does not offer it
    return client


def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> bool:
    """Send one message; False when mail is not configured. SMTP and network errors
    (``smtplib.SMTPException``, ``OSError``) reach the caller."""
    if settings.smtp_url is None or settings.mail_from is None:
        return False
    url = settings.smtp_url
    config = parse_smtp_url(url.get_secret_value() if isinstance(url, SecretStr) else str(url))
    message = build_message(settings.mail_from, to, subject, body)
    with _connect(config, settings.smtp_timeout_s) as client:
        if config.username is not None:
            client.login(config.username, config.password or "")
        client.send_message(message)
    return True
