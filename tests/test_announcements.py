"""Pengumuman (/admin/pengumuman, /pengumuman) on both stacks, through the browser's forms: write,
validate (the form keeps what was typed), the default expiry, publish, pin, take down, trash and
restore; expiry by time alone (no job); the village's zone; what a kontributor may not do; another
village's ids; the public site and the home page show only what is in force."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent
from etalase.platform.content.models import Announcement
from etalase.tenants.models import utcnow
from etalase.tenants.timezones import zone_for
from tests.conftest import Stack
from tests.people import Browser, make_user, make_village, village_host

SULAWESI = "73.22.01.2001"  # Pattimang, Luwu Utara: WITA (UTC+8)
JAVA = "34.04.02.2003"  # Sidomulyo, Sleman: WIB


class Team:
    def __init__(self, stack: Stack, code: str = SULAWESI) -> None:
        self.stack = stack
        self.code = code
        self.vid, slug = make_village(stack, code)
        self.base = village_host(stack, slug)
        roles = {
            "kader": ("Rina Kader", "kontributor"),
            "kader2": ("Tono Kader", "kontributor"),
            "editor": ("Budi Editor", "editor"),
        }
        self.browsers: dict[str, Browser] = {}
        for key, (name, role) in roles.items():
            make_user(stack, name, email=f"{key}.{code}@contoh.id", roles={self.vid: role})
            browser = Browser(stack)
            assert browser.login(self.base, f"{key}.{code}@contoh.id").status_code == 303
            self.browsers[key] = browser
        self.public = Browser(stack)

    def new(self, who: str, **form: str) -> int:
        response = self.browsers[who].post(f"{self.base}/admin/pengumuman/baru", form)
        assert response.status_code == 303, response.text
        match = re.match(r"/admin/pengumuman/(\d+)\?pesan=dibuat", response.headers["location"])
        assert match, response.headers["location"]
        return int(match.group(1))

    def act(self, who: str, item_id: int, action: str, **form: str) -> int:
        browser = self.browsers[who]
        token = browser.csrf(f"{self.base}/admin/pengumuman")
        url = f"{self.base}/admin/pengumuman/{item_id}/{action}"
        return browser.post(url, {"csrf_token": token, **form}).status_code

    def item(self, item_id: int) -> Announcement:
        with self.stack.runtime.session(self.vid) as db:
            row = db.get(Announcement, item_id)
            assert row is not None
            db.expunge(row)
            return row

    def expire(self, item_id: int, *, ago: timedelta = timedelta(minutes=1)) -> None:
        """Time passes: the expiry is now behind us (nothing else changes, no job runs)."""
        with self.stack.runtime.session(self.vid) as db:
            row = db.get(Announcement, item_id)
            assert row is not None
            row.expires_at = utcnow() - ago
            db.add(row)


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def _local(code: str, delta: timedelta) -> str:
    zone, _label = zone_for(code)
    return (utcnow().astimezone(zone) + delta).strftime("%Y-%m-%dT%H:%M")


def test_a_notice_from_draft_to_the_site_and_into_the_archive(team: Team) -> None:
    base, kader, editor = team.base, team.browsers["kader"], team.browsers["editor"]
    assert kader.get(f"{base}/admin/pengumuman/baru").status_code == 200
    later = _local(team.code, timedelta(days=3))
    earlier = _local(team.code, timedelta(days=1))

    # Refusals keep what was typed.
    typed = {"title": "", "body": "Jalan desa ditutup untuk pengecoran.", "starts": later, "expires": earlier}
    refused = kader.post(f"{base}/admin/pengumuman/baru", typed)
    assert refused.status_code == 400 and "Isi judul pengumuman." in refused.text
    assert "Jalan desa ditutup untuk pengecoran." in refused.text and f'value="{later}"' in refused.text
    backwards = kader.post(f"{base}/admin/pengumuman/baru", {**typed, "title": "Penutupan Jalan"})
    assert backwards.status_code == 400
    assert "Waktu berakhir harus setelah waktu mulai tayang." in backwards.text
    assert 'value="Penutupan Jalan"' in backwards.text and f'value="{earlier}"' in backwards.text
    with team.stack.runtime.session(team.vid) as db:
        assert db.exec(select(Announcement)).all() == [], "a refused form wrote nothing"

    # No expiry typed: 14 days after the start, and the page says so and shows it in the field.
    response = kader.post(
        f"{base}/admin/pengumuman/baru",
        {"title": "Penutupan Jalan", "body": "Jalan desa ditutup untuk pengecoran.", "expires": ""},
    )
    assert response.status_code == 303
    item_id = int(re.findall(r"\d+", response.headers["location"])[0])
    page = kader.get(f"{base}{response.headers['location']}")
    assert "diisi otomatis 14 hari setelah mulai tayang" in page.text and "WITA" in page.text
    item = team.item(item_id)
    expires = item.expires_at if item.expires_at.tzinfo else item.expires_at.replace(tzinfo=UTC)
    assert abs(expires - (utcnow() + timedelta(days=14))) < timedelta(minutes=2)
    zone, _label = zone_for(team.code)
    assert f'value="{expires.astimezone(zone):%Y-%m-%dT%H:%M}"' in page.text

    # A draft is not public; the kontributor cannot publish it; the editor does.
    assert team.public.get(f"{base}/pengumuman/{item_id}").status_code == 404
    assert team.act("kader", item_id, "terbitkan") == 403
    assert team.act("editor", item_id, "terbitkan") == 303
    listing = team.public.get(f"{base}/pengumuman")
    assert "Penutupan Jalan" in listing.text and "Jalan desa ditutup untuk pengecoran." in listing.text
    assert "Penutupan Jalan" in team.public.get(f"{base}/").text
    assert "Penutupan Jalan" in editor.get(f"{base}/admin/pengumuman?status=aktif").text
    assert kader.get(f"{base}/admin/pengumuman/{item_id}").status_code == 403

    # Time passes: it leaves the site by itself, still published, and waits in the archive.
    team.expire(item_id)
    assert team.item(item_id).status == "published"
    assert "Penutupan Jalan" not in team.public.get(f"{base}/pengumuman").text
    assert "Penutupan Jalan" not in team.public.get(f"{base}/").text
    archive = team.public.get(f"{base}/pengumuman/arsip")
    assert archive.status_code == 200 and "Penutupan Jalan" in archive.text
    single = team.public.get(f"{base}/pengumuman/{item_id}")
    assert single.status_code == 200 and "Pengumuman ini sudah berakhir." in single.text
    assert "Penutupan Jalan" in editor.get(f"{base}/admin/pengumuman?status=berakhir").text
    assert "Penutupan Jalan" not in editor.get(f"{base}/admin/pengumuman?status=aktif").text

    # An expired notice cannot be published again before its expiry moves.
    assert team.act("editor", item_id, "tarik") == 303
    again = editor.post(f"{base}/admin/pengumuman/{item_id}/terbitkan", form_url=f"{base}/admin/pengumuman")
    assert again.status_code == 400 and "Waktu berakhir pengumuman ini sudah lewat." in again.text
    assert team.item(item_id).status == "draft"

    # Trash and restore.
    assert team.act("editor", item_id, "hapus") == 303
    assert "Penutupan Jalan" in editor.get(f"{base}/admin/pengumuman?status=sampah").text
    assert team.act("kader", item_id, "pulihkan") == 403
    assert team.act("editor", item_id, "pulihkan") == 303
    assert team.item(item_id).deleted_at is None
    with team.stack.runtime.session(team.vid) as db:
        actions = db.exec(select(AuditEvent.action).where(col(AuditEvent.village_id) == team.vid)).all()
    assert {
        "announcement_created",
        "announcement_published",
        "announcement_unpublished",
        "announcement_deleted",
        "announcement_restored",
    } <= set(actions)


def test_times_in_the_village_zone_and_a_scheduled_start(team: Team) -> None:
    """A start typed as 19:00 in a Sulawesi village is 11:00 UTC; before it, nothing shows."""
    zone, _label = zone_for(team.code)
    day = (utcnow().astimezone(zone) + timedelta(days=2)).date()
    item_id = team.new(
        "editor",
        title="Pembagian BLT",
        body="Bawa KTP dan KK.",
        starts=f"{day.isoformat()}T19:00",
        expires=f"{(day + timedelta(days=1)).isoformat()}T19:00",
    )
    item = team.item(item_id)
    assert item.starts_at is not None
    starts = item.starts_at if item.starts_at.tzinfo else item.starts_at.replace(tzinfo=UTC)
    assert starts == datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=11)
    assert team.act("editor", item_id, "terbitkan") == 303
    editor = team.browsers["editor"]
    scheduled = editor.get(f"{team.base}/admin/pengumuman?status=terjadwal").text
    assert "Pembagian BLT" in scheduled and "19.00 WITA" in scheduled
    assert "Pembagian BLT" not in team.public.get(f"{team.base}/pengumuman").text
    assert team.public.get(f"{team.base}/pengumuman/{item_id}").status_code == 404
    # Its start comes (moved back by hand, as time would): shown, with its expiry in WITA.
    with team.stack.runtime.session(team.vid) as db:
        row = db.get(Announcement, item_id)
        assert row is not None
        row.starts_at = utcnow() - timedelta(minutes=1)
        db.add(row)
    shown = team.public.get(f"{team.base}/pengumuman").text
    assert "Pembagian BLT" in shown and "19.00 WITA" in shown


def test_pinned_first_and_three_on_the_home_page(team: Team) -> None:
    ids = []
    for n, title in enumerate(["Satu", "Dua", "Tiga", "Empat", "Lima"]):
        item_id = team.new(
            "editor", title=f"Pengumuman {title}", starts=_local(team.code, -timedelta(hours=5 - n))
        )
        assert team.act("editor", item_id, "terbitkan") == 303
        ids.append(item_id)
    assert team.act("kader", ids[0], "sematkan", sematkan="1") == 403
    assert team.act("editor", ids[0], "sematkan", sematkan="1") == 303
    assert team.item(ids[0]).pinned
    listing = team.public.get(f"{team.base}/pengumuman").text
    order = [listing.index(f"Pengumuman {t}") for t in ("Satu", "Lima", "Empat", "Tiga", "Dua")]
    assert order == sorted(order), "pinned first, then the newest"
    assert 'href="/pengumuman/arsip"' in listing
    home = team.public.get(f"{team.base}/").text
    assert all(f"Pengumuman {t}" in home for t in ("Satu", "Lima", "Empat"))
    assert "Pengumuman Tiga" not in home and "Pengumuman Dua" not in home
    assert f'href="/pengumuman/{ids[0]}"' in home
    assert home.index("Pengumuman Satu") < home.index("Berita terbaru")
    assert team.act("editor", ids[0], "sematkan", sematkan="0") == 303
    assert not team.item(ids[0]).pinned


def test_what_a_kontributor_may_not_do(team: Team) -> None:
    base, kader = team.base, team.browsers["kader"]
    theirs = team.new("kader2", title="Draf Tono")
    assert kader.get(f"{base}/admin/pengumuman/{theirs}").status_code == 403
    token = kader.csrf(f"{base}/admin/pengumuman")
    changed = kader.post(f"{base}/admin/pengumuman/{theirs}", {"csrf_token": token, "title": "Diubah Rina"})
    assert changed.status_code == 403
    assert team.act("kader", theirs, "hapus") == 403
    assert team.act("kader", theirs, "tarik") == 403
    assert team.item(theirs).title == "Draf Tono" and team.item(theirs).deleted_at is None
    own = team.new("kader", title="Draf Rina")
    saved = kader.post(f"{base}/admin/pengumuman/{own}", {"csrf_token": token, "title": "Draf Rina diubah"})
    assert saved.status_code == 303 and team.item(own).title == "Draf Rina diubah"
    assert "Draf Tono" not in kader.get(f"{base}/admin/pengumuman?status=draf").text
    assert team.act("kader", own, "hapus") == 303


def test_another_village_s_notice_is_not_found(stack: Stack) -> None:
    team = Team(stack)
    other = Team(stack, JAVA)
    theirs = other.new("editor", title="Pengumuman Sidomulyo")
    assert other.act("editor", theirs, "terbitkan") == 303
    editor = team.browsers["editor"]
    assert editor.get(f"{team.base}/admin/pengumuman/{theirs}").status_code == 404
    for action in ("tarik", "hapus", "sematkan"):
        assert team.act("editor", theirs, action) == 404
    token = editor.csrf(f"{team.base}/admin/pengumuman")
    saved = editor.post(f"{team.base}/admin/pengumuman/{theirs}", {"csrf_token": token, "title": "Diambil"})
    assert saved.status_code == 404
    assert team.public.get(f"{team.base}/pengumuman/{theirs}").status_code == 404
    assert "Pengumuman Sidomulyo" not in team.public.get(f"{team.base}/pengumuman").text
    assert "Pengumuman Sidomulyo" in other.public.get(f"{other.base}/pengumuman").text
    item = other.item(theirs)
    assert (item.title, item.status, item.pinned, item.deleted_at) == (
        "Pengumuman Sidomulyo",
        "published",
        False,
        None,
    )
