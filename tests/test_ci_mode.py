"""With CI=true an unreachable service fails the run with a clear message; it is never skipped."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO, free_port


def run_media_test(ci: str) -> subprocess.CompletedProcess[str]:
    dead = free_port()  # nothing listens here
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {
        "CI": ci,
        "ETALASE_TEST_PG_ADMIN": f"postgresql://postgres@127.0.0.1:{dead}/postgres",
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_media.py::test_s3_object_lands_in_the_bucket_with_its_type",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ci_fails_loudly_when_postgresql_is_down() -> None:
    result = run_media_test("true")
    assert result.returncode != 0
    assert "CI=true and PostgreSQL is not reachable" in result.stdout + result.stderr


def test_outside_ci_the_same_test_is_skipped_with_the_reason() -> None:
    result = run_media_test("")
    assert result.returncode == 0
    assert "PostgreSQL is not reachable" in result.stdout and "skipped" in result.stdout
