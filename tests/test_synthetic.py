"""The synthetic-statistics generator of the console benchmark (tests/bench/synthetic_stats.py),
on a small run: 50 villages x 40 days. Its region rows must be exactly the sums of its village
rows, and its monthly rows the sums of its daily rows, or the benchmark measures fiction."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text

from etalase.platform import rls
from etalase.platform.analytics import indicators, synthetic
from tests.conftest import Stack

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SUMMED = ("views", "visitors", "shares", "comments", "reactions", "posts", "quality_posts", "trained_admins")
COUNTED = {
    "villages": "true",
    "villages_posted": "m.posts > 0",
    "villages_attention": "m.attention <> 0",
    "villages_transparent": "m.apbdes AND m.rpjm",
    "villages_platforms_met": f"m.platforms >= {indicators.TARGETS.platforms}",
}
SAMPLED = "FROM village v JOIN village_monthly_stats m ON m.village_id = v.id"


@pytest.fixture
def pg(production_stack: Stack) -> Iterator[Stack]:
    """The PostgreSQL stack only: the generator writes with COPY."""
    production_stack.wipe()
    yield production_stack
    production_stack.wipe()


def query(stack: Stack, sql: str, **params: object) -> list[tuple[Any, ...]]:
    with stack.runtime.engine.begin() as connection:
        rls.set_context(connection, None, all_villages=True)
        return [tuple(row) for row in connection.execute(text(sql), params)]


def test_a_small_run_adds_up_from_days_to_months_to_regions(pg: Stack) -> None:
    from etalase.tenants.service import create_villages_under  # noqa: PLC0415

    with pg.runtime.session(all_villages=True) as db:
        create_villages_under(db, "34")  # DI Yogyakarta: 438 villages, the run samples 50 of them
    summary = synthetic.generate(pg.runtime, villages=50, days=40, now=NOW, say=lambda _m: None)

    assert summary.villages == 50 and summary.daily_rows == 50 * 40
    assert summary.months == [date(2026, 10, 1), date(2026, 11, 1)]  # 12 Oct .. 20 Nov
    assert query(pg, "SELECT count(*), min(day), max(day) FROM village_daily_stats") == [
        (2000, date(2026, 10, 12), date(2026, 11, 20))
    ]
    # The sample spreads over the province: several kabupaten and many kecamatan.
    kecamatan = query(
        pg,
        f"SELECT count(DISTINCT substr(code, 1, 8)) {SAMPLED}",
    )
    assert kecamatan[0][0] >= 20
    # Monthly views and shares are the sums of the days.
    mismatched = query(
        pg,
        """SELECT m.village_id, m.month FROM village_monthly_stats m
           JOIN (SELECT village_id, date_trunc('month', day)::date AS month, sum(views) AS views,
                        sum(shared_whatsapp + shared_facebook + shared_x + shared_telegram) AS shares
                 FROM village_daily_stats GROUP BY 1, 2) d USING (village_id, month)
           WHERE d.views <> m.views OR d.shares <> m.shares""",
    )
    assert mismatched == []
    assert query(pg, "SELECT count(*) FROM village_monthly_stats") == [(100,)]
    # Plausible, not flat: readers somewhere, some villages never read, quality within posts.
    views = dict(query(pg, "SELECT village_id, sum(views) FROM village_daily_stats GROUP BY 1"))
    assert sum(views.values()) > 1000 and max(views.values()) > 10 * sorted(views.values())[25]
    assert query(pg, "SELECT count(*) FROM village_monthly_stats WHERE quality_posts > posts") == [(0,)]

    # Every region row is the sum of its villages' rows, at each level and for each month.
    for month in summary.months:
        regions = {
            row[0]: row[1:]
            for row in query(
                pg,
                f"SELECT region_code, {', '.join(SUMMED)}, {', '.join(COUNTED)} "
                "FROM region_monthly_stats WHERE month = :m",
                m=month,
            )
        }
        codes = [
            c
            for (c,) in query(
                pg,
                f"SELECT DISTINCT substr(code, 1, 8) {SAMPLED}",
            )
        ]
        expected_codes = {"", "34"} | {c[:5] for c in codes} | set(codes)
        assert set(regions) == expected_codes
        for code, found in regions.items():
            sums = ", ".join(f"sum(m.{name})" for name in SUMMED)
            counts = ", ".join(f"count(*) FILTER (WHERE {rule})" for rule in COUNTED.values())
            expected = query(
                pg,
                f"SELECT {sums}, {counts} FROM village_monthly_stats m JOIN village v ON v.id = m.village_id "
                "WHERE m.month = :m AND (:c = '' OR v.code LIKE :c || '.%')",
                m=month,
                c=code,
            )[0]
            assert tuple(int(x) for x in found) == tuple(int(x or 0) for x in expected), code
        assert regions[""][SUMMED.index("views")] == sum(
            int(v) for (v,) in query(pg, "SELECT views FROM village_monthly_stats WHERE month = :m", m=month)
        )


def test_the_daily_shape_has_a_weekly_rhythm_and_a_trend() -> None:
    rng = random.Random(3)
    days = 364
    days_text, week = synthetic.calendar(date(2025, 11, 30), days)  # a Sunday, 52 whole weeks
    by_weekday = [0] * 7
    halves = [0, 0]
    for n in range(400):
        plan = synthetic.plan_village(rng, n + 1, days)
        for index, line in enumerate(synthetic.daily_lines(plan, days_text, week, rng)):
            fields = line.rstrip("\n").split("\t")
            assert len(fields) == len(synthetic.DAILY_COLUMNS) and fields[1] == days_text[index]
            views, visitors = int(fields[2]), int(fields[3])
            assert visitors <= views and sum(int(f) for f in fields[4:13]) <= visitors
            by_weekday[date.fromisoformat(fields[1]).weekday()] += views
            halves[index * 2 // days] += views
    assert by_weekday[4] > by_weekday[6] * 1.4  # Friday against Sunday
    assert halves[1] > halves[0] * 1.2  # the second half of the year is read more
