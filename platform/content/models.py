"""Content tables. Every row belongs to a village (see etalase.tenants.scope)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, String, Text, UniqueConstraint
from sqlmodel import Field

from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned


class Post(VillageOwned, table=True):
    """A news item or article (berita/artikel)."""

    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("village_id", "slug", name="uq_post_village_id_slug"),
        Index("ix_post_village_published", "village_id", "status", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    slug: str = Field(sa_column=Column(String(200), nullable=False))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Sanitised HTML. Only the CMS writes it, through nh3.
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # draft, published
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
