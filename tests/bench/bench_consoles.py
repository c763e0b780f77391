"""The supervision consoles on a national year of statistics (issue 7, item 8).

The requirement, on this 2-core machine with all 83,762 villages and a year of daily statistics:
the national console and the largest province's console answer in under 500 ms at p95, a
kecamatan's in under 150 ms. They read only the rollup rows (``region_monthly_stats``, and
``village_monthly_stats`` for a kecamatan's villages), never the 30 million daily rows.

1. The data: ``--db-name`` names a database left by ``synthetic_stats.py --keep``; without it a
   fresh one is built the same way (about 15 minutes for the whole country; ``--villages`` and
   ``--days`` make it smaller) and dropped at the end unless ``--keep``.
2. Four supervisors through ``etalase users create``: national, the province with the most
   villages, its largest kabupaten, and the largest kecamatan of that kabupaten.
3. ``etalase serve --workers 2`` with ``ETALASE_ENV=production`` (PostgreSQL + Redis, as
   ``bench_site.py``), ``ETALASE_REQUIRE_2FA=admin`` (two-factor sign-in is not what is measured;
   it adds a step to the sign-in, not to a console page).
4. Each supervisor signs in through the sign-in form, then each console page is asked for
   ``--requests`` times one after another (latency: p50, p95, max, from the client over loopback,
   so it is the server's time plus well under a millisecond) and then ``--requests`` times from
   ``--concurrency`` clients at once (requests/s with both workers busy). Every answer must be 200
   and name the region.
5. A profile pass in this process (the same app and database, through the ASGI test client): every
   SQL statement of each page is timed, and the slowest of each page is shown with
   ``EXPLAIN (ANALYZE, BUFFERS)`` (``--explain``).

Run it from the repository root::

    .venv/bin/python tests/bench/synthetic_stats.py --keep --db-name etalase_bench_stats
    .venv/bin/python tests/bench/bench_consoles.py --db-name etalase_bench_stats --explain
    .venv/bin/python tests/bench/bench_consoles.py --villages 3000 --days 60   # all in one, small

Exit status: 0 when every target is met, 1 when not.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_site import BASE_DOMAIN, Bench, say
from synthetic_stats import build, forget_redis

from etalase.platform import rls

PASSWORD = "pendamping desa berdampak"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PORTAL = f"http://{BASE_DOMAIN}"
# Index changes this benchmark proposes (not in a migration): ``--proposed-indexes`` creates them
# before serving and drops them at the end, so a run shows what they change.
PROPOSED_INDEXES = {
    # "Perlu perhatian" filtered by a reason, or searched: the count reads every village row of the
    # month, and village_monthly_stats is keyed (village_id, month), so that is a scan of all the
    # months of every village (1.1 million rows, ~130 ms); with this, an index-only scan of the
    # month's 83,762 entries (~15 ms).
    "ix_village_monthly_stats_month_attention": (
        "CREATE INDEX IF NOT EXISTS ix_village_monthly_stats_month_attention "
        "ON village_monthly_stats (month, attention) INCLUDE (village_id)"
    ),
}
TARGETS_MS = {"nasional": 500.0, "provinsi": 500.0, "kabupaten": 500.0, "kecamatan": 150.0}


class ConsoleBench(Bench):
    """The site benchmark's database and server, with two-factor sign-in not required."""

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        # Village admins only: an empty value counts as unset (the default asks supervisors too).
        env["ETALASE_REQUIRE_2FA"] = "admin"
        return env


@dataclass
class Supervisor:
    level: str  # nasional, provinsi, kabupaten, kecamatan
    scope: str  # "" or a region code
    title: str  # the region's name, which every page must show
    village: str = ""  # a village of the kecamatan (its console page)
    email: str = ""
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Timing:
    level: str
    path: str
    latencies_ms: list[float]
    concurrent_rps: float
    concurrency: int
    size: int
    export: bool = False  # a download: shown, held to no target

    def pct(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def database_exists(name: str) -> bool:
    admin = os.environ.get("ETALASE_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def pick_scopes(bench: Bench) -> list[Supervisor]:
    """National, the province with the most villages, its largest kabupaten, and that kabupaten's
    largest kecamatan (the heaviest page of each level)."""
    with psycopg.connect(bench.admin_db_url()) as conn:

        def largest(length: int, under: str) -> tuple[str, str]:
            row = conn.execute(
                "SELECT substr(v.code, 1, %s) AS c, count(*) FROM village v "
                "WHERE v.code LIKE %s GROUP BY c ORDER BY count(*) DESC, c LIMIT 1",
                (length, under + "%"),
            ).fetchone()
            assert row, "no villages: run synthetic_stats.py first"
            name = conn.execute("SELECT name FROM region WHERE code = %s", (row[0],)).fetchone()
            say(
                f"  largest under {under or 'Indonesia'}: {row[0]} {name[0] if name else ''} "
                f"({row[1]:,} villages)"
            )
            return row[0], name[0] if name else row[0]

        province, province_name = largest(2, "")
        kabupaten, kabupaten_name = largest(5, province + ".")
        kecamatan, kecamatan_name = largest(8, kabupaten + ".")
        village = conn.execute(
            "SELECT min(code) FROM village WHERE code LIKE %s", (kecamatan + ".%",)
        ).fetchone()
    return [
        Supervisor("nasional", "", "Seluruh Indonesia"),
        Supervisor("provinsi", province, province_name),
        Supervisor("kabupaten", kabupaten, kabupaten_name),
        Supervisor("kecamatan", kecamatan, kecamatan_name, village=village[0] if village else ""),
    ]


def create_users(bench: Bench, people: list[Supervisor]) -> None:
    for person in people:
        person.email = f"bench-{person.level}-{uuid.uuid4().hex[:6]}@contoh.id"
        bench.cli(
            "users",
            "create",
            "--name",
            f"Pendamping {person.level}",
            "--email",
            person.email,
            "--scope",
            person.scope or "national",
            "--password",
            PASSWORD,
        )


def _cookies(response: httpx.Response, jar: dict[str, str]) -> None:
    for header in response.headers.get_list("set-cookie"):
        name, _sep, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def sign_in(client: httpx.Client, person: Supervisor) -> None:
    """Through the form, as a browser: the token from the page, the same origin."""
    jar: dict[str, str] = {}
    form = client.get("/akun/masuk", headers={"host": BASE_DOMAIN})
    _cookies(form, jar)
    token = CSRF.search(form.text)
    assert token, f"no sign-in form ({form.status_code})"
    answer = client.post(
        "/akun/masuk",
        data={"identifier": person.email, "password": PASSWORD, "csrf_token": token.group(1)},
        headers={"host": BASE_DOMAIN, "origin": PORTAL, "cookie": _cookie_header(jar)},
    )
    assert answer.status_code == 303, f"sign-in of {person.level}: {answer.status_code} {answer.text[:300]}"
    _cookies(answer, jar)
    person.cookies = jar


def pages_of(person: Supervisor) -> list[tuple[str, str]]:
    """(path, a text the answer must hold): the console pages a supervisor of this level opens
    first. The region table of the scope (provinces, kabupaten, kecamatan or villages), its
    "perlu perhatian" list, the first page of the village list (/konsol); national monitoring
    for the national scope; a village's console page (drill-down) for the kecamatan."""
    name = person.title.split()[-1]
    found = [("/konsol/wilayah", name), ("/konsol/perhatian", name), ("/konsol", name)]
    if person.level == "nasional":
        found.insert(1, ("/konsol/nasional", "<svg"))
        # Filtered by one reason: counted from the village rows, not the region row.
        found.insert(3, ("/konsol/perhatian?alasan=jangkauan", name))
    if person.level == "kecamatan" and person.village:
        found.append((f"/konsol/desa/{person.village}", person.village))
    return found


def exports_of(person: Supervisor) -> list[tuple[str, str]]:
    """The downloads: the largest of each kind (every village needing attention in the country,
    the province's table as XLSX, the kecamatan's villages as CSV)."""
    code = person.scope or "11"
    return {
        "nasional": [("/konsol/perhatian?format=csv", code)],
        "provinsi": [("/konsol/wilayah?format=xlsx", "")],
        "kabupaten": [("/konsol/perhatian?format=csv", code)],
        "kecamatan": [("/konsol/wilayah?format=csv", code)],
    }[person.level]


def fetch(client: httpx.Client, person: Supervisor, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path, headers={"host": BASE_DOMAIN, "cookie": _cookie_header(person.cookies)})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{person.level} {path}: {response.status_code} {response.text[:300]}")
    return elapsed, len(response.content)


def measure(  # noqa: PLR0917
    port: int, person: Supervisor, path: str, marker: str, requests: int, concurrency: int
) -> Timing:
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=120) as client:
        first = client.get(path, headers={"host": BASE_DOMAIN, "cookie": _cookie_header(person.cookies)})
        if first.status_code != 200 or marker not in first.text:
            raise RuntimeError(
                f"{person.level} {path}: {first.status_code} {first.headers.get('location', '')}, "
                f"{marker!r} missing"
            )
        for _ in range(min(5, requests)):  # warm-up: each worker's first render of the templates
            fetch(client, person, path)
        latencies = []
        size = 0
        for _ in range(requests):
            ms, size = fetch(client, person, path)
            latencies.append(ms)

    def worker(count: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            for _ in range(count):
                fetch(client, person, path)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:  # the same number of requests, spread
        share = -(-requests // concurrency)
        list(pool.map(worker, [share] * concurrency))
    rps = share * concurrency / (time.perf_counter() - started)
    return Timing(person.level, path, latencies, rps, concurrency, size)


# --- the profile pass: every statement of a page, timed, the slowest explained ------------------
@contextmanager
def statement_timer(engine: Any) -> Iterator[list[tuple[float, str, Any]]]:
    found: list[tuple[float, str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, _many: bool) -> None:
        context._bench_started = time.perf_counter()

    def after(_conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, _many: bool) -> None:
        found.append(((time.perf_counter() - context._bench_started) * 1000, statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def profile(bench: Bench, people: list[Supervisor], explain: bool) -> None:
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from etalase.platform.app import create_app  # noqa: PLC0415

    runtime = bench.runtime()
    try:
        app = create_app(runtime.settings, runtime)
        client = TestClient(app, base_url=PORTAL, follow_redirects=False)
        say("")
        say("Profile (in-process, one request each): SQL statements, their time, the slowest")
        for person in people:
            client.cookies.clear()
            token = CSRF.search(client.get("/akun/masuk").text)
            assert token
            signed = client.post(
                "/akun/masuk",
                data={"identifier": person.email, "password": PASSWORD, "csrf_token": token.group(1)},
                headers={"origin": PORTAL},
            )
            assert signed.status_code == 303, signed.text[:300]
            for path, _marker in pages_of(person):
                client.get(path)  # warm
                started = time.perf_counter()
                with statement_timer(runtime.engine) as statements:
                    answer = client.get(path)
                total = (time.perf_counter() - started) * 1000
                sql = sum(ms for ms, _s, _p in statements)
                slowest = max(statements, key=lambda s: s[0]) if statements else (0.0, "", None)
                say(
                    f"  {person.level:<10} {path:<36} {answer.status_code} {total:7.1f} ms, "
                    f"{len(statements)} statements {sql:6.1f} ms, slowest {slowest[0]:6.1f} ms: "
                    f"{' '.join(slowest[1].split())[:110]}"
                )
                if explain and slowest[1] and slowest[0] > 5:
                    with runtime.engine.begin() as connection:
                        rls.set_context(connection, None, all_villages=True)
                        plan = connection.exec_driver_sql(
                            "EXPLAIN (ANALYZE, BUFFERS) " + slowest[1], slowest[2]
                        ).all()
                    for (line,) in plan:
                        say(f"      {line}")
    finally:
        runtime.close()


def proposed_indexes(bench: Bench, *, create: bool) -> None:
    with psycopg.connect(bench.admin_db_url(), autocommit=True) as conn:
        for name, statement in PROPOSED_INDEXES.items():
            if not create:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
                continue
            started = time.perf_counter()
            conn.execute(statement)
            conn.execute("ANALYZE village_monthly_stats")
            say(f"  index {name} built in {time.perf_counter() - started:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db-name", default=None, help="an existing database (synthetic_stats.py --keep)")
    parser.add_argument("--villages", type=int, default=None, help="when building: an even sample")
    parser.add_argument("--days", type=int, default=365, help="when building: days of statistics")
    parser.add_argument("--keep", action="store_true", help="keep a database this run built")
    parser.add_argument("--requests", type=int, default=100, help="per page, one at a time and again at once")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--export-requests", type=int, default=10, help="per download (CSV/XLSX)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest statements")
    parser.add_argument(
        "--proposed-indexes", action="store_true", help="measure with PROPOSED_INDEXES (dropped at the end)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="etalase-bench-consoles-"))
    bench = ConsoleBench(var_dir=work / "var")
    built = False
    results: list[Timing] = []
    failures: list[str] = []
    try:
        if args.db_name and database_exists(args.db_name):
            bench.db_name = args.db_name
            say(f"Using the database {args.db_name}")
        else:
            bench.db_name = args.db_name or f"etalase_bench_consoles_{uuid.uuid4().hex[:10]}"
            build(bench, args.villages, args.days, seed=7)
            built = True
        with psycopg.connect(bench.admin_db_url()) as conn:
            counts = conn.execute(
                "SELECT (SELECT count(*) FROM village), (SELECT reltuples::bigint FROM pg_class "
                "WHERE relname = 'village_daily_stats'), (SELECT count(*) FROM village_monthly_stats), "
                "(SELECT count(*) FROM region_monthly_stats)"
            ).fetchone()
        assert counts
        say(
            f"Data: {counts[0]:,} villages, ~{counts[1]:,} daily rows, {counts[2]:,} village months, "
            f"{counts[3]:,} region months"
        )
        if args.proposed_indexes:
            proposed_indexes(bench, create=True)
        people = pick_scopes(bench)
        create_users(bench, people)
        log = work / "server.log"
        bench.serve(args.workers, log, quiet=False)
        say(f"etalase serve --workers {args.workers} on port {bench.port} (PostgreSQL + Redis, production)")
        for person in people:  # a client each: httpx keeps cookies of its own
            with httpx.Client(base_url=f"http://127.0.0.1:{bench.port}", timeout=60) as client:
                sign_in(client, person)
        for person in people:
            pages = [(p, m, args.requests) for p, m in pages_of(person)]
            pages += [(p, m, args.export_requests) for p, m in exports_of(person)]
            for path, marker, requests in pages:
                try:
                    timing = measure(bench.port, person, path, marker, requests, args.concurrency)
                except RuntimeError as error:  # reported, and the run goes on with the next page
                    failures.append(str(error)[:300])
                    say(f"  FAILED {error!s:.300}")
                    continue
                timing.export = "format=" in path
                results.append(timing)
                say(
                    f"  {person.level:<10} {path:<36} p50 {timing.pct(0.5):7.1f} ms  "
                    f"p95 {timing.pct(0.95):7.1f} ms"
                    f"  max {max(timing.latencies_ms):7.1f} ms  {timing.concurrent_rps:6.1f} req/s"
                    f" ({args.concurrency} at once)  {timing.size / 1024:.0f} KiB"
                )
        bench.stop()
        profile(bench, people, args.explain)
    finally:
        bench.stop()
        if args.proposed_indexes and (args.keep or not built):
            proposed_indexes(bench, create=False)
        if built and not args.keep:
            bench.drop()
        else:  # the database stays: only this run's Redis keys go
            forget_redis(bench)
            if built:
                say(f"kept: {bench.admin_db_url()}")
        shutil.rmtree(work, ignore_errors=True)
    return 0 if summary(results, failures, args) else 1


def summary(results: list[Timing], failures: list[str], args: argparse.Namespace) -> bool:
    """The table of every page against its target; True when every target is met."""
    say("")
    say("=" * 100)
    say(
        f"Consoles, {args.requests} requests per page one at a time (latency) and {args.concurrency} at once "
        f"(req/s), etalase serve --workers {args.workers}, PostgreSQL + Redis"
    )
    say(
        f"{'supervisor':<10} | {'page':<36} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} | "
        f"{'req/s':>6} | target"
    )
    ok = True
    for r in results:
        limit = TARGETS_MS[r.level]
        met = r.pct(0.95) < limit
        # The targets name the console pages; downloads are shown for what they cost.
        ok &= met or r.export
        say(
            f"{r.level:<10} | {r.path:<36} | {r.pct(0.5):7.1f} | {r.pct(0.95):7.1f} | "
            f"{max(r.latencies_ms):7.1f} | "
            f"{r.concurrent_rps:6.1f} | "
            + ("(download)" if r.export else f"p95 < {limit:.0f} ms: {'PASS' if met else 'FAIL'}")
        )
    for failure in failures:
        say(f"FAILED: {failure}")
    say("=" * 100)
    return ok and not failures


if __name__ == "__main__":
    sys.exit(main())
