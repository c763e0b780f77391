"""Public pages with and without the page cache: 1,000 villages with 50 posts each.

The requirement (issue 5, item 5), on this 2-core machine with view counting on:

- cached home and post pages: at least 5,000 requests/second with p99 at most 10 ms, 32 connections;
- uncached home page: at least 300 requests/second with p50 at most 10 ms.

Production path on this machine only: PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, a
fresh database ``etalase_bench_site_<random>`` and Redis prefix ``etalase-bench-site-<random>:``,
both removed at the end (also after a failure). Media stay on local disk in a temporary folder: the
pages link to them but no file is read while measuring, so S3 would change nothing here.

1. ``etalase db upgrade`` and ``etalase regions load``; 1,000 villages through ``create_village``
   (the first 1,000 desa/kelurahan in code order); 50 published posts each (50,000 rows, one
   executemany: the same columns the CMS writes, bodies sanitised once per template).
2. ``etalase serve --workers 2`` (uvicorn, two processes) with ``ETALASE_ENV=production``, then
   the same app under ``uvicorn --workers 2 --no-access-log`` (``etalase serve`` keeps uvicorn's
   access log, a log record and a write per request: a large share of a cached page's cost).
   ``--server etalase|quiet`` runs only one of them.
3. For each scenario, wrk over loopback: (for the cached ones, every page asked for once first)
   a warm-up run, then a measured run with ``--latency`` (wrk's own histogram: p50 and p99). A Lua
   script (written to a temporary folder) sets the Host header, a phone browser's User-Agent (so
   every page view is counted, as a reader's would be) and ``Accept-Encoding: gzip, deflate, br``
   (what browsers send: cached pages go out brotli-compressed).

   - cached home: ``GET /`` rotating over the 1,000 village hosts (all stored after the warm-up);
   - cached post: ``GET /berita/<slug>`` rotating over 2 posts of every village (2,000 pages);
   - uncached home / post: the same pages with a query string unique to each request
     (``?u=<thread>-<n>``): every request misses the cache, so the app renders the page and the
     cache compresses and stores it, which is what a reader who misses pays. No switch in the app
     is needed for it (query-string entries stay in the process, not in Redis).

   Cached pages run twice at 32 connections (2 wrk threads): as fast as wrk can ask (the most the
   server gives; with the machine saturated, p99 is mostly queueing behind whatever pauses a
   worker) and paced (``@5,000/s``: each connection waits after every answer, wrk's ``delay()``,
   so that together they offer a little over 5,000 requests/second: the target's p99 is read
   there). Uncached pages run at 4 connections, as in
   ``bench_home.py``: at 32 connections and ~600 pages/s every request would queue behind ~30 others
   (p50 ≈ 32 / 600 s ≈ 50 ms by Little's law, whatever the server), so a p50 target of 10 ms for a
   rendered page only makes sense at a handful of connections. (At 32 connections uncached pages
   also stalled for over a minute here, most likely the database pool running dry: a page view
   holds its session's connection while the appearance reads its state through a second session,
   so 16 views in one worker can want more than the pool's 15 connections.)

Run it from the repository root (about 8 minutes)::

    .venv/bin/python tests/bench/bench_site.py
    .venv/bin/python tests/bench/bench_site.py --help

Exit status: 0 when every target is met, 1 when not.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import redis
from sqlalchemy import insert, select
from sqlmodel import col

from etalase.platform.content.models import Post
from etalase.platform.content.richtext import to_safe_html
from etalase.platform.runtime import Runtime
from etalase.platform.settings import load_settings
from etalase.tenants.models import Region, Village
from etalase.tenants.service import create_village
from etalase.tenants.slugs import slugify

BASE_DOMAIN = "etalase.test"
ADMIN_URL = os.environ.get("ETALASE_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ETALASE_BENCH_REDIS", "redis://127.0.0.1:6379/14")
PHONE = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
TARGET_CACHED_RPS, TARGET_CACHED_P99 = 5000.0, 10.0
TARGET_UNCACHED_RPS, TARGET_UNCACHED_P50 = 300.0, 10.0

TITLES = (
    "Musyawarah Desa {name} Sepakati Rencana Kerja {n}",
    "Posyandu Balita dan Lansia {name} Digelar Serentak {n}",
    "BUMDes {name} Pasarkan Produk Olahan Warga {n}",
    "Kerja Bakti Warga {name} Bersihkan Saluran Irigasi {n}",
    "Pelatihan Pemasaran Daring untuk UMKM {name} {n}",
)
BODIES = (
    "<p>Musyawarah desa di balai desa dihadiri perwakilan RT, RW, kelompok tani, PKK, dan karang "
    "taruna. Forum menyepakati tiga prioritas: perbaikan jalan usaha tani, air bersih, dan pelatihan "
    "pemasaran produk UMKM.</p><p>Hasil musyawarah dituangkan dalam RKP Desa dan diumumkan di papan "
    "informasi desa serta di situs ini.</p>" * 3,
    "<p>Kader posyandu kembali menggelar layanan bulanan. Selain penimbangan dan imunisasi balita, "
    "warga lansia mendapat pemeriksaan tekanan darah dan gula darah tanpa biaya.</p>"
    "<ul><li>Balita: penimbangan dan vitamin A</li><li>Lansia: cek tensi dan gula darah</li></ul>" * 3,
    "<p>Badan Usaha Milik Desa mulai memajang produk UMKM warga di website desa. Pembeli dapat "
    "memesan langsung kepada penjual melalui WhatsApp, dan BUMDes membantu pengemasan.</p>" * 4,
)

# wrk's Lua: args = request file (one "host path" per line), "unique" to add ?u=<thread>-<n>.
WRK_LUA = r"""
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  unique = args[2] == "unique"
  local lines = {}
  for line in io.lines(args[1]) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  targets, prebuilt = {}, {}
  local offset = math.floor(tid * #lines / 2)
  for i = 1, #lines do
    local line = lines[(offset + i - 1) % #lines + 1]
    local host, path = line:match("^(%S+) (%S+)$")
    local headers = {
      Host = host,
      ["User-Agent"] = args[3],
      ["Accept-Encoding"] = "gzip, deflate, br",
      Accept = "text/html",
    }
    targets[i] = { path = path, headers = headers }
    prebuilt[i] = wrk.format("GET", path, headers)
  end
  n, pos = #targets, 0
  pause = tonumber(args[4]) or 0
end

-- Paced runs: each connection waits this many ms after an answer before its next request.
function delay()
  return pause
end

function request()
  pos = pos % n + 1
  if unique then
    local t = targets[pos]
    local u = tid .. "-" .. pos .. "-" .. math.random(1, 1000000000)
    return wrk.format("GET", t.path .. "?u=" .. u, t.headers)
  end
  return prebuilt[pos]
end
"""


def say(message: str = "") -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def etalase_bin() -> str:
    beside = Path(sys.executable).parent / "etalase"
    found = str(beside) if beside.exists() else shutil.which("etalase")
    if not found:
        sys.exit("The `etalase` command is not installed: run `pip install -e .` in the venv first.")
    return found


@dataclass
class Bench:
    var_dir: Path
    db_name: str = f"etalase_bench_site_{uuid.uuid4().hex[:10]}"
    redis_prefix: str = f"etalase-bench-site-{uuid.uuid4().hex[:8]}:"
    created: bool = False
    server: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def db_url(self) -> str:
        return f"{ADMIN_URL.rsplit('/', 1)[0]}/{self.db_name}".replace(
            "postgresql://", "postgresql+psycopg://"
        )

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETALASE_")}
        env.update(
            ETALASE_ENV="production",
            ETALASE_DATABASE_URL=self.db_url,
            ETALASE_REDIS_URL=REDIS_URL,
            ETALASE_REDIS_PREFIX=self.redis_prefix,
            ETALASE_SECRET_KEY="bench-" + "s" * 40,
            ETALASE_BASE_DOMAIN=BASE_DOMAIN,
            ETALASE_VAR_DIR=str(self.var_dir),  # local media folder, outside the work tree
        )
        return env

    def cli(self, *args: str) -> None:
        started = time.perf_counter()
        proc = subprocess.run(
            [etalase_bin(), *args], env=self.env, capture_output=True, text=True, check=False
        )
        say(f"$ etalase {' '.join(args)}  ({time.perf_counter() - started:.1f} s)")
        if proc.returncode != 0:
            raise RuntimeError(f"`etalase {' '.join(args)}` failed:\n{proc.stdout}{proc.stderr}")

    def create(self) -> None:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{self.db_name}"')
        self.created = True
        self.cli("db", "upgrade")
        self.cli("regions", "load")

    def runtime(self) -> Runtime:
        saved = dict(os.environ)
        os.environ.update(self.env)
        try:
            return Runtime.build(load_settings())
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def provision(self, villages: int, posts: int) -> tuple[list[str], dict[str, list[str]]]:
        """Villages through the service, posts with executemany. Returns hosts and post slugs."""
        runtime = self.runtime()
        try:
            started = time.perf_counter()
            with runtime.session(all_villages=True) as db:
                codes = db.execute(
                    select(col(Region.code))
                    .where(col(Region.level) == 4)
                    .order_by(col(Region.code))
                    .limit(villages)
                ).scalars()
                for code in list(codes):
                    create_village(db, code)
            say(f"{villages:,} villages through create_village in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            bodies = [to_safe_html(body) for body in BODIES]
            now = datetime.now(UTC).replace(microsecond=0)
            rows: list[dict[str, object]] = []
            slugs: dict[str, list[str]] = {}
            with runtime.session(all_villages=True) as db:  # writes posts of every village
                found = db.execute(select(col(Village.id), col(Village.name), col(Village.slug))).all()
                for village_id, name, slug in found:
                    slugs[slug] = []
                    for n in range(posts):
                        title = TITLES[n % len(TITLES)].format(name=name, n=n + 1)
                        post_slug = slugify(title)[:180]
                        slugs[slug].append(post_slug)
                        published = now - timedelta(hours=6 * n + 1)
                        rows.append(
                            {
                                "village_id": village_id,
                                "title": title[:200],
                                "slug": post_slug,
                                "summary": "Warga, BPD, dan perangkat desa bersama membahas kegiatan desa.",
                                "body": bodies[n % len(bodies)],
                                "status": "published",
                                "published_at": published,
                                "created_at": published,
                                "updated_at": published,
                            }
                        )
                    if len(rows) >= 10_000:
                        db.execute(insert(Post), rows)
                        rows.clear()
                if rows:
                    db.execute(insert(Post), rows)
            total = sum(len(v) for v in slugs.values())
            say(f"{total:,} posts with executemany in {time.perf_counter() - started:.1f} s")
        finally:
            runtime.close()
        with psycopg.connect(self.admin_db_url(), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")
        return [f"{slug}.{BASE_DOMAIN}" for slug in slugs], slugs

    def admin_db_url(self) -> str:
        return f"{ADMIN_URL.rsplit('/', 1)[0]}/{self.db_name}"

    def serve(self, workers: int, log: Path, *, quiet: bool) -> None:
        """``etalase serve`` as production runs it, or (``quiet``) the same app and uvicorn options
        without uvicorn's access log, which costs a logging record and a write per request."""
        self.port = free_port()
        if quiet:
            cmd = [sys.executable, "-m", "uvicorn", "etalase.platform.app:create_app", "--factory"]
            cmd += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
            cmd += ["--proxy-headers", "--no-server-header", "--no-access-log", "--log-level", "info"]
            self.server = subprocess.Popen(
                cmd, env=self.env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
            )
            self._wait(log)
            return
        cmd = [
            etalase_bin(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
        ]
        self.server = subprocess.Popen(
            cmd, env=self.env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait(log)

    def _wait(self, log: Path) -> None:
        assert self.server is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError("the server exited:\n" + log.read_text(errors="replace")[-3000:])
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    time.sleep(2.0)  # the second worker finishes its start-up
                    return
            time.sleep(0.2)
        raise RuntimeError("the server did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGINT)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.server.pid, signal.SIGKILL)  # its own session: its workers only
                self.server.wait(timeout=10)
        self.server = None

    def drop(self) -> None:
        self.stop()
        if self.created:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            self.created = False
        client = redis.Redis.from_url(REDIS_URL)
        batch = list(client.scan_iter(match=self.redis_prefix + "*", count=1000))
        for start in range(0, len(batch), 1000):
            client.delete(*batch[start : start + 1000])


@dataclass
class Result:
    server: str
    name: str
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(
    url: str,
    lua: Path,
    requests_file: Path,
    *,
    connections: int,
    seconds: float,
    unique: bool,
    pause_ms: int = 0,
) -> tuple[float, float, float, int, int]:
    threads = 2 if connections >= 2 else 1
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:.0f}s", "--latency"]
    cmd += [
        "-s",
        str(lua),
        url,
        "--",
        str(requests_file),
        "unique" if unique else "same",
        PHONE,
        str(pause_ms),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(bad.group(1)) if bad else 0
    if errors:
        failed += sum(int(g) for g in errors.groups())
    assert p50 and p99, out
    return rps, _ms(*p50.groups()), _ms(*p99.groups()), total, failed


def check_page(port: int, host: str, path: str, expect: str) -> None:
    """One request by hand: the scenario hits (or misses) the cache as it claims."""
    response = httpx.get(
        f"http://127.0.0.1:{port}{path}",
        headers={"host": host, "accept-encoding": "gzip, deflate, br", "user-agent": PHONE},
        timeout=60,  # after a warm-up at 32 connections the server still has a queue to serve
    )
    if response.status_code != 200 or response.headers.get("x-cache") != expect:
        raise RuntimeError(f"{host}{path}: {response.status_code}, X-Cache {response.headers.get('x-cache')}")


def prime(port: int, lines: list[str]) -> float:
    """Ask for every page once (8 at a time) so that all of them are stored before a cached run: a
    timed warm-up would not reach them all, since first views of a village are the slowest of all
    (each worker also resolves the host and reads the village's settings for the first time)."""
    started = time.perf_counter()

    def one(chunk: list[str]) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for line in chunk:
                host, path = line.split()
                client.get(
                    path, headers={"host": host, "accept-encoding": "gzip, deflate, br", "user-agent": PHONE}
                )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, [lines[i::8] for i in range(8)]))
    return time.perf_counter() - started


def verdict(r: Result, uncached_connections: int) -> tuple[str, bool]:
    """The target a row is held to (empty when none) and whether it is met."""
    if r.name.startswith("cached") and "@" in r.name:  # the target: that rate with that p99
        met = r.rps >= TARGET_CACHED_RPS and r.p99_ms <= TARGET_CACHED_P99
        rule = f">= {TARGET_CACHED_RPS:,.0f} req/s, p99 <= {TARGET_CACHED_P99:.0f} ms"
    elif r.name.startswith("cached"):  # as fast as it goes: the throughput (its p99 is queueing)
        met = r.rps >= TARGET_CACHED_RPS
        rule = f">= {TARGET_CACHED_RPS:,.0f} req/s"
    elif r.name == "uncached home" and r.connections == uncached_connections:
        met = r.rps >= TARGET_UNCACHED_RPS and r.p50_ms <= TARGET_UNCACHED_P50
        rule = f">= {TARGET_UNCACHED_RPS:.0f} req/s, p50 <= {TARGET_UNCACHED_P50:.0f} ms"
    else:
        return "", True
    return f"{rule}: {'PASS' if met else 'FAIL'}", met


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=50, help="per village")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before each run")
    parser.add_argument("--connections", type=int, default=32, help="for the cached pages")
    parser.add_argument("--uncached-connections", type=int, default=4)
    parser.add_argument("--cached-posts", type=int, default=2, help="posts per village in 'cached post'")
    parser.add_argument(
        "--server",
        choices=("etalase", "quiet", "both"),
        default="both",
        help="etalase serve (with uvicorn's access log), uvicorn without it, or both in turn",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")

    work = Path(tempfile.mkdtemp(prefix="etalase-bench-site-"))
    bench = Bench(var_dir=work / "var")
    results: list[Result] = []
    try:
        bench.create()
        hosts, slugs = bench.provision(args.villages, args.posts)
        lua = work / "site.lua"
        lua.write_text(WRK_LUA)
        homes = work / "homes.txt"
        homes.write_text("".join(f"{host} /\n" for host in hosts))
        posts = work / "posts.txt"
        posts.write_text(
            "".join(
                f"{slug}.{BASE_DOMAIN} /berita/{post}\n"
                for slug, items in slugs.items()
                for post in items[: args.cached_posts]
            )
        )
        log = work / "server.log"
        servers = {"etalase": [False], "quiet": [True], "both": [False, True]}[args.server]
        for quiet in servers:
            label = "uvicorn, no access log" if quiet else "etalase serve"
            bench.serve(args.workers, log, quiet=quiet)
            url = f"http://127.0.0.1:{bench.port}"
            say(f"{label} --workers {args.workers} on {url} (PostgreSQL + Redis, ETALASE_ENV=production)")
            # Paced: each of the connections waits after every answer so that together they offer
            # a little over the target rate (wrk's delay() has whole milliseconds).
            pause = int(args.connections / TARGET_CACHED_RPS * 1000 * 0.85)
            paced = f"@{TARGET_CACHED_RPS:,.0f}/s"
            scenarios = [
                ("cached home", homes, False, args.connections, 0, True),
                (f"cached home {paced}", homes, False, args.connections, pause, False),
                ("cached post", posts, False, args.connections, 0, True),
                (f"cached post {paced}", posts, False, args.connections, pause, False),
                ("uncached home", homes, True, args.uncached_connections, 0, False),
                ("uncached post", posts, True, args.uncached_connections, 0, False),
            ]
            for name, file, unique, connections, pause_ms, first_time in scenarios:
                if first_time:
                    lines = file.read_text().splitlines()
                    say(f"  ({len(lines):,} pages asked for once in {prime(bench.port, lines):.0f} s)")
                warm = run_wrk(
                    url,
                    lua,
                    file,
                    connections=connections,
                    seconds=args.warmup,
                    unique=unique,
                    pause_ms=pause_ms,
                )
                if warm[4]:
                    say(f"  (warm-up: {warm[4]} errors or non-2xx answers of {warm[3]})")
                first = file.read_text().splitlines()[len(hosts) // 3].split()
                try:
                    if not unique:
                        check_page(bench.port, first[0], first[1], "hit")
                    else:
                        check_page(bench.port, first[0], f"{first[1]}?u=check-{time.time()}", "miss")
                except RuntimeError:
                    say(log.read_text(errors="replace")[-4000:])
                    raise
                rps, p50, p99, total, bad = run_wrk(
                    url,
                    lua,
                    file,
                    connections=connections,
                    seconds=args.duration,
                    unique=unique,
                    pause_ms=pause_ms,
                )
                results.append(Result(label, name, connections, rps, p50, p99, total, bad))
                say(
                    f"  {name:<20} {connections:>3} conn: {rps:8.1f} req/s  "
                    f"p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"
                )
            bench.stop()
    finally:
        bench.drop()
        shutil.rmtree(work, ignore_errors=True)

    say("")
    say("=" * 92)
    say(
        f"Public pages, {args.villages:,} villages x {args.posts} posts, {args.workers} uvicorn workers, "
        f"PostgreSQL + Redis, wrk over loopback, {args.duration:.0f} s per run, view counting on"
    )
    say(
        f"{'server':<22} | {'page':<20} | {'conn':>4} | {'req/s':>8} | {'p50 ms':>6} | {'p99 ms':>6} | "
        f"{'errors':>6} | target"
    )
    ok = True
    for r in results:
        target, met = verdict(r, args.uncached_connections)
        ok &= met
        ok &= r.bad == 0
        say(
            f"{r.server:<22} | {r.name:<20} | {r.connections:>4} | {r.rps:8.1f} | {r.p50_ms:6.2f} | "
            f"{r.p99_ms:6.2f} | {r.bad:>6} | {target}"
        )
    say("=" * 92)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
