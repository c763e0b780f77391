"""Background jobs: an RQ queue on Redis in production, a thread in the embedded default.

A job is a plain module-level function with JSON-friendly arguments, so the same call runs in a
worker process (``etalase worker``) or in-process without change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from redis import Redis
from rq import Queue, Worker

from etalase.platform.settings import Settings

QUEUE = "etalase"
log = logging.getLogger(__name__)
# In-process jobs (embedded default): two threads, started lazily by the executor itself.
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="etalase-job")


def _run_logged(func: Callable[..., Any], *args: Any) -> None:
    try:
        func(*args)
    except Exception:  # a failed job must not take the web process down with it
        log.exception("background job %s failed", getattr(func, "__name__", func))


def queue_name(settings: Settings) -> str:
    """The deployment's queue: two deployments (or test runs) sharing a Redis never take each
    other's jobs."""
    return f"{settings.redis_prefix}{QUEUE}"


def enqueue(settings: Settings, func: Callable[..., Any], *args: Any) -> None:
    if settings.redis_url:
        Queue(queue_name(settings), connection=Redis.from_url(settings.redis_url)).enqueue(func, *args)
        return
    _executor.submit(_run_logged, func, *args)


def run_worker(settings: Settings, *, burst: bool = False) -> bool:
    """Process jobs until stopped (or, with ``burst``, until the queue is empty)."""
    connection = Redis.from_url(settings.redis_url)
    worker = Worker([Queue(queue_name(settings), connection=connection)], connection=connection)
    return bool(worker.work(burst=burst, with_scheduler=True))


def heartbeat(redis_url: str, key: str) -> None:
    """A job that proves the pipeline end to end: the worker writes a key the caller can read."""
    Redis.from_url(redis_url).set(key, "ok", ex=600)
