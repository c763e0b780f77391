"""The "perlu perhatian" list of a scope: the villages whose month has attention flags, read from
``village_monthly_stats`` joined to ``village`` by the scope's code range, one page at a time (a
national scope has tens of thousands)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from etalase.platform.analytics.models import VillageMonthlyStats
from etalase.platform.supervision.rows import REASON_KEYS, reasons, region_title, scope_summary, under
from etalase.tenants.models import Region, Village
from etalase.tenants.scope import with_village

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # more than the villages of the country: an export is never cut short


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    kecamatan: str
    flags: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class AttentionQuery:
    cari: str = ""
    alasan: str = ""  # one reason only (see rows.REASONS), or every reason
    urut: str = "kode"  # kode or nama


def _filtered(db: Session, query: Any, scope: str, month: date, wanted: AttentionQuery) -> Any:
    query = query.where(col(VillageMonthlyStats.month) == month, col(VillageMonthlyStats.attention) != 0)
    if scope:
        query = query.where(under(db, col(Village.code), scope))
    flag = REASON_KEYS.get(wanted.alasan)
    if flag is not None:
        query = query.where(col(VillageMonthlyStats.attention).op("&")(int(flag)) != 0)
    if wanted.cari:
        query = query.where(col(Village.name).icontains(wanted.cari, autoescape=True))
    return query


def count(db: Session, scope: str, month: date, wanted: AttentionQuery) -> int:
    """How many villages of the scope need attention: the region's rollup row when unfiltered
    (one row), a count of the matching rows otherwise."""
    if not wanted.alasan and not wanted.cari:
        summary = scope_summary(db, scope, month)
        return summary.villages_attention if summary else 0
    rows = _filtered(
        db, with_village(select(col(VillageMonthlyStats.month)), VillageMonthlyStats), scope, month, wanted
    )
    return int(db.exec(select(func.count()).select_from(rows.subquery())).one())


# Well under PostgreSQL's 65,535 bound parameters: a national export names ~80,000 villages.
LOOKUP_CHUNK = 5_000


def _regions(db: Session, codes: set[str]) -> dict[str, Region]:
    """The regions of these codes (villages and their kecamatan), a chunk of codes per query."""
    ordered = sorted(codes)
    found: dict[str, Region] = {}
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        found.update((r.code, r) for r in db.exec(select(Region).where(col(Region.code).in_(chunk))).all())
    return found


def entries(
    db: Session, scope: str, month: date, wanted: AttentionQuery, *, offset: int = 0, limit: int = PAGE_SIZE
) -> list[Entry]:
    """A page of the list, in code order (or by name), with each village's kecamatan named."""
    query = _filtered(
        db, with_village(select(VillageMonthlyStats), VillageMonthlyStats), scope, month, wanted
    )
    order = col(Village.name) if wanted.urut == "nama" else col(Village.code)
    found = [
        (row[0], row[1])
        for row in db.execute(query.order_by(order, col(Village.code)).offset(offset).limit(limit)).all()
    ]
    regions = _regions(db, {village.code[:8] for _s, village in found} | {v.code for _s, v in found})
    return [
        Entry(
            code=village.code,
            name=region_title(regions[village.code], village.code)
            if village.code in regions
            else village.name,
            kecamatan=region_title(regions.get(village.code[:8]), village.code[:8]),
            flags=stats.attention,
            reasons=tuple(reasons(stats.attention)),
        )
        for stats, village in found
    ]
