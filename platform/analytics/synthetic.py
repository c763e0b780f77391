"""Synthetic statistics for load tests: a year of daily readers for many villages, their monthly
indicator rows and the region rows above them, as the real clock would leave them.

PostgreSQL only (the daily rows go in through ``COPY``). Used by ``tests/bench/synthetic_stats.py``
(all 83,762 villages) and ``tests/test_synthetic.py`` (a few dozen). Nothing here runs in the app.

The shapes are meant to look like the field, not to be exact: most village sites are read by a
handful of people a day and a few by thousands (log-normal sizes), weekdays are busier than the
weekend, most sites grow over the year, some start late, some stop, and some are never read.
Every value comes from one seeded generator, so the same seed gives the same daily rows.
"""

from __future__ import annotations

import io
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from etalase.platform import rls
from etalase.platform.analytics.indicators import TARGETS, Attention, rebuild_regions
from etalase.platform.analytics.models import SOURCE_COLUMNS
from etalase.platform.content.quality import THRESHOLD
from etalase.platform.runtime import Runtime

# Busier on weekdays, quiet on Sunday (Monday first, as date.weekday()).
WEEK = (1.10, 1.05, 1.00, 1.00, 1.15, 0.75, 0.65)
# Where readers come from, on average (each village gets its own mix around these).
SOURCE_MIX = {
    "facebook": 0.28,
    "instagram": 0.06,
    "tiktok": 0.06,
    "whatsapp": 0.22,
    "x": 0.02,
    "youtube": 0.03,
    "search": 0.18,
    "direct": 0.12,
    "other": 0.03,
}
SHARE_RATES = {"whatsapp": 0.010, "facebook": 0.006, "x": 0.001, "telegram": 0.001}  # per view
DAILY_COLUMNS = (
    "village_id",
    "day",
    "views",
    "visitors",
    *(f"from_{name}" for name in SOURCE_COLUMNS),
    *(f"shared_{name}" for name in SHARE_RATES),
)
PARAM_COLUMNS = (
    "village_id",
    "population",
    "posts_rate",
    "quality_share",
    "trained",
    "platforms",
    "apbdes_month",
    "rpjm",
    "alive",
    "started",
    "stopped",
)
MONTH_READERS = 0.55  # a month's unique readers / the sum of its days' (people come back)

Say = Callable[[str], None]


@dataclass(frozen=True)
class VillagePlan:
    """One village's invented character."""

    village_id: int
    scale: float  # views on an ordinary weekday at the start
    growth: float  # relative change over the period
    start: int  # first day (index) with readers
    stop: int  # first day (index) without readers again (= days when it never stops)
    visitor_share: float  # visitors / views
    sources: tuple[float, ...]  # arrivals by SOURCE_COLUMNS, sums to 1
    shares: tuple[float, ...]  # share taps per view, by SHARE_RATES
    population: int | None
    posts_rate: float  # posts in an ordinary month
    quality_share: float  # of those, at or above the quality threshold
    trained: int
    platforms: int
    apbdes_month: int  # month of the year (1..12) it publishes its APBDes; 13: never
    rpjm: bool

    @property
    def alive(self) -> bool:
        return self.stop > self.start


@dataclass
class Summary:
    villages: int = 0
    days: int = 0
    daily_rows: int = 0
    monthly_rows: int = 0
    region_rows: int = 0
    months: list[date] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def plan_village(rng: random.Random, village_id: int, days: int) -> VillagePlan:
    never_read = rng.random() < 0.10  # a site made and never used
    start = 0 if rng.random() < 0.55 else rng.randrange(days)  # more sites go live over the year
    stop = days
    if never_read:
        stop = start
    elif rng.random() < 0.08:  # abandoned at some point
        stop = rng.randrange(start, days) if start < days - 1 else days
    weights = [mean * rng.expovariate(1.0) for mean in SOURCE_MIX.values()]
    total = sum(weights) or 1.0
    liveliness = rng.lognormvariate(0, 0.6)
    return VillagePlan(
        village_id=village_id,
        scale=min(rng.lognormvariate(math.log(15), 1.25), 25_000.0),
        growth=max(-0.6, rng.gauss(0.8, 0.7)),
        start=start,
        stop=stop,
        visitor_share=rng.uniform(0.35, 0.75),
        sources=tuple(w / total for w in weights),
        shares=tuple(rate * rng.uniform(0.2, 2.0) for rate in SHARE_RATES.values()),
        population=None if rng.random() < 0.04 else int(min(rng.lognormvariate(math.log(3000), 0.8), 60_000)),
        posts_rate=0.0 if never_read else min(rng.lognormvariate(math.log(6), 1.0) * liveliness, 150.0),
        quality_share=rng.uniform(0.1, 0.9),
        trained=min(int(rng.expovariate(1 / 3.5)), 25),
        platforms=min(int(rng.expovariate(1 / 2.0)), 6),
        apbdes_month=rng.choice((1, 2, 2, 3, 3, 3, 4, 5, 6, 8, 13, 13)),
        rpjm=rng.random() < 0.55,
    )


# Day-to-day swings. Seeded generators throughout: invented statistics, nothing secret.
NOISE = tuple(random.Random(1).lognormvariate(0, 0.35) for _ in range(4096))  # noqa: S311


def calendar(first_day: date, days: int) -> tuple[list[str], list[float]]:
    """Each day's text for COPY and its weekly factor (computed once for all villages)."""
    dates = [first_day + timedelta(days=n) for n in range(days)]
    return [d.isoformat() for d in dates], [WEEK[d.weekday()] for d in dates]


def daily_lines(
    plan: VillagePlan, days_text: list[str], week: list[float], rng: random.Random
) -> Iterator[str]:
    """The village's daily rows as COPY text lines (tab-separated, in DAILY_COLUMNS order).

    The hot loop of the generator (30 million rows): one random draw per row, reused for the
    rounding, and the day's text and weekly factor looked up."""
    vid = plan.village_id
    zero_tail = "\t0" * (len(DAILY_COLUMNS) - 2) + "\n"
    p0, p1, p2, p3, p4, p5, p6, p7, p8 = plan.sources
    s0, s1, s2, s3 = plan.shares
    vs = plan.visitor_share
    days = len(days_text)
    noise = rng.choices(NOISE, k=days)
    draws = [rng.random() for _ in range(days)]
    step = plan.growth / days
    for index in range(days):
        if index < plan.start or index >= plan.stop:
            yield f"{vid}\t{days_text[index]}{zero_tail}"
            continue
        u = draws[index]
        views = int(plan.scale * week[index] * max(1.0 + step * index, 0.1) * noise[index] + u)
        v = int(views * vs + u)
        yield (
            f"{vid}\t{days_text[index]}\t{views}\t{v}\t{int(v * p0)}\t{int(v * p1)}\t{int(v * p2)}"
            f"\t{int(v * p3)}\t{int(v * p4)}\t{int(v * p5)}\t{int(v * p6)}\t{int(v * p7)}\t{int(v * p8)}"
            f"\t{int(views * s0 + u)}\t{int(views * s1 + u)}\t{int(views * s2 + u)}\t{int(views * s3 + u)}\n"
        )


def _raw(connection: Connection) -> Any:
    """The psycopg connection under SQLAlchemy's (for COPY)."""
    return connection.connection.driver_connection


def _bypasses_rls(connection: Connection) -> bool:
    return bool(
        connection.execute(
            text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
    )


def choose_villages(connection: Connection, limit: int | None) -> list[int]:
    """Village ids in code order; with ``limit``, an even sample over the whole country."""
    ids = [row[0] for row in connection.execute(text("SELECT id FROM village ORDER BY code"))]
    if limit is None or limit >= len(ids):
        return ids
    step = len(ids) / limit
    return [ids[int(n * step)] for n in range(limit)]


def months_between(first_day: date, last_day: date) -> list[date]:
    months = []
    month = first_day.replace(day=1)
    while month <= last_day:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def generate(
    runtime: Runtime,
    *,
    villages: int | None = None,
    days: int = 365,
    now: datetime | None = None,
    seed: int = 7,
    say: Say = print,
) -> Summary:
    """Write ``days`` days of daily rows ending today for the villages (all, or an even sample of
    ``villages``), then their monthly rows and every region row of those months."""
    now = now or datetime.now(UTC).replace(microsecond=0)
    last_day = now.date()
    first_day = last_day - timedelta(days=days - 1)
    summary = Summary(days=days, months=months_between(first_day, last_day))
    rng = random.Random(seed)  # noqa: S311  (reproducible invented data)
    with runtime.engine.begin() as connection:
        rls.set_context(connection, None, all_villages=True)
        ids = choose_villages(connection, villages)
        summary.villages = len(ids)
        plans = [plan_village(rng, vid, days) for vid in ids]
        started = time.perf_counter()
        summary.daily_rows = copy_daily(connection, plans, first_day, days, rng, say)
        summary.seconds["daily rows (COPY)"] = time.perf_counter() - started
    with runtime.engine.begin() as connection:
        rls.set_context(connection, None, all_villages=True)
        started = time.perf_counter()
        copy_params(connection, plans)
        summary.monthly_rows = write_monthly(connection, first_day, last_day, now, seed)
        summary.seconds["monthly rows (SQL)"] = time.perf_counter() - started
        say(f"{summary.monthly_rows:,} monthly rows in {summary.seconds['monthly rows (SQL)']:.1f} s")
    started = time.perf_counter()
    for month in summary.months:
        with runtime.session(all_villages=True) as db:
            summary.region_rows += rebuild_regions(db, month, now)
    summary.seconds["region rows (rebuild_regions)"] = time.perf_counter() - started
    say(
        f"{summary.region_rows:,} region rows ({len(summary.months)} months) in "
        f"{summary.seconds['region rows (rebuild_regions)']:.1f} s"
    )
    return summary


def copy_daily(  # noqa: PLR0917  (one caller, in this module)
    connection: Connection,
    plans: list[VillagePlan],
    first_day: date,
    days: int,
    rng: random.Random,
    say: Say,
    chunk_villages: int = 500,
) -> int:
    """COPY the daily rows village by village (the primary key's order, so its index grows at the
    right edge instead of splitting pages all over)."""
    raw = _raw(connection)
    days_text, week = calendar(first_day, days)
    rows = 0
    started = time.perf_counter()
    reported = started
    target = "village_daily_stats"
    if not _bypasses_rls(connection):
        # PostgreSQL refuses COPY into a table under row-level security: go through a staging
        # table and one INSERT (the test database's role; the benchmark's superuser copies directly).
        target = "synthetic_daily"
        like = "(LIKE village_daily_stats INCLUDING DEFAULTS)"
        connection.execute(text(f"CREATE TEMPORARY TABLE {target} {like} ON COMMIT DROP"))
    statement = f"COPY {target} ({', '.join(DAILY_COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for begin in range(0, len(plans), chunk_villages):
            buffer = io.StringIO()
            for plan in plans[begin : begin + chunk_villages]:
                buffer.writelines(daily_lines(plan, days_text, week, rng))
                rows += days
            copy.write(buffer.getvalue())
            if time.perf_counter() - reported > 30:
                reported = time.perf_counter()
                rate = rows / (reported - started)
                say(f"  {rows:,} daily rows generated, {rate:,.0f} rows/s (PostgreSQL follows behind)")
    if target != "village_daily_stats":
        columns = ", ".join(DAILY_COLUMNS)
        connection.execute(
            text(f"INSERT INTO village_daily_stats ({columns}) SELECT {columns} FROM {target}")  # noqa: S608
        )
    say(f"{rows:,} daily rows in {time.perf_counter() - started:.1f} s")
    return rows


def copy_params(connection: Connection, plans: list[VillagePlan]) -> None:
    """The villages' invented characters, for the set-based monthly step."""
    connection.execute(
        text(
            "CREATE TEMPORARY TABLE synthetic_village (village_id integer PRIMARY KEY, population integer, "
            "posts_rate float8, quality_share float8, trained integer, platforms integer, "
            "apbdes_month integer, rpjm boolean, alive boolean, started integer, stopped integer) "
            "ON COMMIT DROP"
        )
    )
    raw = _raw(connection)
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY synthetic_village ({', '.join(PARAM_COLUMNS)}) FROM STDIN") as copy,
    ):
        for p in plans:
            copy.write_row(
                (
                    p.village_id,
                    p.population,
                    p.posts_rate,
                    p.quality_share,
                    p.trained,
                    p.platforms,
                    p.apbdes_month,
                    p.rpjm,
                    p.alive,
                    p.start,
                    p.stop,
                )
            )
    connection.execute(text("ANALYZE synthetic_village"))


# The monthly rows, set-based: the month's sums of the daily rows, plus indicator values drawn
# from each village's character (random() under a fixed setseed), then the attention flags.
MONTHLY_SQL = """
INSERT INTO village_monthly_stats (
    village_id, month, views, visitors, population, shares, comments, reactions, posts,
    quality_posts, quality_total, trained_admins, platforms, apbdes, rpjm, last_post_at,
    last_active_at, attention, computed_at)
WITH days AS (
    SELECT village_id, date_trunc('month', day)::date AS month,
           sum(views) AS views, sum(visitors) AS visitors,
           sum(shared_whatsapp + shared_facebook + shared_x + shared_telegram) AS shares,
           max(day) FILTER (WHERE views > 0) AS last_read
    FROM village_daily_stats
    WHERE day BETWEEN :first_day AND :last_day
    GROUP BY village_id, date_trunc('month', day)
), drawn AS (
    SELECT d.village_id, d.month, d.views, d.shares,
           (d.visitors * :month_readers)::integer AS visitors,
           s.population, s.platforms, s.rpjm, s.alive,
           least(d.month + interval '1 month' - interval '1 second', :now) AS as_of,
           CASE WHEN s.alive AND d.last_read IS NOT NULL
                THEN floor(s.posts_rate * (0.4 + 1.2 * random()))::integer ELSE 0 END AS posts,
           s.quality_share,
           CASE WHEN extract(month FROM d.month) >= s.apbdes_month THEN true ELSE false END AS apbdes,
           least(s.trained, floor(s.trained * (0.5 + random()))::integer) AS trained_admins,
           (d.views * (0.001 + 0.004 * random()))::integer AS comments,
           (d.views * (0.004 + 0.02 * random()))::integer AS reactions,
           d.last_read, random() AS r1, random() AS r2
    FROM days d JOIN synthetic_village s USING (village_id)
), shaped AS (
    SELECT *,
           round(posts * quality_share)::integer AS quality_posts,
           CASE WHEN posts > 0 THEN as_of - (r1 * least(extract(day FROM as_of), 25)) * interval '1 day'
                WHEN alive AND last_read IS NOT NULL THEN as_of - (31 + r1 * 60) * interval '1 day'
                END AS last_post_at,
           CASE WHEN last_read IS NULL THEN NULL
                WHEN posts > 0 THEN as_of - (r2 * r2 * 12) * interval '1 day'
                ELSE least(last_read::timestamptz, as_of) - (r2 * 40) * interval '1 day' END
               AS last_active_at
    FROM drawn
), lagged AS (
    SELECT *,
           lag(visitors, 1) OVER w AS visitors_1, lag(visitors, 2) OVER w AS visitors_2
    FROM shaped
    WINDOW w AS (PARTITION BY village_id ORDER BY month)
)
SELECT village_id, month, views, visitors, population, shares, comments, reactions, posts,
       quality_posts,
       quality_posts * (:threshold + 12) + (posts - quality_posts) * (:threshold - 25),
       trained_admins, platforms, apbdes, rpjm, last_post_at, last_active_at,
       (CASE WHEN last_post_at IS NULL OR as_of - last_post_at > :quiet THEN :no_recent ELSE 0 END)
       | (CASE WHEN NOT apbdes THEN :no_apbdes ELSE 0 END)
       | (CASE WHEN platforms < :platforms THEN :few_platforms ELSE 0 END)
       | (CASE WHEN coalesce(visitors_2, 0) >= 10 AND coalesce(visitors_1, 0) < visitors_2 * 0.8
              THEN :falling ELSE 0 END),
       :now
FROM lagged
"""


def write_monthly(connection: Connection, first_day: date, last_day: date, now: datetime, seed: int) -> int:
    connection.execute(text("SELECT setseed(:s)"), {"s": (seed % 1000) / 1000})
    result = connection.execute(
        text(MONTHLY_SQL),
        {
            "first_day": first_day,
            "last_day": last_day,
            "now": now,
            "month_readers": MONTH_READERS,
            "threshold": THRESHOLD,
            "quiet": timedelta(days=TARGETS.quiet_days),
            "platforms": TARGETS.platforms,
            "no_recent": int(Attention.NO_RECENT_POST),
            "no_apbdes": int(Attention.NO_APBDES),
            "few_platforms": int(Attention.FEW_PLATFORMS),
            "falling": int(Attention.FALLING_REACH),
        },
    )
    return int(result.rowcount or 0)


def table_sizes(connection: Connection) -> dict[str, str]:
    """Table and index sizes of the statistics tables, as PostgreSQL prints them."""
    names = ("village_daily_stats", "village_monthly_stats", "region_monthly_stats")
    return {
        name: str(
            connection.execute(
                text(
                    "SELECT pg_size_pretty(pg_table_size(CAST(:n AS regclass))) || ' + ' || "
                    "pg_size_pretty(pg_indexes_size(CAST(:n AS regclass))) || ' indexes'"
                ),
                {"n": name},
            ).scalar_one()
        )
        for name in names
    }
