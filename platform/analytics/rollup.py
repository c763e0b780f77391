"""From the counters to the daily tables: every round of the clock (``content/ticker``), the
(village, day) pairs counted since the last round are written as absolute totals (so writing one
twice changes nothing), with the month's unique visitors beside them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from etalase.platform.analytics import indicators
from etalase.platform.analytics.models import (
    SHARE_COLUMNS,
    SOURCE_COLUMNS,
    PageDailyViews,
    VillageDailyStats,
)
from etalase.platform.runtime import Runtime
from etalase.tenants.models import Village
from etalase.tenants.scope import in_village

MAX_PATHS = 500  # addresses kept per village and day (the long tail is crawl noise)


def _upsert(db: Session, model: type[Any], values: dict[str, Any], keys: tuple[str, ...]) -> None:
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values)
    update = {k: v for k, v in values.items() if k not in keys}
    db.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=update))


def flush(runtime: Runtime) -> int:
    """Write what was counted since the last round; returns the number of (village, day) pairs."""
    runtime.views.flush()  # this process's buffer first
    store = runtime.views.store
    pairs = store.dirty()
    if not pairs:
        return 0
    # Crosses villages on purpose: the counters hold every village's views.
    with runtime.session(all_villages=True) as db:
        for village_id, day in pairs:
            _write_day(db, store, village_id, day)
    store.clean(pairs)
    return len(pairs)


def _write_day(db: Session, store: Any, village_id: int, day: date) -> None:
    totals = store.totals(village_id, day)
    row: dict[str, Any] = {
        "village_id": village_id,
        "day": day,
        "views": totals.views,
        "visitors": totals.visitors,
    }
    row.update({f"from_{name}": int(totals.sources.get(name, 0)) for name in SOURCE_COLUMNS})
    row.update({f"shared_{name}": int(totals.shares.get(name, 0)) for name in SHARE_COLUMNS})
    _upsert(db, VillageDailyStats, row, ("village_id", "day"))
    top = sorted(totals.paths.items(), key=lambda item: -item[1])[:MAX_PATHS]
    for path, count in top:
        _upsert(
            db,
            PageDailyViews,
            {"village_id": village_id, "day": day, "path": path, "views": count},
            ("village_id", "day", "path"),
        )
    month = day.replace(day=1)
    after = (month + timedelta(days=32)).replace(day=1)
    days_of_month = in_village(VillageDailyStats, village_id).where(
        col(VillageDailyStats.day) >= month, col(VillageDailyStats.day) < after
    )
    month_views = db.execute(
        days_of_month.with_only_columns(func.coalesce(func.sum(VillageDailyStats.views), 0))
    ).scalar_one()
    village = db.get(Village, village_id)
    if village is None:
        return
    # The month's row through the indicators, which add the change to the village's regions.
    indicators.store(
        db,
        village,
        month,
        {"views": int(month_views), "visitors": store.month_visitors(village_id, month)},
    )


def visits_so_far(db: Session, village_id: int) -> int:
    """Visits of the village's site since counting began (each visitor once a day), for the
    "pengunjung" widget: the daily rows, which the clock brings up to date every half minute."""
    total = db.execute(
        in_village(VillageDailyStats, village_id).with_only_columns(
            func.coalesce(func.sum(col(VillageDailyStats.visitors)), 0)
        )
    ).scalar_one()
    return int(total)
