"""Row-level security on village-owned tables: post

Revision ID: e1f2a3b4c5d6
Revises: d9ec5bd638bc
Create Date: 2026-11-27 21:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

from etalase.platform import rls

revision: str = "e1f2a3b4c5d6"
down_revision: str | None = "d9ec5bd638bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rls.enable(op, "post")


def downgrade() -> None:
    rls.disable(op, "post")
