"""A village's twelve months on its console page: one ``village_monthly_stats`` row per month (a
single indexed query), as a table and as a server-rendered SVG bar chart of its readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col

from etalase.platform.analytics.indicators import Indicators, months_back
from etalase.platform.analytics.models import VillageMonthlyStats
from etalase.platform.i18n import _
from etalase.platform.supervision.export import Value
from etalase.platform.supervision.months import label as month_label
from etalase.platform.supervision.rows import number, percent, reasons
from etalase.tenants.scope import in_village

MONTHS = 12
# The chart's drawing box (viewBox units; the SVG scales to the screen).
WIDTH, HEIGHT, AXIS = 600, 220, 30


@dataclass(frozen=True)
class TrendMonth:
    month: date
    label: str
    row: VillageMonthlyStats | None
    indicators: Indicators


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the month, short
    value: str  # as read aloud in the bar's <title>


def months(db: Session, village_id: int, last: date) -> list[TrendMonth]:
    wanted = months_back(last, MONTHS)
    rows = {
        r.month: r
        for r in db.exec(
            in_village(VillageMonthlyStats, village_id).where(col(VillageMonthlyStats.month).in_(wanted))
        ).all()
    }
    return [TrendMonth(m, month_label(m), rows.get(m), Indicators.of_village(rows.get(m))) for m in wanted]


def bars(trend: list[TrendMonth]) -> tuple[list[Bar], int]:
    """Bars of the monthly unique visitors, scaled to the busiest month; returns the bars and that
    month's count (the axis top)."""
    top = max((t.indicators.visitors for t in trend), default=0)
    step = (WIDTH - AXIS) / max(1, len(trend))
    drawn = []
    for n, t in enumerate(trend):
        height = (HEIGHT - AXIS) * t.indicators.visitors / top if top else 0
        drawn.append(
            Bar(
                x=round(AXIS + n * step + step * 0.15, 1),
                y=round(HEIGHT - AXIS - height, 1),
                width=round(step * 0.7, 1),
                height=round(height, 1),
                label=f"{t.month.month:02d}/{t.month.year % 100:02d}",
                value=_("{month}: {count} pengunjung unik").format(
                    month=t.label, count=number(t.indicators.visitors)
                ),
            )
        )
    return drawn, top


def sheet(trend: list[TrendMonth]) -> tuple[list[str], list[list[Value]]]:
    header = [
        _("Bulan"),
        _("Pengunjung unik"),
        _("Tayangan"),
        _("Jangkauan (%)"),
        _("Keterlibatan (%)"),
        _("Posting"),
        _("Konten berkualitas"),
        _("Admin terlatih"),
        _("Platform sosial"),
        _("APBDes"),
        _("RPJM Desa"),
        _("Perlu perhatian"),
    ]
    lines: list[list[Value]] = []
    for t in trend:
        ind = t.indicators
        lines.append(
            [
                f"{t.month.year:04d}-{t.month.month:02d}",
                ind.visitors,
                ind.views,
                None if ind.reach is None else round(ind.reach * 100, 1),
                None if ind.engagement is None else round(ind.engagement * 100, 1),
                ind.posts,
                ind.quality_posts,
                ind.trained_admins,
                ind.platforms,
                _("ya") if ind.apbdes else _("tidak"),
                _("ya") if ind.rpjm else _("tidak"),
                "; ".join(reasons(ind.attention)),
            ]
        )
    return header, lines


__all__ = ["Bar", "TrendMonth", "bars", "months", "percent", "sheet"]
