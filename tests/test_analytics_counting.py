"""Counting page views without cookies or stored addresses (issue 7): who is a visitor, where they
came from, and that every public page a reader gets is counted once, on both stacks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from etalase.platform.analytics import bots, sources, visitors
from etalase.platform.analytics.counting import MemoryStore, View, ViewCounter
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


def test_the_visitor_id_keeps_no_address_and_changes_with_the_day() -> None:
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
    assert store.totals(1, day) == (4, 3, {"whatsapp": 2, "facebook": 1}, {"/": 4})
    assert store.totals(2, day) == (0, 0, {}, {})


def test_public_pages_are_counted_and_the_rest_is_not(stack: Stack) -> None:
    vid, slug = make_village(stack, "34.04.02.2003")
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
    views, unique, by_source, paths = stack.runtime.views.store.totals(vid, today)
    assert views == 3 and unique == 1  # one phone, three pages
    assert by_source == {"facebook": 1, "whatsapp": 1}  # the middle page came from the site itself
    assert paths == {"/": 3}
