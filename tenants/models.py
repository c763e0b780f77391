"""Tables of the tenant spine: the official region list, the villages built from it, their domains."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, SmallInteger, String
from sqlmodel import Field, SQLModel

from etalase.platform import db as _db  # noqa: F401  (installs the naming convention first)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _timestamp() -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Region(SQLModel, table=True):
    """One row of the Kemendagri list: province `32`, kabupaten `32.01`, kecamatan `32.01.01`,
    desa/kelurahan `32.01.01.2001`. A supervision scope is a prefix of `code`."""

    __tablename__ = "region"
    __table_args__ = (
        # text_pattern_ops lets `code LIKE '32.01.%'` use the index on PostgreSQL whatever the collation.
        Index("ix_region_code_pattern", "code", postgresql_ops={"code": "text_pattern_ops"}),
    )

    code: str = Field(sa_column=Column(String(13), primary_key=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    level: int = Field(sa_column=Column(SmallInteger, nullable=False))
    # provinsi, kabupaten, kota, kecamatan, distrik, desa, kelurahan, desa_adat
    type: str = Field(sa_column=Column(String(16), nullable=False))
    parent_code: str | None = Field(default=None, sa_column=Column(String(13), index=True))
    postal_code: str | None = Field(default=None, sa_column=Column(String(5)))


class Village(SQLModel, table=True):
    """A village site. Created from an official desa/kelurahan code; `slug` is its subdomain."""

    __tablename__ = "village"
    __table_args__ = (Index("ix_village_code_pattern", "code", postgresql_ops={"code": "text_pattern_ops"}),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=Column(String(13), ForeignKey("region.code"), nullable=False, unique=True))
    slug: str = Field(sa_column=Column(String(63), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(120), nullable=False))
    # active: the site is public. inactive: created by the operator, not yet opened by a supervisor.
    status: str = Field(default="active", sa_column=Column(String(16), nullable=False, default="active"))
    theme: str = Field(default="klasik", sa_column=Column(String(40), nullable=False, default="klasik"))
    # Bumped on every publish; the public page cache keys on it, so invalidation is one increment.
    content_version: int = Field(default=1, nullable=False)
    # The content_version the village's impact indicators were last computed at: the clock
    # recomputes the villages where the two differ (etalase.platform.analytics.indicators).
    indicators_version: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class VillageDomain(SQLModel, table=True):
    """A custom domain mapped to a village, e.g. `sidomulyo.desa.id`."""

    __tablename__ = "village_domain"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True, ondelete="CASCADE")
    domain: str = Field(sa_column=Column(String(253), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class SiteGeneration(SQLModel, table=True):
    """One row whose number goes up whenever a village or domain changes (same transaction).

    Every app process compares it, at most once a second, with the number its host cache was
    filled under; a difference empties that cache. The shared Redis entries carry the number in
    their key, so one increment retires them all without a key scan."""

    __tablename__ = "site_generation"

    id: int = Field(default=1, primary_key=True)
    generation: int = Field(default=1, nullable=False)
