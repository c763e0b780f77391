"""The audit log, on both stacks: what leaves an event, what an event holds (never the address
itself), and who reads which events."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent, Membership
from etalase.platform.accounts.tokens import hash_ip
from tests.conftest import Stack
from tests.people import PASSWORD, Browser, make_user, make_village, portal, village_host

SIDOMULYO = "34.04.02.2003"  # Godean, Sleman
SIDOREJO = "34.04.02.2001"  # Godean too
ELSEWHERE = "33.74.10.1001"  # Semarang: another kabupaten
CLIENT_IP = "testclient"  # what Starlette's TestClient reports as the peer address
NEW_PASSWORD = "teh manis di beranda"


@pytest.fixture
def villages(stack: Stack) -> dict[str, tuple[int, str]]:
    return {
        "a": make_village(stack, SIDOMULYO, active=False),
        "b": make_village(stack, SIDOREJO),
        "c": make_village(stack, ELSEWHERE),
    }


def events(stack: Stack) -> list[AuditEvent]:
    with stack.runtime.session(all_villages=True) as db:
        return list(db.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all())


def signed_in(stack: Stack, base: str, email: str) -> Browser:
    browser = Browser(stack)
    assert browser.login(base, email).status_code == 303
    return browser


def test_actions_leave_events_with_actor_village_and_hashed_address(
    stack: Stack, villages: dict[str, tuple[int, str]]
) -> None:
    vid, slug = villages["a"]
    base, console = village_host(stack, slug), f"{portal(stack)}/konsol/desa/{SIDOMULYO}"
    siti = make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"})
    budi = make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={vid: "editor"})
    pd = make_user(stack, "Pendamping Godean", email="pd@contoh.id", scope="34.04.02")

    assert Browser(stack).login(base, "siti@contoh.id", "bukan sandinya").status_code == 400
    admin = signed_in(stack, base, "siti@contoh.id")
    members = f"{base}/admin/anggota"
    assert (
        admin.post(
            f"{members}/undang", {"recipient": "rina@contoh.id", "role": "editor"}, form_url=members
        ).status_code
        == 200
    )
    with stack.runtime.session(all_villages=True) as db:
        budi_membership = db.exec(select(Membership).where(col(Membership.user_id) == budi.id)).one().id
    assert (
        admin.post(
            f"{members}/{budi_membership}/peran", {"role": "kontributor"}, form_url=members
        ).status_code
        == 303
    )
    assert admin.post(f"{members}/{budi_membership}/hapus", form_url=members).status_code == 303
    change = {"current": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert admin.post(f"{base}/akun/sandi", change, form_url=f"{base}/akun").status_code == 303
    page = admin.get(f"{base}/akun/2fa").text
    secret, signature = (re.findall(rf'name="{n}" value="([^"]+)"', page)[0] for n in ("secret", "signature"))
    enabled = admin.post(
        f"{base}/akun/2fa",
        {"secret": secret, "signature": signature, "code": pyotp.TOTP(secret).now()},
        form_url=f"{base}/akun/2fa",
    )
    assert enabled.status_code == 200

    supervisor = signed_in(stack, portal(stack), "pd@contoh.id")
    assert supervisor.post(f"{console}/aktifkan", form_url=console).status_code == 303
    note = supervisor.post(f"{console}/catatan", {"body": "Mohon lengkapi profil desa."}, form_url=console)
    assert note.status_code == 303

    logged = events(stack)
    expected = {
        "login_failed": siti.id,
        "login": siti.id,
        "member_invited": siti.id,
        "role_changed": siti.id,
        "member_removed": siti.id,
        "password_changed": siti.id,
        "totp_enabled": siti.id,
        "village_activated": pd.id,
        "note_added": pd.id,
    }
    in_village = {e.action: e for e in logged if e.village_id == vid}
    assert set(expected) <= set(in_village), sorted(in_village)
    address_hash = hash_ip(stack.settings.effective_secret_key, CLIENT_IP)
    for action, actor in expected.items():
        event = in_village[action]
        assert event.actor_id == actor, action
        assert event.actor_name in ("Siti Aminah", "Pendamping Godean"), action
        assert event.village_code == SIDOMULYO, action
        assert re.fullmatch(r"[0-9a-f]{16}", event.ip_hash), action
        assert event.ip_hash == address_hash and CLIENT_IP not in event.ip_hash, action
    assert "rina@contoh.id" in in_village["member_invited"].target
    assert in_village["member_removed"].target == "Budi Santoso"
    assert in_village["role_changed"].target.endswith("kontributor")
    assert all(PASSWORD not in e.target and NEW_PASSWORD not in e.target for e in logged)
    # A sign-in on the portal belongs to no village.
    portal_login = [e for e in logged if e.action == "login" and e.actor_id == pd.id]
    assert (
        len(portal_login) == 1 and portal_login[0].village_id is None and portal_login[0].village_code is None
    )


def test_who_reads_which_log(stack: Stack, villages: dict[str, tuple[int, str]]) -> None:
    (a, a_slug), (b, b_slug), (c, c_slug) = villages["a"], villages["b"], villages["c"]
    make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={a: "admin"})
    make_user(stack, "Dewi Lestari", email="dewi@contoh.id", roles={a: "editor"})
    make_user(stack, "Joko Prasetyo", email="joko@contoh.id", roles={b: "admin"})
    make_user(stack, "Wati Handayani", email="wati@contoh.id", roles={c: "admin"})
    make_user(stack, "Pendamping Godean", email="pd@contoh.id", scope="34.04.02")

    admin = signed_in(stack, village_host(stack, a_slug), "siti@contoh.id")
    editor = signed_in(stack, village_host(stack, a_slug), "dewi@contoh.id")
    signed_in(stack, village_host(stack, b_slug), "joko@contoh.id")
    signed_in(stack, village_host(stack, c_slug), "wati@contoh.id")
    supervisor = signed_in(stack, portal(stack), "pd@contoh.id")

    own = admin.get(f"{village_host(stack, a_slug)}/admin/log")
    assert own.status_code == 200
    assert "Siti Aminah" in own.text and "Dewi Lestari" in own.text and "Masuk" in own.text
    assert "Joko Prasetyo" not in own.text and "Wati Handayani" not in own.text
    assert "Pendamping Godean" not in own.text  # a portal sign-in is in no village's log

    assert editor.get(f"{village_host(stack, a_slug)}/admin/log").status_code == 403
    # An admin of one village reads nothing of another's: signed in there, she is no member.
    elsewhere = signed_in(stack, village_host(stack, b_slug), "siti@contoh.id")
    assert elsewhere.get(f"{village_host(stack, b_slug)}/admin/log").status_code == 403

    scope = supervisor.get(f"{portal(stack)}/konsol/log")
    assert scope.status_code == 200
    assert "Siti Aminah" in scope.text and "Joko Prasetyo" in scope.text and SIDOREJO in scope.text
    assert "Wati Handayani" not in scope.text and ELSEWHERE not in scope.text
    # A village admin has no console, even signed in on the portal.
    on_portal = signed_in(stack, portal(stack), "siti@contoh.id")
    assert on_portal.get(f"{portal(stack)}/konsol/log").status_code == 403


def test_every_action_the_team_screens_log_has_a_label() -> None:
    """An action without a label shows in the activity log as its raw name (``album_created``)."""
    import re  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from etalase.platform.accounts.audit import action_labels  # noqa: PLC0415

    web = Path(__file__).resolve().parent.parent / "platform" / "web"
    used: set[str] = set()
    for module in web.glob("*.py"):
        source = module.read_text()
        used |= set(re.findall(r'log_in_village\(\s*\w+,\s*\w+,\s*\w+,\s*"([a-z_]+)"', source))
        for line in re.findall(r"^\s*action = (.+)$", source, re.MULTILINE):  # action = "a" if … else "b"
            used |= set(re.findall(r'"([a-z]+_[a-z_]+)"', line))
    assert used, "no actions found: the pattern no longer matches the code"
    missing = sorted(a for a in used if a not in action_labels())
    assert missing == [], missing
