"""Forgotten passwords, on both stacks: a neutral answer, a one-time link in the outbox, a new password
that signs the person out everywhere, and a limit on requests."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from httpx import Response
from sqlmodel import col, select

from etalase.platform.accounts.models import OneTimeToken, OutboxMessage
from etalase.tenants.models import utcnow
from tests.conftest import Stack
from tests.people import CSRF, PASSWORD, Browser, make_user, make_village, portal, village_host

LINK = re.compile(r"https?://([a-z0-9.-]+)(?::\d+)?/akun/atur-sandi/([A-Za-z0-9_-]{20,})")
NEW_PASSWORD = "teh manis di beranda"


@pytest.fixture
def sidomulyo(stack: Stack) -> tuple[int, str]:
    return make_village(stack, "34.04.02.2003")


def forgot(browser: Browser, base: str, identifier: str) -> Response:
    return browser.post(f"{base}/akun/lupa-sandi", {"identifier": identifier})


def messages(stack: Stack) -> list[OutboxMessage]:
    with stack.runtime.session(all_villages=True) as db:
        return list(db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def reset_token(stack: Stack) -> tuple[str, str]:
    """The host and token of the latest reset link in the outbox."""
    match = LINK.search(messages(stack)[-1].body)
    assert match, "no reset link in the outbox"
    return match.group(1), match.group(2)


def set_new(browser: Browser, url: str, password: str, password2: str | None = None) -> Response:
    form_url = url if browser.get(url).status_code == 200 else url.partition("/akun/")[0] + "/akun/masuk"
    return browser.post(url, {"password": password, "password2": password2 or password}, form_url=form_url)


def neutral(text: str) -> str:
    return CSRF.sub("", text).replace("budi@contoh.id", "X").replace("hantu@contoh.id", "X")


@pytest.mark.parametrize("where", ["village", "portal"])
def test_reset_link_sets_a_new_password_once_and_signs_out_everywhere(
    stack: Stack, sidomulyo: tuple[int, str], where: str
) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug) if where == "village" else portal(stack)
    make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={vid: "admin"}, scope="34.04.02")
    landing = "/admin" if where == "village" else "/konsol"
    laptop = Browser(stack)
    assert laptop.login(base, "budi@contoh.id").status_code == 303
    assert laptop.get(f"{base}{landing}").status_code == 200

    # The same page whether or not the account exists; a message only for the one that does.
    known = forgot(Browser(stack), base, "BUDI@contoh.id")
    unknown = forgot(Browser(stack), base, "hantu@contoh.id")
    assert known.status_code == unknown.status_code == 200
    assert "Jika akun itu terdaftar" in known.text
    assert neutral(known.text) == neutral(unknown.text)
    [message] = messages(stack)
    assert message.recipient == "budi@contoh.id" and "Budi Santoso" in message.body
    host, token = reset_token(stack)
    assert host == base.split("://")[1]  # the link leads back to where it was asked for
    url = f"{base}/akun/atur-sandi/{token}"

    phone = Browser(stack)
    assert phone.get(url).status_code == 200
    for password, password2, error in [
        ("password123", "password123", "terlalu mudah ditebak"),
        ("santoso2026", "santoso2026", "terlalu mudah ditebak"),  # the person's own name
        ("qz7kx", "qz7kx", "minimal 8 karakter"),
        (NEW_PASSWORD, "teh manis di teras", "Kedua kata sandi tidak sama"),
    ]:
        refused = set_new(phone, url, password, password2)
        assert refused.status_code == 400 and error in refused.text, password
    assert laptop.get(f"{base}{landing}").status_code == 200  # nothing happened yet

    done = set_new(phone, url, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/akun/masuk?pesan=sandi-diganti"
    assert "Silakan masuk dengan kata sandi baru" in phone.get(f"{base}/akun/masuk?pesan=sandi-diganti").text
    # Whoever was signed in (perhaps with the old password) is signed out.
    assert laptop.get(f"{base}{landing}").status_code == 303
    assert Browser(stack).login(base, "budi@contoh.id", PASSWORD).status_code == 400
    assert Browser(stack).login(base, "budi@contoh.id", NEW_PASSWORD).status_code == 303

    # Once only.
    for again in (Browser(stack).get(url), set_new(Browser(stack), url, "kopi tubruk tanpa gula")):
        assert again.status_code == 400 and "sudah pernah dipakai" in again.text
    assert Browser(stack).login(base, "budi@contoh.id", NEW_PASSWORD).status_code == 303


def test_an_old_reset_link_has_expired(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={vid: "admin"})
    forgot(Browser(stack), base, "budi@contoh.id")
    _host, token = reset_token(stack)
    with stack.runtime.session(all_villages=True) as db:
        row = db.exec(select(OneTimeToken).where(col(OneTimeToken.purpose) == "reset")).one()
        expires = row.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)  # SQLite: naive
        assert timedelta(minutes=59) < expires <= timedelta(minutes=60)
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.add(row)
    url = f"{base}/akun/atur-sandi/{token}"
    for response in (Browser(stack).get(url), set_new(Browser(stack), url, NEW_PASSWORD)):
        assert response.status_code == 400 and "kedaluwarsa" in response.text
    assert Browser(stack).login(base, "budi@contoh.id", PASSWORD).status_code == 303  # unchanged
    # A made-up or mistyped link says so.
    made_up = Browser(stack).get(f"{base}/akun/atur-sandi/{token[:-2]}xx")
    assert made_up.status_code == 400 and "tidak valid" in made_up.text


def test_reset_requests_are_limited_per_account(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={vid: "admin"})
    for written in ("budi@contoh.id", "Budi@Contoh.id", " budi@contoh.id "):  # one account, however typed
        assert forgot(Browser(stack), base, written).status_code == 200
    blocked = forgot(Browser(stack), base, "budi@contoh.id")
    assert blocked.status_code == 429
    assert "Coba lagi dalam 60 menit" in blocked.text
    assert len(messages(stack)) == 3
    # Accounts that do not exist are limited the same way: the limit reveals nothing.
    for _ in range(3):
        forgot(Browser(stack), base, "hantu@contoh.id")
    assert forgot(Browser(stack), base, "hantu@contoh.id").status_code == 429
    # Another account is not affected, and bad input is a plain error, not a request.
    assert forgot(Browser(stack), base, "siti@contoh.id").status_code == 200
    bad = forgot(Browser(stack), base, "0274 123456")
    assert bad.status_code == 400 and "nomor telepon rumah" in bad.text


def test_a_password_change_ends_the_other_sessions(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={vid: "admin"})
    phone, laptop = Browser(stack), Browser(stack)
    phone.login(base, "budi@contoh.id")
    laptop.login(base, "budi@contoh.id")
    fields = {"current": "bukan sandinya", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    wrong = laptop.post(f"{base}/akun/sandi", fields, form_url=f"{base}/akun")
    assert wrong.status_code == 400 and "Kata sandi saat ini salah" in wrong.text
    same = laptop.post(
        f"{base}/akun/sandi",
        {"current": PASSWORD, "password": PASSWORD, "password2": PASSWORD},
        form_url=f"{base}/akun",
    )
    assert same.status_code == 400 and "harus berbeda" in same.text
    fields["current"] = PASSWORD
    changed = laptop.post(f"{base}/akun/sandi", fields, form_url=f"{base}/akun")
    assert changed.status_code == 303 and changed.headers["location"] == "/akun?pesan=sandi"
    assert laptop.get(f"{base}/admin").status_code == 200  # this one stays
    assert phone.get(f"{base}/admin").status_code == 303  # the other is signed out


# --- bugs found by these tests, now fixed ---------------------------------------------------------------
def test_a_reset_voids_the_other_reset_links(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={vid: "admin"})
    forgot(Browser(stack), base, "budi@contoh.id")
    _host, older = reset_token(stack)
    forgot(Browser(stack), base, "budi@contoh.id")
    _host, newer = reset_token(stack)
    assert set_new(Browser(stack), f"{base}/akun/atur-sandi/{newer}", NEW_PASSWORD).status_code == 303
    stale = Browser(stack).get(f"{base}/akun/atur-sandi/{older}")
    assert stale.status_code == 400


def test_a_reset_asked_by_number_goes_to_the_accounts_email(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    make_user(stack, "Budi Santoso", email="budi@contoh.id", phone="0812-3456-7890", roles={vid: "admin"})
    assert forgot(Browser(stack), base, "0812 3456 7890").status_code == 200
    [message] = messages(stack)
    assert message.recipient == "budi@contoh.id"
