"""Content workflow: post authors, covers, review comments, versions and trash; revisions;
categories and tags; pages. Row-level security on the new village tables.

Revision ID: d5e6f7a8b9c0
Revises: c4d5e6f7a8b9
Create Date: 2026-11-27 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from etalase.platform import rls

VILLAGE_TABLES = ("category", "tag", "post_category", "post_tag", "post_revision", "page")

revision: str = "d5e6f7a8b9c0"
down_revision: str | None = "c4d5e6f7a8b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "category",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_category_village_id_village"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("village_id", "slug", name="uq_category_village_id_slug"),
    )
    op.create_index(op.f("ix_category_village_id"), "category", ["village_id"], unique=False)
    op.create_table(
        "page",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("menu_order", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["page.id"], name=op.f("fk_page_parent_id_page"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_page_village_id_village"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page")),
        sa.UniqueConstraint("village_id", "slug", name="uq_page_village_id_slug"),
    )
    op.create_index(op.f("ix_page_village_id"), "page", ["village_id"], unique=False)
    op.create_table(
        "tag",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_tag_village_id_village"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("village_id", "slug", name="uq_tag_village_id_slug"),
    )
    op.create_index(op.f("ix_tag_village_id"), "tag", ["village_id"], unique=False)
    op.create_table(
        "post_category",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["category.id"],
            name=op.f("fk_post_category_category_id_category"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_category_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
            name=op.f("fk_post_category_village_id_village"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", "category_id", name=op.f("pk_post_category")),
    )
    op.create_index(op.f("ix_post_category_category_id"), "post_category", ["category_id"], unique=False)
    op.create_index(op.f("ix_post_category_village_id"), "post_category", ["village_id"], unique=False)
    op.create_table(
        "post_revision",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["app_user.id"],
            name=op.f("fk_post_revision_author_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_revision_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
            name=op.f("fk_post_revision_village_id_village"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_revision")),
    )
    op.create_index(op.f("ix_post_revision_author_id"), "post_revision", ["author_id"], unique=False)
    op.create_index("ix_post_revision_post", "post_revision", ["post_id", "id"], unique=False)
    op.create_index(op.f("ix_post_revision_village_id"), "post_revision", ["village_id"], unique=False)
    op.create_table(
        "post_tag",
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_tag_post_id_post"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_post_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name=op.f("fk_post_tag_village_id_village"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "tag_id", name=op.f("pk_post_tag")),
    )
    op.create_index(op.f("ix_post_tag_tag_id"), "post_tag", ["tag_id"], unique=False)
    op.create_index(op.f("ix_post_tag_village_id"), "post_tag", ["village_id"], unique=False)
    # Existing posts get defaults; SQLite needs the batch form to add foreign keys.
    with op.batch_alter_table("post") as batch:
        batch.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("author_name", sa.String(length=100), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("updated_by_name", sa.String(length=100), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("cover_media_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("review_comment", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_post_author_id"), ["author_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_post_author_id_app_user"), "app_user", ["author_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(
            batch.f("fk_post_cover_media_id_media_file"),
            "media_file",
            ["cover_media_id"],
            ["id"],
            ondelete="SET NULL",
        )
    for table in VILLAGE_TABLES:
        rls.enable(op, table)


def downgrade() -> None:
    for table in VILLAGE_TABLES:
        rls.disable(op, table)
    with op.batch_alter_table("post") as batch:
        batch.drop_constraint(batch.f("fk_post_cover_media_id_media_file"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_post_author_id_app_user"), type_="foreignkey")
        batch.drop_index(batch.f("ix_post_author_id"))
        for column in ("deleted_at", "version", "review_comment", "cover_media_id", "updated_by_name"):
            batch.drop_column(column)
        batch.drop_column("author_name")
        batch.drop_column("author_id")
    op.drop_index(op.f("ix_post_tag_village_id"), table_name="post_tag")
    op.drop_index(op.f("ix_post_tag_tag_id"), table_name="post_tag")
    op.drop_table("post_tag")
    op.drop_index(op.f("ix_post_revision_village_id"), table_name="post_revision")
    op.drop_index("ix_post_revision_post", table_name="post_revision")
    op.drop_index(op.f("ix_post_revision_author_id"), table_name="post_revision")
    op.drop_table("post_revision")
    op.drop_index(op.f("ix_post_category_village_id"), table_name="post_category")
    op.drop_index(op.f("ix_post_category_category_id"), table_name="post_category")
    op.drop_table("post_category")
    op.drop_index(op.f("ix_tag_village_id"), table_name="tag")
    op.drop_table("tag")
    op.drop_index(op.f("ix_page_village_id"), table_name="page")
    op.drop_table("page")
    op.drop_index(op.f("ix_category_village_id"), table_name="category")
    op.drop_table("category")
