"""The village's own impact dashboard, ``/admin/dampak`` on the village's host ("kerja berdampak").

This month's indicators (DESIGN.md, "Measuring impact") against the field's targets as progress
meters, the last twelve months as bar charts, the month's most read posts, where the readers came
from and where they shared. Everything is read from the village's own rollup rows
(:mod:`etalase.platform.analytics.models`): the month's ``village_monthly_stats`` row, which is
recomputed here when it is missing or older than :data:`STALE` (a dozen small indexed queries of
one village), the daily rows of the month and the month's page views. Charts are inline SVG drawn
on the server, each with a table holding the same numbers: no script, no request elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from babel.dates import format_date
from babel.numbers import format_percent
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, literal
from sqlmodel import Session, col, select

from etalase.platform import i18n
from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.analytics import indicators
from etalase.platform.analytics.indicators import TARGETS, Indicators
from etalase.platform.analytics.models import (
    SHARE_COLUMNS,
    SOURCE_COLUMNS,
    PageDailyViews,
    VillageDailyStats,
    VillageMonthlyStats,
)
from etalase.platform.content.models import Post
from etalase.platform.i18n import _
from etalase.platform.web.deps import SessionDep
from etalase.platform.web.pages import page
from etalase.platform.web.routing import VillageTeamRoute
from etalase.platform.web.templates import angka
from etalase.tenants.models import Village, utcnow
from etalase.tenants.scope import in_village

log = logging.getLogger(__name__)
router = APIRouter(route_class=VillageTeamRoute)

ReadStats = Annotated[VillageActor, Depends(village_access(Permission.READ_STATS))]

BASE = "/admin/dampak"
STALE = timedelta(minutes=10)  # an older row of the current month is recomputed on a visit
TREND_MONTHS = 12
TOP_POSTS = 10
POST_PREFIX = "/berita/"
FRESH_DAYS = 7  # "days since the last post": green within a week, yellow within a month


# --- formatting -----------------------------------------------------------------------------------
def persen(value: float | None) -> str:
    """``82,5%`` in Indonesian, ``82.5%`` in English; ``—`` when there is nothing to divide by."""
    if value is None:
        return "—"
    return format_percent(value, format="#,##0.#%", locale=i18n.babel_locale())


def month_name(month: date, *, short: bool = False) -> str:
    return format_date(month, "MMM y" if short else "MMMM y", locale=i18n.babel_locale())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- the month's row, fresh -----------------------------------------------------------------------
def _month_row(db: Session, village_id: int, month: date) -> VillageMonthlyStats | None:
    return db.exec(
        in_village(VillageMonthlyStats, village_id).where(col(VillageMonthlyStats.month) == month)
    ).first()


def _stale(row: VillageMonthlyStats | None, now: datetime) -> bool:
    return row is None or row.computed_at is None or now - _aware(row.computed_at) > STALE


def fresh_month(db: Session, village_id: int, month: date, now: datetime) -> VillageMonthlyStats | None:
    """The village's row of ``month``, recomputed first when missing or older than :data:`STALE`.

    The village row is locked (PostgreSQL) before recomputing, so two people opening the dashboard
    at once do not both add the same change to the regions' sums; the second finds it fresh."""
    row = _month_row(db, village_id, month)
    if not _stale(row, now):
        return row
    village = db.exec(select(Village).where(col(Village.id) == village_id).with_for_update()).first()
    if village is None:
        return row
    db.expire_all()  # what another request wrote while this one waited for the lock
    if _stale(_month_row(db, village_id, month), now):
        try:
            with db.begin_nested():  # a failure leaves the page with the row as it was, not a 500
                indicators.refresh(db, village, month, now)
        except Exception:
            log.exception("indicators of village %s could not be computed", village_id)
        db.expire_all()  # the row was rewritten by an upsert, behind the session's back
    return _month_row(db, village_id, month)


# --- the meters -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Meter:
    """One indicator against its target: ``value`` and ``target`` on the same scale (a rate or a
    count); ``text`` says both in words, for everyone (the <meter> is only the picture of it)."""

    key: str
    label: str
    value: float | None
    target: float
    text: str
    status: str  # hijau, kuning, merah (indicators.status)
    detail: str = ""

    @property
    def shown(self) -> float:
        """The bar's filling, capped at the target (a full bar is "met")."""
        return min(self.value or 0, self.target)


def status_words() -> dict[str, str]:
    return {
        "hijau": _("tercapai"),
        "kuning": _("sudah separuh jalan"),
        "merah": _("perlu perhatian"),
    }


def _rate_meter(key: str, label: str, value: float | None, target: float, detail: str = "") -> Meter:
    text = _("{label} {value} dari target {target}").format(
        label=label, value=persen(value), target=persen(target)
    )
    return Meter(key, label, value, target, text, indicators.status(value, target), detail)


def _count_meter(key: str, label: str, value: int, target: int, detail: str = "") -> Meter:
    text = _("{label} {value} dari target {target}").format(
        label=label, value=angka(value), target=angka(target)
    )
    return Meter(key, label, value, target, text, indicators.status(value, target), detail)


def meters(shown: Indicators) -> list[Meter]:
    engagement_detail = _(
        "{engagements} tanggapan (komentar, reaksi, dibagikan) dari {views} tayangan."
    ).format(engagements=angka(shown.engagements), views=angka(shown.views))
    reach_detail = (
        _("{visitors} pengunjung unik dari {population} penduduk.").format(
            visitors=angka(shown.visitors), population=angka(shown.population)
        )
        if shown.population
        else ""
    )
    average = shown.quality_average
    quality_detail = (
        _("Rata-rata skor kualitas {score} dari 100.").format(score=angka(round(average)))
        if average is not None
        else ""
    )
    return [
        _rate_meter("reach", _("Jangkauan"), shown.reach, TARGETS.reach, reach_detail),
        _rate_meter(
            "engagement", _("Tingkat keterlibatan"), shown.engagement, TARGETS.engagement, engagement_detail
        ),
        _count_meter("posts", _("Berita terbit"), shown.posts, TARGETS.posts),
        _count_meter("quality", _("Berita berkualitas"), shown.quality_posts, TARGETS.posts, quality_detail),
        _count_meter("trained", _("Admin terlatih yang aktif"), shown.trained_admins, TARGETS.trained),
        _count_meter("platforms", _("Platform media sosial"), shown.platforms or 0, TARGETS.platforms),
    ]


def freshness(shown: Indicators, now: datetime) -> tuple[int | None, str]:
    """Days since the last published post and its traffic light."""
    days = shown.days_since_post(now)
    if days is None or days > TARGETS.quiet_days:
        return days, "merah"
    return days, "hijau" if days <= FRESH_DAYS else "kuning"


# --- charts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """An inline SVG bar chart, geometry computed here so the template only draws it."""

    key: str
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    horizontal: bool
    highest: int


COLUMN_WIDTH, COLUMN_HEIGHT, LABEL_SPACE, TOP_SPACE = 640, 190, 22, 20  # top: the scale's number
ROW_HEIGHT, ROW_LABEL, ROW_BAR = 26, 170, 380


def column_chart(key: str, title: str, description: str, points: Sequence[tuple[str, int]]) -> Chart:
    """Vertical bars side by side (a trend over months)."""
    highest = max((v for _label, v in points), default=0)
    slot = COLUMN_WIDTH / max(len(points), 1)
    area = COLUMN_HEIGHT - LABEL_SPACE - TOP_SPACE
    bars = []
    for i, (label, value) in enumerate(points):
        height = area * value / highest if highest else 0
        bars.append(
            Bar(
                label,
                value,
                round(i * slot + slot * 0.15, 1),
                round(TOP_SPACE + area - height, 1),
                round(slot * 0.7, 1),
                round(height, 1),
            )
        )
    return Chart(key, title, description, COLUMN_WIDTH, COLUMN_HEIGHT, tuple(bars), False, highest)


def row_chart(key: str, title: str, description: str, points: Sequence[tuple[str, int]]) -> Chart:
    """Horizontal bars one under the other (shares of a whole: sources, networks)."""
    highest = max((v for _label, v in points), default=0)
    bars = []
    for i, (label, value) in enumerate(points):
        width = ROW_BAR * value / highest if highest else 0
        bars.append(Bar(label, value, ROW_LABEL, i * ROW_HEIGHT + 4, round(width, 1), ROW_HEIGHT - 8))
    return Chart(
        key,
        title,
        description,
        ROW_LABEL + ROW_BAR + 70,
        len(points) * ROW_HEIGHT + 4,
        tuple(bars),
        True,
        highest,
    )


# --- the reads ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthFigures:
    month: date
    visitors: int
    views: int
    posts: int


def trend(db: Session, village_id: int, month: date) -> list[MonthFigures]:
    """The last :data:`TREND_MONTHS` months, oldest first; a month without a row counts zero."""
    months = indicators.months_back(month, TREND_MONTHS)
    rows = {
        r.month: r
        for r in db.exec(
            in_village(VillageMonthlyStats, village_id).where(col(VillageMonthlyStats.month).in_(months))
        ).all()
    }
    found = []
    for m in months:
        row = rows.get(m)
        found.append(MonthFigures(m, row.visitors, row.views, row.posts) if row else MonthFigures(m, 0, 0, 0))
    return found


@dataclass(frozen=True)
class TopPost:
    post_id: int
    title: str
    slug: str
    views: int


def top_posts(db: Session, village_id: int, month: date) -> list[TopPost]:
    """The month's most read posts: page views of ``/berita/<slug>`` summed over the days and joined
    to the village's own posts (both sides through the scoped path)."""
    posts = (
        in_village(Post, village_id)
        .where(col(Post.deleted_at).is_(None))
        .with_only_columns(col(Post.id), col(Post.title), col(Post.slug))
        .subquery()
    )
    views = func.sum(col(PageDailyViews.views))
    query = (
        in_village(PageDailyViews, village_id)
        .join(posts, col(PageDailyViews.path) == literal(POST_PREFIX) + posts.c.slug)
        .where(col(PageDailyViews.day) >= month, col(PageDailyViews.day) < indicators.next_month(month))
        .with_only_columns(posts.c.id, posts.c.title, posts.c.slug, views.label("views"))
        .group_by(posts.c.id, posts.c.title, posts.c.slug)
        .order_by(views.desc(), posts.c.id)
        .limit(TOP_POSTS)
    )
    return [TopPost(int(i), t, s, int(v or 0)) for i, t, s, v in db.execute(query).all()]


def month_sums(db: Session, village_id: int, month: date) -> dict[str, int]:
    """The month's arrivals by source (``from_*``) and shares by network (``shared_*``), summed
    over its daily rows in one query."""
    names = [f"from_{s}" for s in SOURCE_COLUMNS] + [f"shared_{n}" for n in SHARE_COLUMNS]
    query = (
        in_village(VillageDailyStats, village_id)
        .where(col(VillageDailyStats.day) >= month, col(VillageDailyStats.day) < indicators.next_month(month))
        .with_only_columns(*(func.coalesce(func.sum(getattr(VillageDailyStats, n)), 0) for n in names))
    )
    values = db.execute(query).one()
    return {name: int(value or 0) for name, value in zip(names, values, strict=True)}


def source_labels() -> dict[str, str]:
    return {
        "facebook": "Facebook",
        "instagram": "Instagram",
        "tiktok": "TikTok",
        "whatsapp": "WhatsApp",
        "x": "X",
        "youtube": "YouTube",
        "search": _("Mesin pencari"),
        "direct": _("Langsung (tanpa rujukan)"),
        "other": _("Situs lain"),
        "telegram": "Telegram",
    }


# --- the page -------------------------------------------------------------------------------------
@router.get(BASE, response_class=HTMLResponse, name="admin_impact")
def dashboard(request: Request, actor: ReadStats, db: SessionDep) -> Response:
    vid = actor.village.id
    now = utcnow()
    month = indicators.month_of(now)
    row = fresh_month(db, vid, month, now)
    shown = Indicators.of_village(row)
    labels = source_labels()
    months = trend(db, vid, month)
    sums = month_sums(db, vid, month)
    sources = [(labels[s], sums[f"from_{s}"]) for s in SOURCE_COLUMNS]
    shares = [(labels[n], sums[f"shared_{n}"]) for n in SHARE_COLUMNS]
    span = _("{first} sampai {last}").format(
        first=month_name(months[0].month), last=month_name(months[-1].month)
    )
    charts = {
        name: column_chart(
            name,
            title,
            _("{what} per bulan, {span}.").format(what=title, span=span),
            [(month_name(m.month, short=True), getattr(m, name)) for m in months],
        )
        for name, title in (
            ("visitors", _("Pengunjung unik")),
            ("views", _("Tayangan halaman")),
            ("posts", _("Berita terbit")),
        )
    }
    charts["sources"] = row_chart(
        "sources",
        _("Asal pengunjung"),
        _("Kedatangan pembaca menurut asalnya, {month}.").format(month=month_name(month)),
        sources,
    )
    charts["shares"] = row_chart(
        "shares",
        _("Dibagikan lewat tombol situs"),
        _("Berapa kali berita dibagikan menurut jejaring, {month}.").format(month=month_name(month)),
        shares,
    )
    days, fresh_status = freshness(shown, now)
    context = {
        "actor": actor,
        "month": month,
        "month_label": month_name(month),
        "row": row,
        "shown": shown,
        "meters": meters(shown),
        "status_words": status_words(),
        "days_since_post": days,
        "fresh_status": fresh_status,
        "months": months,
        "month_name": month_name,
        "charts": charts,
        "sources": sources,
        "shares": shares,
        "top_posts": top_posts(db, vid, month),
        "persen": persen,
        "year": month.year,
        "targets": TARGETS,
    }
    return page(request, "admin/impact.html", context)
