"""Tables of the village budget (APBDes) and of development projects. Every row belongs to a village.

An :class:`ApbdesYear` is one budget year of a village (draft or published); its lines
(:class:`ApbdesLine`) are the detail rows only: group totals are always computed, never stored, so
they cannot disagree with their lines. Amounts are whole rupiah in a BIGINT (a Dana Desa of
Rp1.000.000.000 overflows nothing). A :class:`Project` is a development project with dated
progress reports (:class:`ProjectProgress`), each with an optional photo of the media library.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field

# The tables these refer to by foreign key must be in the metadata whoever imports this module alone.
from etalase.platform.media_library import models as _media  # noqa: F401
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned

YEAR_STATUSES = ("draft", "published")
PROJECT_STATUSES = ("rencana", "berjalan", "selesai")


def _timestamp(nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, default=None if nullable else utcnow)


class ApbdesYear(VillageOwned, table=True):
    """One APBDes: a village's budget for one year."""

    __tablename__ = "apbdes_year"
    __table_args__ = (UniqueConstraint("village_id", "year", name="uq_apbdes_year_village_id_year"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    published_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class ApbdesLine(VillageOwned, table=True):
    """One detail line: its group (pendapatan, belanja, pembiayaan), the source, bidang or kind of
    financing within the group (``bidang``), the line's own words (``uraian``: a sub-bidang or a
    detail), and the budget and its realisation in rupiah."""

    __tablename__ = "apbdes_line"
    __table_args__ = (Index("ix_apbdes_line_year_position", "year_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(
        sa_column=Column(Integer, ForeignKey("apbdes_year.id", ondelete="CASCADE"), nullable=False)
    )
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    kelompok: str = Field(sa_column=Column(String(16), nullable=False))  # pendapatan, belanja, pembiayaan
    bidang: str = Field(sa_column=Column(String(120), nullable=False))
    uraian: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    anggaran: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    realisasi: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))


class Project(VillageOwned, table=True):
    """A development project (pembangunan): a road, a bridge, a well… with its money and progress."""

    __tablename__ = "project"
    __table_args__ = (
        UniqueConstraint("village_id", "slug", name="uq_project_village_id_slug"),
        Index("ix_project_village_year", "village_id", "year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    slug: str = Field(sa_column=Column(String(200), nullable=False))
    location: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    budget: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    fund_source: str = Field(default="", sa_column=Column(String(80), nullable=False, default=""))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    # rencana, berjalan, selesai (PROJECT_STATUSES): the work's state, not its publication.
    stage: str = Field(default="rencana", sa_column=Column(String(16), nullable=False, default="rencana"))
    # The latest progress report's percentage (kept here so lists need no second query).
    progress: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class ProjectProgress(VillageOwned, table=True):
    """A dated progress report of a project: percent done, a note, and a photo of the library."""

    __tablename__ = "project_progress"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    reported_on: date = Field(sa_column=Column(Date, nullable=False))
    percent: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    note: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    media_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("media_file.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
