"""APBDes transparency: budget years and their lines, development projects and their progress
reports. Row-level security on all four (each is village-owned).

Revision ID: a1c0de000003
Revises: a1c0de000002
Create Date: 2026-11-28 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from etalase.platform import rls

VILLAGE_TABLES = ("apbdes_year", "apbdes_line", "project", "project_progress")

revision: str = "a1c0de000003"
down_revision: str | None = "a1c0de000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apbdes_year",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_apbdes_year_village_id_village"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apbdes_year")),
        sa.UniqueConstraint("village_id", "year", name="uq_apbdes_year_village_id_year"),
    )
    with op.batch_alter_table("apbdes_year", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apbdes_year_village_id"), ["village_id"], unique=False)

    op.create_table(
        "project",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("fund_source", sa.String(length=80), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_project_village_id_village"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("village_id", "slug", name="uq_project_village_id_slug"),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_village_id"), ["village_id"], unique=False)
        batch_op.create_index("ix_project_village_year", ["village_id", "year"], unique=False)

    op.create_table(
        "apbdes_line",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kelompok", sa.String(length=16), nullable=False),
        sa.Column("bidang", sa.String(length=120), nullable=False),
        sa.Column("uraian", sa.String(length=200), nullable=False),
        sa.Column("anggaran", sa.BigInteger(), nullable=False),
        sa.Column("realisasi", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_apbdes_line_village_id_village"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["year_id"],
            ["apbdes_year.id"],
            name=op.f("fk_apbdes_line_year_id_apbdes_year"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_apbdes_line")),
    )
    with op.batch_alter_table("apbdes_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apbdes_line_village_id"), ["village_id"], unique=False)
        batch_op.create_index("ix_apbdes_line_year_position", ["year_id", "position"], unique=False)

    op.create_table(
        "project_progress",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"],
            ["media_file.id"],
            name=op.f("fk_project_progress_media_id_media_file"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_progress_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
            name=op.f("fk_project_progress_village_id_village"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_progress")),
    )
    with op.batch_alter_table("project_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_progress_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_progress_village_id"), ["village_id"], unique=False)

    for table in VILLAGE_TABLES:
        rls.enable(op, table)


def downgrade() -> None:
    for table in VILLAGE_TABLES:
        rls.disable(op, table)
    with op.batch_alter_table("project_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_progress_village_id"))
        batch_op.drop_index(batch_op.f("ix_project_progress_project_id"))
    op.drop_table("project_progress")
    with op.batch_alter_table("apbdes_line", schema=None) as batch_op:
        batch_op.drop_index("ix_apbdes_line_year_position")
        batch_op.drop_index(batch_op.f("ix_apbdes_line_village_id"))
    op.drop_table("apbdes_line")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index("ix_project_village_year")
        batch_op.drop_index(batch_op.f("ix_project_village_id"))
    op.drop_table("project")
    with op.batch_alter_table("apbdes_year", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apbdes_year_village_id"))
    op.drop_table("apbdes_year")
