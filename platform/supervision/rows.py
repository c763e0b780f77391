"""A console table's rows: the sub-regions of a region (from their ``region_monthly_stats`` rows)
or the villages of a kecamatan (from their ``village_monthly_stats`` rows), each with one
:class:`Cell` per indicator column.

A village's cell shows its own value against the field's target (DESIGN.md, "Measuring impact").
A region's cell shows its rate where the rate sums up (reach, engagement) and otherwise the share
of its villages meeting the target, with the count beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.numbers import format_decimal
from sqlalchemy import and_, text
from sqlmodel import Session, col, select

from etalase.platform import i18n
from etalase.platform.analytics.indicators import TARGETS, Attention, Indicators, status
from etalase.platform.analytics.models import RegionMonthlyStats, VillageMonthlyStats
from etalase.platform.i18n import N_, _
from etalase.tenants.models import Region, Village
from etalase.tenants.resolver import TYPE_TITLE
from etalase.tenants.scope import in_villages

# A region is green on a "villages meeting the target" column when this share of its villages
# meets it, yellow from half of it: the same 80% the field sets for reach.
SHARE_TARGET = 0.80

HIJAU, KUNING, MERAH = "hijau", "kuning", "merah"
CODE = re.compile(r"^\d{2}(\.\d{2}){0,2}$")


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # N_-marked: translated where shown
    region_label: str  # the same column in a table of regions
    counts_villages: bool = True  # a region's cell is the share of villages meeting the target
    rate: bool = False  # the value is a percentage in every table (its header says so in exports)


COLUMNS: tuple[Column, ...] = (
    Column("jangkauan", N_("Jangkauan"), N_("Jangkauan"), rate=True),
    Column("engagement", N_("Keterlibatan"), N_("Keterlibatan"), counts_villages=False, rate=True),
    Column("konten", N_("Konten berkualitas"), N_("Desa capai 50 konten")),
    Column("terlatih", N_("Admin terlatih"), N_("Desa capai 10 admin terlatih")),
    Column("platform", N_("Platform sosial"), N_("Desa dengan 3 platform")),
    Column("transparansi", N_("Transparansi"), N_("Desa transparan")),
    Column("aktif", N_("Aktif 7 hari"), N_("Desa aktif 7 hari")),
    Column("posting", N_("Hari sejak posting"), N_("Desa memposting bulan ini")),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)

# The reasons of the "perlu perhatian" list, in words (N_-marked).
REASONS: tuple[tuple[Attention, str, str], ...] = (
    (Attention.NO_RECENT_POST, "posting", N_("Tidak ada posting dalam 30 hari terakhir")),
    (Attention.NO_APBDES, "apbdes", N_("APBDes tahun ini belum dipublikasikan")),
    (Attention.FEW_PLATFORMS, "platform", N_("Kurang dari 3 platform media sosial")),
    (Attention.FALLING_REACH, "jangkauan", N_("Jangkauan turun dibanding bulan sebelumnya")),
)
REASON_KEYS = {key: flag for flag, key, _text in REASONS}


def reasons(flags: int) -> list[str]:
    """The reasons a village needs attention, in words, in the current language."""
    return [_(text) for flag, _key, text in REASONS if flags & flag]


@dataclass(frozen=True)
class Cell:
    value: float | None  # what the column sorts and exports by (a percentage as 0..100)
    text: str  # as shown
    status: str | None = None  # hijau, kuning, merah; None where no target applies
    count: int | None = None  # a region's villages meeting the target
    note: str = ""


@dataclass(frozen=True)
class Row:
    code: str
    name: str  # as shown: "Kecamatan Godean", "Desa Sidomulyo"
    link: str  # the drill-down: the sub-region's table or the village's console page
    cells: dict[str, Cell]
    villages: int | None = None  # a region's villages with a row this month
    attention: int = 0  # a village's flags, or a region's villages needing attention
    reasons: tuple[str, ...] = ()  # a village's reasons in words

    @property
    def red(self) -> bool:
        return any(c.status == MERAH for c in self.cells.values())


# --- formatting --------------------------------------------------------------------------------
def percent(share: float | None) -> str:
    """``82,5%`` (Indonesian decimal comma), ``—`` when unknown."""
    if share is None:
        return "—"
    return format_decimal(share * 100, format="#,##0.0", locale=i18n.babel_locale()) + "%"


def number(value: int) -> str:
    return format_decimal(value, locale=i18n.babel_locale())


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def region_title(region: Region | None, code: str) -> str:
    """ "Kecamatan Godean", "Kabupaten Sleman" (the list names kabupaten and kota in full)."""
    if region is None:
        return code
    if region.type in ("kabupaten", "kota"):
        return region.name
    return f"{TYPE_TITLE.get(region.type, '')} {region.name}".strip()


# --- a village's cells -------------------------------------------------------------------------
def _days_status(days: int | None) -> str:
    if days is None or days > TARGETS.quiet_days:
        return MERAH
    return HIJAU if days <= TARGETS.live_days else KUNING


def village_cells(row: VillageMonthlyStats | None, at: datetime) -> dict[str, Cell]:
    ind = Indicators.of_village(row)
    platforms = ind.platforms or 0
    transparent = int(bool(ind.apbdes)) + int(bool(ind.rpjm))
    live = ind.live(at)
    days = ind.days_since_post(at)
    if transparent == 2:
        shown = _("APBDes dan RPJM")
    elif ind.apbdes:
        shown = _("APBDes saja")
    elif ind.rpjm:
        shown = _("RPJM saja")
    else:
        shown = _("Belum")
    return {
        "jangkauan": Cell(
            _pct(ind.reach),
            percent(ind.reach),
            status(ind.reach, TARGETS.reach),
            note="" if ind.population else _("jumlah penduduk belum diisi"),
        ),
        "engagement": Cell(
            _pct(ind.engagement), percent(ind.engagement), status(ind.engagement, TARGETS.engagement)
        ),
        "konten": Cell(
            ind.quality_posts,
            f"{number(ind.quality_posts)}/{TARGETS.posts}",
            status(ind.quality_posts, TARGETS.posts),
            note=_("{count} posting bulan ini").format(count=number(ind.posts)),
        ),
        "terlatih": Cell(
            ind.trained_admins,
            f"{number(ind.trained_admins)}/{TARGETS.trained}",
            status(ind.trained_admins, TARGETS.trained),
        ),
        "platform": Cell(platforms, f"{platforms}/{TARGETS.platforms}", status(platforms, TARGETS.platforms)),
        "transparansi": Cell(transparent, shown, (MERAH, KUNING, HIJAU)[transparent]),
        "aktif": Cell(int(live), _("Ya") if live else _("Tidak"), HIJAU if live else MERAH),
        "posting": Cell(
            days,
            _("belum pernah") if days is None else _("{days} hari").format(days=number(days)),
            _days_status(days),
        ),
    }


# --- a region's cells --------------------------------------------------------------------------
def _share_cell(met: int, villages: int) -> Cell:
    share = met / villages if villages else None
    return Cell(
        _pct(share),
        percent(share),
        status(share, SHARE_TARGET) if villages else None,
        count=met,
        note=_("{met} dari {all} desa").format(met=number(met), all=number(villages)),
    )


def region_cells(row: RegionMonthlyStats | None) -> dict[str, Cell]:
    ind = Indicators.of_region(row)
    n = row.villages if row else 0
    reach = Cell(
        _pct(ind.reach),
        percent(ind.reach),
        status(ind.reach, TARGETS.reach) if n else None,
        count=row.villages_reach_met if row else 0,
        note=_("{met} dari {all} desa capai 80%").format(
            met=number(row.villages_reach_met if row else 0), all=number(n)
        ),
    )
    return {
        "jangkauan": reach,
        "engagement": Cell(
            _pct(ind.engagement),
            percent(ind.engagement),
            status(ind.engagement, TARGETS.engagement) if n else None,
        ),
        "konten": _share_cell(row.villages_posts_met if row else 0, n),
        "terlatih": _share_cell(row.villages_trained_met if row else 0, n),
        "platform": _share_cell(row.villages_platforms_met if row else 0, n),
        "transparansi": _share_cell(row.villages_transparent if row else 0, n),
        "aktif": _share_cell(row.villages_live if row else 0, n),
        "posting": _share_cell(row.villages_posted if row else 0, n),
    }


# --- reading the rows --------------------------------------------------------------------------
def code_range(prefix: str) -> tuple[str, str]:
    """``code >= '34.04.' AND code < '34.04/'``: every code under ``34.04`` ('/' follows '.')."""
    return prefix + ".", prefix + "/"


def under(db: Session, column: Any, prefix: str) -> Any:
    """Codes under ``prefix``, in the form each database answers from an index. A range where the
    database sorts bytewise (SQLite; PostgreSQL with the C collation): the range also walks the
    code's ordinary index in order, so ``ORDER BY code LIMIT 50`` stops after 50 rows (17 ms ->
    0.1 ms for the last province). ``LIKE '34.04.%'`` on PostgreSQL with a linguistic collation
    (the text_pattern_ops indexes of tenants/models.py), where '.' and '/' are ignored when
    sorting and a range would be wrong."""
    if not CODE.match(prefix):
        raise ValueError(f"not a region code: {prefix!r}")
    if not _sorts_bytewise(db):
        return column.like(prefix + ".%")
    low, high = code_range(prefix)
    return and_(column >= low, column < high)


_BYTEWISE: dict[str, bool] = {}


def _sorts_bytewise(db: Session) -> bool:
    """Whether text in this database sorts by bytes; asked once per database per process."""
    engine = db.get_bind().engine
    if engine.dialect.name != "postgresql":
        return True
    key = engine.url.render_as_string(hide_password=True)
    if key not in _BYTEWISE:
        collation = db.execute(
            text("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        ).scalar_one()
        _BYTEWISE[key] = collation in ("C", "POSIX") or str(collation).startswith("C.")
    return _BYTEWISE[key]


def child_regions(db: Session, code: str) -> Sequence[Region]:
    """The provinces (nation), kabupaten/kota (province) or kecamatan (kabupaten) under ``code``."""
    query = select(Region)
    parent = col(Region.parent_code)
    query = query.where(parent.is_(None)) if not code else query.where(parent == code)
    return db.exec(query.order_by(col(Region.code))).all()


def region_rows(db: Session, code: str, month: date, link: Callable[[str], str]) -> list[Row]:
    """One row per sub-region of ``code`` (two queries, whatever the villages below)."""
    children = child_regions(db, code)
    codes = [r.code for r in children]
    stats = (
        {
            s.region_code: s
            for s in db.exec(
                select(RegionMonthlyStats).where(
                    col(RegionMonthlyStats.month) == month, col(RegionMonthlyStats.region_code).in_(codes)
                )
            ).all()
        }
        if codes
        else {}
    )
    rows = []
    for region in children:
        stat = stats.get(region.code)
        rows.append(
            Row(
                code=region.code,
                name=region_title(region, region.code),
                link=link(region.code),
                cells=region_cells(stat),
                villages=stat.villages if stat else 0,
                attention=stat.villages_attention if stat else 0,
            )
        )
    return rows


def village_rows(
    db: Session, kecamatan: str, month: date, at: datetime, link: Callable[[str], str]
) -> list[Row]:
    """One row per village site of the kecamatan (two indexed queries: the villages by code range,
    their month's rows by primary key)."""
    villages = db.exec(
        select(Village).where(under(db, col(Village.code), kecamatan)).order_by(col(Village.code))
    ).all()
    ids = [v.id for v in villages if v.id is not None]
    stats = (
        {
            s.village_id: s
            for s in db.exec(
                in_villages(VillageMonthlyStats, ids).where(col(VillageMonthlyStats.month) == month)
            ).all()
        }
        if ids
        else {}
    )
    types = dict(
        db.exec(select(Region.code, Region.type).where(under(db, col(Region.code), kecamatan))).all()
    )
    rows = []
    for village in villages:
        stat = stats.get(village.id or 0)
        flags = stat.attention if stat else 0
        rows.append(
            Row(
                code=village.code,
                name=f"{TYPE_TITLE.get(types.get(village.code, 'desa'), 'Desa')} {village.name}",
                link=link(village.code),
                cells=village_cells(stat, at),
                attention=flags,
                reasons=tuple(reasons(flags)),
            )
        )
    return rows


def scope_summary(db: Session, code: str, month: date) -> RegionMonthlyStats | None:
    """The region's own month (one row): the headline above its table."""
    return db.exec(
        select(RegionMonthlyStats).where(
            col(RegionMonthlyStats.region_code) == code, col(RegionMonthlyStats.month) == month
        )
    ).first()
