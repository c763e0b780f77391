"""Daily and monthly rollups of page views, one row per village and day (or month). Written by
:mod:`etalase.platform.analytics.rollup` from the counters; read by the dashboards and consoles.
No visitor id or address is ever stored here: only counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from etalase.tenants.scope import VillageOwned

SHARE_COLUMNS = ("whatsapp", "facebook", "x", "telegram")
SOURCE_COLUMNS = ("facebook", "instagram", "tiktok", "whatsapp", "x", "youtube", "search", "direct", "other")


def _village_key() -> Column[int]:
    """village_id as the first part of the primary key (a row per village and day)."""
    return Column(Integer, ForeignKey("village.id", ondelete="CASCADE"), primary_key=True)


def _count() -> Column[int]:
    return Column(Integer, nullable=False, default=0, server_default="0")


def _flag() -> Column[bool]:
    return Column(Boolean, nullable=False, default=False, server_default="false")


class VillageDailyStats(VillageOwned, table=True):
    __tablename__ = "village_daily_stats"

    village_id: int = Field(sa_column=_village_key())

    day: date = Field(sa_column=Column(Date, primary_key=True))
    views: int = Field(default=0, sa_column=_count())
    visitors: int = Field(default=0, sa_column=_count())  # unique that day
    # Arrivals by source (a page inside a visit is not an arrival).
    from_facebook: int = Field(default=0, sa_column=_count())
    from_instagram: int = Field(default=0, sa_column=_count())
    from_tiktok: int = Field(default=0, sa_column=_count())
    from_whatsapp: int = Field(default=0, sa_column=_count())
    from_x: int = Field(default=0, sa_column=_count())
    from_youtube: int = Field(default=0, sa_column=_count())
    from_search: int = Field(default=0, sa_column=_count())
    from_direct: int = Field(default=0, sa_column=_count())
    from_other: int = Field(default=0, sa_column=_count())
    # Taps on the site's share buttons, by platform.
    shared_whatsapp: int = Field(default=0, sa_column=_count())
    shared_facebook: int = Field(default=0, sa_column=_count())
    shared_x: int = Field(default=0, sa_column=_count())
    shared_telegram: int = Field(default=0, sa_column=_count())


class VillageMonthlyStats(VillageOwned, table=True):
    """A village's month: its readers (the month's unique visitors cannot be summed from the days,
    they are counted on their own) and the indicators of DESIGN.md ("Measuring impact") as they
    stood when last computed (:mod:`etalase.platform.analytics.indicators`). Rates are derived
    when shown: reach = visitors / population, engagement = (comments + reactions + shares) / views.
    """

    __tablename__ = "village_monthly_stats"
    # "Perlu perhatian" filtered or searched: the villages of one month that need attention, read
    # from this index alone (a scan of every village's every month otherwise, ~130 ms nationally).
    __table_args__ = (
        Index(
            "ix_village_monthly_stats_month_attention",
            "month",
            "attention",
            postgresql_include=["village_id"],
        ),
    )

    village_id: int = Field(sa_column=_village_key())

    month: date = Field(sa_column=Column(Date, primary_key=True))  # the first day of the month
    views: int = Field(default=0, sa_column=_count())
    visitors: int = Field(default=0, sa_column=_count())
    population: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    shares: int = Field(default=0, sa_column=_count())
    comments: int = Field(default=0, sa_column=_count())
    reactions: int = Field(default=0, sa_column=_count())
    posts: int = Field(default=0, sa_column=_count())  # published in the month
    quality_posts: int = Field(default=0, sa_column=_count())  # of those, at or above the threshold
    quality_total: int = Field(default=0, sa_column=_count())  # sum of their scores (for the average)
    trained_admins: int = Field(default=0, sa_column=_count())  # team members marked trained
    platforms: int = Field(default=0, sa_column=_count())  # social profiles linked on the site
    apbdes: bool = Field(default=False, sa_column=_flag())  # this year's APBDes published
    rpjm: bool = Field(default=False, sa_column=_flag())  # a current RPJM Desa published
    last_post_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # The latest sign-in of a team member or change of content (liveness: within 7 days).
    last_active_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # Reasons the village needs attention, as flags (see indicators.ATTENTION); 0 when none.
    attention: int = Field(default=0, sa_column=_count())
    computed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class PageDailyViews(VillageOwned, table=True):
    """Views of each address of the site per day (top posts, top pages)."""

    __tablename__ = "page_daily_views"

    village_id: int = Field(sa_column=_village_key())

    day: date = Field(sa_column=Column(Date, primary_key=True))
    path: str = Field(sa_column=Column(String(300), primary_key=True))
    views: int = Field(default=0, sa_column=_count())


class RegionMonthlyStats(SQLModel, table=True):
    """The month of a region (national ``""``, a province ``34``, a kabupaten ``34.04``, a
    kecamatan ``34.04.02``): the sums of its villages' monthly rows, kept up to date by adding each
    village's change as it is written (never recomputed from the villages on a page view)."""

    __tablename__ = "region_monthly_stats"

    region_code: str = Field(sa_column=Column(String(13), primary_key=True))
    month: date = Field(sa_column=Column(Date, primary_key=True))
    views: int = Field(default=0, sa_column=_count())
    # The sum of the villages' unique visitors (each village's site counts its own readers).
    visitors: int = Field(default=0, sa_column=_count())
    # Villages whose site had at least one reader in the month.
    villages_read: int = Field(default=0, sa_column=_count())
    # The sums of the villages' indicator rows (VillageMonthlyStats) of the month…
    villages: int = Field(default=0, sa_column=_count())  # villages with a row (a site) this month
    population: int = Field(default=0, sa_column=_count())  # of villages that gave theirs
    visitors_counted: int = Field(default=0, sa_column=_count())  # visitors of those same villages
    shares: int = Field(default=0, sa_column=_count())
    comments: int = Field(default=0, sa_column=_count())
    reactions: int = Field(default=0, sa_column=_count())
    posts: int = Field(default=0, sa_column=_count())
    quality_posts: int = Field(default=0, sa_column=_count())
    quality_total: int = Field(default=0, sa_column=_count())
    trained_admins: int = Field(default=0, sa_column=_count())
    # …and how many villages meet each target (or are live, or need attention).
    villages_reach_met: int = Field(default=0, sa_column=_count())
    villages_posts_met: int = Field(default=0, sa_column=_count())
    villages_trained_met: int = Field(default=0, sa_column=_count())
    villages_platforms_met: int = Field(default=0, sa_column=_count())
    villages_transparent: int = Field(default=0, sa_column=_count())
    villages_posted: int = Field(default=0, sa_column=_count())  # at least one post in the month
    villages_live: int = Field(default=0, sa_column=_count())  # active within 7 days
    villages_active_30: int = Field(default=0, sa_column=_count())  # active within 30 days
    villages_attention: int = Field(default=0, sa_column=_count())


def region_codes(village_code: str) -> list[str]:
    """The regions a village belongs to, from the nation down to its kecamatan."""
    parts = village_code.split(".")
    return ["", *(".".join(parts[:n]) for n in (1, 2, 3))]
