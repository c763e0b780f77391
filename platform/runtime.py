"""Everything a process builds once from its settings: engine, cache, media store, host resolver.

The app keeps one on ``app.state.runtime``; the CLI builds its own. Passing it explicitly (rather
than reading globals) is what lets the tests run the embedded and the production stack side by side.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import SessionTransaction, sessionmaker
from sqlmodel import Session

from etalase.platform import rls
from etalase.platform.analytics.counting import MemoryStore, RedisStore, Store, ViewCounter
from etalase.platform.cache import Cache, RedisCache, make_cache
from etalase.platform.db import make_engine
from etalase.platform.media import MediaStore, make_media_store
from etalase.platform.settings import Settings
from etalase.tenants.resolver import SiteResolver

VILLAGE_ID = "etalase.village_id"  # keys of Session.info
ALL_VILLAGES = "etalase.all_villages"


def _apply_village_context(
    session: Session, _transaction: SessionTransaction, connection: Connection
) -> None:
    """Session ``after_begin``: every transaction (also the one after a commit) starts with the
    village context of its session, one ``SELECT set_config(…)``."""
    rls.set_context(connection, session.info.get(VILLAGE_ID), bool(session.info.get(ALL_VILLAGES)))


DERIVED_ENTRIES = 50_000  # a look or a menu is a few hundred bytes


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    cache: Cache
    media: MediaStore
    resolver: SiteResolver = field(init=False)
    # Page views waiting to be counted (etalase.platform.analytics), one buffer per process.
    views: ViewCounter = field(init=False, repr=False)
    _sessions: sessionmaker[Session] = field(init=False, repr=False)
    # What this process derived from a village's content version (its look, its menu), keyed with
    # the version so a change is a new key: see remember().
    derived: dict[tuple[str, int, int], Any] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, class_=Session, expire_on_commit=False)
        if self.engine.dialect.name == "postgresql":
            event.listen(self._sessions, "after_begin", _apply_village_context)
        self.resolver = SiteResolver(
            self.engine,
            self.cache,
            self.settings.base_domain,
            check_seconds=self.settings.site_cache_seconds,
            max_entries=self.settings.site_cache_size,
        )
        store: Store = (
            RedisStore(self.cache.client, self.settings.redis_prefix)
            if isinstance(self.cache, RedisCache)
            else MemoryStore()
        )
        self.views = ViewCounter(store)

    def remember(self, key: tuple[str, int, int], value: Any) -> None:
        """Keep ``value`` for ``(kind, village id, content version)`` in this process. Old versions
        are never asked for again; the whole book is dropped past DERIVED_ENTRIES (cheap to refill,
        and no bookkeeping on the read path)."""
        if len(self.derived) >= DERIVED_ENTRIES:
            self.derived.clear()
        self.derived[key] = value

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        return cls(
            settings=settings,
            engine=make_engine(settings.sqlalchemy_url, pool_size=settings.db_pool_size),
            cache=make_cache(settings.redis_url, settings.redis_prefix),
            media=make_media_store(settings),
        )

    @contextmanager
    def session(self, village_id: int | None = None, *, all_villages: bool = False) -> Iterator[Session]:
        """One unit of work: commit at the end, roll back on any error.

        On PostgreSQL, row-level security (:mod:`etalase.platform.rls`) lets the session see and
        write the rows of ``village_id`` only; with neither it sees no village-owned row at all.
        ``all_villages=True`` is for operator work and supervision reads that cross villages on
        purpose, and those queries must still filter by an explicit scope."""
        with self._sessions(info={VILLAGE_ID: village_id, ALL_VILLAGES: all_villages}) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()
