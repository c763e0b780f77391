"""Background jobs: RQ on the real Redis (worker in burst mode), and in-process in the embedded default."""

from __future__ import annotations

import threading
import time
import uuid

import redis

from etalase.platform import jobs
from tests.conftest import Stack

_done = threading.Event()


def mark_done() -> None:
    _done.set()


def test_redis_queue_and_worker_run_a_job(production_stack: Stack) -> None:
    settings = production_stack.settings
    key = f"etalase-test-heartbeat-{uuid.uuid4().hex}"
    jobs.enqueue(settings, jobs.heartbeat, settings.redis_url, key)
    assert jobs.run_worker(settings, burst=True)
    assert redis.Redis.from_url(settings.redis_url).get(key) == b"ok"


def test_embedded_jobs_run_in_process(embedded_stack: Stack) -> None:
    _done.clear()
    jobs.enqueue(embedded_stack.settings, mark_done)
    assert _done.wait(timeout=5)


def test_a_failing_job_does_not_break_the_process(embedded_stack: Stack) -> None:
    def boom() -> None:
        raise RuntimeError("job failed on purpose")

    jobs.enqueue(embedded_stack.settings, boom)
    time.sleep(0.1)
    _done.clear()
    jobs.enqueue(embedded_stack.settings, mark_done)
    assert _done.wait(timeout=5)
