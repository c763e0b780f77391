"""The agenda (/admin/agenda, /agenda, /agenda.ics) on both stacks, through the browser's forms:
write, validate (the form keeps what was typed), publish, take down, trash and restore; the
village's time zone; the iCalendar export parsed back; what a kontributor may not do; another
village's ids; the public site shows only what is published."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent
from etalase.platform.content.models import Event
from etalase.tenants.models import utcnow
from etalase.tenants.timezones import zone_for
from tests.conftest import Stack, StatementLog
from tests.people import Browser, make_user, make_village, village_host

# Pattimang, Kecamatan Malangke, Kabupaten Luwu Utara, South Sulawesi: WITA (UTC+8).
SULAWESI = "73.22.01.2001"
# Sidomulyo, Sleman, Yogyakarta: WIB (UTC+7).
JAVA = "34.04.02.2003"


class Team:
    def __init__(self, stack: Stack, code: str = SULAWESI) -> None:
        self.stack = stack
        self.code = code
        self.vid, slug = make_village(stack, code)
        self.slug = slug
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
        response = self.browsers[who].post(f"{self.base}/admin/agenda/baru", form)
        assert response.status_code == 303, response.text
        match = re.match(r"/admin/agenda/(\d+)\?pesan=dibuat", response.headers["location"])
        assert match, response.headers["location"]
        return int(match.group(1))

    def act(self, who: str, event_id: int, action: str) -> int:
        browser = self.browsers[who]
        token = browser.csrf(f"{self.base}/admin/agenda")
        return browser.post(
            f"{self.base}/admin/agenda/{event_id}/{action}", {"csrf_token": token}
        ).status_code

    def event(self, event_id: int) -> Event:
        with self.stack.runtime.session(self.vid) as db:
            row = db.get(Event, event_id)
            assert row is not None
            db.expunge(row)
            return row


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def _local_day(code: str, days: int) -> date:
    zone, _label = zone_for(code)
    return (utcnow().astimezone(zone) + timedelta(days=days)).date()


def test_an_event_from_draft_to_the_public_agenda_and_back(team: Team) -> None:
    base, kader = team.base, team.browsers["kader"]
    day = _local_day(team.code, 10).isoformat()
    assert kader.get(f"{base}/admin/agenda/baru").status_code == 200

    # Refusals keep everything typed, with a message saying what to fix.
    typed = {
        "title": " ",
        "place": "Balai Desa Pattimang",
        "description": "Membahas RKP Desa",
        "start_date": day,
        "start_time": "19:00",
    }
    refused = kader.post(f"{base}/admin/agenda/baru", typed)
    assert refused.status_code == 400
    assert "Isi nama acara." in refused.text
    assert 'value="Balai Desa Pattimang"' in refused.text and "Membahas RKP Desa" in refused.text
    assert f'value="{day}"' in refused.text and 'value="19:00"' in refused.text
    backwards = kader.post(
        f"{base}/admin/agenda/baru",
        {**typed, "title": "Musyawarah Desa", "end_time": "17:00"},
    )
    assert backwards.status_code == 400
    assert "Waktu selesai tidak boleh sebelum waktu mulai." in backwards.text
    assert 'value="Musyawarah Desa"' in backwards.text and 'value="17:00"' in backwards.text
    all_day_with_time = kader.post(
        f"{base}/admin/agenda/baru", {**typed, "title": "Kerja bakti", "all_day": "1"}
    )
    assert all_day_with_time.status_code == 400
    assert "Acara sepanjang hari hanya memakai tanggal." in all_day_with_time.text
    assert "checked" in all_day_with_time.text
    no_time = kader.post(f"{base}/admin/agenda/baru", {**typed, "title": "Posyandu", "start_time": ""})
    assert no_time.status_code == 400 and "Isi jam mulai acara" in no_time.text
    with team.stack.runtime.session(team.vid) as db:
        assert db.exec(select(Event)).all() == [], "a refused form wrote nothing"

    event_id = team.new("kader", **{**typed, "title": "Musyawarah Desa", "end_time": "21:00"})
    page = kader.get(f"{base}/admin/agenda/{event_id}")
    assert page.status_code == 200 and 'value="Musyawarah Desa"' in page.text
    event = team.event(event_id)
    assert (event.status, event.slug, event.author_id is not None) == ("draft", "musyawarah-desa", True)
    # A draft is not public, and the kontributor cannot publish it.
    assert team.public.get(f"{base}/agenda/musyawarah-desa").status_code == 404
    assert "Musyawarah Desa" not in team.public.get(f"{base}/agenda").text
    assert team.act("kader", event_id, "terbitkan") == 403

    assert team.act("editor", event_id, "terbitkan") == 303
    assert team.event(event_id).status == "published"
    listing = team.public.get(f"{base}/agenda")
    assert "Musyawarah Desa" in listing.text and "19.00–21.00 WITA" in listing.text
    assert 'href="/agenda/musyawarah-desa.ics"' in listing.text
    single = team.public.get(f"{base}/agenda/musyawarah-desa")
    assert single.status_code == 200 and "Balai Desa Pattimang" in single.text
    assert "<p>Membahas RKP Desa</p>" in single.text
    home = team.public.get(f"{base}/")
    assert 'href="/agenda/musyawarah-desa"' in home.text
    # Published: the kontributor reads it in the list but no longer edits it.
    assert kader.get(f"{base}/admin/agenda/{event_id}").status_code == 403
    assert "Musyawarah Desa" in kader.get(f"{base}/admin/agenda?status=mendatang").text

    # Taken down, trashed, restored: each time the public site follows.
    assert team.act("editor", event_id, "tarik") == 303
    assert team.public.get(f"{base}/agenda/musyawarah-desa").status_code == 404
    assert team.act("editor", event_id, "terbitkan") == 303
    assert team.act("editor", event_id, "hapus") == 303
    assert team.public.get(f"{base}/agenda/musyawarah-desa").status_code == 404
    assert team.public.get(f"{base}/agenda/musyawarah-desa.ics").status_code == 404
    assert "Musyawarah Desa" in team.browsers["editor"].get(f"{base}/admin/agenda?status=sampah").text
    assert team.act("kader", event_id, "pulihkan") == 403
    assert team.act("editor", event_id, "pulihkan") == 303
    assert team.public.get(f"{base}/agenda/musyawarah-desa").status_code == 200
    with team.stack.runtime.session(team.vid) as db:
        actions = db.exec(select(AuditEvent.action).where(col(AuditEvent.village_id) == team.vid)).all()
    assert {
        "event_created",
        "event_published",
        "event_unpublished",
        "event_deleted",
        "event_restored",
    } <= set(actions)


def test_times_are_the_village_s_own_zone(team: Team) -> None:
    """19.00 WITA in a Sulawesi village is 11:00 UTC, and shows as 19.00 WITA."""
    day = _local_day(team.code, 5)
    event_id = team.new("editor", title="Posyandu Balita", start_date=day.isoformat(), start_time="19:00")
    event = team.event(event_id)
    starts = event.starts_at if event.starts_at.tzinfo else event.starts_at.replace(tzinfo=UTC)
    assert starts == datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=11)
    form = team.browsers["editor"].get(f"{team.base}/admin/agenda/{event_id}").text
    assert 'value="19:00"' in form and f'value="{day.isoformat()}"' in form
    assert team.act("editor", event_id, "terbitkan") == 303
    page = team.public.get(f"{team.base}/agenda/posyandu-balita").text
    assert "19.00 WITA" in page and "11.00" not in page


def test_the_calendar_file_parses_back_and_holds_only_this_village(stack: Stack) -> None:
    team = Team(stack)
    other = Team(stack, JAVA)
    day = _local_day(team.code, 3)
    timed = team.new(
        "editor",
        title="Musyawarah Desa",
        place="Balai Desa",
        description="<p>Membahas <strong>APBDes</strong> &amp; RKP</p><p>Terbuka untuk warga</p>",
        start_date=day.isoformat(),
        start_time="19:00",
        end_time="21:30",
    )
    whole = team.new(
        "editor",
        title="Pasar Murah",
        start_date=day.isoformat(),
        end_date=(day + timedelta(days=2)).isoformat(),
        all_day="1",
    )
    draft = team.new("editor", title="Rapat Rahasia Draf", start_date=day.isoformat(), start_time="08:00")
    for event_id in (timed, whole):
        assert team.act("editor", event_id, "terbitkan") == 303
    foreign = other.new(
        "editor", title="Kerja Bakti Sidomulyo", start_date=day.isoformat(), start_time="07:00"
    )
    assert other.act("editor", foreign, "terbitkan") == 303
    assert draft

    response = team.public.get(f"{team.base}/agenda.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Musyawarah Desa", "Pasar Murah"}
    host = f"{team.slug}.etalase.test"
    meeting = events["Musyawarah Desa"]
    assert str(meeting["uid"]) == f"event-{timed}@{host}"
    start = meeting.decoded("dtstart")
    assert start == datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=11)
    assert meeting.decoded("dtend") - start == timedelta(hours=2, minutes=30)
    assert str(meeting["location"]) == "Balai Desa"
    assert str(meeting["description"]) == "Membahas APBDes & RKP\nTerbuka untuk warga"
    assert str(meeting["url"]) == stack.settings.village_url(team.slug, "/agenda/musyawarah-desa")
    assert meeting.get("dtstamp") is not None
    market = events["Pasar Murah"]
    assert market.decoded("dtstart") == day  # VALUE=DATE
    assert market.decoded("dtend") == day + timedelta(days=3)  # the day after the last one
    assert "VALUE=DATE" in response.text

    # The same UID from the single event's file, every time.
    single = team.public.get(f"{team.base}/agenda/musyawarah-desa.ics")
    assert single.status_code == 200 and single.headers["content-type"].startswith("text/calendar")
    (one,) = Calendar.from_ical(single.content).walk("VEVENT")
    assert str(one["uid"]) == f"event-{timed}@{host}"
    # The other village's feed has its own event only; its slug is not found here.
    theirs = Calendar.from_ical(other.public.get(f"{other.base}/agenda.ics").content)
    assert [str(e["summary"]) for e in theirs.walk("VEVENT")] == ["Kerja Bakti Sidomulyo"]
    assert team.public.get(f"{team.base}/agenda/kerja-bakti-sidomulyo.ics").status_code == 404
    assert team.public.get(f"{team.base}/agenda/kerja-bakti-sidomulyo").status_code == 404
    assert team.public.get(f"{team.base}/agenda/rapat-rahasia-draf.ics").status_code == 404


def test_upcoming_first_then_the_recent_past(team: Team) -> None:
    editor = team.browsers["editor"]
    soon = team.new(
        "editor", title="Senam Pagi", start_date=_local_day(team.code, 1).isoformat(), all_day="1"
    )
    later = team.new(
        "editor", title="Lomba Agustusan", start_date=_local_day(team.code, 20).isoformat(), all_day="1"
    )
    past = team.new(
        "editor", title="Rapat Lalu", start_date=_local_day(team.code, -3).isoformat(), start_time="09:00"
    )
    old = team.new(
        "editor", title="Rapat Tahun Lalu", start_date=_local_day(team.code, -200).isoformat(), all_day="1"
    )
    for event_id in (later, soon, past, old):
        assert team.act("editor", event_id, "terbitkan") == 303
    text = team.public.get(f"{team.base}/agenda").text
    assert text.index("Senam Pagi") < text.index("Lomba Agustusan") < text.index("Rapat Lalu")
    assert "Rapat Tahun Lalu" not in text  # older than 90 days
    assert "Rapat Lalu" in editor.get(f"{team.base}/admin/agenda?status=lalu").text
    assert "Rapat Lalu" not in editor.get(f"{team.base}/admin/agenda?status=mendatang").text
    assert team.public.get(f"{team.base}/agenda/rapat-tahun-lalu").status_code == 200


def test_what_a_kontributor_may_not_do(team: Team) -> None:
    base = team.base
    day = _local_day(team.code, 4).isoformat()
    theirs = team.new("kader2", title="Draf Tono", start_date=day, start_time="10:00")
    kader = team.browsers["kader"]
    assert kader.get(f"{base}/admin/agenda/{theirs}").status_code == 403
    token = kader.csrf(f"{base}/admin/agenda")
    changed = kader.post(
        f"{base}/admin/agenda/{theirs}",
        {"csrf_token": token, "title": "Diubah Rina", "start_date": day, "start_time": "10:00"},
    )
    assert changed.status_code == 403
    assert team.act("kader", theirs, "hapus") == 403
    assert team.event(theirs).title == "Draf Tono" and team.event(theirs).deleted_at is None
    # Their own draft: edited and trashed, not restored (editors restore).
    own = team.new("kader", title="Draf Rina", start_date=day, start_time="10:00")
    saved = kader.post(
        f"{base}/admin/agenda/{own}",
        {"csrf_token": token, "title": "Draf Rina diubah", "start_date": day, "start_time": "11:00"},
    )
    assert saved.status_code == 303 and team.event(own).title == "Draf Rina diubah"
    assert team.act("kader", own, "hapus") == 303
    assert team.act("kader", own, "pulihkan") == 403
    # A kontributor's list shows their own drafts, not a colleague's.
    drafts = team.browsers["kader"].get(f"{base}/admin/agenda?status=draf").text
    assert "Draf Tono" not in drafts


def test_another_village_s_event_is_not_found(stack: Stack) -> None:
    team = Team(stack)
    other = Team(stack, JAVA)
    theirs = other.new(
        "editor", title="Rapat Sidomulyo", start_date=_local_day(JAVA, 2).isoformat(), all_day="1"
    )
    editor = team.browsers["editor"]
    assert editor.get(f"{team.base}/admin/agenda/{theirs}").status_code == 404
    for action in ("terbitkan", "hapus"):
        assert team.act("editor", theirs, action) == 404
    token = editor.csrf(f"{team.base}/admin/agenda")
    saved = editor.post(
        f"{team.base}/admin/agenda/{theirs}",
        {"csrf_token": token, "title": "Diambil alih", "start_date": "2026-12-01", "all_day": "1"},
    )
    assert saved.status_code == 404
    assert other.event(theirs).title == "Rapat Sidomulyo" and other.event(theirs).status == "draft"


def test_the_home_page_shows_the_next_three_events_in_one_query(team: Team, sql_log: StatementLog) -> None:
    titles = ["Senam Pagi", "Posyandu Lansia", "Kerja Bakti", "Lomba Desa"]
    for days, title in enumerate(titles, start=1):
        event_id = team.new(
            "editor", title=title, start_date=_local_day(team.code, days).isoformat(), all_day="1"
        )
        assert team.act("editor", event_id, "terbitkan") == 303
    over = team.new(
        "editor", title="Rapat Kemarin", start_date=_local_day(team.code, -1).isoformat(), all_day="1"
    )
    assert team.act("editor", over, "terbitkan") == 303
    team.new("editor", title="Draf Rahasia", start_date=_local_day(team.code, 1).isoformat(), all_day="1")
    sql_log.statements.clear()
    home = team.public.get(f"{team.base}/").text
    positions = [
        home.index(f'href="/agenda/{slug}"') for slug in ("senam-pagi", "posyandu-lansia", "kerja-bakti")
    ]
    assert positions == sorted(positions)
    assert "Lomba Desa" not in home and "Rapat Kemarin" not in home and "Draf Rahasia" not in home
    assert len(sql_log.touching("event")) == 1, sql_log.touching("event")
    assert len(sql_log.touching("announcement")) == 1, sql_log.touching("announcement")


def test_events_of_the_same_name_get_their_own_address(team: Team) -> None:
    day = _local_day(team.code, 7).isoformat()
    first = team.new("editor", title="Musyawarah Dusun", start_date=day, all_day="1")
    second = team.new("editor", title="Musyawarah Dusun", start_date=day, start_time="20:00")
    assert (team.event(first).slug, team.event(second).slug) == ("musyawarah-dusun", "musyawarah-dusun-2")
    for event_id in (first, second):
        assert team.act("editor", event_id, "terbitkan") == 303
    assert "(sepanjang hari)" in team.public.get(f"{team.base}/agenda/musyawarah-dusun").text
    assert "20.00 WITA" in team.public.get(f"{team.base}/agenda/musyawarah-dusun-2").text
