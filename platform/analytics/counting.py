"""Counting page views without slowing a page: the request appends a tuple to an in-process
buffer (microseconds); a thread folds the buffer every few seconds into the store:

- production: Redis, one pipeline per flush: a HyperLogLog of visitor ids per village and day
  (unique visitors in 12 KB whatever their number), counters of views by source and by path;
  keys live 8 days, long enough for the worker to move them into the daily tables;
- embedded: the same totals in process memory.

Nothing here raises into a request: a full buffer drops views (and says so in the log), a Redis
error loses that flush's views, never the page.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import redis

log = logging.getLogger(__name__)

KEY_DAYS = 8
MAX_BUFFER = 200_000  # views waiting for a flush; beyond it the newest are dropped
FLUSH_SECONDS = 2.0


@dataclass(frozen=True)
class View:
    village_id: int
    day: date  # the village's own day (WIB/WITA/WIT)
    visitor: str
    source: str | None  # None: a page inside a visit (the referrer was the site itself)
    path: str


@dataclass
class DayTotals:
    views: int = 0
    visitors: set[str] = field(default_factory=set)
    sources: Counter[str] = field(default_factory=Counter)
    paths: Counter[str] = field(default_factory=Counter)


class Store(Protocol):
    def add(self, views: list[View]) -> None: ...
    def totals(self, village_id: int, day: date) -> tuple[int, int, dict[str, int], dict[str, int]]:
        """(views, unique visitors, views by source, views by path) counted so far."""
        ...


class MemoryStore:
    """The embedded default: totals in this process (the only one serving pages there)."""

    def __init__(self) -> None:
        self._days: dict[tuple[int, date], DayTotals] = {}
        self._lock = threading.Lock()

    def add(self, views: list[View]) -> None:
        with self._lock:
            for view in views:
                day = self._days.setdefault((view.village_id, view.day), DayTotals())
                day.views += 1
                day.visitors.add(view.visitor)
                if view.source:
                    day.sources[view.source] += 1
                day.paths[view.path] += 1

    def totals(self, village_id: int, day: date) -> tuple[int, int, dict[str, int], dict[str, int]]:
        with self._lock:
            found = self._days.get((village_id, day))
            if found is None:
                return 0, 0, {}, {}
            return found.views, len(found.visitors), dict(found.sources), dict(found.paths)

    def days(self) -> list[tuple[int, date]]:
        with self._lock:
            return list(self._days)

    def forget(self, village_id: int, day: date) -> None:
        with self._lock:
            self._days.pop((village_id, day), None)


class RedisStore:
    """Production: every process adds to the same keys."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def _key(self, kind: str, village_id: int, day: date) -> str:
        return f"{self.prefix}an:{kind}:{day.isoformat()}:{village_id}"

    def add(self, views: list[View]) -> None:
        grouped: dict[tuple[int, date], list[View]] = {}
        for view in views:
            grouped.setdefault((view.village_id, view.day), []).append(view)
        pipe = self.client.pipeline(transaction=False)
        ttl = KEY_DAYS * 24 * 3600
        for (village_id, day), group in grouped.items():
            uv, counts, paths = (self._key(k, village_id, day) for k in ("uv", "n", "p"))
            pipe.pfadd(uv, *{v.visitor for v in group})
            pipe.hincrby(counts, "views", len(group))
            for source, n in Counter(v.source for v in group if v.source).items():
                pipe.hincrby(counts, f"src:{source}", n)
            for path, n in Counter(v.path for v in group).items():
                pipe.hincrby(paths, path, n)
            for key in (uv, counts, paths):
                pipe.expire(key, ttl)
            pipe.sadd(f"{self.prefix}an:dirty", f"{day.isoformat()}:{village_id}")
        pipe.execute()

    def totals(self, village_id: int, day: date) -> tuple[int, int, dict[str, int], dict[str, int]]:
        pipe = self.client.pipeline(transaction=False)
        pipe.pfcount(self._key("uv", village_id, day))
        pipe.hgetall(self._key("n", village_id, day))
        pipe.hgetall(self._key("p", village_id, day))
        visitors, counts, paths = pipe.execute()
        decoded = {k.decode(): int(v) for k, v in counts.items()}
        sources = {k[4:]: v for k, v in decoded.items() if k.startswith("src:")}
        return (
            decoded.get("views", 0),
            int(visitors),
            sources,
            {k.decode(): int(v) for k, v in paths.items()},
        )


class ViewCounter:
    """The per-process buffer in front of a store, flushed by a daemon thread."""

    def __init__(self, store: Store, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.store = store
        self.flush_seconds = flush_seconds
        self._buffer: deque[View] = deque()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def record(self, view: View) -> None:
        """Called on the request's path: an append, nothing else."""
        if len(self._buffer) >= MAX_BUFFER:
            self.dropped += 1
            return
        self._buffer.append(view)
        if self._thread is None:
            self._start()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="etalase-views", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.flush_seconds)
            self.flush()

    def flush(self) -> int:
        """Move the buffer into the store; returns how many views went."""
        taken: list[View] = []
        while self._buffer:
            try:
                taken.append(self._buffer.popleft())
            except IndexError:
                break
        if not taken:
            return 0
        try:
            self.store.add(taken)
        except Exception:  # a Redis hiccup loses this flush's views, never a page
            log.exception("%s page views could not be counted", len(taken))
            return 0
        if self.dropped:
            log.warning("%s page views dropped: the counting buffer was full", self.dropped)
            self.dropped = 0
        return len(taken)
