"""Private media: a resident's photo sent with an aspiration is kept out of the media library, its
pickers and every public page (UU PDP); only the village's editors and admins see it, through the
app. Photos already attached to aspirations become private (their objects keep their keys).

Revision ID: a1c0de000008
Revises: a1c0de000007
Create Date: 2026-11-28 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1c0de000008"
down_revision: str | None = "a1c0de000007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("media_file", sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE media_file SET private = true WHERE id IN "
        "(SELECT photo_media_id FROM aspiration WHERE photo_media_id IS NOT NULL)"
    )


def downgrade() -> None:
    op.drop_column("media_file", "private")
