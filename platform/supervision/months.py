"""The console's month picker: this month and the eleven before it, as ``2026-11``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from babel.dates import format_date

from etalase.platform import i18n
from etalase.platform.analytics.indicators import month_of, months_back, next_month
from etalase.tenants.models import utcnow

PICKER_MONTHS = 12


def choices(now: datetime | None = None) -> list[date]:
    """The months a supervisor can pick, newest first."""
    return list(reversed(months_back(month_of(now or utcnow()), PICKER_MONTHS)))


def parse(raw: str, now: datetime | None = None) -> date:
    """``2026-11`` when it is one of :func:`choices`, else this month (a stale or odd link still
    shows a page)."""
    offered = choices(now)
    text = (raw or "").strip()
    year, _sep, month = text.partition("-")
    if year.isdecimal() and month.isdecimal() and len(year) == 4 and len(month) <= 2:
        wanted = (int(year), int(month))
        for candidate in offered:
            if (candidate.year, candidate.month) == wanted:
                return candidate
    return offered[0]


def key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def label(month: date) -> str:
    """``November 2026`` in the current language."""
    return format_date(month, format="MMMM y", locale=i18n.babel_locale())


def as_of(month: date, now: datetime | None = None) -> datetime:
    """The moment a month's liveness and quiet days are measured at: now for the current month,
    the month's last second for a past one."""
    now = now or utcnow()
    end = datetime(next_month(month).year, next_month(month).month, 1, tzinfo=UTC) - timedelta(seconds=1)
    return min(now, end)
