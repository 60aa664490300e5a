"""E-mail notices about inquiries, sent after the inquiry is committed, never before.

* **The owner** of a new inquiry: every active owner token of the business leads to the
  e-mail address given with its submission or claim; each gets a link to *their* owner
  page (``/pemilik/{submission_id}``) and nothing of the inquiry itself. The buyer's
  words and contact stay behind the owner's link, so this mail cannot be used to carry
  a stranger's text (or spam) into an owner's inbox. While the owner has another new
  inquiry from the last hour, no further mail is sent: one notice per quiet hour.
* **The buyer**, when the contact is an e-mail address and the owner answers (or changes
  the answer): a link to the receipt page, without the token, and nothing of the owner's
  contact details (the sender is ``DEKAT_MAIL_FROM``; no Reply-To).

Failures (server down, refused address) are logged and swallowed: the inquiry and the
answer are already stored and the pages show them.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory.inquiries.fields import is_email
from directory.inquiries.mail import mail_enabled, send_mail
from directory.inquiries.service import NEW, receipt_path
from directory.models import Business, Inquiry, OwnerToken, Submission
from directory.settings import Settings

log = logging.getLogger("dekat.inquiries")
QUIET_PERIOD: Final = timedelta(hours=1)

OWNER_SUBJECT: Final = "Pertanyaan baru untuk {name} / New inquiry for {name}"
OWNER_BODY: Final = """\
Halo,

Ada pembeli yang mengirim pertanyaan untuk {name}{product_id}.
Baca dan jawab di halaman pemilik Anda:

{link}

Jika halaman meminta tautan pribadi, buka tautan pribadi yang Anda simpan saat
mendaftarkan usaha.

---

Hello,

A buyer sent an inquiry to {name}{product_en}.
Read and answer it on your owner page:

{link}

If the page asks for your private link, open the private link you kept when you listed
your business.

— {site}
"""
BUYER_SUBJECT: Final = "{name} menjawab pertanyaan Anda / {name} answered your inquiry"
BUYER_BODY: Final = """\
Halo,

{name} sudah menjawab pertanyaan Anda. Baca jawabannya di:

{link}

Di perangkat lain, buka tautan pribadi yang Anda simpan setelah mengirim pertanyaan.

---

Hello,

{name} answered your inquiry. Read the answer at:

{link}

On another device, open the private link you kept after sending the inquiry.

— {site}
"""


def owner_addresses(session: Session, business_id: int) -> list[tuple[str, str]]:
    """(e-mail address, submission id) of every active owner of the business."""
    rows = session.execute(
        select(Submission.contact_email, Submission.id)
        .join(OwnerToken, OwnerToken.submission_id == Submission.id)
        .where(
            OwnerToken.business_id == business_id,
            OwnerToken.revoked_at.is_(None),
            Submission.contact_email.is_not(None),
        )
        .order_by(Submission.created_at)
    ).all()
    seen: dict[str, str] = {}
    for email, submission_id in rows:
        seen.setdefault(str(email).lower(), str(submission_id))
    return list(seen.items())


def _recently_notified(session: Session, inquiry: Inquiry) -> bool:
    """Another new inquiry of the same business arrived within the quiet period."""
    count = session.scalar(
        select(func.count())
        .select_from(Inquiry)
        .where(
            Inquiry.business_id == inquiry.business_id,
            Inquiry.id != inquiry.id,
            Inquiry.status == NEW,
            Inquiry.created_at >= inquiry.created_at - QUIET_PERIOD,
            Inquiry.created_at <= inquiry.created_at,
        )
    )
    return bool(count)


def _send(settings: Settings, to: str, subject: str, body: str, what: str) -> bool:
    try:
        return send_mail(settings, to=to, subject=subject, body=body)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        log.warning("%s: e-mail not sent (%s: %s)", what, type(exc).__name__, exc)
    except Exception:  # a notice must never take anything down with it
        log.exception("%s: e-mail not sent", what)
    return False


def notify_owners(
    sessions: sessionmaker[Session], settings: Settings, inquiry_id: str, *, site: str
) -> int:
    """Tell the owners of the inquiry's business that it arrived; the number of mails sent.

    ``site`` is the public base URL (``https://…``) the links start with."""
    if not mail_enabled(settings):
        return 0
    with sessions() as session:
        inquiry = session.get(Inquiry, inquiry_id)
        if inquiry is None or _recently_notified(session, inquiry):
            return 0
        business = session.get(Business, inquiry.business_id)
        if business is None:
            return 0
        name = business.name
        product_id = f" (produk: {inquiry.product_name})" if inquiry.product_name else ""
        product_en = f" (product: {inquiry.product_name})" if inquiry.product_name else ""
        recipients = owner_addresses(session, business.id)
    sent = 0
    for email, submission_id in recipients:
        body = OWNER_BODY.format(
            name=name, product_id=product_id, product_en=product_en,
            link=f"{site}/pemilik/{submission_id}", site=site,
        )  # fmt: skip
        sent += _send(settings, email, OWNER_SUBJECT.format(name=name), body,
                      f"inquiry {inquiry_id} owner notice")  # fmt: skip
    return sent


def notify_buyer(
    sessions: sessionmaker[Session], settings: Settings, inquiry_id: str, *, site: str
) -> bool:
    """Tell the buyer (when they gave an e-mail address) that the owner answered."""
    if not mail_enabled(settings):
        return False
    with sessions() as session:
        inquiry = session.get(Inquiry, inquiry_id)
        if inquiry is None or not is_email(inquiry.contact) or not inquiry.answer:
            return False
        business = session.get(Business, inquiry.business_id)
        if business is None:
            return False
        name, contact = business.name, inquiry.contact
    body = BUYER_BODY.format(name=name, link=site + receipt_path(inquiry_id), site=site)
    return _send(settings, contact, BUYER_SUBJECT.format(name=name), body,
                 f"inquiry {inquiry_id} buyer notice")  # fmt: skip
