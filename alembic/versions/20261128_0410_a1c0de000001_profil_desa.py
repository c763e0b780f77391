"""Profil desa: structured profile, officials, population, map, contact.

Revision ID: a1c0de000001
Revises: ecb3c1196865
Create Date: 2026-11-28 04:10:00.000000
"""

from collections.abc import Sequence

revision: str = "a1c0de000001"
down_revision: str | None = "ecb3c1196865"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by the feature's work


def downgrade() -> None:
    pass
