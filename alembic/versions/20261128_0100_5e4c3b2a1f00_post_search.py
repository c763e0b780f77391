"""Full-text search of posts: on PostgreSQL an expression GIN index (title A, summary B, body C,
with the Indonesian configuration when the server has it); on SQLite an FTS5 table ``post_fts``
kept in step with ``post`` by triggers, filled from the posts already there.

A later SQLite migration that rebuilds ``post`` (batch mode copies the table) drops these
triggers with it: such a migration must create them again (SQLITE_UP below).

Neither is part of the models (an expression index and a virtual table): alembic/env.py leaves
them out of ``alembic check``. See etalase.platform.site.search for the queries that use them.

Revision ID: 5e4c3b2a1f00
Revises: 3a874d32d223
Create Date: 2026-11-28 01:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from etalase.platform.site.search import document_sql, pg_config

revision: str = "5e4c3b2a1f00"
down_revision: str | None = "3a874d32d223"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_INDEX = "ix_post_search"

# SQLite keeps a copy of the text (for highlight()); the body is indexed as stored HTML, whose tag
# names the tokenizer sees as words too (SQLite has no regexp_replace to strip them).
SQLITE_UP = (
    "CREATE VIRTUAL TABLE post_fts USING fts5"
    "(title, summary, body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO post_fts (rowid, title, summary, body) SELECT id, title, summary, body FROM post",
    """CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN
        INSERT INTO post_fts (rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
    END""",
    """CREATE TRIGGER post_fts_update AFTER UPDATE OF title, summary, body ON post BEGIN
        DELETE FROM post_fts WHERE rowid = old.id;
        INSERT INTO post_fts (rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body);
    END""",
    """CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN
        DELETE FROM post_fts WHERE rowid = old.id;
    END""",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS post_fts_delete",
    "DROP TRIGGER IF EXISTS post_fts_update",
    "DROP TRIGGER IF EXISTS post_fts_insert",
    "DROP TABLE IF EXISTS post_fts",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        config = pg_config(bind)
        op.execute(f"CREATE INDEX {PG_INDEX} ON post USING gin (({document_sql(config)}))")
    else:
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    else:
        for statement in SQLITE_DOWN:
            op.execute(statement)
