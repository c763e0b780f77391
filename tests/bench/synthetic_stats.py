"""A year of synthetic statistics for every village of Indonesia, on a fresh PostgreSQL database.

Issue 7, item 8: the consoles must stay fast on a national year of data. This builds that data
the way production would hold it:

1. a fresh database ``etalase_bench_stats_<random>`` (or ``--db-name``): ``etalase db upgrade``,
   ``etalase regions load``, ``etalase villages create-under --all-indonesia`` (83,762 sites);
2. ``village_daily_stats``: one row per village and day (365 x 83,762 = 30.6 million rows),
   generated in Python (:mod:`etalase.platform.analytics.synthetic`) and written with ``COPY``;
3. ``village_monthly_stats``: one row per village and month, set-based in SQL from the daily rows
   plus invented indicator values (population, posts, quality, trained admins, platforms,
   APBDes/RPJM, last post, last activity, attention flags);
4. ``region_monthly_stats``: every kecamatan, kabupaten, province and the nation, per month, with
   ``indicators.rebuild_regions``;
5. ``VACUUM ANALYZE``, then prints the time of each step and the size of each table.

The database is dropped at the end unless ``--keep`` (then ``bench_consoles.py --db-name`` can
use it). Needs PostgreSQL on 127.0.0.1:5432 (user ``postgres``, trust auth) and Redis, as the other
benchmarks. A full run takes about 15 minutes on the 2-core machine (see tests/bench/README.md)::

    .venv/bin/python tests/bench/synthetic_stats.py --keep --db-name etalase_bench_stats
    .venv/bin/python tests/bench/synthetic_stats.py --villages 5000 --days 60   # a quick look
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_site import REDIS_URL, Bench, say

from etalase.platform import rls
from etalase.platform.analytics.synthetic import Summary, generate, table_sizes


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--villages", type=int, default=None, help="an even sample (default: all)")
    parser.add_argument("--days", type=int, default=365, help="days of statistics ending today")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--db-name", default=None, help="name of the database to create")


def forget_redis(bench: Bench) -> None:
    """This run's Redis keys (its own prefix), when the database is kept."""
    client = redis.Redis.from_url(REDIS_URL)
    for key in list(client.scan_iter(match=bench.redis_prefix + "*", count=1000)):
        client.delete(key)


def build(bench: Bench, villages: int | None, days: int, seed: int) -> Summary:
    """Create the database, every village site and the statistics; print timings and sizes."""
    started = time.perf_counter()
    bench.create()  # db upgrade, regions load
    bench.cli("villages", "create-under", "--all-indonesia")
    runtime = bench.runtime()
    try:
        summary = generate(runtime, villages=villages, days=days, seed=seed, say=say)
        with runtime.engine.begin() as connection:
            rls.set_context(connection, None, all_villages=True)
            sizes_before = table_sizes(connection)
    finally:
        runtime.close()
    vacuum = time.perf_counter()
    with psycopg.connect(bench.admin_db_url(), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE village_daily_stats")
        conn.execute("VACUUM ANALYZE village_monthly_stats")
        conn.execute("VACUUM ANALYZE region_monthly_stats")
        conn.execute("VACUUM ANALYZE village")
        database = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
    summary.seconds["VACUUM ANALYZE"] = time.perf_counter() - vacuum
    say("")
    say(
        f"Synthetic statistics: {summary.villages:,} villages x {summary.days} days, "
        f"{len(summary.months)} months"
    )
    for step, seconds in summary.seconds.items():
        say(f"  {step:<32} {seconds:8.1f} s")
    say(f"  {'everything (with setup)':<32} {time.perf_counter() - started:8.1f} s")
    say(
        f"  rows: {summary.daily_rows:,} daily, {summary.monthly_rows:,} monthly, "
        f"{summary.region_rows:,} region"
    )
    for name, size in sizes_before.items():
        say(f"  {name:<24} {size}")
    say(f"  database {bench.db_name}: {database[0] if database else '?'}")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments(parser)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="etalase-bench-stats-"))
    bench = Bench(var_dir=work / "var")
    bench.db_name = args.db_name or f"etalase_bench_stats_{uuid.uuid4().hex[:10]}"
    try:
        build(bench, args.villages, args.days, args.seed)
    finally:
        if args.keep:
            forget_redis(bench)
            say(f"kept: {bench.admin_db_url()}")
        else:
            bench.drop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
