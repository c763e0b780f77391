"""PostgreSQL row-level security: the second wall between villages.

The first wall is the scoped path (:mod:`etalase.tenants.scope`): every query of a village-owned
table starts from ``in_village``. This one is in the database. Every village-owned table gets one
policy, ``village_wall``, that shows and accepts only the rows of the village named by the
transaction's settings:

- ``etalase.village_id``: the village the transaction works for (empty: none);
- ``etalase.all_villages``: ``on`` for operator work and supervision reads that cross villages on
  purpose (those must still filter by an explicit scope).

:func:`set_context` sets both with ``set_config(…, is_local => true)`` at the start of every
transaction (``Runtime.session`` does it), so they end with the transaction and never leak to the
next user of a pooled connection. A transaction that sets nothing sees no village rows at all.
``FORCE`` makes the table owner, which is the app's login role, subject too; a superuser or a role
with ``BYPASSRLS`` is not, so the app must not connect as one (deploy/README.md).

SQLite has no row-level security: everything here is a no-op there.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

__all__ = ["POLICY", "disable", "disable_sql", "enable", "enable_sql", "set_context"]

POLICY = "village_wall"

# NULLIF: once a backend has seen a custom setting, it reads as '' (not NULL) after the transaction
# that set it. IS NOT DISTINCT FROM: rows whose village_id is NULL (platform-wide audit events)
# show only when no village is set.
CONDITION = (
    "current_setting('etalase.all_villages', true) = 'on' "
    "OR village_id IS NOT DISTINCT FROM NULLIF(current_setting('etalase.village_id', true), '')::integer"
)

_SET_CONTEXT = text(
    "SELECT set_config('etalase.village_id', :v, true), set_config('etalase.all_villages', :a, true)"
)


def enable_sql(table: str) -> list[str]:
    """The statements that put ``table`` behind the wall (owner included)."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {POLICY} ON {table} FOR ALL USING ({CONDITION}) WITH CHECK ({CONDITION})",
    ]


def disable_sql(table: str) -> list[str]:
    """The statements that undo :func:`enable_sql` (for downgrades)."""
    return [
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


def _is_postgresql(op: Any) -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def enable(op: Any, table: str) -> None:
    """In an Alembic migration: ``rls.enable(op, "post")``. Nothing happens on SQLite."""
    if _is_postgresql(op):
        for statement in enable_sql(table):
            op.execute(statement)


def disable(op: Any, table: str) -> None:
    """In an Alembic downgrade: ``rls.disable(op, "post")``. Nothing happens on SQLite."""
    if _is_postgresql(op):
        for statement in disable_sql(table):
            op.execute(statement)


def set_context(connection: Connection, village_id: int | None, all_villages: bool) -> None:
    """Name the village (or all villages) for the rest of the connection's current transaction.

    One statement on PostgreSQL; nothing on other databases."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        _SET_CONTEXT,
        {"v": "" if village_id is None else str(int(village_id)), "a": "on" if all_villages else "off"},
    )
