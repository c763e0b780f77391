"""Invitations and resets leave through a real SMTP conversation when a mail server is configured.

A small SMTP server (aiosmtpd) listens on loopback and keeps what it receives; the outbox job sends
to it, marks what went out, and keeps what failed for the next attempt.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from etalase.platform.accounts import outbox
from etalase.platform.accounts.models import OutboxMessage
from tests.conftest import Stack, free_port
from tests.people import Browser, make_user, make_village, village_host


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:  # noqa: N802
        mail = message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[attr-defined]
        self.messages.append(mail)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_an_invitation_is_mailed_once_and_marked_sent(stack: Stack, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    settings = stack.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "Etalase <desa@etalase.test>"}
    )
    vid, slug = make_village(stack, "34.04.02.2003")
    make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"})
    with stack.runtime.session(vid) as db:
        outbox.queue(
            db, "budi@contoh.id", "Undangan", "Buka https://sidomulyo.etalase.test/akun/undangan/abc"
        )
        outbox.queue(db, "+6281234567890", "Undangan", "Nomor HP: tidak ada gerbang SMS")

    assert outbox.send_pending(settings, stack.runtime.engine) == 1
    assert outbox.send_pending(settings, stack.runtime.engine) == 0  # nothing goes out twice
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "budi@contoh.id" and mail["From"] == "Etalase <desa@etalase.test>"
    assert "/akun/undangan/abc" in mail.get_content()
    with stack.runtime.session(all_villages=True) as db:
        rows = {m.recipient: m for m in db.exec(select(OutboxMessage)).all()}
    assert rows["budi@contoh.id"].sent_at is not None
    assert rows["+6281234567890"].sent_at is None  # waits for the operator (no SMS gateway)

    # Through the app: the invite page says the email went out, and it did.
    browser = Browser(stack)
    browser.client.app.state.settings = settings  # type: ignore[attr-defined]
    base = village_host(stack, slug)
    browser.login(base, "siti@contoh.id")
    page = browser.post(
        f"{base}/admin/anggota/undang",
        {"recipient": "rina@contoh.id", "role": "editor"},
        form_url=f"{base}/admin/anggota",
    )
    assert page.status_code == 200
    if not settings.redis_url:  # embedded: the in-process job thread sends it
        for _ in range(50):
            if len(inbox.messages) == 2:
                break
            time.sleep(0.1)
    else:  # production: the RQ worker would; run the job as the worker does
        outbox.send_pending(settings, stack.runtime.engine)
    assert len(inbox.messages) == 2
    link = re.search(r"https?://\S+/akun/undangan/\S+", inbox.messages[1].get_content())
    assert link and link.group(0) in page.text


def test_an_unreachable_mail_server_keeps_the_message_for_later(stack: Stack) -> None:
    settings = stack.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port()})
    with stack.runtime.session(all_villages=True) as db:
        outbox.queue(db, "budi@contoh.id", "Atur ulang kata sandi", "…")
    assert outbox.send_pending(settings, stack.runtime.engine) == 0
    with stack.runtime.session(all_villages=True) as db:
        message = db.exec(select(OutboxMessage)).one()
    assert message.sent_at is None and message.attempts == 1
    assert "ConnectionRefusedError" in message.error
