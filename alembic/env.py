"""Alembic environment. The database URL comes from the caller (``config.attributes["url"]``,
set by ``etalase db``) or from ETALASE_DATABASE_URL, never from alembic.ini."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from etalase.platform import models  # noqa: F401  (fills the metadata)
from etalase.platform.db import make_engine, metadata
from etalase.platform.settings import load_settings

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = config.attributes.get("url")
    return str(url) if url else load_settings().sqlalchemy_url


def _outside_models(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave out of ``alembic check`` what the search migration (5e4c3b2a1f00) makes outside the
    models: PostgreSQL's expression index on post, SQLite's FTS5 table and its shadow tables."""
    if reflected and compare_to is None and name:
        if type_ == "index" and name == "ix_post_search":
            return False
        if type_ == "table" and (name == "post_fts" or name.startswith("post_fts_")):
            return False
    return True


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=_outside_models,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        transaction_per_migration=True,
    )


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url(), pooled=False)  # a one-shot command needs no pool
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Never queue behind a long transaction holding a lock on a busy site.
                connection.exec_driver_sql("SET lock_timeout = '10s'")
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
