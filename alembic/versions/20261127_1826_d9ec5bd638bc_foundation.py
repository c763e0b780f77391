"""Foundation: official regions, villages, their domains, the site generation, posts

Revision ID: d9ec5bd638bc
Revises:
Create Date: 2026-11-27 18:26:27.829600
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d9ec5bd638bc"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "region",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=13), nullable=True),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_region")),
    )
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.create_index(
            "ix_region_code_pattern", ["code"], unique=False, postgresql_ops={"code": "text_pattern_ops"}
        )
        batch_op.create_index(batch_op.f("ix_region_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "site_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_generation")),
    )
    op.execute("INSERT INTO site_generation (id, generation) VALUES (1, 1)")
    op.create_table(
        "village",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("content_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["code"], ["region.code"], name=op.f("fk_village_code_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village")),
        sa.UniqueConstraint("code", name=op.f("uq_village_code")),
        sa.UniqueConstraint("slug", name=op.f("uq_village_slug")),
    )
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.create_index(
            "ix_village_code_pattern", ["code"], unique=False, postgresql_ops={"code": "text_pattern_ops"}
        )

    op.create_table(
        "post",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_post_village_id_village"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post")),
        sa.UniqueConstraint("village_id", "slug", name="uq_post_village_id_slug"),
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_village_id"), ["village_id"], unique=False)
        batch_op.create_index(
            "ix_post_village_published", ["village_id", "status", "published_at"], unique=False
        )

    op.create_table(
        "village_domain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
            name=op.f("fk_village_domain_village_id_village"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_village_domain")),
        sa.UniqueConstraint("domain", name=op.f("uq_village_domain_domain")),
    )
    with op.batch_alter_table("village_domain", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_village_domain_village_id"), ["village_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("village_domain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_village_domain_village_id"))

    op.drop_table("village_domain")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_village_published")
        batch_op.drop_index(batch_op.f("ix_post_village_id"))

    op.drop_table("post")
    with op.batch_alter_table("village", schema=None) as batch_op:
        batch_op.drop_index("ix_village_code_pattern", postgresql_ops={"code": "text_pattern_ops"})

    op.drop_table("village")
    op.drop_table("site_generation")
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_region_parent_code"))
        batch_op.drop_index("ix_region_code_pattern", postgresql_ops={"code": "text_pattern_ops"})

    op.drop_table("region")
