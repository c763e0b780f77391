"""Aspirasi dan pengaduan: residents' messages with tracking codes, and the team's replies, notes
and status changes. Row-level security on both tables.

Revision ID: a1c0de000004
Revises: a1c0de000003
Create Date: 2026-11-28 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from etalase.platform import rls

revision: str = "a1c0de000004"
down_revision: str | None = "a1c0de000003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VILLAGE_TABLES = ("aspiration", "aspiration_reply")


def upgrade() -> None:
    op.create_table(
        "aspiration",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("sender_name", sa.String(length=100), nullable=False),
        sa.Column("sender_phone", sa.String(length=20), nullable=False),
        sa.Column("photo_media_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("consent_publish", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("spam", sa.Boolean(), nullable=False),
        sa.Column("form_nonce", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["photo_media_id"],
            ["media_file.id"],
            name=op.f("fk_aspiration_photo_media_id_media_file"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_aspiration_village_id_village"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aspiration")),
        sa.UniqueConstraint("village_id", "code", name="uq_aspiration_village_id_code"),
        sa.UniqueConstraint("village_id", "form_nonce", name="uq_aspiration_village_id_form_nonce"),
    )
    op.create_index(
        "ix_aspiration_village_status_created",
        "aspiration",
        ["village_id", "status", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_aspiration_photo_media_id"), "aspiration", ["photo_media_id"], unique=False)
    op.create_index(op.f("ix_aspiration_village_id"), "aspiration", ["village_id"], unique=False)
    op.create_table(
        "aspiration_reply",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("aspiration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["aspiration_id"],
            ["aspiration.id"],
            name=op.f("fk_aspiration_reply_aspiration_id_aspiration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["app_user.id"],
            name=op.f("fk_aspiration_reply_author_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
            name=op.f("fk_aspiration_reply_village_id_village"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aspiration_reply")),
    )
    op.create_index(
        "ix_aspiration_reply_village_aspiration",
        "aspiration_reply",
        ["village_id", "aspiration_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_aspiration_reply_aspiration_id"), "aspiration_reply", ["aspiration_id"], unique=False
    )
    op.create_index(op.f("ix_aspiration_reply_author_id"), "aspiration_reply", ["author_id"], unique=False)
    op.create_index(op.f("ix_aspiration_reply_village_id"), "aspiration_reply", ["village_id"], unique=False)
    for table in VILLAGE_TABLES:
        rls.enable(op, table)


def downgrade() -> None:
    for table in VILLAGE_TABLES:
        rls.disable(op, table)
    op.drop_index(op.f("ix_aspiration_reply_village_id"), table_name="aspiration_reply")
    op.drop_index(op.f("ix_aspiration_reply_author_id"), table_name="aspiration_reply")
    op.drop_index(op.f("ix_aspiration_reply_aspiration_id"), table_name="aspiration_reply")
    op.drop_index("ix_aspiration_reply_village_aspiration", table_name="aspiration_reply")
    op.drop_table("aspiration_reply")
    op.drop_index(op.f("ix_aspiration_village_id"), table_name="aspiration")
    op.drop_index(op.f("ix_aspiration_photo_media_id"), table_name="aspiration")
    op.drop_index("ix_aspiration_village_status_created", table_name="aspiration")
    op.drop_table("aspiration")
