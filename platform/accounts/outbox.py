"""Messages to people (invitations, password resets), written to the database first.

The row is written in the same transaction as the token it carries, so a failed request leaves
neither. With ``ETALASE_SMTP_HOST`` set, a background job sends what is pending; without it the
message simply waits in the outbox, where the operator reads it (``etalase outbox`` or the
console's Kotak keluar) — a demo needs no mail server. Mobile numbers have no gateway yet: the
inviter also gets the link to pass on by WhatsApp.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from etalase.platform.accounts.models import OutboxMessage
from etalase.platform.settings import Settings
from etalase.tenants.models import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def queue(session: Session, recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(recipient=recipient, subject=subject[:200], body=body)
    session.add(message)
    session.flush()
    return message


def deliverable(settings: Settings, recipient: str) -> bool:
    return bool(settings.smtp_host) and "@" in recipient


def send_pending(settings: Settings, engine: Engine | None = None) -> int:
    """Send every pending email (a background job). Returns how many went out."""
    if not settings.smtp_host:
        return 0
    if engine is None:
        from etalase.platform.db import make_engine  # noqa: PLC0415  (a worker builds its own)

        engine = make_engine(settings.sqlalchemy_url, pooled=False)
    sent = 0
    with Session(engine) as session:
        pending = session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.attempts) < MAX_ATTEMPTS)
            .where(col(OutboxMessage.recipient).contains("@"))
            .order_by(col(OutboxMessage.id))
            .limit(100)
        ).all()
        for message in pending:
            message.attempts += 1
            try:
                _send(settings, message)
            except (OSError, smtplib.SMTPException) as error:
                message.error = f"{type(error).__name__}: {error}"[:300]
                log.warning("outbox message %s not sent: %s", message.id, message.error)
            else:
                message.sent_at = utcnow()
                message.error = ""
                sent += 1
            session.add(message)
            session.commit()
    return sent


def _send(settings: Settings, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    context = ssl.create_default_context()
    if settings.smtp_port == 465:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=20, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20)
    with smtp:
        if settings.smtp_port != 465 and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(email, from_addr=parseaddr(settings.smtp_from)[1])
