"""Potensi desa: tourism spots, BUMDes units, UMKM products.

Tables ``potensi`` (wisata, BUMDes units, UMKM: one table with a kind), ``product`` (produk desa:
price in whole rupiah, unit, category, stock, seller), and their ordered photos from the media
library (``potensi_photo``, ``product_photo``). A seller's WhatsApp number is stored as personal
data (never shown). Row-level security on all four.

Revision ID: a1c0de000002
Revises: a1c0de000001
Create Date: 2026-11-28 04:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from etalase.platform import rls

VILLAGE_TABLES = ("potensi", "potensi_photo", "product", "product_photo")

revision: str = "a1c0de000002"
down_revision: str | None = "a1c0de000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _author_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["author_id"], ["app_user.id"], name=op.f(f"fk_{table}_author_id_app_user"), ondelete="SET NULL"
    )


def _village_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["village_id"], ["village.id"], name=op.f(f"fk_{table}_village_id_village"), ondelete="CASCADE"
    )


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _photo_table(table: str, owner: str) -> None:
    op.create_table(
        table,
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column(f"{owner}_id", sa.Integer(), nullable=False),
        sa.Column("media_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_id"], ["media_file.id"], name=op.f(f"fk_{table}_media_id_media_file"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            [f"{owner}_id"], [f"{owner}.id"], name=op.f(f"fk_{table}_{owner}_id_{owner}"), ondelete="CASCADE"
        ),
        _village_fk(table),
        sa.PrimaryKeyConstraint(f"{owner}_id", "media_id", name=op.f(f"pk_{table}")),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_media_id"), ["media_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{table}_village_id"), ["village_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "potensi",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("whatsapp", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        *_stamps(),
        _author_fk("potensi"),
        _village_fk("potensi"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_potensi")),
        sa.UniqueConstraint("village_id", "slug", name="uq_potensi_village_id_slug"),
    )
    with op.batch_alter_table("potensi", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_potensi_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_potensi_village_id"), ["village_id"], unique=False)
        batch_op.create_index(
            "ix_potensi_village_status_kind", ["village_id", "status", "kind"], unique=False
        )
    _photo_table("potensi_photo", "potensi")

    op.create_table(
        "product",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("stock", sa.String(length=16), nullable=False),
        sa.Column("potensi_id", sa.Integer(), nullable=True),
        sa.Column("seller_name", sa.String(length=120), nullable=False),
        sa.Column("whatsapp", sa.String(length=20), nullable=False),
        sa.Column("order_clicks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        *_stamps(),
        _author_fk("product"),
        sa.ForeignKeyConstraint(
            ["potensi_id"], ["potensi.id"], name=op.f("fk_product_potensi_id_potensi"), ondelete="SET NULL"
        ),
        _village_fk("product"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("village_id", "slug", name="uq_product_village_id_slug"),
    )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_potensi_id"), ["potensi_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_village_id"), ["village_id"], unique=False)
        batch_op.create_index(
            "ix_product_village_status_category", ["village_id", "status", "category"], unique=False
        )
    _photo_table("product_photo", "product")

    for table in VILLAGE_TABLES:
        rls.enable(op, table)


def downgrade() -> None:
    for table in VILLAGE_TABLES:
        rls.disable(op, table)
    for table in ("product_photo", "product", "potensi_photo", "potensi"):
        op.drop_table(table)  # their indexes go with them
