"""Each village's ``content_version`` as this process knows it: one book per database, shared by
the page cache (its keys), the public menu and the appearance (their cache keys), so a request
reads the version at most once per window, whoever asks first."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Integer, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col

from etalase.platform.db import autocommit
from etalase.tenants.models import Village

if TYPE_CHECKING:
    from etalase.platform.runtime import Runtime

log = logging.getLogger(__name__)


# --- content versions ----------------------------------------------------------------------------
class VersionBook:
    """Each village's ``content_version`` as this process last read it.

    A version younger than ``window`` seconds is used as is (no I/O). From half the window on, the
    next request starts a background re-read of every version this process used lately, in one
    query, so a busy site rarely waits; past the window a request waits for the read. A village
    whose team just saved something is forgotten, so this process re-reads it at once.
    """

    RECENT = 120.0  # versions used within this many seconds are refreshed together

    def __init__(self, engine: Engine, window: Callable[[], float], max_entries: int = 200_000) -> None:
        self.engine = engine
        self.window = window
        self.max_entries = max_entries
        self._known: dict[int, tuple[int, float, float]] = {}  # id -> (version, read at, used at)
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._refreshing = False
        # PostgreSQL: the ids as one array parameter. An IN list of a thousand parameters costs
        # the driver tens of milliseconds of interpreter time to build, twice a second, which
        # stalled every request of the process (the p99 of cached pages).
        self._array_ids = engine.dialect.name == "postgresql"
        self._reader = autocommit(engine)

    def fresh(self, village_id: int) -> int | None:
        """The version if read within the window; else None (the caller awaits :meth:`read`)."""
        known = self._known.get(village_id)
        if known is None:
            return None
        version, read_at, _used = known
        now = time.monotonic()
        age = now - read_at
        window = self.window()
        if age > window:
            return None
        self._known[village_id] = (version, read_at, now)
        if age > window / 2 and not self._refreshing:
            self._refreshing = True
            try:
                asyncio.get_running_loop().run_in_executor(None, self._refresh_in_background)
            except RuntimeError:  # no running loop (called from a thread): the window will do
                self._refreshing = False
        return version

    def read(self, village_id: int) -> int:
        """Read the version now (blocking: call it in a thread), with the other due ones."""
        with self._read_lock:  # one reader at a time; whoever waited may find it fresh already
            known = self._known.get(village_id)
            if known is not None and time.monotonic() - known[1] <= self.window():
                return known[0]
            self._read_due({village_id})
            found = self._known.get(village_id)
            return found[0] if found is not None else 0

    def forget(self, village_id: int) -> None:
        with self._lock:
            self._known.pop(village_id, None)

    def clear(self) -> None:
        with self._lock:
            self._known.clear()

    def _refresh_in_background(self) -> None:
        try:
            with self._read_lock:
                self._read_due(set())
        except Exception:
            log.exception("content versions could not be re-read")
        finally:
            self._refreshing = False

    def _read_due(self, ids: set[int]) -> None:
        now = time.monotonic()
        half = self.window() / 2
        with self._lock:
            for vid, (_version, read_at, used_at) in self._known.items():
                if now - read_at > half and now - used_at < self.RECENT:
                    ids.add(vid)
                    if len(ids) >= 5000:
                        break
        if not ids:
            return
        read_at = time.monotonic()
        with self._reader.connect() as connection:
            rows = connection.execute(_VERSIONS_QUERY[self._array_ids], {"ids": sorted(ids)}).all()
        found = {int(vid): int(version or 0) for vid, version in rows if vid is not None}
        with self._lock:
            for vid in ids:
                used = self._known.get(vid, (0, 0.0, read_at))[2]
                self._known[vid] = (found.get(vid, 0), read_at, used)
            if len(self._known) > self.max_entries:  # drop the least recently used half
                order = sorted(self._known.items(), key=lambda item: item[1][2])
                for vid, _ in order[: len(order) // 2]:
                    del self._known[vid]


_VERSIONS_QUERY = {
    True: select(col(Village.id), col(Village.content_version)).where(
        col(Village.id) == any_(bindparam("ids", type_=ARRAY(Integer)))
    ),
    False: select(col(Village.id), col(Village.content_version)).where(
        col(Village.id).in_(bindparam("ids", expanding=True))
    ),
}

_BOOKS: WeakKeyDictionary[Engine, VersionBook] = WeakKeyDictionary()
_BOOKS_LOCK = threading.Lock()


def version_book(runtime: Runtime) -> VersionBook:
    """The process's book for this database: shared by every app of the process (the tests build
    several), so a change saved through one is seen at once by the others, as in one worker."""
    with _BOOKS_LOCK:
        book = _BOOKS.get(runtime.engine)
        if book is None:
            resolver = runtime.resolver
            book = VersionBook(runtime.engine, lambda: resolver.check_seconds)
            _BOOKS[runtime.engine] = book
        return book
