"""Everything a process builds once from its settings: engine, cache, media store, host resolver.

The app keeps one on ``app.state.runtime``; the CLI builds its own. Passing it explicitly (rather
than reading globals) is what lets the tests run the embedded and the production stack side by side.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from etalase.platform.cache import Cache, make_cache
from etalase.platform.db import make_engine
from etalase.platform.media import MediaStore, make_media_store
from etalase.platform.settings import Settings
from etalase.tenants.resolver import SiteResolver


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    cache: Cache
    media: MediaStore
    resolver: SiteResolver = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = SiteResolver(
            self.engine,
            self.cache,
            self.settings.base_domain,
            check_seconds=self.settings.site_cache_seconds,
            max_entries=self.settings.site_cache_size,
        )

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        return cls(
            settings=settings,
            engine=make_engine(settings.sqlalchemy_url, pool_size=settings.db_pool_size),
            cache=make_cache(settings.redis_url, settings.redis_prefix),
            media=make_media_store(settings),
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commit at the end, roll back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()
