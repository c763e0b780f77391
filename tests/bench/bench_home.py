"""Village home page throughput: 10 villages provisioned versus all 83,762.

The requirement it demonstrates: routing a request to its village costs the same whatever the number
of villages, so ``GET /`` with ``Host: <slug>.<base-domain>`` serves as many requests per second with
every village of Indonesia provisioned as with ten (within 20 %).

Production path, on this machine only:

- PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379. Each configuration gets a fresh database
  and a Redis key prefix of its own; both are dropped/deleted at the end.
- Provisioning through the ``etalase`` CLI (``db upgrade``, ``regions load``, ``villages create``,
  ``villages create-under --all-indonesia``), and published posts for every village.
- ``etalase serve --workers 2`` per configuration, loaded over loopback by ``wrk`` with a Lua script
  (generated into a temporary folder) that sets the Host header of every request.

Both configurations are provisioned first and their servers kept running, then the measured runs
alternate (10, all, 10, all…): the machine has two cores, shared with whatever else runs on it, and
alternating spreads any outside load over both configurations instead of biasing one.

Each wrk run has a warm-up phase and a measured phase on the *same* keep-alive connections. A
connection stays with one uvicorn worker, so every village it asks for in the measured phase was
resolved by that worker during the warm-up (a site that has been up for a while). The measured phase
rotates over those villages: all 10, or thousands of distinct ones out of a random sample of all
83,762. Which worker accepts a connection is up to the kernel, and often one worker takes all four
(half the throughput), so wrk is restarted until the split is even (read from /proc).

While measuring, the script counts scans of the ``village`` and ``region`` tables, Redis site keys
read and PostgreSQL connections opened (all zero when each worker's host cache answers), and splits
the machine's CPU time between server, wrk, PostgreSQL and everything else. Runs during which other
programs took more than 10 % of a core are left out of the medians and more rounds are run.
Exit status: 0 when the all-villages figure is within 20 % of the 10-village one, 1 when not.

Run it from the repository root::

    .venv/bin/python tests/bench/bench_home.py            # about 6 minutes
    .venv/bin/python tests/bench/bench_home.py --help     # connections, durations, rounds…
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import redis
from sqlalchemy import insert
from sqlmodel import col, select

from etalase.platform.content.models import Post
from etalase.platform.content.sanitize import clean_html
from etalase.platform.content.service import create_post
from etalase.platform.runtime import Runtime
from etalase.platform.settings import load_settings
from etalase.tenants.models import Village
from etalase.tenants.slugs import slugify

REPO = Path(__file__).resolve().parents[2]
RESULTS_DIR = Path(__file__).resolve().parent / "results"  # git-ignored
BASE_DOMAIN = "etalase.test"
TARGET = 0.20  # the all-villages figure must be within 20 % of the 10-village figure
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TICKS = os.sysconf("SC_CLK_TCK")

# Ten villages across Indonesia: four desa of Kecamatan Godean (Sleman), a desa in Kabupaten
# Semarang, a kelurahan in Kota Semarang, Kuta (Bali), a distrik in Papua, Aceh, East Kalimantan.
TEN_CODES = (
    "34.04.02.2001",
    "34.04.02.2002",
    "34.04.02.2003",
    "34.04.02.2004",
    "33.22.19.1001",
    "33.74.10.1001",
    "51.03.01.1002",
    "91.03.01.1001",
    "11.06.01.2002",
    "64.01.01.2011",
)

POSTS = (
    (
        "Musyawarah Desa {name} Sepakati Rencana Kerja Pemerintah Desa 2027",
        "Warga, BPD, dan perangkat desa menyepakati prioritas pembangunan tahun depan.",
        "<p>Musyawarah desa di balai {name} dihadiri perwakilan RT, RW, kelompok tani, PKK, dan karang "
        "taruna. Forum menyepakati tiga prioritas: perbaikan jalan usaha tani, air bersih, dan pelatihan "
        "pemasaran produk UMKM.</p><p>Hasil musyawarah dituangkan dalam RKP Desa 2027.</p>",
    ),
    (
        "Posyandu Balita dan Lansia {name} Kembali Digelar Serentak",
        "Penimbangan, imunisasi, dan pemeriksaan tekanan darah gratis untuk warga.",
        "<p>Kader posyandu {name} kembali menggelar layanan bulanan. Selain penimbangan dan imunisasi "
        "balita, warga lansia mendapat pemeriksaan tekanan darah dan gula darah tanpa biaya.</p>"
        "<ul><li>Balita: penimbangan dan vitamin A</li><li>Lansia: cek tensi dan gula darah</li></ul>",
    ),
    (
        "BUMDes {name} Pasarkan Produk Olahan Warga Lewat Website Desa",
        "Keripik, gula semut, dan kerajinan anyaman kini bisa dipesan dari luar desa.",
        "<p>Badan Usaha Milik Desa mulai memajang produk UMKM warga di website desa. Pembeli dapat "
        "memesan langsung kepada penjual melalui WhatsApp.</p>",
    ),
)

# The Lua script wrk runs. Arguments: slug file, base domain, warm-up end and measurement end (both on
# CLOCK_MONOTONIC, the clock of Python's time.monotonic()), number of threads. One connection per
# thread, so request() and response() alternate and each request's latency is known exactly.
WRK_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } etalase_bench_timespec;
int clock_gettime(int clk_id, etalase_bench_timespec *tp);
]]
local ts = ffi.new("etalase_bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local base = args[2]
  warm_until, measure_until = tonumber(args[3]), tonumber(args[4])
  local nthreads = tonumber(args[5])
  local all = {}
  for line in io.lines(args[1]) do
    if #line > 0 then all[#all + 1] = line .. "." .. base end
  end
  -- Every thread walks the whole sample from its own offset: with a large sample the threads'
  -- warm-up ranges do not overlap; with ten villages each connection asks for all ten.
  hosts = {}
  local offset = math.floor(tid * #all / nthreads)
  for i = 1, #all do hosts[i] = all[(offset + i - 1) % #all + 1] end
  nhosts = #hosts
  pos, warmed, mpos = 0, 0, 0
  measured, non200, lat = 0, 0, {}
  sent_at, phase = 0, "warm"
end

function request()
  sent_at = now()
  local host
  if sent_at < warm_until then
    phase = "warm"
    pos = pos % nhosts + 1
    host = hosts[pos]
  else
    phase = (sent_at < measure_until) and "measure" or "tail"
    -- Only villages this connection's worker already resolved during the warm-up.
    local n = (warmed > 0) and warmed or nhosts
    mpos = mpos % n + 1
    host = hosts[mpos]
  end
  return wrk.format("GET", "/", { Host = host })
end

function response(status, headers, body)
  local elapsed = now() - sent_at
  if phase == "warm" then
    if status == 200 and pos > warmed then warmed = pos end
  elseif phase == "measure" then
    measured = measured + 1
    lat[measured] = elapsed * 1000
    if status ~= 200 then non200 = non200 + 1 end
  end
end

function done(summary, latency, requests)
  local all, total, bad, warmed_total, distinct = {}, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    local l = t:get("lat")
    for i = 1, #l do all[#all + 1] = l[i] end
    local m, w = t:get("measured"), t:get("warmed")
    total = total + m
    bad = bad + t:get("non200")
    warmed_total = warmed_total + w
    distinct = distinct + math.min(m, (w > 0) and w or t:get("nhosts"))
  end
  table.sort(all)
  local function pct(p)
    if #all == 0 then return -1 end
    return all[math.max(1, math.ceil(p / 100 * #all))]
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT measured=%d non200=%d warmed=%d distinct=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
      .. "max_ms=%.3f socket_errors=%d\n",
    total, bad, warmed_total, distinct, pct(50), pct(90), pct(99), pct(100),
    e.connect + e.read + e.write + e.timeout))
end
"""


# --- small helpers -------------------------------------------------------------------------------------
def say(message: str = "") -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def url_host(url: str) -> str:
    return (httpx.URL(url).host or "").strip("[]")


def etalase_bin() -> str:
    beside = Path(sys.executable).parent / "etalase"
    found = str(beside) if beside.exists() else shutil.which("etalase")
    if not found:
        sys.exit("The `etalase` command is not installed: run `pip install -e .` in the venv first.")
    return found


def run_cli(env: dict[str, str], *args: str) -> tuple[str, float]:
    """Run `etalase ARGS`, echo its output, return (output, wall seconds)."""
    started = time.perf_counter()
    proc = subprocess.run([etalase_bin(), *args], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    output = (proc.stdout + proc.stderr).strip()
    shown = " ".join(args) if len(args) < 6 else " ".join(args[:4]) + f" … ({len(args) - 2} codes)"
    say(f"$ etalase {shown}")
    for line in output.splitlines():
        say(f"    {line}")
    if proc.returncode != 0:
        raise RuntimeError(f"`etalase {' '.join(args)}` exited with {proc.returncode}")
    return output, seconds


def reported_seconds(output: str) -> float:
    """The "in 12.3 s" figure the CLI prints."""
    found = re.search(r"in ([\d.]+) s\.", output)
    if not found:
        raise RuntimeError(f"no duration in: {output!r}")
    return float(found.group(1))


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) of a process; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def all_processes() -> dict[int, tuple[str, float]]:
    """pid -> (command name, CPU seconds) for every process on the machine."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            found[int(stat.parent.name)] = (name, (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def children(parent: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent:
                pids.append(int(stat.parent.name))
    return sorted(pids)


def machine_busy() -> tuple[float, float]:
    """CPU seconds all cores have spent running processes or stolen by the hypervisor since boot,
    and the stolen part alone.

    Interrupt time is left out: it is mostly the loopback traffic of the benchmark itself, which
    the kernel accounts to no process."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = values[:8]
    return (user + nice + system + steal) / TICKS, steal / TICKS


def redis_server_pids() -> list[int]:
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            if comm.read_text().strip() == "redis-server":
                pids.append(int(comm.parent.name))
    return pids


# --- one configuration: database, Redis prefix, server -------------------------------------------------
class Server:
    def __init__(self, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.workers = workers
        self.log_path = log_path
        self.log = log_path.open("ab")
        cmd = [etalase_bin(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--workers", str(workers)]
        self.process = subprocess.Popen(
            cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                ok = httpx.get(self.url + "healthz", timeout=1).status_code == 200
                if ok and len(self.worker_pids()) >= self.workers:
                    time.sleep(1.0)  # let the other worker finish its start-up too
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's output (its log lives in a temporary folder that goes away)."""
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        """The uvicorn workers (multiprocessing spawn children; not the resource tracker)."""
        pids = []
        for pid in children(self.process.pid):
            with contextlib.suppress(OSError):
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    pids.append(pid)
        return pids

    def cpu(self) -> dict[int, float]:
        pids = [self.process.pid, *children(self.process.pid)]
        return {pid: proc_cpu(pid) for pid in pids}

    def connections_per_worker(self) -> list[int]:
        """Accepted client connections each worker holds (from /proc: socket inodes of established
        TCP connections on our port, matched against each worker's open file descriptors)."""
        port = f":{self.port:04X}"
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError):
                for line in Path(table).read_text().splitlines()[1:]:
                    fields = line.split()
                    if fields[3] == "01" and fields[1].endswith(port):  # 01: ESTABLISHED
                        inodes.add(f"socket:[{fields[9]}]")
        counts = []
        for pid in self.worker_pids():
            held = 0
            with contextlib.suppress(OSError):
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    with contextlib.suppress(OSError):
                        held += os.readlink(fd) in inodes
            counts.append(held)
        return sorted(counts, reverse=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)  # its own session: its workers only
                self.process.wait(timeout=10)
        self.log.close()


@dataclass
class Config:
    label: str
    admin_url: str
    redis_url: str
    var_dir: Path
    db_pool_size: int | None = None
    db_name: str = field(default_factory=lambda: f"etalase_bench_{uuid.uuid4().hex[:10]}")
    redis_prefix: str = field(default_factory=lambda: f"etalase-bench-{uuid.uuid4().hex[:8]}:")
    created: bool = False
    server: Server | None = None
    villages: int = 0
    sample: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)

    @property
    def db_url(self) -> str:
        return f"{self.admin_url.rsplit('/', 1)[0]}/{self.db_name}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETALASE_")}
        env.update(
            ETALASE_ENV="production",
            ETALASE_DATABASE_URL=self.db_url,
            ETALASE_REDIS_URL=self.redis_url,
            ETALASE_REDIS_PREFIX=self.redis_prefix,
            ETALASE_SECRET_KEY="bench-" + "s" * 40,
            ETALASE_BASE_DOMAIN=BASE_DOMAIN,
            ETALASE_VAR_DIR=str(self.var_dir),  # the media folder stays out of the work tree
        )
        if self.db_pool_size:
            env["ETALASE_DB_POOL_SIZE"] = str(self.db_pool_size)
        return env

    def create(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{self.db_name}"')
        self.created = True

    def table_scans(self) -> tuple[dict[str, int], list[int]]:
        """seq_scan + idx_scan per table (pg_stat_user_tables lags up to a second), and the pids
        of the other backends connected to this database."""
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables"
            ).fetchall()
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
            sessions = conn.execute(
                "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()
        scans = {name: int(count) for name, count in rows}
        scans["(sessions)"] = int(sessions[0]) if sessions else 0
        return scans, [int(p) for (p,) in pids]

    def analyze(self) -> None:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            conn.execute("CHECKPOINT")  # write provisioning's dirty pages now, not while measuring

    def active_slugs(self) -> list[str]:
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            rows = conn.execute("SELECT slug FROM village WHERE status = 'active' ORDER BY slug")
            return [slug for (slug,) in rows]

    def shared_reads_since(self, seconds_ago: float) -> int:
        """How many of this configuration's Redis keys were read or written in the last
        `seconds_ago` seconds (OBJECT IDLETIME, one-second resolution, does not touch the keys)."""
        client = redis.Redis.from_url(self.redis_url)
        keys = list(client.scan_iter(match=self.redis_prefix + "*", count=1000))
        touched = 0
        for start in range(0, len(keys), 1000):
            pipe = client.pipeline(transaction=False)
            for key in keys[start : start + 1000]:
                pipe.object("idletime", key)
            touched += sum(1 for idle in pipe.execute() if idle is not None and idle < seconds_ago - 1)
        return touched

    def drop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self.created:
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            self.created = False
        client = redis.Redis.from_url(self.redis_url)
        batch: list[bytes] = []
        for key in client.scan_iter(match=self.redis_prefix + "*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)


def add_posts(config: Config, per_village: int, *, bulk: bool) -> tuple[int, float]:
    """Give every village without posts `per_village` published posts. Returns (posts, seconds).

    Few villages: through `create_post`, the service the CMS uses. All of Indonesia: the same rows
    (slug from `slugify`, body through `clean_html`) written with executemany, since 167,000
    one-by-one inserts would take minutes."""
    started = time.perf_counter()
    saved = dict(os.environ)
    os.environ.update(config.env)
    try:
        runtime = Runtime.build(load_settings())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    now = datetime.now(UTC).replace(microsecond=0)
    made = 0
    try:
        with runtime.session(all_villages=True) as session:  # writes posts of every village
            with_posts = set(session.exec(select(Post.village_id).distinct()).all())
            villages = session.exec(select(Village.id, Village.name).order_by(col(Village.id))).all()
            rows: list[dict[str, object]] = []
            for village_id, name in villages:
                if village_id is None or village_id in with_posts:
                    continue
                for n, (title_pattern, summary, body) in enumerate(POSTS[:per_village]):
                    title = title_pattern.format(name=name)
                    published = now - timedelta(days=3 * n + 1)
                    if not bulk:
                        create_post(
                            session,
                            village_id,
                            title=title,
                            body=body.format(name=name),
                            summary=summary,
                            published_at=published,
                        )
                        made += 1
                        continue
                    rows.append(
                        {
                            "village_id": village_id,
                            "title": title[:200],
                            "slug": slugify(title)[:180] or "berita",
                            "summary": summary,
                            "body": clean_html(body.format(name=name)),
                            "status": "published",
                            "published_at": published,
                            "created_at": published,
                            "updated_at": published,
                        }
                    )
                if len(rows) >= 5000:
                    session.execute(insert(Post), rows)
                    made += len(rows)
                    rows.clear()
            if rows:
                session.execute(insert(Post), rows)
                made += len(rows)
    finally:
        runtime.close()
    return made, time.perf_counter() - started


# --- measuring ---------------------------------------------------------------------------------------------
@dataclass
class Run:
    villages: int
    round: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    measured: int
    non200: int
    socket_errors: int
    warmed: int
    distinct: int
    db_village_scans: int
    db_region_scans: int
    redis_keys_read: int
    server_cpu_ms_per_request: float
    postgres_cpu_ms_per_request: float
    worker_cpu_split: list[float]
    # Percent of one core over the measured window (the machine has os.cpu_count() cores).
    cpu_server: float
    cpu_generator: float
    cpu_postgres: float
    cpu_redis: float
    cpu_other: float
    other_top: str
    generator: str
    db_connections_opened: int = 0
    connections_per_worker: list[int] = field(default_factory=list)
    wrk_starts: int = 0  # how many wrk starts it took to get an even split
    excluded: str = ""  # why the summary leaves this run out, if it does


@dataclass
class Snapshot:
    at: float
    scans: dict[str, int]
    server: dict[int, float]
    postgres: dict[int, float]
    generator: float
    generator_pid: int
    redis: float
    bench: float
    busy: tuple[float, float]
    processes: dict[int, tuple[str, float]]


def snapshot(config: Config, generator_pid: int, redis_pids: list[int]) -> Snapshot:
    assert config.server is not None
    scans, backends = config.table_scans()
    return Snapshot(
        at=time.monotonic(),
        scans=scans,
        server=config.server.cpu(),
        postgres={pid: proc_cpu(pid) for pid in backends},
        generator=proc_cpu(generator_pid),
        generator_pid=generator_pid,
        redis=sum(proc_cpu(pid) for pid in redis_pids),
        bench=proc_cpu(os.getpid()),
        busy=machine_busy(),
        processes=all_processes(),
    )


def parse_result(text: str) -> dict[str, float]:
    line = next((ln for ln in text.splitlines() if ln.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"the load generator printed no result:\n{text}")
    return {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}


@dataclass
class Plan:
    connections: int
    duration: float
    lua_file: Path | None
    redis_pids: list[int]


def start_wrk(
    url: str, plan: Plan, slug_file: Path, warm_until: float, measure_until: float
) -> subprocess.Popen[str]:
    assert plan.lua_file is not None
    seconds = math.ceil(measure_until - time.monotonic() + 1.0)
    cmd = ["wrk", "-t", str(plan.connections), "-c", str(plan.connections)]
    cmd += ["-d", f"{seconds}s", "--timeout", "10s", "-s", str(plan.lua_file), url]
    cmd += ["--", str(slug_file), BASE_DOMAIN, f"{warm_until:.6f}", f"{measure_until:.6f}"]
    cmd += [str(plan.connections)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@dataclass
class ConnectionResult:
    latencies: list[float] = field(default_factory=list)
    warmed: int = 0
    non200: int = 0


async def python_load(
    url: str, hosts: list[str], connections: int, warm_until: float, measure_until: float
) -> str:
    """The fallback when wrk is absent: the same phases with asyncio + httpx (a much costlier client)."""

    async def one(tid: int) -> ConnectionResult:
        offset = tid * len(hosts) // connections
        mine = hosts[offset:] + hosts[:offset]
        result, pos = ConnectionResult(), 0
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(limits=limits, timeout=10) as client:
            while (sent := time.monotonic()) < measure_until:
                warm = sent < warm_until
                if warm:
                    host = mine[pos % len(mine)]
                    pos += 1
                else:
                    host = mine[len(result.latencies) % (result.warmed or len(mine))]
                response = await client.get(url, headers={"Host": host})
                elapsed = time.monotonic() - sent
                if warm and response.status_code == 200:
                    result.warmed = max(result.warmed, min(pos, len(mine)))
                elif not warm:
                    result.latencies.append(elapsed * 1000)
                    result.non200 += response.status_code != 200
        return result

    results = await asyncio.gather(*(one(t) for t in range(connections)))
    lat = sorted(x for r in results for x in r.latencies)
    distinct = sum(min(len(r.latencies), r.warmed or len(hosts)) for r in results)

    def pct(p: float) -> float:
        return lat[max(0, math.ceil(p / 100 * len(lat)) - 1)] if lat else -1.0

    return (
        f"BENCH_RESULT measured={len(lat)} non200={sum(r.non200 for r in results)} "
        f"warmed={sum(r.warmed for r in results)} distinct={distinct} p50_ms={pct(50):.3f} "
        f"p90_ms={pct(90):.3f} p99_ms={pct(99):.3f} max_ms={pct(100):.3f} socket_errors=0"
    )


async def python_drive(
    config: Config, plan: Plan, times: tuple[float, float, float]
) -> tuple[str, Snapshot, Snapshot, list[int]]:
    assert config.server is not None
    warm_until, window_start, measure_until = times
    hosts = [f"{slug}.{BASE_DOMAIN}" for slug in config.sample]
    load = python_load(config.server.url, hosts, plan.connections, warm_until, measure_until)
    task = asyncio.create_task(load)
    await asyncio.sleep(max(0.0, window_start - time.monotonic()))
    first = await asyncio.to_thread(snapshot, config, os.getpid(), plan.redis_pids)
    split = await asyncio.to_thread(config.server.connections_per_worker)
    await asyncio.sleep(max(0.0, measure_until - time.monotonic()))
    second = await asyncio.to_thread(snapshot, config, os.getpid(), plan.redis_pids)
    return await task, first, second, split


def start_balanced(
    config: Config, plan: Plan, slug_file: Path, warmup: float
) -> tuple[subprocess.Popen[str], float, list[int], int]:
    """Start wrk until the kernel has handed its connections evenly to the workers.

    Which worker accepts a connection is up to the kernel (and to asyncio, which accepts every
    pending connection at once): often one worker gets all four, which halves the throughput and
    would pass for a difference between the configurations. A wrk whose split is uneven is stopped
    within its first second and started again. Returns (wrk, warm-up end,
    connections per worker, attempts)."""
    assert config.server is not None
    workers = config.server.workers
    even = plan.connections % workers == 0
    for attempt in range(1, 41):
        warm_until = time.monotonic() + 1.0 + warmup  # a second for wrk to start and connect
        proc = start_wrk(config.server.url, plan, slug_file, warm_until, warm_until + plan.duration)
        deadline = time.monotonic() + 0.9
        split = config.server.connections_per_worker()
        while sum(split) < plan.connections and time.monotonic() < deadline:
            time.sleep(0.02)
            split = config.server.connections_per_worker()
        if not even or (len(split) == workers and max(split) == min(split) == plan.connections // workers):
            return proc, warm_until, split, attempt
        proc.kill()
        proc.communicate()
    return proc, warm_until, split, attempt  # give up balancing: the run gets left out


def measure(config: Config, plan: Plan, slug_file: Path, warmup: float, round_no: int) -> Run:
    assert config.server is not None
    split: list[int] = []
    attempts = 0
    if plan.lua_file:
        proc, warm_until, split, attempts = start_balanced(config, plan, slug_file, warmup)
    else:
        warm_until = time.monotonic() + 1.0 + warmup
    measure_until = warm_until + plan.duration
    # Counters are read inside the measured phase; table statistics reach pg_stat_user_tables up to
    # a second late, hence the margin after the warm-up.
    window_start = warm_until + 1.5
    if plan.lua_file:
        time.sleep(max(0.0, window_start - time.monotonic()))
        first = snapshot(config, proc.pid, plan.redis_pids)
        time.sleep(max(0.0, measure_until - time.monotonic()))
        second = snapshot(config, proc.pid, plan.redis_pids)
        output, _ = proc.communicate(timeout=60)
        if proc.returncode != 0:
            raise RuntimeError(f"wrk failed:\n{output}")
    else:
        times = (warm_until, window_start, measure_until)
        output, first, second, split = asyncio.run(python_drive(config, plan, times))
    result = parse_result(output)
    redis_keys_read = config.shared_reads_since(time.monotonic() - first.at)

    window = second.at - first.at

    def pct(seconds: float) -> float:
        return round(100 * seconds / window, 1)

    worker_use = [second.server[p] - first.server.get(p, 0.0) for p in second.server]
    busy_workers = sorted((u for u in worker_use if u > 0.05), reverse=True)
    server = sum(worker_use)
    postgres = sum(second.postgres[p] - first.postgres.get(p, 0.0) for p in second.postgres)
    generator = second.generator - first.generator
    redis_cpu = second.redis - first.redis
    ours = server + postgres + generator + redis_cpu
    if generator != second.bench - first.bench:  # with wrk, this script's own polling is ours too
        ours += second.bench - first.bench
    other = (second.busy[0] - first.busy[0]) - ours
    steal = second.busy[1] - first.busy[1]
    # Who the other programs were, by command name (PostgreSQL's own background processes included).
    mine = {*second.server, *second.postgres, second.generator_pid, os.getpid(), *plan.redis_pids}
    by_name: dict[str, float] = {}
    for pid, (name, cpu) in second.processes.items():
        if pid not in mine:
            by_name[name] = by_name.get(name, 0.0) + cpu - first.processes.get(pid, (name, 0.0))[1]
    by_name["stolen by the hypervisor"] = steal
    named = sum(by_name.values())
    by_name["exited processes"] = other - named
    top = sorted(((cpu, name) for name, cpu in by_name.items() if pct(cpu) >= 1), reverse=True)[:3]
    rps = result["measured"] / plan.duration
    in_window = max(1.0, rps * window)
    return Run(
        villages=config.villages,
        round=round_no,
        rps=rps,
        p50_ms=result["p50_ms"],
        p90_ms=result["p90_ms"],
        p99_ms=result["p99_ms"],
        max_ms=result["max_ms"],
        measured=int(result["measured"]),
        non200=int(result["non200"]),
        socket_errors=int(result["socket_errors"]),
        warmed=int(result["warmed"]),
        distinct=min(int(result["distinct"]), len(config.sample)),
        db_village_scans=second.scans.get("village", 0) - first.scans.get("village", 0),
        db_region_scans=second.scans.get("region", 0) - first.scans.get("region", 0),
        redis_keys_read=redis_keys_read,
        # Minus the one this script opened for its second snapshot.
        db_connections_opened=second.scans["(sessions)"] - first.scans["(sessions)"] - 1,
        connections_per_worker=split,
        wrk_starts=attempts,
        server_cpu_ms_per_request=round(1000 * server / in_window, 2),
        postgres_cpu_ms_per_request=round(1000 * postgres / in_window, 2),
        worker_cpu_split=[round(u / sum(busy_workers), 2) for u in busy_workers],
        cpu_server=pct(server),
        cpu_generator=pct(generator),
        cpu_postgres=pct(postgres),
        cpu_redis=pct(redis_cpu),
        cpu_other=pct(max(0.0, other)),
        other_top=", ".join(f"{name} {pct(cpu):.0f}" for cpu, name in top),
        generator="wrk" if plan.lua_file else "python",
    )


def burn_in(config: Config, plan: Plan, slug_file: Path, seconds: float) -> None:
    """Unmeasured load on a fresh server: its first seconds (allocator, caches) run slower."""
    assert config.server is not None
    if seconds <= 0:
        return
    never = time.monotonic() + 3600.0  # the whole run is warm-up
    if plan.lua_file:
        proc = start_wrk(config.server.url, plan, slug_file, never, never + 1)
        # start_wrk sizes -d from the measurement end; stop this one by time instead.
        time.sleep(seconds)
        proc.send_signal(signal.SIGINT)  # wrk prints its summary and exits
        proc.communicate(timeout=30)
    else:
        hosts = [f"{slug}.{BASE_DOMAIN}" for slug in config.sample]
        end = time.monotonic() + seconds
        asyncio.run(python_load(config.server.url, hosts, plan.connections, end, end))
    say(f"    burn-in: {seconds:.0f} s of unmeasured load on the {config.label} server")


def describe(run: Run) -> str:
    split = "/".join(f"{s:.0%}" for s in run.worker_cpu_split)
    noisy = f"  [left out: {run.excluded}]" if run.excluded else ""
    return (
        f"{run.villages:>6,} villages, round {run.round}: {run.rps:6.1f} req/s  p50 {run.p50_ms:6.2f} ms  "
        f"p99 {run.p99_ms:6.2f} ms  server CPU {run.server_cpu_ms_per_request:.2f} ms/request{noisy}\n"
        f"        {run.measured:,} requests, ≈{run.distinct:,} distinct villages, {run.non200} non-200, "
        f"{run.socket_errors} socket errors; while measuring: village/region scans "
        f"{run.db_village_scans}/{run.db_region_scans}, Redis site keys read {run.redis_keys_read}, "
        f"PostgreSQL connections opened {run.db_connections_opened};\n"
        f"        CPU, % of one core: server {run.cpu_server:.0f} (workers {split}, connections "
        f"{'/'.join(map(str, run.connections_per_worker))}"
        + (f", wrk started {run.wrk_starts}×" if run.wrk_starts else "")
        + "), "
        f"{run.generator} {run.cpu_generator:.0f}, postgres {run.cpu_postgres:.0f}, "
        f"redis {run.cpu_redis:.0f}, other programs {run.cpu_other:.0f}"
        + (f" ({run.other_top})" if run.other_top else "")
    )


def exclusion(run: Run, args: argparse.Namespace) -> str:
    """Why the summary should leave this run out, or ""."""
    if run.cpu_other > args.max_other:
        return "other programs used the CPU"
    if len(set(run.connections_per_worker)) > 1 and args.connections % args.workers == 0:
        return "the connections went unevenly to the workers"
    if len(run.worker_cpu_split) < args.workers or min(run.worker_cpu_split) < 0.3:
        return "one worker did most of the work"
    return ""


def counted(runs: list[Run]) -> list[Run]:
    """The runs the summary uses: the quiet ones, or all of them when none was quiet."""
    return [r for r in runs if not r.excluded] or runs


def median_run(runs: list[Run]) -> Run:
    ordered = sorted(counted(runs), key=lambda r: r.rps)
    return ordered[(len(ordered) - 1) // 2]


# --- main ------------------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=4, help="keep-alive connections (= wrk threads)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--warmup-small", type=float, default=3.0, help="warm-up seconds, 10 villages")
    parser.add_argument("--warmup-large", type=float, default=20.0, help="warm-up seconds, all villages")
    parser.add_argument("--rounds", type=int, default=5, help="quiet runs wanted per configuration")
    parser.add_argument("--max-rounds", type=int, default=8, help="rounds at most, left-out runs included")
    parser.add_argument(
        "--max-other",
        type=float,
        default=10.0,
        help="a run during which other programs used more than this %% of a core is left out",
    )
    parser.add_argument("--sample", type=int, default=20_000, help="slugs to rotate over, all villages")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes per server")
    parser.add_argument(
        "--db-pool-size", type=int, default=None, help="ETALASE_DB_POOL_SIZE (default: the app's own)"
    )
    parser.add_argument(
        "--burn-in", type=float, default=10.0, help="seconds of unmeasured load on each new server"
    )
    parser.add_argument("--posts", type=int, default=2, choices=range(1, len(POSTS) + 1), help="per village")
    parser.add_argument("--seed", type=int, default=20261127, help="random seed of the slug sample")
    parser.add_argument(
        "--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin URL (loopback)"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379", help="Redis URL (loopback)")
    parser.add_argument(
        "--generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator (auto: wrk when installed, else asyncio+httpx)",
    )
    parser.add_argument("--small-only", action="store_true", help="skip the all-Indonesia configuration")
    args = parser.parse_args()
    for option, url in (("--pg-admin", args.pg_admin), ("--redis-url", args.redis_url)):
        if url_host(url) not in LOOPBACK:
            parser.error(f"{option} must point at this machine (loopback only)")
    return args


def provision(small: Config, large: Config | None, args: argparse.Namespace) -> dict[str, float]:
    figures: dict[str, float] = {}
    for config in (small, large):
        if config is None:
            continue
        say(f"\n-- {config.label}: database {config.db_name}, Redis prefix {config.redis_prefix!r}")
        config.create()
        run_cli(config.env, "db", "upgrade")
        output, _ = run_cli(config.env, "regions", "load")
        figures["regions_load_s_" + ("all" if config is large else "10")] = reported_seconds(output)
        run_cli(config.env, "villages", "create", *TEN_CODES)
        posts, seconds = add_posts(config, args.posts, bulk=False)
        say(f"    {posts} posts through create_post in {seconds:.1f} s")
        if config is large:
            output, wall = run_cli(config.env, "villages", "create-under", "--all-indonesia")
            figures["bulk_create_s"] = reported_seconds(output)
            figures["bulk_create_wall_s"] = wall
            posts, seconds = add_posts(config, args.posts, bulk=True)
            figures["bulk_posts_s"] = seconds
            say(f"    {posts:,} more posts (executemany) in {seconds:.1f} s")
        config.analyze()
        slugs = config.active_slugs()
        config.villages = len(slugs)
        config.sample = random.Random(args.seed).sample(slugs, min(args.sample, len(slugs)))
    return figures


def main() -> int:
    args = parse_args()
    cores = os.cpu_count() or 1
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if shutil.which("wrk") else "python"
    elif generator == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed: as root, `apt-get update && apt-get install -y wrk`.")
    say(f"Etalase home-page benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    say(
        f"This machine has {cores} cores, shared by the server ({args.workers} uvicorn workers), PostgreSQL, "
        f"Redis and the load generator ({generator}): compare the figures, do not read them as capacity."
    )
    if generator == "python":
        say(
            "Load generator: asyncio+httpx in this process, which takes far more of the shared CPU per "
            "request than wrk (install it as root: `apt-get update && apt-get install -y wrk`)."
        )
    redis.Redis.from_url(args.redis_url, socket_connect_timeout=3).ping()

    with tempfile.TemporaryDirectory(prefix="etalase-bench-") as tmp_name:
        tmp = Path(tmp_name)
        small = Config("10 villages", args.pg_admin, args.redis_url, tmp / "var-small", args.db_pool_size)
        large = None
        if not args.small_only:
            large = Config("all villages", args.pg_admin, args.redis_url, tmp / "var", args.db_pool_size)
        configs = [c for c in (small, large) if c is not None]
        try:
            figures = provision(small, large, args)
            lua_file = None
            if generator == "wrk":
                lua_file = tmp / "home.lua"
                lua_file.write_text(WRK_LUA)
            plan = Plan(args.connections, args.duration, lua_file, redis_server_pids())
            slug_files = {}
            for n, config in enumerate(configs):
                slug_files[config.label] = tmp / f"slugs-{n}.txt"
                slug_files[config.label].write_text("\n".join(config.sample) + "\n")
                config.server = Server(config.env, args.workers, tmp / f"server-{n}.log")
            for config in configs:
                assert config.server is not None
                config.server.wait_ready()
            for config in configs:  # the first seconds of a new server run slower: not measured
                burn_in(config, plan, slug_files[config.label], args.burn_in)
            say(
                f"\n-- measuring: {args.connections} keep-alive connections, {args.duration:.0f} s per run "
                f"after a warm-up of {args.warmup_small:.0f} s (10 villages) or {args.warmup_large:.0f} s "
                f"(all, rotating over a sample of {len(configs[-1].sample):,} slugs); "
                f"alternating rounds until each has {args.rounds} quiet runs (at most {args.max_rounds} "
                f"rounds; a run is left out when other programs take more than {args.max_other:.0f}% of a "
                "core)"
            )
            round_no = 0
            while round_no < args.max_rounds and any(
                sum(not r.excluded for r in c.runs) < args.rounds for c in configs
            ):
                round_no += 1
                for config in configs:
                    warmup = args.warmup_small if config is small else args.warmup_large
                    run = measure(config, plan, slug_files[config.label], warmup, round_no)
                    run.excluded = exclusion(run, args)
                    config.runs.append(run)
                    say(describe(run))
        finally:
            for config in configs:
                config.drop()
            say("\nCleaned up: servers stopped, databases dropped, Redis keys of the run deleted.")

    return report(args, figures, configs, generator, cores)


def report(
    args: argparse.Namespace, figures: dict[str, float], configs: list[Config], generator: str, cores: int
) -> int:
    say("\n" + "=" * 84)
    say(f"GET / with Host: <slug>.{BASE_DOMAIN}, production path (PostgreSQL + Redis), over loopback:")
    say(
        f"`etalase serve --workers {args.workers}`, {generator} with {args.connections} keep-alive "
        f"connections, {args.duration:.0f} s measured per run."
    )
    say(
        f"{cores} cores shared by server, PostgreSQL, Redis and load generator. Each row: the median run of "
        "the quiet ones."
    )
    say("")
    loads = [v for k, v in figures.items() if k.startswith("regions_load_s_")]
    each = " and ".join(f"{v:.1f} s" for v in loads)
    verdict_load = "PASS" if max(loads) < 30 else "FAIL"
    say(f"region list load (etalase regions load):       {each}  (target: under 30 s)  {verdict_load}")
    if "bulk_create_s" in figures:
        say(
            f"etalase villages create-under --all-indonesia: {figures['bulk_create_s']:5.1f} s  "
            f"({figures['bulk_create_wall_s']:.1f} s with the CLI's start-up)"
        )
        say(f"posts for those villages (executemany):        {figures['bulk_posts_s']:5.1f} s")
    say("")
    say(
        f"{'villages':>8} | {'req/s':>7} | {'p50 ms':>6} | {'p99 ms':>6} | {'server CPU':>10} | "
        "every run, req/s (* = left out)"
    )
    for config in configs:
        mid = median_run(config.runs)
        each = ", ".join(f"{r.rps:.0f}{'*' if r.excluded else ''}" for r in config.runs)
        say(
            f"{config.villages:>8,} | {mid.rps:7.1f} | {mid.p50_ms:6.2f} | {mid.p99_ms:6.2f} | "
            f"{mid.server_cpu_ms_per_request:5.2f} ms/r | {each}"
        )
    verdict = 0
    if len(configs) == 2:
        small, large = median_run(configs[0].runs), median_run(configs[1].runs)
        ratio = large.rps / small.rps
        ok = ratio >= 1 - TARGET
        note = "PASS" if ok else "FAIL"
        if ratio > 1 + TARGET:
            note += " (faster with more villages: noise, re-run on a quieter machine)"
        say(f"ratio ({large.villages:,} / {small.villages} req/s): {ratio:.2f}  (target: within 20%)  {note}")
        cpu_ratio = large.server_cpu_ms_per_request / small.server_cpu_ms_per_request
        say(
            f"other ratios: p50 {large.p50_ms / small.p50_ms:.2f}, p99 {large.p99_ms / small.p99_ms:.2f}, "
            f"server CPU per request {cpu_ratio:.2f}"
        )
        verdict = 0 if ok else 1
    runs = [r for c in configs for r in c.runs]
    scans = sum(r.db_village_scans + r.db_region_scans for r in runs)
    shared = sum(r.redis_keys_read for r in runs)
    say(
        f"while measuring: {scans} scans of village/region, {shared} Redis site keys read "
        "(0 and 0: each worker's own host cache answered every request)"
    )
    left_out = [r for r in runs if r.excluded]
    if left_out:
        reasons = sorted({r.excluded for r in left_out})
        say(
            f"{len(left_out)} of {len(runs)} runs left out of the medians ({'; '.join(reasons)})"
            + (
                "."
                if all(any(not r.excluded for r in c.runs) for c in configs)
                else ", except where all were."
            )
        )
    say("=" * 84)

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"bench_home-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    payload = {
        "args": vars(args),
        "figures": figures,
        "runs": {str(c.villages): [asdict(r) for r in c.runs] for c in configs},
    }
    out.write_text(json.dumps(payload, indent=2) + "\n")
    say(f"Raw figures: {out.relative_to(REPO)}")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
