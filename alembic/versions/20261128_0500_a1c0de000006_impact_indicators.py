"""Impact indicators ("kerja berdampak"): each village's month gets the indicators of DESIGN.md
(population, shares, comments, reactions, posts and quality posts, trained admins, social
platforms, transparency, last post, last activity, attention flags) and each region's month their
sums and the number of villages meeting each target, kept up to date by adding each village's
change. A post keeps its quality score; a membership its training mark. A partial index gives
the newest public posts of many villages at once (a region's page and feeds).

Plain ADD/DROP COLUMN (SQLite has both since 3.35): a batch rebuild of ``post`` would drop the
triggers that feed its full-text index.

Revision ID: a1c0de000006
Revises: a1c0de000005
Create Date: 2026-11-28 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1c0de000006"
down_revision: str | None = "a1c0de000005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    public = sa.text("status = 'published' AND deleted_at IS NULL")
    op.create_index(
        "ix_post_public_newest", "post", ["published_at", "id"], postgresql_where=public, sqlite_where=public
    )
    op.add_column(
        "village", sa.Column("indicators_version", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("membership", sa.Column("trained_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("post", sa.Column("quality", sa.Integer(), nullable=True))
    op.add_column(
        "region_monthly_stats", sa.Column("villages", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats", sa.Column("population", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats",
        sa.Column("visitors_counted", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "region_monthly_stats", sa.Column("shares", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats", sa.Column("comments", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats", sa.Column("reactions", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats", sa.Column("posts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats", sa.Column("quality_posts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats", sa.Column("quality_total", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats", sa.Column("trained_admins", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats",
        sa.Column("villages_reach_met", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "region_monthly_stats",
        sa.Column("villages_posts_met", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "region_monthly_stats",
        sa.Column("villages_trained_met", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "region_monthly_stats",
        sa.Column("villages_platforms_met", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "region_monthly_stats",
        sa.Column("villages_transparent", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "region_monthly_stats", sa.Column("villages_posted", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats", sa.Column("villages_live", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "region_monthly_stats",
        sa.Column("villages_active_30", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "region_monthly_stats",
        sa.Column("villages_attention", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("village_monthly_stats", sa.Column("population", sa.Integer(), nullable=True))
    op.add_column(
        "village_monthly_stats", sa.Column("shares", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("comments", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("reactions", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("posts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("quality_posts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("quality_total", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("trained_admins", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("platforms", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("apbdes", sa.Boolean(), server_default="false", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("rpjm", sa.Boolean(), server_default="false", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("last_post_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("attention", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "village_monthly_stats", sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_index("ix_post_public_newest", table_name="post")
    op.drop_column("village", "indicators_version")
    op.drop_column("village_monthly_stats", "computed_at")
    op.drop_column("village_monthly_stats", "attention")
    op.drop_column("village_monthly_stats", "last_active_at")
    op.drop_column("village_monthly_stats", "last_post_at")
    op.drop_column("village_monthly_stats", "rpjm")
    op.drop_column("village_monthly_stats", "apbdes")
    op.drop_column("village_monthly_stats", "platforms")
    op.drop_column("village_monthly_stats", "trained_admins")
    op.drop_column("village_monthly_stats", "quality_total")
    op.drop_column("village_monthly_stats", "quality_posts")
    op.drop_column("village_monthly_stats", "posts")
    op.drop_column("village_monthly_stats", "reactions")
    op.drop_column("village_monthly_stats", "comments")
    op.drop_column("village_monthly_stats", "shares")
    op.drop_column("village_monthly_stats", "population")
    op.drop_column("region_monthly_stats", "villages_attention")
    op.drop_column("region_monthly_stats", "villages_active_30")
    op.drop_column("region_monthly_stats", "villages_live")
    op.drop_column("region_monthly_stats", "villages_posted")
    op.drop_column("region_monthly_stats", "villages_transparent")
    op.drop_column("region_monthly_stats", "villages_platforms_met")
    op.drop_column("region_monthly_stats", "villages_trained_met")
    op.drop_column("region_monthly_stats", "villages_posts_met")
    op.drop_column("region_monthly_stats", "villages_reach_met")
    op.drop_column("region_monthly_stats", "trained_admins")
    op.drop_column("region_monthly_stats", "quality_total")
    op.drop_column("region_monthly_stats", "quality_posts")
    op.drop_column("region_monthly_stats", "posts")
    op.drop_column("region_monthly_stats", "reactions")
    op.drop_column("region_monthly_stats", "comments")
    op.drop_column("region_monthly_stats", "shares")
    op.drop_column("region_monthly_stats", "visitors_counted")
    op.drop_column("region_monthly_stats", "population")
    op.drop_column("region_monthly_stats", "villages")
    op.drop_column("post", "quality")
    op.drop_column("membership", "trained_at")
