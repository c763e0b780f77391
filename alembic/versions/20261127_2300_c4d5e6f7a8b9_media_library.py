"""Media library: one row per photo or document of a village, behind row-level security.

Revision ID: c4d5e6f7a8b9
Revises: b7c8d9e0f1a2
Create Date: 2026-11-27 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from etalase.platform import rls

revision: str = "c4d5e6f7a8b9"
down_revision: str | None = "b7c8d9e0f1a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_file",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("variants", sa.Text(), nullable=False),
        sa.Column("alt", sa.String(length=300), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["app_user.id"],
            name=op.f("fk_media_file_uploaded_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_media_file_village_id_village"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_file")),
        sa.UniqueConstraint("key", name=op.f("uq_media_file_key")),
    )
    op.create_index(op.f("ix_media_file_uploaded_by"), "media_file", ["uploaded_by"], unique=False)
    op.create_index(op.f("ix_media_file_village_id"), "media_file", ["village_id"], unique=False)
    rls.enable(op, "media_file")


def downgrade() -> None:
    rls.disable(op, "media_file")
    op.drop_index(op.f("ix_media_file_village_id"), table_name="media_file")
    op.drop_index(op.f("ix_media_file_uploaded_by"), table_name="media_file")
    op.drop_table("media_file")
