"""Open data on the portal: the monthly aggregates of every region, as JSON and CSV.

- ``GET /api/v1/data/wilayah``: JSON, paginated (:data:`PER_PAGE` rows a page), with metadata
  (licence, columns and their meaning);
- ``GET /data/wilayah.csv``: the same rows as CSV, every row of the level at once (a month of
  kecamatan is 7,285 rows, about 1 MB).

Query: ``?bulan=2026-11&tingkat=provinsi|kabupaten|kecamatan|nasional&induk=34``. Only the region
rollups (``region_monthly_stats``) are read: sums and counts of villages, never a village's own row,
a name of a person or anything a village keeps private. Every region of the level is listed, with
zeros where no village has a site yet, so the rows of a level are the same every month.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import and_, func, literal, select
from sqlmodel import Session, col

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.analytics.indicators import month_of
from etalase.platform.analytics.models import RegionMonthlyStats
from etalase.platform.i18n import _
from etalase.platform.web.deps import CrossVillageSessionDep, settings_of
from etalase.platform.web.routing import PortalRoute
from etalase.tenants.models import Region, utcnow
from etalase.tenants.service import REGION_CODE, normalize_code

router = APIRouter(route_class=PortalRoute, dependencies=[Depends(PUBLIC)])

PER_PAGE = 1000
LEVELS = {"nasional": 0, "provinsi": 1, "kabupaten": 2, "kecamatan": 3}
CODE_LENGTH = {0: 0, 1: 2, 2: 5, 3: 8}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
LICENCE = {
    "nama": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.id",
    "atribusi": "Etalase · Website Desa, data agregat wilayah",
}
# Past months change only through a repair; the current month moves with the clock.
CACHE_PAST = "public, max-age=86400"
CACHE_CURRENT = "public, max-age=900"

# (column, source in region_monthly_stats, description): the documented columns, in order.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("kode", "", "Kode wilayah Kemendagri (kosong untuk nasional)"),
    ("nama", "", "Nama wilayah"),
    ("tingkat", "", "nasional, provinsi, kabupaten, atau kecamatan"),
    ("bulan", "", "Bulan data (YYYY-MM)"),
    ("desa_bersitus", "villages", "Desa/kelurahan yang punya situs aktif pada bulan itu"),
    ("desa_aktif_7_hari", "villages_live", "Desa yang timnya masuk atau mengubah isi dalam 7 hari"),
    ("desa_aktif_30_hari", "villages_active_30", "Desa yang aktif dalam 30 hari"),
    ("desa_menerbitkan", "villages_posted", "Desa yang menerbitkan minimal satu berita pada bulan itu"),
    ("desa_dibaca", "villages_read", "Desa yang situsnya punya minimal satu pembaca pada bulan itu"),
    ("berita", "posts", "Berita yang terbit pada bulan itu"),
    ("berita_berkualitas", "quality_posts", "Berita yang memenuhi skor kualitas"),
    ("tayangan", "views", "Tayangan halaman"),
    ("pengunjung", "visitors", "Jumlah pengunjung unik tiap situs desa, dijumlahkan"),
    ("penduduk_tercatat", "population", "Jumlah penduduk desa yang mengisi data penduduk"),
    ("pengunjung_tercatat", "visitors_counted", "Pengunjung unik desa-desa yang penduduknya tercatat"),
    ("jangkauan", "", "pengunjung_tercatat / penduduk_tercatat (0–1; kosong bila tidak ada data)"),
    ("komentar", "comments", "Komentar yang terbit"),
    ("reaksi", "reactions", "Reaksi pembaca"),
    ("dibagikan", "shares", "Ketukan tombol bagikan"),
    ("admin_terlatih", "trained_admins", "Anggota tim desa yang sudah dilatih dan aktif"),
    ("desa_target_jangkauan", "villages_reach_met", "Desa yang mencapai target jangkauan (80%)"),
    ("desa_target_berita", "villages_posts_met", "Desa dengan minimal 50 berita berkualitas"),
    ("desa_target_admin", "villages_trained_met", "Desa dengan minimal 10 admin terlatih"),
    ("desa_target_platform", "villages_platforms_met", "Desa yang memakai minimal 3 media sosial"),
    ("desa_transparan", "villages_transparent", "Desa yang menerbitkan APBDes tahun ini dan RPJM Desa"),
    ("desa_perlu_perhatian", "villages_attention", "Desa yang perlu perhatian pendamping"),
)
COUNTED = tuple((name, source) for name, source, _d in COLUMNS if source)


class QueryError(ValueError):
    """A parameter the endpoint cannot answer; the message is for the person who typed it."""


@dataclass(frozen=True)
class Query:
    month: date
    level: int
    parent: str

    @property
    def level_name(self) -> str:
        return next(name for name, n in LEVELS.items() if n == self.level)

    @property
    def current(self) -> bool:
        return self.month >= month_of(utcnow())


def latest_month(db: Session) -> date:
    """The newest month of the national row (the data's own "now"), or this month."""
    table: Any = RegionMonthlyStats.__table__  # type: ignore[attr-defined]
    found = db.execute(select(func.max(table.c.month)).where(table.c.region_code == "")).scalar_one()
    return found if isinstance(found, date) else month_of(utcnow())


def parse_query(db: Session, bulan: str, tingkat: str, induk: str) -> Query:
    bulan, tingkat, induk = bulan.strip()[:7], tingkat.strip().lower()[:20], induk.strip()[:20]
    if bulan:
        match = MONTH.match(bulan)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            raise QueryError(_("Parameter bulan harus berformat TTTT-BB, misalnya 2026-11."))
        month = date(int(match.group(1)), int(match.group(2)), 1)
    else:
        month = latest_month(db)
    tingkat = tingkat or "provinsi"
    if tingkat not in LEVELS:
        raise QueryError(_("Parameter tingkat harus nasional, provinsi, kabupaten, atau kecamatan."))
    level = LEVELS[tingkat]
    parent = normalize_code(induk) if induk else ""
    if parent and (not REGION_CODE.match(parent) or len(parent) >= CODE_LENGTH[level]):
        raise QueryError(_("Parameter induk harus kode wilayah di atas tingkat yang diminta, misalnya 34."))
    return Query(month, level, parent)


def _statement(query: Query) -> Any:
    """Rows of the level (every region of it, zeros where no row), ordered by code."""
    stats: Any = RegionMonthlyStats.__table__  # type: ignore[attr-defined]
    counted = [func.coalesce(stats.c[source], 0).label(name) for name, source in COUNTED]
    if query.level == 0:  # the nation: its one row, or a row of zeros before any data
        nation = select(literal("").label("code"), literal("Indonesia").label("name")).subquery()
        return select(nation.c.code, nation.c.name, *counted).select_from(
            nation.outerjoin(stats, and_(stats.c.region_code == nation.c.code, stats.c.month == query.month))
        )
    region: Any = Region.__table__  # type: ignore[attr-defined]
    statement = (
        select(region.c.code.label("code"), region.c.name.label("name"), *counted)
        .select_from(
            region.outerjoin(stats, and_(stats.c.region_code == region.c.code, stats.c.month == query.month))
        )
        .where(region.c.level == query.level)
    )
    if query.parent:
        statement = statement.where(col(Region.code).startswith(query.parent + ".", autoescape=True))
    return statement.order_by(region.c.code)


def count_rows(db: Session, query: Query) -> int:
    if query.level == 0:
        return 1
    region: Any = Region.__table__  # type: ignore[attr-defined]
    statement = select(func.count()).select_from(region).where(region.c.level == query.level)
    if query.parent:
        statement = statement.where(col(Region.code).startswith(query.parent + ".", autoescape=True))
    return int(db.execute(statement).scalar_one())


def rows(db: Session, query: Query, offset: int = 0, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The open-data rows of the query, each a dict of :data:`COLUMNS`."""
    statement = _statement(query).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    month = query.month.strftime("%Y-%m")
    for found in db.execute(statement).mappings():
        row: dict[str, Any] = {"kode": found["code"], "nama": found["name"], "tingkat": query.level_name}
        row["bulan"] = month
        row.update({name: int(found[name]) for name, _source in COUNTED})
        known = row["penduduk_tercatat"]
        row["jangkauan"] = round(row["pengunjung_tercatat"] / known, 4) if known else None
        yield {name: row[name] for name, _s, _d in COLUMNS}


def _headers(query: Query) -> dict[str, str]:
    return {
        "Cache-Control": CACHE_CURRENT if query.current else CACHE_PAST,
        "Access-Control-Allow-Origin": "*",  # open data: any site may read it
        "Link": f'<{LICENCE["url"]}>; rel="license"',
    }


def _refusal(error: QueryError) -> JSONResponse:
    return JSONResponse({"galat": str(error)}, status_code=400)


@router.get("/api/v1/data/wilayah", name="opendata_regions")
def regions_json(
    request: Request,
    db: CrossVillageSessionDep,
    bulan: str = "",
    tingkat: str = "",
    induk: str = "",
    halaman: str = "1",
) -> Response:
    try:
        query = parse_query(db, bulan, tingkat, induk)
        if not halaman.isdecimal() or not 1 <= int(halaman) <= 10_000:
            raise QueryError(_("Parameter halaman harus angka mulai dari 1."))
    except QueryError as error:
        return _refusal(error)
    number = int(halaman)
    total = count_rows(db, query)
    found = list(rows(db, query, (number - 1) * PER_PAGE, PER_PAGE))
    params = {"bulan": query.month.strftime("%Y-%m"), "tingkat": query.level_name}
    if query.parent:
        params["induk"] = query.parent
    base = settings_of(request).public_url(path="/api/v1/data/wilayah")
    following = (
        f"{base}?{urlencode({**params, 'halaman': number + 1})}" if number * PER_PAGE < total else None
    )
    body = {
        "lisensi": LICENCE,
        "keterangan": _(
            "Agregat bulanan situs desa per wilayah. Tidak memuat data pribadi atau data satu desa."
        ),
        "bulan": params["bulan"],
        "tingkat": query.level_name,
        "induk": query.parent or None,
        "kolom": [{"nama": name, "keterangan": text} for name, _s, text in COLUMNS],
        "jumlah": total,
        "halaman": number,
        "per_halaman": PER_PAGE,
        "halaman_berikutnya": following,
        "csv": settings_of(request).public_url(path=f"/data/wilayah.csv?{urlencode(params)}"),
        "data": found,
    }
    return JSONResponse(body, headers=_headers(query))


@router.get("/data/wilayah.csv", name="opendata_regions_csv")
def regions_csv(db: CrossVillageSessionDep, bulan: str = "", tingkat: str = "", induk: str = "") -> Response:
    try:
        query = parse_query(db, bulan, tingkat, induk)
    except QueryError as error:
        return Response(str(error) + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[name for name, _s, _d in COLUMNS], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(db, query))
    parts = ["wilayah", query.level_name, *([query.parent] if query.parent else []), f"{query.month:%Y-%m}"]
    headers = {**_headers(query), "Content-Disposition": f'attachment; filename="{"-".join(parts)}.csv"'}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
