"""What a sign-in costs: argon2id time and memory, and sign-ins per second through the app.

argon2id with RFC 9106's parameters takes 64 MiB and a few dozen milliseconds per check, on
purpose. This prints those figures and how many sign-ins one process serves per second, one at a
time and with 8 at once, so an operator can size a server for the morning when a whole kabupaten's
village teams sign in after a training.

    .venv/bin/python tests/bench/bench_login.py      # about 30 s, embedded SQLite stack
"""

from __future__ import annotations

import re
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from etalase.platform import migrate  # noqa: E402
from etalase.platform.accounts.models import Membership  # noqa: E402
from etalase.platform.accounts.passwords import hash_password, verify_password  # noqa: E402
from etalase.platform.accounts.service import create_user  # noqa: E402
from etalase.platform.app import create_app  # noqa: E402
from etalase.platform.runtime import Runtime  # noqa: E402
from etalase.platform.settings import Settings  # noqa: E402
from etalase.tenants.regions import load_regions  # noqa: E402
from etalase.tenants.service import create_village  # noqa: E402

PASSWORD = "kopi pagi sawah hijau"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    start_rss = rss_mib()
    times = []
    stored = hash_password(PASSWORD)
    for _ in range(20):
        t = time.perf_counter()
        verify_password(stored, PASSWORD)
        times.append((time.perf_counter() - t) * 1000)
    print(f"argon2id verify: median {statistics.median(times):.0f} ms, p90 {sorted(times)[17]:.0f} ms")
    print(f"peak RSS growth after 20 checks: {rss_mib() - start_rss:.0f} MiB")

    var = Path(tempfile.mkdtemp())
    settings = Settings(var_dir=var, base_domain="etalase.test", secret_key="b" * 40)
    migrate.upgrade(settings.sqlalchemy_url)
    runtime = Runtime.build(settings)
    load_regions(runtime.engine)
    with runtime.session(all_villages=True) as db:
        village = create_village(db, "34.04.02.2003")
        db.flush()
        assert village.id is not None
        for n in range(40):
            user = create_user(db, name=f"Operator {n}", email=f"op{n}@contoh.id", password=PASSWORD)
            assert user.id is not None
            db.add(Membership(village_id=village.id, user_id=user.id, role="admin"))
    app = create_app(settings, runtime)
    base = "http://sidomulyo.etalase.test"

    def sign_in(n: int) -> float:
        client = TestClient(app, follow_redirects=False)
        token = CSRF.search(client.get(f"{base}/akun/masuk").text)
        assert token
        t = time.perf_counter()
        response = client.post(
            f"{base}/akun/masuk",
            data={"identifier": f"op{n}@contoh.id", "password": PASSWORD, "csrf_token": token.group(1)},
            headers={"origin": base},
        )
        assert response.status_code == 303, response.text[:200]
        return time.perf_counter() - t

    before = rss_mib()
    t = time.perf_counter()
    for n in range(20):
        sign_in(n)
    serial = 20 / (time.perf_counter() - t)
    t = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        latencies = list(pool.map(sign_in, range(20, 40)))
    parallel = 20 / (time.perf_counter() - t)
    print(f"sign-ins through the app, one process: {serial:.1f}/s one at a time,", end=" ")
    print(f"{parallel:.1f}/s with 8 at once")
    print(f"  (median latency with 8 at once: {statistics.median(latencies) * 1000:.0f} ms)")
    print(f"peak RSS growth during sign-ins: {rss_mib() - before:.0f} MiB")
    runtime.close()


if __name__ == "__main__":
    main()
