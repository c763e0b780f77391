"""Row-level security, the second wall between villages (etalase.platform.rls): on PostgreSQL a
transaction sees and writes only the rows of the village it names, and none when it names none.
Production stack only: SQLite has no row-level security."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel, select

from etalase.platform import (
    models,  # noqa: F401  (registers every table)
    rls,
)
from etalase.platform.content.models import Post
from etalase.platform.content.service import create_post
from etalase.tenants.service import create_village
from tests.conftest import BASE_DOMAIN, Stack

# Tenant routing infrastructure: the host resolver reads it before any village is known.
NOT_WALLED = {"village_domain"}


@pytest.fixture
def pg(production_stack: Stack) -> Stack:
    production_stack.wipe()
    return production_stack


@pytest.fixture
def villages(pg: Stack) -> dict[str, int]:
    """Two villages with two posts each, written with their own village context."""
    with pg.runtime.session() as session:
        a = create_village(session, "34.04.02.2003")  # sidomulyo
        b = create_village(session, "33.74.10.1001")  # meteseh
        session.flush()
        assert a.id and b.id
    when = datetime(2026, 11, 1, 8, tzinfo=UTC)
    for village_id, name in ((a.id, "Sidomulyo"), (b.id, "Meteseh")):
        with pg.runtime.session(village_id) as session:
            create_post(session, village_id, title=f"Kabar {name}", body="<p>x</p>", published_at=when)
            create_post(session, village_id, title=f"Draf {name}", body="<p>y</p>")
    return {"a": a.id, "b": b.id}


def village_ids_of_posts(
    stack: Stack, village_id: int | None = None, *, all_villages: bool = False
) -> list[int]:
    with stack.runtime.session(village_id, all_villages=all_villages) as session:
        # Deliberately unscoped: this is the query the first wall would refuse and this one catches.
        return sorted(post.village_id for post in session.exec(select(Post)).all())


def test_a_query_sees_only_the_village_of_its_context(pg: Stack, villages: dict[str, int]) -> None:
    a, b = villages["a"], villages["b"]
    assert village_ids_of_posts(pg) == []  # no context: no village rows, though four exist
    assert village_ids_of_posts(pg, a) == [a, a]
    assert village_ids_of_posts(pg, b) == [b, b]
    assert village_ids_of_posts(pg, all_villages=True) == [a, a, b, b]
    with pg.runtime.engine.connect() as connection:  # outside Runtime.session: nothing either
        assert connection.execute(text("SELECT count(*) FROM post")).scalar_one() == 0


def test_the_context_is_applied_again_after_a_commit_with_one_statement(
    pg: Stack, villages: dict[str, int]
) -> None:
    a = villages["a"]
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(pg.runtime.engine, "before_cursor_execute", record)
    try:
        with pg.runtime.session(a) as session:
            assert len(session.exec(select(Post)).all()) == 2
            session.commit()  # the next statement begins a new transaction
            assert len(session.exec(select(Post)).all()) == 2
    finally:
        event.remove(pg.runtime.engine, "before_cursor_execute", record)
    assert sum("set_config" in s for s in statements) == 2  # one per transaction, no more
    assert len(statements) == 4


def test_writing_another_villages_row_is_refused(pg: Stack, villages: dict[str, int]) -> None:
    a, b = villages["a"], villages["b"]
    with pytest.raises(DBAPIError, match="row-level security"), pg.runtime.session(a) as session:
        session.add(Post(village_id=b, title="Titipan", slug="titipan", summary="", body="", status="draft"))
        session.flush()
    with pytest.raises(DBAPIError, match="row-level security"), pg.runtime.session() as session:
        session.add(
            Post(village_id=a, title="Tanpa desa", slug="tanpa-desa", summary="", body="", status="draft")
        )
        session.flush()
    assert village_ids_of_posts(pg, all_villages=True) == [a, a, b, b]


def test_moving_a_row_to_another_village_is_refused(pg: Stack, villages: dict[str, int]) -> None:
    a, b = villages["a"], villages["b"]
    with pytest.raises(DBAPIError, match="row-level security"), pg.runtime.session(a) as session:
        session.execute(text("UPDATE post SET village_id = :b"), {"b": b})
    assert village_ids_of_posts(pg, a) == [a, a]


def test_null_village_rows_show_only_without_a_village(pg: Stack) -> None:
    """Nullable village_id (the audit log's platform-wide events): NULL rows belong to no village."""
    with pg.runtime.engine.connect() as connection, connection.begin() as transaction:
        connection.execute(text("CREATE TABLE rls_probe (id serial PRIMARY KEY, village_id integer)"))
        for statement in rls.enable_sql("rls_probe"):
            connection.execute(text(statement))
        rls.set_context(connection, None, all_villages=True)
        connection.execute(text("INSERT INTO rls_probe (village_id) VALUES (NULL), (1), (2)"))

        def seen(village_id: int | None) -> list[int | None]:
            rls.set_context(connection, village_id, all_villages=False)
            rows = connection.execute(text("SELECT village_id FROM rls_probe ORDER BY id"))
            return [row[0] for row in rows]

        assert seen(None) == [None]
        assert seen(1) == [1]
        assert seen(2) == [2]
        transaction.rollback()


def test_the_app_role_cannot_bypass_the_wall(pg: Stack) -> None:
    with pg.runtime.engine.connect() as connection:
        super_, bypass = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        owner = connection.execute(
            text("SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE relname = 'post'")
        ).scalar_one()
    assert not super_ and not bypass
    assert owner  # the app owns its tables, as in production: FORCE is what makes the wall apply


def test_every_village_owned_table_is_walled(pg: Stack) -> None:
    tables = sorted(
        name
        for name, table in SQLModel.metadata.tables.items()
        if "village_id" in table.c and name not in NOT_WALLED
    )
    assert "post" in tables
    with pg.runtime.engine.connect() as connection:
        for name in tables:
            enabled, forced = connection.execute(
                text(
                    "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = to_regclass(:name)"
                ),
                {"name": name},
            ).one()
            assert enabled and forced, f"{name}: row-level security must be enabled and forced"
            policies = connection.execute(
                text("SELECT policyname FROM pg_policies WHERE tablename = :name"), {"name": name}
            ).scalars()
            assert rls.POLICY in list(policies), f"{name} has no {rls.POLICY} policy (rls.enable)"


@pytest.mark.parametrize("stack", ["production"], indirect=True)
def test_a_village_page_sets_its_context(client: TestClient, villages: dict[str, int]) -> None:
    html = client.get("/", headers={"host": f"sidomulyo.{BASE_DOMAIN}"}).text
    assert "Kabar Sidomulyo" in html and "Meteseh" not in html
    response = client.get("/berita/kabar-meteseh", headers={"host": f"meteseh.{BASE_DOMAIN}"})
    assert response.status_code == 200 and "Kabar Meteseh" in response.text
