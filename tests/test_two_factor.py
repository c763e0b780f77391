"""Two-factor sign-in, on both stacks: setting it up, codes that work once, recovery codes, limits,
and the roles that must use it (supervisors by default, village roles by configuration)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pyotp
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import col, select

from etalase.platform.accounts import service
from etalase.platform.accounts.models import RecoveryCode, User
from etalase.platform.app import create_app
from etalase.platform.settings import Settings
from tests.conftest import Stack
from tests.people import PASSWORD, Browser, make_user, make_village, portal, totp_now, village_host

SECRET_FIELD = re.compile(r'name="secret" value="([A-Z2-7]{16,64})"')
SIGNATURE_FIELD = re.compile(r'name="signature" value="([0-9a-f]{64})"')
RECOVERY = re.compile(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>")
CODE_PAGE = "/akun/masuk/kode"


@dataclass
class ConfiguredBrowser(Browser):
    """A browser talking to an app built with other settings (same database, cache and media)."""

    settings: Settings | None = None

    def __post_init__(self) -> None:
        app = create_app(self.settings or self.stack.settings, self.stack.runtime)
        self.client = TestClient(app, follow_redirects=False)


@pytest.fixture
def sidomulyo(stack: Stack) -> tuple[int, str]:
    return make_village(stack, "34.04.02.2003")


def setup_fields(browser: Browser, base: str) -> tuple[str, str]:
    page = browser.get(f"{base}/akun/2fa")
    assert page.status_code == 200, page.status_code
    secret, signature = SECRET_FIELD.search(page.text), SIGNATURE_FIELD.search(page.text)
    assert secret and signature
    return secret.group(1), signature.group(1)


def enable(browser: Browser, base: str) -> tuple[str, list[str]]:
    """Turn 2FA on the way a person does; returns the secret and the recovery codes shown once."""
    secret, signature = setup_fields(browser, base)
    done = browser.post(
        f"{base}/akun/2fa",
        {"secret": secret, "signature": signature, "code": totp_now(secret)},
        form_url=f"{base}/akun/2fa",
    )
    assert done.status_code == 200, done.text
    return secret, RECOVERY.findall(done.text)


def next_step_code(secret: str) -> str:
    """The code of the coming 30-second step: newer than any used so far, still accepted (drift)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def enter_code(browser: Browser, base: str, code: str, next_path: str = "/admin") -> Response:
    return browser.post(f"{base}{CODE_PAGE}", {"code": code, "next": next_path})


def wrong_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    near = {totp.at(time.time() + delta) for delta in (-60, -30, 0, 30, 60)}
    return next(c for c in (f"{n:06d}" for n in range(100_000, 999_999, 111_111)) if c not in near)


def user_row(stack: Stack, email: str) -> User:
    with stack.runtime.session(all_villages=True) as db:
        return db.exec(select(User).where(col(User.email) == email)).one()


# --- setting it up --------------------------------------------------------------------------------
def test_enabling_gives_recovery_codes_and_then_sign_in_asks_for_the_code(
    stack: Stack, sidomulyo: tuple[int, str]
) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"})
    browser = Browser(stack)
    browser.login(base, "siti@contoh.id")

    # A wrong code, or a secret the page did not give out, turns nothing on.
    secret, signature = setup_fields(browser, base)
    wrong = browser.post(
        f"{base}/akun/2fa",
        {"secret": secret, "signature": signature, "code": wrong_code(secret)},
        form_url=f"{base}/akun/2fa",
    )
    assert wrong.status_code == 400 and "Kode tidak cocok" in wrong.text
    assert f'value="{secret}"' in wrong.text  # the same secret: the app already scanned it
    chosen = pyotp.random_base32()
    forged = browser.post(
        f"{base}/akun/2fa",
        {"secret": chosen, "signature": signature, "code": totp_now(chosen)},
        form_url=f"{base}/akun/2fa",
    )
    assert forged.status_code == 400
    assert user_row(stack, "siti@contoh.id").totp_secret is None

    secret, codes = enable(browser, base)
    assert len(codes) == len(set(codes)) == 10
    assert "Sisa 10 kode cadangan" in browser.get(f"{base}/akun/2fa").text
    stored = user_row(stack, "siti@contoh.id")
    assert stored.totp_secret == secret
    with stack.runtime.session(all_villages=True) as db:
        hashes = {
            r.code_hash for r in db.exec(select(RecoveryCode).where(col(RecoveryCode.user_id) == stored.id))
        }
    assert len(hashes) == 10 and not hashes & set(codes)  # only hashes are kept
    assert browser.get(f"{base}/admin").status_code == 200  # this session stays signed in

    # A new sign-in stops halfway until the code is entered.
    laptop = Browser(stack)
    half = laptop.login(base, "siti@contoh.id")
    assert half.status_code == 303 and half.headers["location"] == f"{CODE_PAGE}?next=/admin"
    for path in ("/admin", "/admin/anggota", "/akun"):
        blocked = laptop.get(f"{base}{path}")
        assert blocked.status_code == 303 and blocked.headers["location"].startswith(CODE_PAGE), path
    assert laptop.get(f"{base}/api/v1/akun").status_code == 401
    pending_cookie = laptop.cookie("etalase_sesi")
    done = enter_code(laptop, base, next_step_code(secret))
    assert done.status_code == 303 and done.headers["location"] == "/admin"
    assert laptop.cookie("etalase_sesi") != pending_cookie  # a fresh session after the code
    assert laptop.get(f"{base}/admin").status_code == 200
    assert laptop.get(f"{base}/api/v1/akun").json()["two_factor"] is True


# --- codes --------------------------------------------------------------------------------------
def test_a_code_cannot_be_used_twice(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    secret = pyotp.random_base32()
    make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"}, totp_secret=secret)
    code = totp_now(secret)
    first, second = Browser(stack), Browser(stack)
    first.login(base, "siti@contoh.id")
    second.login(base, "siti@contoh.id")
    assert enter_code(first, base, code).status_code == 303
    replay = enter_code(second, base, code)  # read over the shoulder, typed within the same 30 s
    assert replay.status_code == 400
    assert "Kode salah atau sudah dipakai" in replay.text
    assert second.get(f"{base}/admin").status_code == 303
    assert first.get(f"{base}/admin").status_code == 200


def test_a_recovery_code_works_once(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    user = make_user(
        stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"}, totp_secret=pyotp.random_base32()
    )
    with stack.runtime.session(all_villages=True) as db:
        codes = service.new_recovery_codes(db, db.get_one(User, user.id))
    lost_phone = Browser(stack)
    lost_phone.login(base, "siti@contoh.id")
    typed = codes[0].upper().replace("-", " ")  # as read out over the phone
    assert enter_code(lost_phone, base, typed).status_code == 303
    assert lost_phone.get(f"{base}/admin").status_code == 200

    again = Browser(stack)
    again.login(base, "siti@contoh.id")
    reused = enter_code(again, base, codes[0])
    assert reused.status_code == 400 and "sudah dipakai" in reused.text
    assert enter_code(again, base, codes[1]).status_code == 303
    assert "Sisa 8 kode cadangan" in again.get(f"{base}/akun/2fa").text


def test_wrong_codes_are_limited(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    secret = pyotp.random_base32()
    make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"}, totp_secret=secret)
    browser = Browser(stack)
    browser.login(base, "siti@contoh.id")
    for guess in (wrong_code(secret), "abcde-fghij", "", "999", wrong_code(secret)):
        assert enter_code(browser, base, guess).status_code == 400
    blocked = enter_code(browser, base, totp_now(secret))  # even the right code waits
    assert blocked.status_code == 429
    assert "Coba lagi dalam 15 menit" in blocked.text
    # Signing in again does not reset the count: it belongs to the account.
    fresh = Browser(stack)
    fresh.login(base, "siti@contoh.id")
    assert enter_code(fresh, base, totp_now(secret)).status_code == 429
    assert fresh.get(f"{base}/admin").status_code == 303


# --- who must use it ----------------------------------------------------------------------------
def test_a_kabupaten_supervisor_must_set_it_up_and_cannot_turn_it_off(stack: Stack) -> None:
    make_user(stack, "Pendamping Sleman", email="kab@contoh.id", scope="34.04")
    base = portal(stack)
    browser = Browser(stack)
    signed = browser.login(base, "kab@contoh.id")
    assert signed.status_code == 303 and signed.headers["location"] == "/konsol"
    for path in ("/konsol", "/konsol/log"):
        sent = browser.get(f"{base}{path}")
        assert sent.status_code == 303 and sent.headers["location"] == "/akun/2fa?wajib=1", path
    assert browser.get(f"{base}/api/v1/desa").status_code == 403
    required = browser.get(f"{base}/akun/2fa?wajib=1")
    assert required.status_code == 200 and "Peran Anda mewajibkan verifikasi dua langkah" in required.text
    assert browser.get(f"{base}/akun").status_code == 200  # the profile stays reachable

    _secret, codes = enable(browser, base)
    assert len(codes) == 10
    assert browser.get(f"{base}/konsol").status_code == 200
    refused = browser.post(f"{base}/akun/2fa/nonaktif", {"password": PASSWORD}, form_url=f"{base}/akun/2fa")
    assert refused.status_code == 400
    assert "tidak dapat dinonaktifkan" in refused.text
    assert user_row(stack, "kab@contoh.id").totp_secret is not None


def test_a_kecamatan_supervisor_and_a_village_team_may_choose(
    stack: Stack, sidomulyo: tuple[int, str]
) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Pendamping Godean", email="kec@contoh.id", scope="34.04.02")
    supervisor = Browser(stack)
    supervisor.login(portal(stack), "kec@contoh.id")
    assert supervisor.get(f"{portal(stack)}/konsol").status_code == 200

    base = village_host(stack, slug)
    make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"})
    browser = Browser(stack)
    browser.login(base, "siti@contoh.id")
    enable(browser, base)
    url, form = f"{base}/akun/2fa/nonaktif", f"{base}/akun/2fa"
    wrong = browser.post(url, {"password": "bukan sandinya"}, form_url=form)
    assert wrong.status_code == 400 and "Kata sandi salah" in wrong.text
    off = browser.post(url, {"password": PASSWORD}, form_url=form)
    assert off.status_code == 303 and off.headers["location"] == "/akun?pesan=2fa-mati"
    with stack.runtime.session(all_villages=True) as db:
        assert db.exec(select(RecoveryCode)).all() == []
    assert Browser(stack).login(base, "siti@contoh.id").headers["location"] == "/admin"  # no code asked


def test_configured_village_roles_must_use_it(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    settings = stack.settings.model_copy(update={"require_2fa": "admin"})
    base = village_host(stack, slug)
    make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"})
    make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={vid: "editor"})
    make_user(stack, "Pendamping Sleman", email="kab@contoh.id", scope="34.04")

    admin = ConfiguredBrowser(stack, settings=settings)
    assert admin.login(base, "siti@contoh.id").headers["location"] == "/admin"
    sent = admin.get(f"{base}/admin")
    assert sent.status_code == 303 and sent.headers["location"] == "/akun/2fa?wajib=1"
    editor = ConfiguredBrowser(stack, settings=settings)
    editor.login(base, "budi@contoh.id")
    assert editor.get(f"{base}/admin").status_code == 200
    # Only the listed roles: a kabupaten supervisor is free under this configuration.
    supervisor = ConfiguredBrowser(stack, settings=settings)
    supervisor.login(portal(stack), "kab@contoh.id")
    assert supervisor.get(f"{portal(stack)}/konsol").status_code == 200

    enable(admin, base)
    assert admin.get(f"{base}/admin").status_code == 200


def test_a_village_role_that_requires_it_cannot_turn_it_off(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    settings = stack.settings.model_copy(update={"require_2fa": "admin"})
    base = village_host(stack, slug)
    make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"})
    admin = ConfiguredBrowser(stack, settings=settings)
    admin.login(base, "siti@contoh.id")
    enable(admin, base)
    refused = admin.post(f"{base}/akun/2fa/nonaktif", {"password": PASSWORD}, form_url=f"{base}/akun/2fa")
    assert refused.status_code == 400 and "tidak dapat dinonaktifkan" in refused.text


# --- bugs found by these tests, now fixed ---------------------------------------------------------------
def test_full_width_digits_are_a_wrong_code(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    make_user(
        stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"}, totp_secret=pyotp.random_base32()
    )
    browser = Browser(stack)
    browser.login(base, "siti@contoh.id")
    assert enter_code(browser, base, "１２３４５６").status_code == 400


def test_next_with_a_query_survives_the_code_page(stack: Stack) -> None:
    secret = pyotp.random_base32()
    make_user(stack, "Pendamping Godean", email="kec@contoh.id", scope="34.04.02", totp_secret=secret)
    base = portal(stack)
    browser = Browser(stack)
    target = "/konsol?q=sido&status=active"
    half = browser.login(base, "kec@contoh.id", next_path=target)
    code_page = half.headers["location"]
    next_path = browser.get(f"{base}{code_page}").text.split('name="next" value="', 1)[1].split('"', 1)[0]
    done = enter_code(browser, base, totp_now(secret), next_path=next_path.replace("&amp;", "&"))
    assert done.headers["location"] == target
