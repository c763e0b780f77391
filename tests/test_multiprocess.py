"""Two uvicorn worker processes on PostgreSQL + Redis: both serve every village, and a change made
while they run reaches both. Nothing lives only in one process's memory."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from etalase.tenants.service import create_village, find_village, set_status
from tests.conftest import BASE_DOMAIN, Stack, free_port, settings_env

ATTEMPTS = 80


@pytest.fixture
def server(production_stack: Stack) -> Iterator[str]:
    production_stack.wipe()
    with production_stack.runtime.session() as session:
        create_village(session, "34.04.02.2003")  # sidomulyo
        create_village(session, "33.74.10.1001")  # meteseh
    port = free_port()
    env = settings_env(production_stack.settings) | {"ETALASE_SITE_CACHE_SECONDS": "0.2"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "etalase.platform.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        output = process.communicate()[0].decode(errors="replace")
        pytest.fail(f"server did not start:\n{output}")
    yield base
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    production_stack.wipe()


def fetch(base: str, host: str, path: str = "/") -> httpx.Response:
    # A new connection each time, so the kernel spreads requests over both processes.
    with httpx.Client(base_url=base, timeout=5) as client:
        return client.get(path, headers={"host": host})


def pids_serving(base: str) -> set[int]:
    return {fetch(base, BASE_DOMAIN, "/healthz").json()["pid"] for _ in range(ATTEMPTS)}


def test_two_processes_serve_both_villages_and_see_changes(server: str, production_stack: Stack) -> None:
    pids = pids_serving(server)
    assert len(pids) == 2, f"expected two worker processes, saw {pids}"

    for _ in range(20):
        a = fetch(server, f"sidomulyo.{BASE_DOMAIN}")
        b = fetch(server, f"meteseh.{BASE_DOMAIN}")
        assert (
            a.status_code == 200 and "Desa Sidomulyo, Kecamatan Godean" in a.text and "Meteseh" not in a.text
        )
        assert b.status_code == 200 and "Kelurahan Meteseh" in b.text and "Sidomulyo" not in b.text

    # A village created while both processes run, and one closed, reach both processes.
    assert fetch(server, f"sidorejo.{BASE_DOMAIN}").status_code == 404
    with production_stack.runtime.session() as session:
        create_village(session, "34.04.02.2001")  # sidorejo
        set_status(session, find_village(session, "meteseh"), active=False)
    time.sleep(0.5)  # ETALASE_SITE_CACHE_SECONDS=0.2 in the server
    for _ in range(20):
        assert fetch(server, f"sidorejo.{BASE_DOMAIN}").status_code == 200
        assert fetch(server, f"meteseh.{BASE_DOMAIN}").status_code == 404
