"""The connection pool on PostgreSQL: a connection that sat idle is checked before use, so a
database restart (or a dropped connection) costs no request an error; one used a moment ago is not
asked again (a round trip saved on every session of every page)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from etalase.platform import db as db_module
from tests.conftest import Stack


def _drop_every_connection(pg_url: str) -> int:
    """What a database restart does to the pool: every other backend of the database is ended."""
    admin = create_engine(pg_url, poolclass=NullPool)  # the app's role may end its own backends
    with admin.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    admin.dispose()
    return int(ended)


def _pooled(stack: Stack) -> None:
    """Put a few connections in the pool."""
    connections = [stack.runtime.engine.connect() for _ in range(3)]
    for connection in connections:
        connection.execute(text("SELECT 1"))
        connection.close()


def test_an_idle_connection_is_checked_and_replaced(
    production_stack: Stack, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = production_stack.runtime.engine
    # Used a moment ago: not checked, so a connection dropped since then fails once…
    _pooled(production_stack)
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 1e9)
    assert _drop_every_connection(pg_url) >= 1
    with pytest.raises(DBAPIError), engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    # …while one idle past the limit is checked first and quietly replaced.
    _pooled(production_stack)
    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", -1.0)
    assert _drop_every_connection(pg_url) >= 1
    for _ in range(5):
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 42")).scalar_one() == 42
    with production_stack.runtime.session(all_villages=True) as session:
        assert session.execute(text("SELECT 7")).scalar_one() == 7
