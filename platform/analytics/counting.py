"""Counting page views without slowing a page: the request adds the view to this process's
per-village totals (microseconds); a thread hands them to the store every second:

- production: Redis, a Lua script per 200 villages of a flush: a HyperLogLog of visitor ids per
  village and day (unique visitors in 12 KB whatever their number), counters of views by source
  and by path;
  keys live 8 days, long enough for the worker to move them into the daily tables;
- embedded: the same totals in process memory.

Nothing here raises into a request: a full buffer drops views (and says so in the log), a Redis
error loses that flush's views, never the page.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import redis

log = logging.getLogger(__name__)

KEY_DAYS = 8
MONTH_KEY_SECONDS = 40 * 24 * 3600
MERGE_SLICE = 200  # villages per script call
MAX_BUFFER = 200_000  # views waiting for a flush; beyond it the newest are dropped
FLUSH_SECONDS = 1.0  # short: a flush then carries ~1 s of views, a pause of ~2 ms at most


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
Batch = dict[tuple[int, date], DayTotals]


def fold(batch: Batch, event: Event) -> None:
    """Add one event to a batch of per-village, per-day totals."""
    day = batch.get((event.village_id, event.day))
    if day is None:
        day = batch[(event.village_id, event.day)] = DayTotals()
    if isinstance(event, Share):
        day.shares[event.platform] += 1
        return
    day.views += 1
    day.visitors.add(event.visitor)
    if event.source:
        day.sources[event.source] += 1
    day.paths[event.path] += 1


class Store(Protocol):
    def merge(self, batch: Batch) -> None:
        """Add a batch of totals (what one process counted since its last flush)."""
        ...

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

    def merge(self, batch: Batch) -> None:
        with self._lock:
            for key, part in batch.items():
                self._dirty.add(key)
                if part.visitors:
                    self._months.setdefault((key[0], key[1].replace(day=1)), set()).update(part.visitors)
                day = self._days.setdefault(key, DayTotals())
                day.views += part.views
                day.visitors |= part.visitors
                day.sources.update(part.sources)
                day.paths.update(part.paths)
                day.shares.update(part.shares)

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


# ARGV: prefix, ttl of day keys, ttl of month keys, JSON list of
# [village_id, "YYYY-MM-DD", views, [visitor ids], {source: n}, {path: n}, {platform: n}].
# PFADD takes visitors in slices: Lua's unpack() has a limit of a few thousand values.
MERGE_LUA = """
local prefix, ttl, month_ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
for _, entry in ipairs(cjson.decode(ARGV[4])) do
  local village, day = tostring(entry[1]), entry[2]
  local suffix = day .. ":" .. village
  local uv = prefix .. "an:uv:" .. suffix
  local counts, paths = prefix .. "an:n:" .. suffix, prefix .. "an:p:" .. suffix
  local visitors = entry[4]
  if #visitors > 0 then
    local month = prefix .. "an:uvm:" .. string.sub(day, 1, 8) .. "01:" .. village
    for first = 1, #visitors, 500 do
      local last = math.min(first + 499, #visitors)
      redis.call("PFADD", uv, unpack(visitors, first, last))
      redis.call("PFADD", month, unpack(visitors, first, last))
    end
    redis.call("EXPIRE", month, month_ttl)
  end
  if entry[3] > 0 then
    redis.call("HINCRBY", counts, "views", entry[3])
  end
  for source, n in pairs(entry[5]) do
    redis.call("HINCRBY", counts, "src:" .. source, n)
  end
  for platform, n in pairs(entry[7]) do
    redis.call("HINCRBY", counts, "share:" .. platform, n)
  end
  for path, n in pairs(entry[6]) do
    redis.call("HINCRBY", paths, path, n)
  end
  redis.call("EXPIRE", uv, ttl)
  redis.call("EXPIRE", counts, ttl)
  redis.call("EXPIRE", paths, ttl)
  redis.call("SADD", prefix .. "an:dirty", suffix)
end
return 0
"""


class RedisStore:
    """Production: every process adds to the same keys."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        # Keys are built inside the script (one Redis, not a cluster: the script names its keys).
        self._merge = client.register_script(MERGE_LUA)

    def _key(self, kind: str, village_id: int, day: date) -> str:
        return f"{self.prefix}an:{kind}:{day.isoformat()}:{village_id}"

    def merge(self, batch: Batch) -> None:
        # A few commands whatever the batch: the batch goes as JSON to a Lua script that spreads it
        # over the keys inside Redis. Built here, the same work was thousands of pipeline commands
        # packed in Python (about 100 ms for 20,000 views over 1,000 villages), holding the
        # interpreter that serves pages; JSON costs a few milliseconds and Redis does the rest, in
        # slices of MERGE_SLICE villages so that no script holds Redis for more than a few ms.
        entries = [
            [
                village_id,
                day.isoformat(),
                part.views,
                list(part.visitors),
                part.sources,
                part.paths,
                part.shares,
            ]
            for (village_id, day), part in batch.items()
        ]
        for start in range(0, len(entries), MERGE_SLICE):
            payload = json.dumps(entries[start : start + MERGE_SLICE], separators=(",", ":"))
            self._merge(args=[self.prefix, KEY_DAYS * 24 * 3600, MONTH_KEY_SECONDS, payload])

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
    """The per-process counts in front of a store: each view is added to this process's totals
    at once (a few dictionary updates), and a daemon thread hands the totals to the store every
    few seconds, so a flush costs one pipeline per village counted, not per view."""

    def __init__(self, store: Store, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.store = store
        self.flush_seconds = flush_seconds
        self._pending: Batch = {}
        self._size = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.dropped = 0

    def record(self, view: Event) -> None:
        """Called on the request's path."""
        with self._lock:
            if self._size >= MAX_BUFFER:
                self.dropped += 1
                return
            fold(self._pending, view)
            self._size += 1
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
        """Hand this process's totals to the store; returns how many events went."""
        with self._lock:
            batch, taken = self._pending, self._size
            self._pending, self._size = {}, 0
        if not batch:
            return 0
        try:
            self.store.merge(batch)
        except Exception:  # a Redis hiccup loses this flush's views, never a page
            log.exception("%s page views could not be counted", taken)
            return 0
        if self.dropped:
            log.warning("%s page views dropped: the counting buffer was full", self.dropped)
            self.dropped = 0
        return taken
