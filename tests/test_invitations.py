"""Invitations, on both stacks: a village admin (or the kecamatan's supervisor, for the first admin)
invites by email or mobile number; the invitee joins through a one-time link on the village's own
host, with a new account or the one they already have."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from httpx import Response
from sqlalchemy import func
from sqlmodel import col, select

from etalase.platform.accounts.models import Membership, OneTimeToken, OutboxMessage, User
from etalase.platform.accounts.tokens import token_hash
from etalase.tenants.models import utcnow
from tests.conftest import Stack
from tests.people import PASSWORD, Browser, make_user, make_village, portal, village_host

LINK = re.compile(r"https?://[a-z0-9.:-]+/akun/undangan/([A-Za-z0-9_-]{20,})")
SIDOMULYO = "34.04.02.2003"  # Godean, Sleman
SIDOREJO = "34.04.02.2001"  # Godean, Sleman: same kecamatan
NEW_PASSWORD = "teh manis di beranda"


@pytest.fixture
def sidomulyo(stack: Stack) -> tuple[int, str]:
    return make_village(stack, SIDOMULYO)


def signed_in_admin(stack: Stack, vid: int, slug: str, email: str = "siti@contoh.id") -> Browser:
    make_user(stack, "Siti Aminah", email=email, roles={vid: "admin"})
    browser = Browser(stack)
    assert browser.login(village_host(stack, slug), email).status_code == 303
    return browser


def invite(browser: Browser, base: str, recipient: str, role: str = "editor") -> Response:
    return browser.post(
        f"{base}/admin/anggota/undang",
        {"recipient": recipient, "role": role},
        form_url=f"{base}/admin/anggota",
    )


def link_in(text: str) -> re.Match[str]:
    match = LINK.search(text)
    assert match, "no invitation link on the page"
    return match


def token_in(text: str) -> str:
    return link_in(text).group(1)


def outbox(stack: Stack) -> list[OutboxMessage]:
    with stack.runtime.session(all_villages=True) as db:
        return list(db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def user_count(stack: Stack) -> int:
    with stack.runtime.session(all_villages=True) as db:
        return int(db.exec(select(func.count()).select_from(User)).one())


def role_of(stack: Stack, vid: int, login: str) -> str | None:
    with stack.runtime.session(all_villages=True) as db:
        user = db.exec(select(User).where((col(User.email) == login) | (col(User.phone) == login))).first()
        if user is None:
            return None
        row = db.exec(
            select(Membership).where(col(Membership.village_id) == vid, col(Membership.user_id) == user.id)
        ).first()
        return row.role if row else None


def stored_token(stack: Stack, raw: str) -> OneTimeToken:
    with stack.runtime.session(all_villages=True) as db:
        row = db.exec(select(OneTimeToken).where(col(OneTimeToken.token_hash) == token_hash(raw))).first()
        assert row is not None
        return row


def accept(browser: Browser, url: str, name: str, password: str, password2: str | None = None) -> Response:
    """Submit the joining form; a dead link has no form, so take the token from the sign-in page."""
    form_url = url if browser.get(url).status_code == 200 else url.partition("/akun/")[0] + "/akun/masuk"
    fields = {"name": name, "password": password, "password2": password2 or password}
    return browser.post(url, fields, form_url=form_url)


# --- the happy paths ------------------------------------------------------------------------------
def test_invite_by_email_and_join_with_a_new_account(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    admin = signed_in_admin(stack, vid, slug)

    page = invite(admin, base, "  Rina@Contoh.ID ", "editor")
    assert page.status_code == 200, page.text
    assert "Undangan untuk rina@contoh.id sudah dibuat" in page.text
    token = token_in(page.text)
    link = link_in(page.text).group(0)
    assert link.startswith(f"{stack.settings.public_scheme}://{slug}.etalase.test")
    assert "wa.me" not in page.text  # WhatsApp only for mobile numbers
    [message] = outbox(stack)
    assert message.recipient == "rina@contoh.id" and link in message.body
    assert "Desa Sidomulyo" in message.subject and "Siti Aminah" in message.body
    assert stored_token(stack, token).token_hash != token  # only the hash is stored

    url = f"{base}/akun/undangan/{token}"
    invitee = Browser(stack)
    shown = invitee.get(url)
    assert shown.status_code == 200
    assert "Desa Sidomulyo" in shown.text and "sebagai Editor" in shown.text
    assert "rina@contoh.id" in shown.text and 'name="password2"' in shown.text

    joined = accept(invitee, url, "  Rina   Wulandari ", NEW_PASSWORD)
    assert joined.status_code == 303 and joined.headers["location"] == "/admin"
    assert invitee.get(f"{base}/admin").status_code == 200  # signed in on the spot
    assert role_of(stack, vid, "rina@contoh.id") == "editor"
    assert invitee.get(f"{base}/admin/anggota").status_code == 403  # an editor, not an admin
    with stack.runtime.session(all_villages=True) as db:
        rina = db.exec(select(User).where(col(User.email) == "rina@contoh.id")).one()
        assert rina.name == "Rina Wulandari"
    assert stored_token(stack, token).used_at is not None

    # The link works once.
    for again in (Browser(stack).get(url), accept(Browser(stack), url, "Orang Lain", NEW_PASSWORD)):
        assert again.status_code == 400
        assert "sudah pernah dipakai" in again.text
    assert user_count(stack) == 2
    # And the new account signs in with what was chosen.
    assert Browser(stack).login(base, "RINA@contoh.id", NEW_PASSWORD).status_code == 303


def test_invite_by_mobile_number_gives_a_whatsapp_link(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    admin = signed_in_admin(stack, vid, slug)

    page = invite(admin, base, "+62 812-3456-7890", "kontributor")
    assert page.status_code == 200, page.text
    assert "Undangan untuk 0812-3456-7890 sudah dibuat" in page.text
    link = link_in(page.text).group(0)
    assert 'href="https://wa.me/6281234567890?text=' in page.text
    assert quote(link) in page.text  # the message carries the link
    [message] = outbox(stack)
    assert message.recipient == "+6281234567890" and link in message.body
    # The pending invitation is listed, with the number written the way villagers write it.
    assert "0812-3456-7890" in admin.get(f"{base}/admin/anggota").text

    url = f"{base}/akun/undangan/{token_in(page.text)}"
    invitee = Browser(stack)
    assert "sebagai Kontributor" in invitee.get(url).text
    assert accept(invitee, url, "Pak Darmo", NEW_PASSWORD).headers["location"] == "/admin"
    assert role_of(stack, vid, "+6281234567890") == "kontributor"
    assert Browser(stack).login(base, "0812 3456 7890", NEW_PASSWORD).status_code == 303


# --- links that do not work -----------------------------------------------------------------------
def test_expired_and_foreign_host_links_are_refused(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    _other_id, other_slug = make_village(stack, SIDOREJO)
    base = village_host(stack, slug)
    admin = signed_in_admin(stack, vid, slug)
    first = token_in(invite(admin, base, "rina@contoh.id").text)
    second = token_in(invite(admin, base, "joko@contoh.id").text)

    # A link opened on another village's host (or the portal) is not an invitation there.
    foreign = f"{village_host(stack, other_slug)}/akun/undangan/{first}"
    assert Browser(stack).get(foreign).status_code == 400
    refused = accept(Browser(stack), foreign, "Rina", NEW_PASSWORD)
    assert refused.status_code == 400 and "tidak valid" in refused.text
    assert Browser(stack).get(f"{portal(stack)}/akun/undangan/{first}").status_code == 404
    assert Browser(stack).get(f"{base}/akun/undangan/{'A' * 43}").status_code == 400  # made up

    # Expired a second ago.
    with stack.runtime.session(all_villages=True) as db:
        row = db.exec(select(OneTimeToken).where(col(OneTimeToken.recipient) == "joko@contoh.id")).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.add(row)
    url = f"{base}/akun/undangan/{second}"
    for response in (Browser(stack).get(url), accept(Browser(stack), url, "Joko", NEW_PASSWORD)):
        assert response.status_code == 400 and "kedaluwarsa" in response.text
    assert user_count(stack) == 1  # only the admin

    # The first one still works on its own host.
    assert accept(Browser(stack), f"{base}/akun/undangan/{first}", "Rina", NEW_PASSWORD).status_code == 303


def test_a_new_invitation_replaces_the_unused_one(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    admin = signed_in_admin(stack, vid, slug)
    old = token_in(invite(admin, base, "rina@contoh.id", "kontributor").text)
    new = token_in(invite(admin, base, "rina@contoh.id", "editor").text)
    assert Browser(stack).get(f"{base}/akun/undangan/{old}").status_code == 400
    assert accept(Browser(stack), f"{base}/akun/undangan/{new}", "Rina", NEW_PASSWORD).status_code == 303
    assert role_of(stack, vid, "rina@contoh.id") == "editor"


# --- people who already have an account -----------------------------------------------------------
def test_an_existing_account_joins_with_its_own_password(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    other_id, _other_slug = make_village(stack, SIDOREJO)
    base = village_host(stack, slug)
    make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={other_id: "editor"})
    admin = signed_in_admin(stack, vid, slug)
    token = token_in(invite(admin, base, "budi@contoh.id", "editor").text)
    url = f"{base}/akun/undangan/{token}"

    invitee = Browser(stack)
    shown = invitee.get(url)
    assert "Sudah ada akun Etalase untuk budi@contoh.id" in shown.text
    assert 'name="password2"' not in shown.text and 'name="name"' not in shown.text

    wrong = invitee.post(url, {"password": "bukan kata sandinya"})
    assert wrong.status_code == 400
    assert "Kata sandi salah. Gunakan kata sandi akun Etalase Anda yang sudah ada." in wrong.text
    assert role_of(stack, vid, "budi@contoh.id") is None
    assert stored_token(stack, token).used_at is None
    assert invitee.get(f"{base}/admin").status_code == 303  # not signed in

    # A name sent along is ignored: the account keeps its own.
    right = invitee.post(url, {"password": PASSWORD, "name": "Orang Lain"})
    assert right.status_code == 303 and right.headers["location"] == "/admin"
    assert role_of(stack, vid, "budi@contoh.id") == "editor"
    assert role_of(stack, other_id, "budi@contoh.id") == "editor"  # still in the other village
    assert invitee.get(f"{base}/admin").status_code == 200
    assert user_count(stack) == 2
    with stack.runtime.session(all_villages=True) as db:
        assert db.exec(select(User).where(col(User.email) == "budi@contoh.id")).one().name == "Budi Santoso"


def test_inviting_a_member_or_nonsense_is_refused(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    make_user(stack, "Budi Santoso", phone="0812-3456-7890", roles={vid: "editor"})
    admin = signed_in_admin(stack, vid, slug)
    for recipient, role, message in [
        ("+62 812 3456 7890", "admin", "sudah menjadi anggota"),
        ("siti@contoh.id", "editor", "sudah menjadi anggota"),  # the admin herself
        ("0274 123456", "editor", "bukan nomor telepon rumah"),
        ("rina@contoh.id", "bupati", "Pilih peran"),
    ]:
        response = invite(admin, base, recipient, role)
        assert response.status_code == 400, recipient
        assert message in response.text, recipient
        assert f'value="{recipient}"' in response.text  # what was typed stays in the form
    assert outbox(stack) == []


def test_bad_input_keeps_the_name_and_changes_nothing(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    admin = signed_in_admin(stack, vid, slug)
    token = token_in(invite(admin, base, "rina@contoh.id").text)
    url = f"{base}/akun/undangan/{token}"
    invitee = Browser(stack)
    for name, password, password2, message, kept in [
        ("<b>Rina</b>", NEW_PASSWORD, NEW_PASSWORD, "tidak boleh berisi", 'value="&lt;b&gt;Rina&lt;/b&gt;"'),
        ("Rina Wulandari", NEW_PASSWORD, "teh manis di teras", "tidak sama", 'value="Rina Wulandari"'),
        ("Rina Wulandari", "password123", "password123", "terlalu mudah ditebak", 'value="Rina Wulandari"'),
        ("Rina Wulandari", "qz7kx", "qz7kx", "minimal 8 karakter", 'value="Rina Wulandari"'),
        ("R", NEW_PASSWORD, NEW_PASSWORD, "minimal 2 huruf", 'value="R"'),
    ]:
        response = accept(invitee, url, name, password, password2)
        assert response.status_code == 400, name
        assert message in response.text, (name, password)
        assert kept in response.text
        assert "<b>Rina</b>" not in response.text
        assert password not in response.text  # passwords are never echoed
    assert user_count(stack) == 1
    assert role_of(stack, vid, "rina@contoh.id") is None
    assert stored_token(stack, token).used_at is None
    assert accept(invitee, url, "Rina Wulandari", NEW_PASSWORD).status_code == 303  # still usable


# --- the supervisor's first admin -----------------------------------------------------------------
def test_the_kecamatan_supervisor_invites_the_first_admin(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    make_user(stack, "Pendamping Godean", email="pd@contoh.id", scope="34.04.02")
    make_user(stack, "Pendamping Depok", email="pd2@contoh.id", scope="34.04.03")
    supervisor, stranger = Browser(stack), Browser(stack)
    assert supervisor.login(portal(stack), "pd@contoh.id").status_code == 303
    assert stranger.login(portal(stack), "pd2@contoh.id").status_code == 303
    console = f"{portal(stack)}/konsol/desa/{SIDOMULYO}"

    # Another kecamatan's supervisor does not see the village at all.
    assert stranger.get(console).status_code == 404

    page = supervisor.post(f"{console}/undang", {"recipient": "0812-3456-7890"}, form_url=console)
    assert page.status_code == 200, page.text
    assert "Undangan untuk 0812-3456-7890 sudah dibuat" in page.text
    assert "https://wa.me/6281234567890?text=" in page.text
    token = token_in(page.text)
    assert stored_token(stack, token).role == "admin"
    [message] = outbox(stack)
    assert message.recipient == "+6281234567890" and token in message.body

    url = f"{village_host(stack, slug)}/akun/undangan/{token}"
    operator = Browser(stack)
    assert "sebagai Admin" in operator.get(url).text
    assert accept(operator, url, "Operator Sidomulyo", NEW_PASSWORD).status_code == 303
    assert role_of(stack, vid, "+6281234567890") == "admin"
    assert operator.get(f"{village_host(stack, slug)}/admin/anggota").status_code == 200

    # From now on the village's admin invites the team.
    again = supervisor.post(f"{console}/undang", {"recipient": "rina@contoh.id"}, form_url=console)
    assert again.status_code == 400
    assert "Desa ini sudah punya admin" in again.text
    assert len(outbox(stack)) == 1


# --- the last admin -------------------------------------------------------------------------------
def test_the_last_admin_cannot_be_demoted_or_removed(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    admin = signed_in_admin(stack, vid, slug)
    editor = make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={vid: "editor"})
    with stack.runtime.session(all_villages=True) as db:
        ids = {m.user_id: m.id for m in db.exec(select(Membership).where(col(Membership.village_id) == vid))}
    assert editor.id is not None
    mine = next(mid for uid, mid in ids.items() if uid != editor.id)
    members = f"{base}/admin/anggota"

    demoted = admin.post(f"{members}/{mine}/peran", {"role": "editor"}, form_url=members)
    assert demoted.status_code == 400
    assert "Desa harus punya setidaknya satu admin" in demoted.text
    removed = admin.post(f"{members}/{mine}/hapus", form_url=members)
    assert removed.status_code == 400
    assert "Admin terakhir tidak dapat dikeluarkan" in removed.text
    assert role_of(stack, vid, "siti@contoh.id") == "admin"

    # With a second admin, the first may step down.
    promoted = admin.post(f"{members}/{ids[editor.id]}/peran", {"role": "admin"}, form_url=members)
    assert promoted.status_code == 303
    assert admin.post(f"{members}/{mine}/peran", {"role": "editor"}, form_url=members).status_code == 303
    assert role_of(stack, vid, "siti@contoh.id") == "editor"
    assert admin.get(members).status_code == 403  # and has an editor's rights from the next request


# --- bugs found by these tests, now fixed ---------------------------------------------------------------
@pytest.mark.parametrize("password", ["sidomulyo2026", "aminah2026"])
def test_village_and_own_name_passwords_are_refused_on_joining(
    stack: Stack, sidomulyo: tuple[int, str], password: str
) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    admin = signed_in_admin(stack, vid, slug, email="admin@contoh.id")
    url = f"{base}/akun/undangan/{token_in(invite(admin, base, 'aminah@contoh.id').text)}"
    response = accept(Browser(stack), url, "Siti Aminah", password)
    assert response.status_code == 400 and "terlalu mudah ditebak" in response.text


def test_password_guesses_on_an_invitation_are_limited(stack: Stack, sidomulyo: tuple[int, str]) -> None:
    vid, slug = sidomulyo
    base = village_host(stack, slug)
    make_user(stack, "Pendamping Sleman", email="kab@contoh.id", scope="34.04")
    admin = signed_in_admin(stack, vid, slug)
    url = f"{base}/akun/undangan/{token_in(invite(admin, base, 'kab@contoh.id', 'kontributor').text)}"
    attacker = Browser(stack)
    statuses = [attacker.post(url, {"password": f"tebakan nomor {i}"}).status_code for i in range(6)]
    assert statuses[-1] == 429, statuses
