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


@dataclass(frozen=True)
class Share:
    """A tap on one of the site's share buttons (counted by platform, not as a page view)."""

    village_id: int
    day: date
    platform: str  # whatsapp, facebook, x, telegram


Event = View | Share


@dataclass
class DayTotals:
    views: int = 0
    visitors: set[str] = field(default_factory=set)
    sources: Counter[str] = field(default_factory=Counter)
    paths: Counter[str] = field(default_factory=Counter)
    shares: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Totals:
    views: int
    visitors: int
    sources: dict[str, int]
    paths: dict[str, int]
    shares: dict[str, int]


EMPTY = Totals(0, 0, {}, {}, {})


class Store(Protocol):
    def add(self, events: list[Event]) -> None: ...
    def totals(self, village_id: int, day: date) -> Totals:
        """What was counted so far for the village's day."""
        ...

    def month_visitors(self, village_id: int, month: date) -> int:
        """Unique visitors of the month (``month`` is its first day)."""
        ...

    def dirty(self) -> list[tuple[int, date]]:
        """The (village, day) pairs counted since they were last marked clean."""
        ...

    def clean(self, pairs: list[tuple[int, date]]) -> None: ...


class MemoryStore:
    """The embedded default: totals in this process (the only one serving pages there)."""

    def __init__(self) -> None:
        self._days: dict[tuple[int, date], DayTotals] = {}
        self._months: dict[tuple[int, date], set[str]] = {}
        self._dirty: set[tuple[int, date]] = set()
        self._lock = threading.Lock()

    def add(self, events: list[Event]) -> None:
        with self._lock:
            for view in events:
                self._dirty.add((view.village_id, view.day))
                day = self._days.setdefault((view.village_id, view.day), DayTotals())
                if isinstance(view, Share):
                    day.shares[view.platform] += 1
                    continue
                self._months.setdefault((view.village_id, view.day.replace(day=1)), set()).add(view.visitor)
                day.views += 1
                day.visitors.add(view.visitor)
                if view.source:
                    day.sources[view.source] += 1
                day.paths[view.path] += 1

    def totals(self, village_id: int, day: date) -> Totals:
        with self._lock:
            found = self._days.get((village_id, day))
            if found is None:
                return EMPTY
            return Totals(
                found.views, len(found.visitors), dict(found.sources), dict(found.paths), dict(found.shares)
            )

    def month_visitors(self, village_id: int, month: date) -> int:
        with self._lock:
            return len(self._months.get((village_id, month), ()))

    def dirty(self) -> list[tuple[int, date]]:
        with self._lock:
            return sorted(self._dirty)

    def clean(self, pairs: list[tuple[int, date]]) -> None:
        """Marked clean once written; days older than yesterday leave memory (they are in the
        database now and will not change)."""
        with self._lock:
            self._dirty.difference_update(pairs)
            newest = max((day for _v, day in self._days), default=None)
            if newest is None:
                return
            for key in [k for k in self._days if (newest - k[1]).days > 1 and k not in self._dirty]:
                del self._days[key]
            for key in [k for k in self._months if (newest.replace(day=1) - k[1]).days > 31]:
                del self._months[key]


class RedisStore:
    """Production: every process adds to the same keys."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def _key(self, kind: str, village_id: int, day: date) -> str:
        return f"{self.prefix}an:{kind}:{day.isoformat()}:{village_id}"

    def add(self, events: list[Event]) -> None:
        grouped: dict[tuple[int, date], list[View]] = {}
        pipe = self.client.pipeline(transaction=False)
        ttl = KEY_DAYS * 24 * 3600
        for event in events:
            if isinstance(event, Share):
                counts = self._key("n", event.village_id, event.day)
                pipe.hincrby(counts, f"share:{event.platform}", 1)
                pipe.expire(counts, ttl)
                pipe.sadd(f"{self.prefix}an:dirty", f"{event.day.isoformat()}:{event.village_id}")
            else:
                grouped.setdefault((event.village_id, event.day), []).append(event)
        for (village_id, day), group in grouped.items():
            uv, counts, paths = (self._key(k, village_id, day) for k in ("uv", "n", "p"))
            pipe.pfadd(uv, *{v.visitor for v in group})
            month_key = self._key("uvm", village_id, day.replace(day=1))
            pipe.pfadd(month_key, *{v.visitor for v in group})
            pipe.expire(month_key, 40 * 24 * 3600)
            pipe.hincrby(counts, "views", len(group))
            for source, n in Counter(v.source for v in group if v.source).items():
                pipe.hincrby(counts, f"src:{source}", n)
            for path, n in Counter(v.path for v in group).items():
                pipe.hincrby(paths, path, n)
            for key in (uv, counts, paths):
                pipe.expire(key, ttl)
            pipe.sadd(f"{self.prefix}an:dirty", f"{day.isoformat()}:{village_id}")
        pipe.execute()

    def month_visitors(self, village_id: int, month: date) -> int:
        return int(self.client.pfcount(self._key("uvm", village_id, month)))

    def dirty(self) -> list[tuple[int, date]]:
        found = []
        for member in self.client.smembers(f"{self.prefix}an:dirty"):
            text = member.decode() if isinstance(member, bytes) else str(member)
            day, _sep, village = text.partition(":")
            found.append((int(village), date.fromisoformat(day)))
        return sorted(found)

    def clean(self, pairs: list[tuple[int, date]]) -> None:
        # A view counted between dirty() and clean() marks its pair again only if it is not
        # removed here; the next view re-marks it anyway, and today's pair is written again soon.
        if pairs:
            names = [f"{day.isoformat()}:{village}" for village, day in pairs]
            self.client.srem(f"{self.prefix}an:dirty", *names)

    def totals(self, village_id: int, day: date) -> Totals:
        pipe = self.client.pipeline(transaction=False)
        pipe.pfcount(self._key("uv", village_id, day))
        pipe.hgetall(self._key("n", village_id, day))
        pipe.hgetall(self._key("p", village_id, day))
        visitors, counts, paths = pipe.execute()
        decoded = {k.decode(): int(v) for k, v in counts.items()}
        return Totals(
            decoded.get("views", 0),
            int(visitors),
            {k[4:]: v for k, v in decoded.items() if k.startswith("src:")},
            {k.decode(): int(v) for k, v in paths.items()},
            {k[6:]: v for k, v in decoded.items() if k.startswith("share:")},
        )


class ViewCounter:
    """The per-process buffer in front of a store, flushed by a daemon thread."""

    def __init__(self, store: Store, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.store = store
        self.flush_seconds = flush_seconds
        self._buffer: deque[Event] = deque()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def record(self, view: Event) -> None:
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
        taken: list[Event] = []
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
