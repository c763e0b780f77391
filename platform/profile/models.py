"""The profile tables. Both rows belong to a village (see etalase.tenants.scope).

A village has at most one :class:`VillageProfile` row (unique ``village_id``); it is public as
soon as it is saved: a profile has no draft, the team edits the page the village already shows.
The officials (perangkat desa) and the members of the BPD are :class:`VillageOfficial` rows, one
list each (``body``), in the team's order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field

# The tables these refer to by foreign key must be in the metadata whoever imports this module.
from etalase.platform.media_library import models as _media  # noqa: F401
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned

BODIES = ("perangkat", "bpd")  # perangkat desa, Badan Permusyawaratan Desa
AREA_UNITS = ("km2", "ha")


def _timestamp() -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow)


def _count() -> Column[int]:
    return Column(Integer, nullable=True)


def _text(length: int) -> Column[str]:
    return Column(String(length), nullable=False, default="")


class VillageProfile(VillageOwned, table=True):
    """The village's profile: one row per village. Empty values mean "not filled in yet"."""

    __tablename__ = "village_profile"
    __table_args__ = (UniqueConstraint("village_id", name="uq_village_profile_village_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # Sanitised HTML (nh3, through content.richtext.to_safe_html).
    history: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    vision: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # One mission a line (shown as a numbered list).
    mission: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Population (kependudukan) of the year ``population_year``.
    population_year: int | None = Field(default=None, sa_column=_count())
    population_total: int | None = Field(default=None, sa_column=_count())
    population_male: int | None = Field(default=None, sa_column=_count())
    population_female: int | None = Field(default=None, sa_column=_count())
    age_0_5: int | None = Field(default=None, sa_column=_count())
    age_6_17: int | None = Field(default=None, sa_column=_count())
    age_18_59: int | None = Field(default=None, sa_column=_count())
    age_60_plus: int | None = Field(default=None, sa_column=_count())
    households: int | None = Field(default=None, sa_column=_count())  # kepala keluarga
    # Luas wilayah in ``area_unit`` (km2 or ha), two decimals.
    area: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    area_unit: str = Field(default="km2", sa_column=Column(String(8), nullable=False, default="km2"))
    border_north: str = Field(default="", sa_column=_text(200))
    border_east: str = Field(default="", sa_column=_text(200))
    border_south: str = Field(default="", sa_column=_text(200))
    border_west: str = Field(default="", sa_column=_text(200))
    # The village office, inside Indonesia's bounding box (checked by the service).
    latitude: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    longitude: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    address: str = Field(default="", sa_column=_text(300))
    # The OFFICE's number in E.164 (public: it is the office's, not a person's).
    phone: str = Field(default="", sa_column=_text(20))
    email: str = Field(default="", sa_column=_text(254))
    # JSON list of 7 entries, Senin … Minggu: ["08:00", "15:00"] or null (closed).
    office_hours: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    hours_note: str = Field(default="", sa_column=_text(200))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class VillageOfficial(VillageOwned, table=True):
    """A village official (``body`` = perangkat) or a member of the BPD (``bpd``), with a photo of
    the village's media library."""

    __tablename__ = "village_official"
    __table_args__ = (Index("ix_village_official_village_body_order", "village_id", "body", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    body: str = Field(sa_column=Column(String(16), nullable=False))
    name: str = Field(sa_column=Column(String(100), nullable=False))
    title: str = Field(sa_column=Column(String(100), nullable=False))  # jabatan
    # A deleted photo leaves the official without one (the media library asks first).
    media_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("media_file.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    position: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, default=0)
    )  # order in its list
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
