"""National monitoring for the ministry (``/konsol/nasional``): totals and rates by province and
over the last twelve months, from the region rollups only.

Who: the platform operator and supervisors with the national scope (``""``); a supervisor of a
province, kabupaten or kecamatan is refused (403), like a village team on the portal. What: for the
chosen month, one row per province (38 ``region_monthly_stats`` rows) and the national row of each
of the last twelve months: villages with a site, the share of them active within 30 days, posts
and reach (unique visitors / population of the villages that gave it). Charts are inline SVG drawn
here, each followed by the same numbers as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import and_, select
from sqlmodel import Session

from etalase.platform import i18n
from etalase.platform.accounts.authz import Forbidden, Permission, ScopeActor, scope_access
from etalase.platform.analytics.indicators import TARGETS, month_of, months_back, ratio, status
from etalase.platform.analytics.models import RegionMonthlyStats
from etalase.platform.i18n import _
from etalase.platform.web.deps import CrossVillageSessionDep
from etalase.platform.web.opendata import MONTH
from etalase.platform.web.pages import page
from etalase.platform.web.routing import PortalRoute
from etalase.tenants.models import Region, utcnow

router = APIRouter(route_class=PortalRoute)

Supervise = Annotated[ScopeActor, Depends(scope_access(Permission.SUPERVISE))]

TREND_MONTHS = 12


def percent(value: float | None) -> str:
    """``82,5%`` (``82.5%`` in English); an em dash when there is nothing to divide."""
    if value is None:
        return "—"
    return format_decimal(value * 100, format="#,##0.0", locale=i18n.babel_locale()) + "%"


def month_name(month: date, short: bool = False) -> str:
    return format_date(month, format="MMM yy" if short else "MMMM y", locale=i18n.babel_locale())


@dataclass(frozen=True)
class Figures:
    """One region's (or one month's) numbers as the page shows them."""

    code: str
    name: str
    month: date
    villages: int  # with a site (a stats row) that month
    active_30: int
    live: int
    posts: int
    quality_posts: int
    visitors_counted: int
    population: int
    attention: int

    @property
    def active_share(self) -> float | None:
        return ratio(self.active_30, self.villages)

    @property
    def reach(self) -> float | None:
        return ratio(self.visitors_counted, self.population)

    @property
    def reach_status(self) -> str:
        return status(self.reach, TARGETS.reach)

    @classmethod
    def of(cls, code: str, name: str, month: date, row: Any) -> Figures:
        def value(column: str) -> int:
            return int(getattr(row, column, 0) or 0) if row is not None else 0

        return cls(
            code=code,
            name=name,
            month=month,
            villages=value("villages"),
            active_30=value("villages_active_30"),
            live=value("villages_live"),
            posts=value("posts"),
            quality_posts=value("quality_posts"),
            visitors_counted=value("visitors_counted"),
            population=value("population"),
            attention=value("villages_attention"),
        )


def provinces(db: Session, month: date) -> list[Figures]:
    """The 38 provinces of the month (a province without sites gives a row of zeros)."""
    stats: Any = RegionMonthlyStats.__table__  # type: ignore[attr-defined]
    region: Any = Region.__table__  # type: ignore[attr-defined]
    found = db.execute(
        select(region.c.code, region.c.name, stats)
        .select_from(
            region.outerjoin(stats, and_(stats.c.region_code == region.c.code, stats.c.month == month))
        )
        .where(region.c.level == 1)
        .order_by(region.c.code)
    ).all()
    return [Figures.of(row.code, row.name, month, row) for row in found]


def national_trend(db: Session, month: date, count: int = TREND_MONTHS) -> list[Figures]:
    """The national row of each of the ``count`` months ending with ``month``, oldest first."""
    months = months_back(month, count)
    stats: Any = RegionMonthlyStats.__table__  # type: ignore[attr-defined]
    found = {
        row.month: row
        for row in db.execute(select(stats).where(stats.c.region_code == "", stats.c.month.in_(months))).all()
    }
    return [Figures.of("", "Indonesia", m, found.get(m)) for m in months]


# --- charts --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as written under or beside the bar
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    width: int
    height: int
    horizontal: bool
    bars: list[Bar]


def column_chart(key: str, title: str, description: str, values: list[tuple[str, float, str]]) -> Chart:
    """Vertical bars, one per ``(label, value, text)``: months on the x axis."""
    width, height, top, bottom = 640, 220, 24, 36
    step = width / max(len(values), 1)
    most = max((v for _l, v, _t in values), default=0) or 1
    bars = []
    for n, (label, value, text) in enumerate(values):
        h = (height - top - bottom) * max(value, 0) / most
        bars.append(Bar(label, text, n * step + step * 0.15, height - bottom - h, step * 0.7, h))
    return Chart(key, title, description, width, height, False, bars)


def row_chart(key: str, title: str, description: str, values: list[tuple[str, float, str]]) -> Chart:
    """Horizontal bars, one per ``(label, value, text)``: the provinces, one under another."""
    width, label_width, text_width, row = 640, 200, 70, 18
    most = max((v for _l, v, _t in values), default=0) or 1
    span = width - label_width - text_width
    bars = [
        Bar(label, text, label_width, n * row + 2, span * max(value, 0) / most, row - 4)
        for n, (label, value, text) in enumerate(values)
    ]
    return Chart(key, title, description, width, max(len(values), 1) * row + 4, True, bars)


def charts(trend: list[Figures], regions: list[Figures]) -> list[Chart]:
    months = [(month_name(f.month, short=True), f) for f in trend]
    return [
        column_chart(
            "berita",
            _("Berita terbit per bulan"),
            _("Jumlah berita yang terbit di semua situs desa tiap bulan, 12 bulan terakhir."),
            [(label, f.posts, format_decimal(f.posts, locale=i18n.babel_locale())) for label, f in months],
        ),
        column_chart(
            "aktif",
            _("Desa aktif dalam 30 hari"),
            _("Persentase desa bersitus yang timnya aktif dalam 30 hari, 12 bulan terakhir."),
            [(label, f.active_share or 0, percent(f.active_share)) for label, f in months],
        ),
        column_chart(
            "jangkauan",
            _("Jangkauan per bulan"),
            _("Pengunjung unik dibagi jumlah penduduk desa yang datanya tercatat, 12 bulan terakhir."),
            [(label, f.reach or 0, percent(f.reach)) for label, f in months],
        ),
        row_chart(
            "provinsi",
            _("Desa aktif dalam 30 hari per provinsi"),
            _("Persentase desa bersitus yang aktif dalam 30 hari di tiap provinsi pada bulan terpilih."),
            [(f.name, f.active_share or 0, percent(f.active_share)) for f in regions],
        ),
    ]


# --- the page ------------------------------------------------------------------------------------
def chosen_month(bulan: str, choices: list[date]) -> date:
    match = MONTH.match(bulan.strip()[:7])
    if match and 1 <= int(match.group(2)) <= 12:
        wanted = date(int(match.group(1)), int(match.group(2)), 1)
        if wanted in choices:
            return wanted
    return choices[-1]


@router.get("/konsol/nasional", response_class=HTMLResponse, name="console_national")
def national(request: Request, actor: Supervise, db: CrossVillageSessionDep, bulan: str = "") -> Response:
    if actor.scope != "":
        raise Forbidden(_("Pemantauan nasional hanya untuk pendamping tingkat nasional dan kementerian."))
    choices = months_back(month_of(utcnow()), TREND_MONTHS)
    month = chosen_month(bulan, choices)
    regions = provinces(db, month)
    trend = national_trend(db, month)
    context = {
        "actor": actor,
        "month": month,
        "choices": list(reversed(choices)),
        "nation": trend[-1],
        "regions": regions,
        "trend": trend,
        "charts": charts(trend, regions),
        "targets": TARGETS,
        "percent": percent,
        "month_name": month_name,
    }
    return page(request, "admin/national.html", context)
