"""Profil desa: structured profile, officials, population, map, contact.

``village_profile`` (one row per village: history, vision and mission, population, area,
boundaries, location, office) and ``village_official`` (perangkat desa and BPD members, in order,
with a photo of the media library). Row-level security on both.

Revision ID: a1c0de000001
Revises: ecb3c1196865
Create Date: 2026-11-28 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from etalase.platform import rls

VILLAGE_TABLES = ("village_profile", "village_official")

revision: str = "a1c0de000001"
down_revision: str | None = "ecb3c1196865"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=length), nullable=False)


def upgrade() -> None:
    op.create_table(
        "village_profile",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False),
        sa.Column("vision", sa.Text(), nullable=False),
        sa.Column("mission", sa.Text(), nullable=False),
        sa.Column("population_year", sa.Integer(), nullable=True),
        sa.Column("population_total", sa.Integer(), nullable=True),
        sa.Column("population_male", sa.Integer(), nullable=True),
        sa.Column("population_female", sa.Integer(), nullable=True),
        sa.Column("age_0_5", sa.Integer(), nullable=True),
        sa.Column("age_6_17", sa.Integer(), nullable=True),
        sa.Column("age_18_59", sa.Integer(), nullable=True),
        sa.Column("age_60_plus", sa.Integer(), nullable=True),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("area", sa.Float(), nullable=True),
        _text("area_unit", 8),
        _text("border_north", 200),
        _text("border_east", 200),
        _text("border_south", 200),
        _text("border_west", 200),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        _text("address", 300),
        _text("phone", 20),
        _text("email", 254),
        sa.Column("office_hours", sa.Text(), nullable=False),
        _text("hours_note", 200),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
            name=op.f("fk_village_profile_village_id_village"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village_profile")),
        sa.UniqueConstraint("village_id", name=op.f("uq_village_profile_village_id")),
    )
    op.create_index(op.f("ix_village_profile_village_id"), "village_profile", ["village_id"], unique=False)
    op.create_table(
        "village_official",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        _text("body", 16),
        _text("name", 100),
        _text("title", 100),
        sa.Column("media_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media_file.id"],
            name=op.f("fk_village_official_media_id_media_file"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
            name=op.f("fk_village_official_village_id_village"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village_official")),
    )
    op.create_index(op.f("ix_village_official_village_id"), "village_official", ["village_id"], unique=False)
    op.create_index(op.f("ix_village_official_media_id"), "village_official", ["media_id"], unique=False)
    op.create_index(
        "ix_village_official_village_body_order",
        "village_official",
        ["village_id", "body", "position"],
        unique=False,
    )
    for table in VILLAGE_TABLES:
        rls.enable(op, table)


def downgrade() -> None:
    for table in VILLAGE_TABLES:
        rls.disable(op, table)
    op.drop_index("ix_village_official_village_body_order", table_name="village_official")
    op.drop_index(op.f("ix_village_official_media_id"), table_name="village_official")
    op.drop_index(op.f("ix_village_official_village_id"), table_name="village_official")
    op.drop_table("village_official")
    op.drop_index(op.f("ix_village_profile_village_id"), table_name="village_profile")
    op.drop_table("village_profile")
