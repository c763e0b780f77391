"""The operator's account commands (``etalase users …``, ``etalase outbox list``), on both stacks,
run in-process with Typer's runner and the environment that recreates the stack's settings."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner, Result

from etalase.platform.accounts.models import Membership, User
from etalase.platform.cli import app
from tests.conftest import Stack, settings_env
from tests.people import PASSWORD, Browser, make_user, make_village, portal, village_host

OPERATOR_PASSWORD = "kunci gudang beras desa"
CREATE = f"users create --name 'Orang Baru' --password '{OPERATOR_PASSWORD}'"
Cli = Callable[..., Result]


@pytest.fixture
def cli(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``cli("users list")``: the command's result, with the stack's settings in the environment."""
    for key in list(os.environ):
        if key.startswith("ETALASE_"):
            monkeypatch.delenv(key)
    env = settings_env(stack.settings)
    runner = CliRunner()

    def run(command: str, input: str | None = None) -> Result:
        return runner.invoke(app, shlex.split(command), env=env, input=input)

    return run


def refused(result: Result, message: str) -> None:
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1  # one sentence


def user(stack: Stack, email: str) -> User | None:
    with stack.runtime.session(all_villages=True) as db:
        return db.exec(select(User).where(col(User.email) == email)).first()


def test_users_create_operators_and_supervisors(stack: Stack, cli: Cli) -> None:
    secret = f"--password '{OPERATOR_PASSWORD}'"
    made = cli(f"users create --name 'Operator Platform' --email Op@Contoh.id {secret} --superuser")
    assert made.exit_code == 0, made.output
    assert made.stdout.strip() == "Created op@contoh.id (superuser)."
    operator = user(stack, "op@contoh.id")
    assert operator is not None and operator.is_superuser and operator.supervisor_scope is None
    assert OPERATOR_PASSWORD not in operator.password_hash and operator.password_hash.startswith("$argon2id$")

    kab = cli(f"users create --name 'Pendamping Sleman' --phone 0812-3456-7890 {secret} --scope 34.04")
    assert kab.exit_code == 0, kab.output
    assert kab.stdout.strip() == "Created +6281234567890 (supervisor of 34.04)."
    kec = cli(f"users create --name 'Pendamping Godean' --email kec@contoh.id {secret} --scope 340402")
    assert kec.stdout.strip() == "Created kec@contoh.id (supervisor of 34.04.02)."  # dots optional
    national = cli(
        f"users create --name 'Pendamping Nasional' --email nas@contoh.id {secret} --scope national"
    )
    assert "supervisor of all of Indonesia" in national.stdout
    with stack.runtime.session(all_villages=True) as db:
        scopes = {u.name: u.supervisor_scope for u in db.exec(select(User)).all()}
    assert scopes == {
        "Operator Platform": None,
        "Pendamping Sleman": "34.04",
        "Pendamping Godean": "34.04.02",
        "Pendamping Nasional": "",
    }

    listing = cli("users list")
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("nas@contoh.id") and "supervisor national" in lines[0]  # newest first
    assert lines[2].startswith("+6281234567890") and "supervisor 34.04" in lines[2]
    assert lines[3].startswith("op@contoh.id") and lines[3].rstrip().endswith("superuser")
    assert len(cli("users list --limit 1").stdout.splitlines()) == 1

    # The operator signs in with what was set and lands in the console.
    signed = Browser(stack).login(portal(stack), "op@contoh.id", OPERATOR_PASSWORD)
    assert signed.headers["location"] == "/konsol"


def test_users_create_refusals_are_one_sentence(stack: Stack, cli: Cli) -> None:
    make_user(stack, "Budi Santoso", email="budi@contoh.id")
    email = "--email baru@contoh.id"
    refused(cli(f"{CREATE} {email} --scope 34.04.99.9"), "A supervision scope is a province (32), kabupaten")
    refused(cli(f"{CREATE} {email} --scope 34.04.02.2003"), "A supervision scope is")  # a village
    refused(cli(f"{CREATE} {email} --scope 34.99"), "Unknown region code 34.99")
    refused(cli(f"{CREATE} --email BUDI@contoh.id"), "Email atau nomor HP ini sudah dipakai akun lain.")
    refused(cli(f"{CREATE} --email baru@cоntoh.id"), "huruf latin")  # Cyrillic "о"
    refused(cli(CREATE), "Isi email atau nomor HP.")
    refused(cli(f"{CREATE} --phone '0274 123456'"), "bukan nomor telepon rumah atau kantor")
    refused(
        cli(f"users create --name '<b>Orang</b>' {email} --password '{OPERATOR_PASSWORD}'"),
        "Nama tidak boleh berisi",
    )
    weak = cli(f"users create --name 'Orang Baru' {email} --password password123")
    refused(weak, "Kata sandi ini terlalu mudah ditebak.")
    refused(
        cli(f"users create --name 'Orang Baru' {email} --password pndk"), "Kata sandi minimal 8 karakter."
    )
    assert user(stack, "baru@contoh.id") is None
    # Without --password the command asks, twice, and echoes nothing.
    asked = cli(
        f"users create --name 'Orang Baru' {email}", input=f"{OPERATOR_PASSWORD}\n{OPERATOR_PASSWORD}\n"
    )
    assert asked.exit_code == 0, asked.output
    assert OPERATOR_PASSWORD not in asked.output
    assert user(stack, "baru@contoh.id") is not None


def test_users_add_member_and_set_password(stack: Stack, cli: Cli) -> None:
    vid, slug = make_village(stack, "34.04.02.2003")
    make_user(stack, "Budi Santoso", email="budi@contoh.id", phone="0812-3456-7890")

    added = cli("users add-member '0812 3456 7890' 34.04.02.2003 --role editor")
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == "budi@contoh.id is editor of sidomulyo."
    changed = cli(f"users add-member budi@contoh.id {slug}")  # admin by default; changes the role
    assert changed.stdout.strip() == "budi@contoh.id is admin of sidomulyo."
    with stack.runtime.session(all_villages=True) as db:
        roles = [m.role for m in db.exec(select(Membership).where(col(Membership.village_id) == vid))]
    assert roles == ["admin"]
    refused(cli(f"users add-member hantu@contoh.id {slug}"), "No account with hantu@contoh.id.")
    refused(cli("users add-member budi@contoh.id tidak-ada"), "No village site")
    refused(cli(f"users add-member budi@contoh.id {slug} --role lurah"), "Role must be one of")
    refused(cli(f"users add-member bukan-identitas {slug}"), "Isi dengan alamat email atau nomor HP")

    base = village_host(stack, slug)
    browser = Browser(stack)
    browser.login(base, "budi@contoh.id")
    assert browser.get(f"{base}/admin/anggota").status_code == 200  # an admin now
    refused(cli("users set-password budi@contoh.id", input="budi12345\nbudi12345\n"), "terlalu mudah ditebak")
    new = "teh manis di beranda"
    done = cli("users set-password budi@contoh.id", input=f"{new}\n{new}\n")
    assert done.exit_code == 0, done.output
    assert "Password changed; 1 session(s) ended." in done.stdout
    assert browser.get(f"{base}/admin").status_code == 303  # signed out
    assert Browser(stack).login(base, "budi@contoh.id", PASSWORD).status_code == 400
    assert Browser(stack).login(base, "budi@contoh.id", new).status_code == 303


def test_reset_2fa_lets_the_person_sign_in_with_the_password(stack: Stack, cli: Cli) -> None:
    vid, slug = make_village(stack, "34.04.02.2003")
    make_user(
        stack, "Budi Santoso", email="budi@contoh.id", roles={vid: "admin"}, totp_secret="JBSWY3DPEHPK3PXP"
    )
    base = village_host(stack, slug)
    assert "2FA" in cli("users list").stdout
    assert Browser(stack).login(base, "budi@contoh.id").headers["location"].startswith("/akun/masuk/kode")
    reset = cli("users reset-2fa budi@contoh.id")
    assert reset.exit_code == 0 and "Two-factor sign-in removed from budi@contoh.id" in reset.stdout
    assert Browser(stack).login(base, "budi@contoh.id").headers["location"] == "/admin"
    assert "2FA" not in cli("users list").stdout


def test_outbox_list_shows_the_invitation_link(stack: Stack, cli: Cli) -> None:
    assert cli("outbox list").stdout.strip() == "The outbox is empty."
    vid, slug = make_village(stack, "34.04.02.2003")
    make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    admin = Browser(stack)
    admin.login(base, "siti@contoh.id")
    members = f"{base}/admin/anggota"
    page = admin.post(
        f"{members}/undang", {"recipient": "rina@contoh.id", "role": "editor"}, form_url=members
    )
    link = re.search(r'value="(https?://[^"]+/akun/undangan/[A-Za-z0-9_-]+)"', page.text)
    assert link, page.text

    shown = cli("outbox list")
    assert shown.exit_code == 0, shown.output
    assert link.group(1) in shown.stdout
    assert "to rina@contoh.id" in shown.stdout and "not sent" in shown.stdout
    assert "Subject: Undangan bergabung dengan tim website Desa Sidomulyo" in shown.stdout
    assert link.group(1) in cli("outbox list --pending").stdout
