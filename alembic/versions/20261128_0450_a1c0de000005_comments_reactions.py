"""Comments on posts with moderation, the village's comment settings, and "bermanfaat" reactions.
Row-level security on all three (village-owned).

Revision ID: a1c0de000005
Revises: a1c0de000004
Create Date: 2026-11-28 04:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from etalase.platform import rls

VILLAGE_TABLES = ("post_comment", "comment_settings", "post_reaction")

revision: str = "a1c0de000005"
down_revision: str | None = "a1c0de000004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _village_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["village_id"], ["village.id"], name=op.f(f"fk_{table}_village_id_village"), ondelete="CASCADE"
    )


def _post_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["post_id"], ["post.id"], name=op.f(f"fk_{table}_post_id_post"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "post_comment",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("commenter", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("held_for", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        _post_fk("post_comment"),
        _village_fk("post_comment"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_comment")),
    )
    op.create_index(op.f("ix_post_comment_village_id"), "post_comment", ["village_id"], unique=False)
    op.create_index(
        "ix_post_comment_village_status_created",
        "post_comment",
        ["village_id", "status", "created_at"],
        unique=False,
    )
    op.create_index("ix_post_comment_post_status", "post_comment", ["post_id", "status"], unique=False)
    op.create_index(
        "ix_post_comment_village_commenter", "post_comment", ["village_id", "commenter"], unique=False
    )
    op.create_table(
        "comment_settings",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("blocked_words", sa.Text(), nullable=False),
        sa.Column("word_action", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _village_fk("comment_settings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_settings")),
        sa.UniqueConstraint("village_id", name="uq_comment_settings_village_id"),
    )
    op.create_index(op.f("ix_comment_settings_village_id"), "comment_settings", ["village_id"], unique=False)
    op.create_table(
        "post_reaction",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _post_fk("post_reaction"),
        _village_fk("post_reaction"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_reaction")),
        sa.UniqueConstraint("post_id", "day", "visitor", name="uq_post_reaction_post_day_visitor"),
    )
    op.create_index(op.f("ix_post_reaction_village_id"), "post_reaction", ["village_id"], unique=False)
    op.create_index("ix_post_reaction_village_day", "post_reaction", ["village_id", "day"], unique=False)
    for table in VILLAGE_TABLES:
        rls.enable(op, table)


def downgrade() -> None:
    for table in VILLAGE_TABLES:
        rls.disable(op, table)
    op.drop_index("ix_post_reaction_village_day", table_name="post_reaction")
    op.drop_index(op.f("ix_post_reaction_village_id"), table_name="post_reaction")
    op.drop_table("post_reaction")
    op.drop_index(op.f("ix_comment_settings_village_id"), table_name="comment_settings")
    op.drop_table("comment_settings")
    op.drop_index("ix_post_comment_village_commenter", table_name="post_comment")
    op.drop_index("ix_post_comment_post_status", table_name="post_comment")
    op.drop_index("ix_post_comment_village_status_created", table_name="post_comment")
    op.drop_index(op.f("ix_post_comment_village_id"), table_name="post_comment")
    op.drop_table("post_comment")
