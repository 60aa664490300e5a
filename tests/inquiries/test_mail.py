"""E-mail notices of inquiries, delivered to a real SMTP server on 127.0.0.1 (aiosmtpd).

The owner hears that an inquiry arrived (a link to their page, nothing of the buyer's
text); the buyer who gave an e-mail address hears that the owner answered (a link to
the receipt page, nothing of the owner's contact). Mail is sent after the commit and a
dead server costs nothing but a log line.
"""

from __future__ import annotations

import email
import email.policy
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from directory.app import create_app
from directory.mail_config import parse_smtp_url
from directory.models import Inquiry
from directory.settings import Settings
from tests.inquiry_helpers import BUYER, OWNER_EMAIL, ask, owned_business

SENDER = "Dekat <noreply@dekat.example.id>"


@dataclass
class Inbox:
    """What the local SMTP server received."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for _, rcpt, m in self.messages if address in rcpt]


def _with(settings: Settings, **changes: Any) -> Settings:
    """The settings with ``changes`` validated as the environment's would be."""
    return Settings.model_validate({**settings.model_dump(), **changes})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def mail_app(settings: Settings, smtp: tuple[Inbox, int]) -> Iterator[FastAPI]:
    app = create_app(
        _with(
            settings,
            smtp_url=f"smtp://127.0.0.1:{smtp[1]}",
            mail_from=SENDER,
            public_base_url="https://dekat.example.id",
        )
    )
    yield app
    app.state.engine.dispose()


@pytest.fixture
def mail_client(mail_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(mail_app, base_url="https://dekat.example.id") as client:
        yield client


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_the_owner_is_told_with_a_link_and_nothing_else(
    mail_client: TestClient, sessions: sessionmaker[Session], smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    owned = owned_business(mail_client, sessions)
    created = ask(mail_client, owned.business_id)
    assert created.status_code == 201
    # TestClient returns after the background task ran: the mail is in by now.
    [notice] = inbox.to(OWNER_EMAIL)
    assert notice["From"] == SENDER
    assert "Kopi Senja Serpong" in notice["Subject"]
    assert notice["Auto-Submitted"] == "auto-generated"
    body = _body(notice)
    assert f"https://dekat.example.id/pemilik/{owned.submission_id}" in body
    for private in (BUYER["contact"], BUYER["message"], BUYER["name"], created.json()["id"]):
        assert private not in body
    assert owned.token not in body
    assert inbox.messages[0][0] == "noreply@dekat.example.id"


def test_one_notice_per_quiet_hour(
    mail_client: TestClient, sessions: sessionmaker[Session], smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    owned = owned_business(mail_client, sessions)
    assert ask(mail_client, owned.business_id).status_code == 201
    assert ask(mail_client, owned.business_id, message="Lagi").status_code == 201
    assert len(inbox.to(OWNER_EMAIL)) == 1


def test_the_buyer_is_told_of_the_answer_without_the_owners_contact(
    mail_client: TestClient, sessions: sessionmaker[Session], smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    owned = owned_business(mail_client, sessions)
    created = ask(mail_client, owned.business_id).json()
    url = f"/api/v1/owner/businesses/{owned.business_id}/inquiries/{created['id']}/answer"
    headers = {"Authorization": f"Bearer {owned.token}"}
    assert mail_client.post(url, json={"answer": "Rp 25.000/kg"}, headers=headers).is_success
    [notice] = inbox.to(BUYER["contact"])
    assert notice["From"] == SENDER
    assert notice["Reply-To"] is None
    body = _body(notice)
    assert f"https://dekat.example.id/pertanyaan/{created['id']}" in body
    assert created["receipt_token"] not in body
    raw = notice.as_string()
    assert OWNER_EMAIL not in raw
    assert owned.submission_id not in raw
    # The same answer again is no news: no second mail.
    assert mail_client.post(url, json={"answer": "Rp 25.000/kg"}, headers=headers).is_success
    assert len(inbox.to(BUYER["contact"])) == 1


def test_a_buyer_who_gave_a_phone_number_gets_no_mail(
    mail_client: TestClient, sessions: sessionmaker[Session], smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    owned = owned_business(mail_client, sessions)
    created = ask(mail_client, owned.business_id, contact="0812-1111-2222").json()
    url = f"/api/v1/owner/businesses/{owned.business_id}/inquiries/{created['id']}/answer"
    headers = {"Authorization": f"Bearer {owned.token}"}
    assert mail_client.post(url, json={"answer": "Ada"}, headers=headers).is_success
    assert [rcpt for _, rcpt, _ in inbox.messages] == [[OWNER_EMAIL]]


def test_a_dead_mail_server_loses_nothing(
    settings: Settings, sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    dead = _with(
        settings, smtp_url=f"smtp://127.0.0.1:{_free_port()}", mail_from=SENDER, smtp_timeout_s=2.0
    )
    app = create_app(dead)
    with TestClient(app) as client, caplog.at_level(logging.WARNING, "dekat.inquiries"):
        owned = owned_business(client, sessions)
        response = ask(client, owned.business_id)
        assert response.status_code == 201
    app.state.engine.dispose()
    with sessions() as session:
        assert session.get(Inquiry, response.json()["id"]) is not None
    assert any("e-mail not sent" in r.getMessage() for r in caplog.records)


def test_without_mail_settings_nothing_is_sent(
    client: TestClient, sessions: sessionmaker[Session], smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    owned = owned_business(client, sessions)
    assert ask(client, owned.business_id).status_code == 201
    assert inbox.messages == []


def test_smtp_urls() -> None:
    plain = parse_smtp_url("smtp://relay.local")
    assert (plain.host, plain.port, plain.security, plain.username) == (
        "relay.local", 25, "none", None,
    )  # fmt: skip
    tls = parse_smtp_url("smtp://app%40dekat.id:s%3Acret@mail.example.id:587?starttls=true")
    assert (tls.port, tls.security, tls.username, tls.password) == (
        587, "starttls", "app@dekat.id", "s:cret",
    )  # fmt: skip
    assert "s:cret" not in repr(tls)
    assert parse_smtp_url("smtps://u:p@mail.example.id").port == 465
    assert parse_smtp_url("smtps://u:p@mail.example.id").security == "tls"
    for bad in ("http://mail.example.id", "smtp://", "smtp://h:99999", "smtp://h?tls=1",
                "smtp://h?starttls=maybe"):  # fmt: skip
        with pytest.raises(ValueError, match="smtp_url"):
            parse_smtp_url(bad)


def test_bad_mail_settings_stop_the_server_at_start(settings: Settings) -> None:
    with pytest.raises(ValidationError, match="smtp_url") as caught:
        Settings(database_url=settings.database_url, smtp_url="smtp://u:hunter2@:25")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ValidationError, match="mail_from"):
        Settings(database_url=settings.database_url, mail_from="a@b.example, c@d.example")
    with pytest.raises(ValidationError, match="mail_from"):
        Settings(database_url=settings.database_url, mail_from="Dekat <noreply>\r\nBcc: x@y.z")
