"""Comments on posts with moderation, and reactions.

Revision ID: a1c0de000005
Revises: a1c0de000004
Create Date: 2026-11-28 04:50:00.000000
"""

from collections.abc import Sequence

revision: str = "a1c0de000005"
down_revision: str | None = "a1c0de000004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by the feature's work


def downgrade() -> None:
    pass
