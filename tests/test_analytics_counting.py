"""Counting page views without cookies or stored addresses (issue 7): who is a visitor, where they
came from, and that every public page a reader gets is counted once, on both stacks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from etalase.platform.analytics import bots, sources, visitors
from etalase.platform.analytics.counting import MemoryStore, Totals, View, ViewCounter
from etalase.platform.cache import MemoryCache
from etalase.tenants.timezones import zone_for
from tests.conftest import Stack
from tests.people import Browser, make_user, make_village, village_host

PHONE_UA = "Mozilla/5.0 (Linux; Android 10; SM-A105F) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "WhatsApp/2.23.20.0 A",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "curl/8.5.0",
        "python-httpx/0.28.1",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36",
    ],
)
def test_machines_are_not_visitors(agent: str) -> None:
    assert bots.is_machine(agent)


def test_people_and_prefetches() -> None:
    assert not bots.is_machine(PHONE_UA)
    assert bots.is_prefetch({"sec-purpose": "prefetch;prerender"})
    assert bots.is_prefetch({"purpose": "prefetch"})
    assert not bots.is_prefetch({})


@pytest.mark.parametrize(
    ("referrer", "query", "expected"),
    [
        ("https://l.facebook.com/l.php?u=x", "", "facebook"),
        ("https://m.facebook.com/", "", "facebook"),
        ("https://www.instagram.com/", "", "instagram"),
        ("https://www.tiktok.com/@desa", "", "tiktok"),
        ("android-app://com.whatsapp/", "", "whatsapp"),
        ("https://t.co/abc", "", "x"),
        ("https://www.youtube.com/watch?v=1", "", "youtube"),
        ("https://www.google.co.id/", "", "search"),
        ("https://duckduckgo.com/", "", "search"),
        ("", "", "direct"),
        ("https://kabarsleman.example/berita", "", "other"),
        ("", "utm_source=wa&utm_medium=grup", "whatsapp"),
        ("https://www.google.com/", "utm_source=facebook", "facebook"),  # the tag wins
        ("https://sidomulyo.desa.test/berita/a", "", None),  # a page inside a visit
    ],
)
def test_sources(referrer: str, query: str, expected: str | None) -> None:
    assert sources.classify(referrer, query, "sidomulyo.desa.test:8000") == expected


def test_the_visitor_id_keeps_no_address_and_changes_with_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(visitors, "_local", {})  # this process's copy of earlier tests' salts
    cache = MemoryCache()
    today, tomorrow = date(2026, 11, 28), date(2026, 11, 29)
    salt = visitors.salt_for(cache, today)
    assert visitors.salt_for(cache, today) == salt  # one salt per day for every process
    first = visitors.visitor_id(salt, 7, "203.0.113.9", PHONE_UA)
    assert first == visitors.visitor_id(salt, 7, "203.0.113.9", PHONE_UA)
    assert "203.0.113.9" not in first and len(first) == 24
    assert visitors.visitor_id(salt, 8, "203.0.113.9", PHONE_UA) != first  # per village
    other_day = visitors.visitor_id(visitors.salt_for(cache, tomorrow), 7, "203.0.113.9", PHONE_UA)
    assert other_day != first
    assert cache.ttl(f"salt:{today.isoformat()}") is not None  # the salt expires with its day


def test_the_buffer_folds_into_the_store() -> None:
    store = MemoryStore()
    counter = ViewCounter(store, flush_seconds=3600)
    day = date(2026, 11, 28)
    for visitor, source in (("a", "whatsapp"), ("a", None), ("b", "facebook"), ("c", "whatsapp")):
        counter.record(View(1, day, visitor, source, "/"))
    assert counter.flush() == 4 and counter.flush() == 0
    assert store.totals(1, day) == Totals(4, 3, {"whatsapp": 2, "facebook": 1}, {"/": 4}, {})
    assert store.totals(2, day) == Totals(0, 0, {}, {}, {})


def test_public_pages_are_counted_and_the_rest_is_not(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    vid, slug = make_village(stack, "34.04.02.2003")
    stack.runtime.views.flush()
    if isinstance(stack.runtime.views.store, MemoryStore):  # SQLite reuses village ids: start empty
        monkeypatch.setattr(stack.runtime.views, "store", MemoryStore())
    make_user(stack, "Siti", email="siti@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    reader = Browser(stack)
    phone = {"user-agent": PHONE_UA}
    assert reader.get(f"{base}/", headers={**phone, "referer": "https://l.facebook.com/"}).status_code == 200
    assert reader.get(f"{base}/", headers={**phone, "referer": f"{base}/"}).status_code == 200
    assert reader.get(f"{base}/?utm_source=wa", headers=phone).status_code == 200
    reader.get(f"{base}/tidak-ada", headers=phone)  # a 404 is not a view
    reader.get(f"{base}/", headers={"user-agent": "WhatsApp/2.23.20.0 A"})  # the link preview
    reader.get(f"{base}/", headers={**phone, "sec-purpose": "prefetch"})
    reader.get(f"{base}/static/klasik/style.css", headers=phone)
    team = Browser(stack)
    assert team.login(base, "siti@contoh.id").status_code == 303
    team.get(f"{base}/admin", headers=phone)
    stack.runtime.views.flush()
    today = datetime.now(UTC).astimezone(zone_for("34.04.02.2003")[0]).date()
    counted = stack.runtime.views.store.totals(vid, today)
    views, unique, by_source, paths = counted.views, counted.visitors, counted.sources, counted.paths
    assert views == 3 and unique == 1  # one phone, three pages
    assert by_source == {"facebook": 1, "whatsapp": 1}  # the middle page came from the site itself
    assert paths == {"/": 3}


def test_the_clock_writes_the_days_and_the_month(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    from etalase.platform.analytics import rollup  # noqa: PLC0415
    from etalase.platform.analytics.models import PageDailyViews, VillageDailyStats, VillageMonthlyStats  # noqa: PLC0415
    from etalase.tenants.scope import in_village  # noqa: PLC0415

    vid, _slug = make_village(stack, "34.04.02.2003")
    other, _ = make_village(stack, "33.74.10.1001")
    counter = stack.runtime.views
    counter.flush()
    if isinstance(counter.store, MemoryStore):  # village ids are reused on SQLite: start empty
        monkeypatch.setattr(counter, "store", MemoryStore())
    counter.store.clean(counter.store.dirty())
    # Yesterday and today: the days a view can be counted for (memory keeps no older ones).
    nov28 = datetime.now(UTC).date()
    nov27 = nov28 - timedelta(days=1)
    for view in (
        View(vid, nov27, "a", "whatsapp", "/"),
        View(vid, nov27, "b", "facebook", "/berita/panen"),
        View(vid, nov28, "a", None, "/berita/panen"),
        View(other, nov28, "z", "direct", "/"),
    ):
        counter.record(view)
    assert rollup.flush(stack.runtime) == 3
    assert rollup.flush(stack.runtime) == 0  # nothing new
    counter.record(View(vid, nov28, "c", "search", "/"))
    assert rollup.flush(stack.runtime) == 1
    with stack.runtime.session(vid) as db:
        days = {d.day: d for d in db.exec(in_village(VillageDailyStats, vid)).all()}
        assert set(days) == {nov27, nov28}
        assert (days[nov27].views, days[nov27].visitors, days[nov27].from_whatsapp) == (2, 2, 1)
        assert (days[nov28].views, days[nov28].visitors, days[nov28].from_search) == (2, 2, 1)
        month = db.exec(in_village(VillageMonthlyStats, vid)).one()
        same_month = nov27.month == nov28.month  # on the 1st, yesterday was last month's
        expected = (4, 3) if same_month else (2, 2)  # views; visitors a, b, c (or a, c)
        assert (month.month, month.views, month.visitors) == (nov28.replace(day=1), *expected)
        top = {(p.day, p.path): p.views for p in db.exec(in_village(PageDailyViews, vid)).all()}
        assert top == {
            (nov27, "/"): 1,
            (nov27, "/berita/panen"): 1,
            (nov28, "/berita/panen"): 1,
            (nov28, "/"): 1,
        }


def test_regions_add_up_their_villages_as_they_change(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two villages of Kecamatan Godean and one of Kota Semarang: each region's month is the sum
    of its villages, kept by adding changes (a second round adds only what is new)."""
    from sqlmodel import select  # noqa: PLC0415

    from etalase.platform.analytics import rollup  # noqa: PLC0415
    from etalase.platform.analytics.models import RegionMonthlyStats  # noqa: PLC0415

    a, _ = make_village(stack, "34.04.02.2003")
    c, _ = make_village(stack, "34.04.02.2001")
    b, _ = make_village(stack, "33.74.10.1001")
    counter = stack.runtime.views
    counter.flush()
    if isinstance(counter.store, MemoryStore):
        monkeypatch.setattr(counter, "store", MemoryStore())
    counter.store.clean(counter.store.dirty())
    today = datetime.now(UTC).date()
    for village, visitor in ((a, "x"), (a, "y"), (c, "x"), (b, "z")):
        counter.record(View(village, today, visitor, "direct", "/"))
    rollup.flush(stack.runtime)
    counter.record(View(a, today, "x", None, "/berita/a"))  # a page inside a visit: one more view
    rollup.flush(stack.runtime)
    with stack.runtime.session(all_villages=True) as db:  # platform data, read across regions
        rows = {
            r.region_code: (r.views, r.visitors, r.villages_read) for r in db.exec(select(RegionMonthlyStats))
        }
    assert rows == {
        "": (5, 4, 3),
        "34": (4, 3, 2),
        "34.04": (4, 3, 2),
        "34.04.02": (4, 3, 2),
        "33": (1, 1, 1),
        "33.74": (1, 1, 1),
        "33.74.10": (1, 1, 1),
    }


def test_share_buttons_are_counted_by_network(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    from etalase.platform.analytics import rollup  # noqa: PLC0415
    from etalase.platform.analytics.models import VillageDailyStats  # noqa: PLC0415
    from etalase.platform.content.service import create_post  # noqa: PLC0415
    from etalase.tenants.scope import in_village  # noqa: PLC0415

    vid, slug = make_village(stack, "34.04.02.2003")
    with stack.runtime.session(vid) as db:
        post = create_post(db, vid, title="Panen raya", body="<p>Isi.</p>", published_at=datetime.now(UTC))
        post_slug = post.slug
    counter = stack.runtime.views
    counter.flush()
    if isinstance(counter.store, MemoryStore):
        monkeypatch.setattr(counter, "store", MemoryStore())
    counter.store.clean(counter.store.dirty())
    reader, base = Browser(stack), village_host(stack, slug)
    # Two readers (their own phones: the visitor is a hash of the address and the browser); the
    # first taps WhatsApp twice, which counts once a day, like a link checker following them all.
    phone, other_phone = ({"user-agent": f"{PHONE_UA} {uuid.uuid4()}"} for _ in range(2))
    for network, who in (
        ("whatsapp", phone),
        ("whatsapp", phone),
        ("facebook", phone),
        ("whatsapp", other_phone),
    ):
        hop = reader.client.get(f"{base}/bagikan/{network}/{post_slug}", headers=who, follow_redirects=False)
        assert hop.status_code == 302 and hop.headers["location"].startswith("https://")
    machine = {"user-agent": "facebookexternalhit/1.1"}
    assert reader.client.get(f"{base}/bagikan/x/{post_slug}", headers=machine).status_code == 302
    assert reader.client.get(f"{base}/bagikan/myspace/{post_slug}", headers=phone).status_code == 404
    assert reader.client.get(f"{base}/bagikan/x/tidak-ada", headers=phone).status_code == 404
    rollup.flush(stack.runtime)
    today = datetime.now(UTC).astimezone(zone_for("34.04.02.2003")[0]).date()
    with stack.runtime.session(vid) as db:
        row = db.exec(in_village(VillageDailyStats, vid).where(VillageDailyStats.day == today)).one()
    assert (row.shared_whatsapp, row.shared_facebook, row.shared_x, row.views) == (2, 1, 0, 0)
