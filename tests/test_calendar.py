"""The content calendar: a month of published and scheduled news on the village's own days, with
the progress toward the monthly target, in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, update

from etalase.platform.content.models import Event, Post
from etalase.platform.content.service import create_post
from tests.conftest import Stack, StatementLog
from tests.people import Browser, make_user, make_village, village_host

MAKASSAR_VILLAGE = "73.71.01.1001"  # Kota Makassar: WITA (UTC+8)


@pytest.fixture
def makassar(stack: Stack) -> tuple[int, str, Browser]:
    vid, slug = make_village(stack, MAKASSAR_VILLAGE)
    make_user(stack, "Andi Editor", email="andi@contoh.id", roles={vid: "editor"})
    browser = Browser(stack)
    base = village_host(stack, slug)
    assert browser.login(base, "andi@contoh.id").status_code == 303
    return vid, base, browser


def _post(stack: Stack, vid: int, title: str, at: datetime, status: str = "published") -> None:
    with stack.runtime.session(vid) as db:
        post = create_post(db, vid, title=title, body="<p>Isi.</p>", published_at=at)
        db.exec(update(Post).where(col(Post.id) == post.id).values(status=status))  # type: ignore[call-overload]
        db.commit()


def test_the_month_counts_toward_the_target_on_the_villages_own_days(
    stack: Stack, makassar: tuple[int, str, Browser]
) -> None:
    vid, base, browser = makassar
    # 23.30 WITA on 30 November is 15.30 UTC: it belongs to 30 November, not to December.
    _post(stack, vid, "Rapat akhir bulan", datetime(2026, 11, 30, 15, 30, tzinfo=UTC))
    # 00.30 WITA on 1 November is 16.30 UTC on 31 October: November's.
    _post(stack, vid, "Berita awal bulan", datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    # 00.30 WITA on 1 December: December's.
    _post(stack, vid, "Berita Desember", datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    _post(stack, vid, "Jadwal posyandu", datetime(2026, 11, 20, 2, 0, tzinfo=UTC), status="scheduled")
    with stack.runtime.session(vid) as db:
        db.add(
            Event(
                village_id=vid,
                title="Musyawarah desa",
                slug="musdes",
                starts_at=datetime(2026, 11, 12, 1, 0, tzinfo=UTC),
                status="published",
            )
        )
        db.commit()
    page = browser.get(f"{base}/admin/kalender?bulan=2026-11")
    assert page.status_code == 200
    text = page.text
    assert "November 2026" in text and "WITA" in text
    assert "<strong>2</strong> dari 50 berita terbit" in text and "1 terjadwal" in text
    assert 'id="hari-30"' in text and 'id="hari-1"' in text and 'id="hari-20"' in text
    assert "Rapat akhir bulan" in text and "Berita awal bulan" in text and "Musyawarah desa" in text
    assert "Berita Desember" not in text
    assert '<progress max="50" value="2"' in text
    december = browser.get(f"{base}/admin/kalender?bulan=2026-12").text
    assert "Berita Desember" in december and "Rapat akhir bulan" not in december
    assert 'href="/admin/kalender?bulan=2026-11" rel="prev"' in december
    # Nonsense falls back to this month.
    assert browser.get(f"{base}/admin/kalender?bulan=abc-99").status_code == 200


def test_the_month_is_read_in_a_fixed_number_of_queries(
    stack: Stack, makassar: tuple[int, str, Browser], sql_log: StatementLog
) -> None:
    vid, base, browser = makassar
    for n in range(1, 11):
        _post(stack, vid, f"Berita ke-{n}", datetime(2026, 11, n, 3, 0, tzinfo=UTC))
    browser.get(f"{base}/admin/kalender?bulan=2026-11")  # warm
    sql_log.statements.clear()
    browser.get(f"{base}/admin/kalender?bulan=2026-11")
    few = len(sql_log.statements)
    for n in range(11, 31):
        _post(stack, vid, f"Berita ke-{n}", datetime(2026, 11, n, 3, 0, tzinfo=UTC))
    sql_log.statements.clear()
    page = browser.get(f"{base}/admin/kalender?bulan=2026-11")
    assert "<strong>30</strong> dari 50" in page.text
    assert len(sql_log.statements) == few


def test_another_villages_news_never_shows(stack: Stack, makassar: tuple[int, str, Browser]) -> None:
    _vid, base, browser = makassar
    other, _slug = make_village(stack, "34.04.02.2003")
    _post(stack, other, "Rahasia desa lain", datetime(2026, 11, 5, 3, 0, tzinfo=UTC))
    page = browser.get(f"{base}/admin/kalender?bulan=2026-11").text
    assert "Rahasia desa lain" not in page and "<strong>0</strong> dari 50" in page
