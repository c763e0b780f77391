"""Read-only queries for the portal's directory: regions, their children and village sites.

Counting village sites by region is a prefix scan over `village.code` grouped by the first
2, 5 or 8 characters, so one query answers a whole level whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from etalase.tenants.models import Region, Village

MAX_RESULTS = 50
_PREFIX_LENGTH = {1: 2, 2: 5, 3: 8}


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    type: str
    sites: int  # village sites (any status) under this region
    villages: int  # official desa/kelurahan under it


@dataclass(frozen=True)
class VillageRow:
    code: str
    name: str
    type: str
    slug: str | None  # None: no site yet
    active: bool


@dataclass(frozen=True)
class SearchHit:
    code: str
    name: str
    type: str
    slug: str | None
    path: str


def breadcrumb(session: Session, code: str) -> list[Region]:
    parts = code.split(".")
    prefixes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    rows = session.exec(select(Region).where(col(Region.code).in_(prefixes))).all()
    return sorted(rows, key=lambda r: r.level)


def _counts(
    session: Session, code: Any, parent: str, level: int, extra: ColumnElement[bool] | None = None
) -> dict[str, int]:
    """How many rows under each region of ``level``, by the code prefix of that level."""
    group = func.substr(code, 1, _PREFIX_LENGTH[level])
    query = sa_select(group, func.count()).group_by(group)
    if parent:
        query = query.where(code.like(parent + ".%"))
    if extra is not None:
        query = query.where(extra)
    return {str(key): int(n) for key, n in session.execute(query).all()}


def children(session: Session, code: str) -> list[RegionRow]:
    """Sub-regions of a province/kabupaten ("" = the provinces), with how many have sites."""
    level = len(code.split(".")) + 1 if code else 1
    query = select(Region).where(Region.level == level)
    query = query.where(Region.parent_code == code) if code else query
    regions = session.exec(query.order_by(Region.code)).all()
    sites = _counts(session, Village.code, code, level)
    villages = _counts(session, Region.code, code, level, col(Region.level) == 4)
    return [RegionRow(r.code, r.name, r.type, sites.get(r.code, 0), villages.get(r.code, 0)) for r in regions]


def villages_in(session: Session, kecamatan: str) -> list[VillageRow]:
    rows = session.execute(
        sa_select(
            col(Region.code), col(Region.name), col(Region.type), col(Village.slug), col(Village.status)
        )
        .join(Village, col(Village.code) == col(Region.code), isouter=True)
        .where(col(Region.parent_code) == kecamatan)
        .order_by(col(Region.name))
    ).all()
    return [VillageRow(code, name, kind, slug, status == "active") for code, name, kind, slug, status in rows]


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, term: str) -> list[SearchHit]:
    """Villages (with or without a site) and regions whose name contains the term."""
    pattern = _like(term.strip().lower())
    rows = session.exec(
        select(Region.code, Region.name, Region.type, Village.slug)
        .join(Village, col(Village.code) == col(Region.code), isouter=True)
        .where(func.lower(Region.name).like(pattern, escape="\\"))
        # Villages with sites first, then higher levels before villages, then by name.
        .order_by(or_(col(Village.slug).is_(None)), Region.level.desc(), Region.name)  # type: ignore[attr-defined]
        .limit(MAX_RESULTS)
    ).all()
    parents = {code[:i] for code, *_ in rows for i in (2, 5, 8) if len(code) > i}
    names = dict(session.exec(select(Region.code, Region.name).where(col(Region.code).in_(parents))).all())
    hits = []
    for code, name, kind, slug in rows:
        path = ", ".join(names[code[:i]] for i in (8, 5, 2) if len(code) > i and code[:i] in names)
        hits.append(SearchHit(code, name, kind, slug, path))
    return hits
