"""A village's indicators on its console page: the chosen month's cells against the targets, the
reasons it needs attention, and its twelve-month trend (two small indexed queries)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col

from etalase.platform.analytics.models import VillageMonthlyStats
from etalase.platform.i18n import _
from etalase.platform.supervision import months, trend
from etalase.platform.supervision.rows import COLUMNS, percent, reasons, village_cells
from etalase.tenants.models import Village
from etalase.tenants.scope import in_village


def context(db: Session, village: Village, month: date) -> dict[str, Any]:
    assert village.id is not None
    row = db.exec(
        in_village(VillageMonthlyStats, village.id).where(col(VillageMonthlyStats.month) == month)
    ).first()
    history = trend.months(db, village.id, month)
    bars, top = trend.bars(history)
    return {
        "month": month,
        "month_key": months.key(month),
        "month_label": months.label(month),
        "month_choices": [(months.key(m), months.label(m)) for m in months.choices()],
        "headers": [(c.key, _(c.label)) for c in COLUMNS],
        "cells": village_cells(row, months.as_of(month)),
        "has_stats": row is not None,
        "attention_reasons": reasons(row.attention if row else 0),
        "trend": history,
        "bars": bars,
        "bars_top": top,
        "chart": {"width": trend.WIDTH, "height": trend.HEIGHT, "axis": trend.AXIS},
        "percent": percent,
        "export_link": lambda fmt: f"/konsol/desa/{village.code}?bulan={months.key(month)}&format={fmt}",
    }
