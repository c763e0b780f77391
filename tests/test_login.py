"""Signing in and out, on both stacks: identifiers, cookies, sessions, limits, CSRF."""

from __future__ import annotations

import pytest
from sqlmodel import select

from etalase.platform.accounts.models import UserSession
from tests.conftest import Stack
from tests.people import PASSWORD, Browser, make_user, make_village, portal, village_host

WRONG = "Email/nomor HP atau kata sandi salah."


@pytest.fixture
def sidomulyo(stack: Stack) -> tuple[int, str]:
    return make_village(stack, "34.04.02.2003")


def test_phone_written_three_ways_is_one_person(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Siti Aminah", phone="0812-3456-7890", roles={vid: "admin"})
    base = village_host(stack, slug)
    for written in ("0812 3456 7890", "+62 812-3456-7890", "6281234567890"):
        browser = Browser(stack)
        response = browser.login(base, written)
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/admin"
        assert browser.get(f"{base}/admin").status_code == 200


def test_email_is_case_insensitive_and_lookalikes_are_refused(
    stack: Stack, sidomulyo: tuple[int, str]
) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Budi", email="budi@contoh.id", roles={vid: "editor"})
    base = village_host(stack, slug)
    assert Browser(stack).login(base, "  BUDI@Contoh.ID ").status_code == 303
    # Cyrillic "о" in contoh: looks the same on a phone, is another address.
    response = Browser(stack).login(base, "budi@cоntoh.id")
    assert response.status_code == 400
    assert "huruf latin" in response.text


def test_wrong_password_and_unknown_account_look_the_same(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Budi", email="budi@contoh.id", roles={vid: "editor"})
    base = village_host(stack, slug)
    wrong = Browser(stack).login(base, "budi@contoh.id", "salah sekali kata sandinya")
    unknown = Browser(stack).login(base, "tidakada@contoh.id", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert WRONG in wrong.text and WRONG in unknown.text
    # The form keeps what was typed, never the password.
    assert 'value="budi@contoh.id"' in wrong.text
    assert "salah sekali" not in wrong.text


def test_session_cookie_flags(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Budi", email="budi@contoh.id", roles={vid: "editor"})
    response = Browser(stack).login(village_host(stack, slug), "budi@contoh.id")
    header = next(h for h in response.headers.get_list("set-cookie") if "etalase_sesi" in h)
    lowered = header.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "domain=" not in lowered
    if stack.settings.public_scheme == "https":
        assert header.startswith("__Host-etalase_sesi=") and "secure" in lowered
    else:
        assert header.startswith("etalase_sesi=")


def test_session_survives_a_restart_and_works_in_another_process(
    stack: Stack, sidomulyo: tuple[int, str]
) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Budi", email="budi@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    first = Browser(stack)
    first.login(base, "budi@contoh.id")
    # A new app object (a restarted process, or another worker) knows the session from the database.
    second = Browser(stack)
    for cookie in first.client.cookies.jar:
        second.client.cookies.jar.set_cookie(cookie)
    assert second.get(f"{base}/admin").status_code == 200


def test_logout_ends_the_session_on_the_server(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Budi", email="budi@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    browser = Browser(stack)
    browser.login(base, "budi@contoh.id")
    stolen = browser.cookie("etalase_sesi")
    assert browser.post(f"{base}/akun/keluar", form_url=f"{base}/admin").status_code == 303
    thief = Browser(stack)
    thief.client.cookies.set(_cookie_name(stack), stolen or "", domain=f"{slug}.etalase.test")
    assert thief.get(f"{base}/admin").status_code == 303  # back to the sign-in page


def test_logout_everywhere(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Budi", email="budi@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    phone, laptop = Browser(stack), Browser(stack)
    phone.login(base, "budi@contoh.id")
    laptop.login(base, "budi@contoh.id")
    assert laptop.post(f"{base}/akun/sesi/akhiri-semua", form_url=f"{base}/akun").status_code == 303
    assert phone.get(f"{base}/admin").status_code == 303
    assert laptop.get(f"{base}/admin").status_code == 303
    with stack.runtime.session(all_villages=True) as db:
        assert db.exec(select(UserSession)).all() == []


def test_failed_logins_are_limited_per_account_with_a_clear_wait(
    stack: Stack, sidomulyo: tuple[int, str]
) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Budi", email="budi@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    for _ in range(5):
        assert Browser(stack).login(base, "budi@contoh.id", "bukan kata sandinya").status_code == 400
    blocked = Browser(stack).login(base, "budi@contoh.id", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert "Coba lagi dalam 15 menit" in blocked.text
    # An account that does not exist is limited the same way: the limit reveals nothing.
    for _ in range(5):
        Browser(stack).login(base, "hantu@contoh.id", "bukan kata sandinya")
    assert Browser(stack).login(base, "hantu@contoh.id", PASSWORD).status_code == 429


def test_sign_in_form_needs_its_csrf_token(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Budi", email="budi@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    browser = Browser(stack)
    response = browser.client.post(
        f"{base}/akun/masuk", data={"identifier": "budi@contoh.id", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "Muat ulang halaman" in response.text


def test_next_never_leaves_the_site(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Budi", email="budi@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = Browser(stack).login(base, "budi@contoh.id", next_path=target)
        assert response.headers["location"] == "/admin"


def test_portal_login_lands_supervisors_in_the_console(stack: Stack) -> None:
    make_user(stack, "Pendamping Godean", email="pd@contoh.id", scope="34.04.02")
    browser = Browser(stack)
    response = browser.login(portal(stack), "pd@contoh.id")
    assert response.headers["location"] == "/konsol"
    assert browser.get(f"{portal(stack)}/konsol").status_code == 200


def test_overlong_and_markup_input_changes_nothing(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    _vid, slug = sidomulyo
    base = village_host(stack, slug)
    browser = Browser(stack)
    response = browser.login(base, "x" * 5000)
    assert response.status_code in (400, 422)
    response = browser.login(base, "<script>alert(1)</script>")
    assert response.status_code == 400 and "<script>alert(1)</script>" not in response.text
    response = browser.login(base, "' OR 1=1 --")
    assert response.status_code == 400


def _cookie_name(stack: Stack) -> str:
    return "__Host-etalase_sesi" if stack.settings.public_scheme == "https" else "etalase_sesi"
