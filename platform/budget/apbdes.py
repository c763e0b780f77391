"""APBDes: a village's yearly budget, its lines, and the figures the public page shows.

The chart of accounts is the one of Permendagri 20/2018: three groups (``kelompok``) —
pendapatan by source, belanja by the five standard bidang, pembiayaan as penerimaan and
pengeluaran — and within each a free ``uraian`` (sub-bidang or detail). Only detail lines are
stored; every total is computed from them, so a total can never disagree with its lines.

Functions take the request's session and the village, never commit, and raise
:class:`~etalase.platform.content.workflow.ContentError` (a sentence for the person) before
changing anything. Publishing or changing a published year bumps the village's content version so
the page cache shows it at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlmodel import Session, col

from etalase.platform.budget.models import ApbdesLine, ApbdesYear
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import N_, _
from etalase.tenants.models import utcnow
from etalase.tenants.scope import get_in_village, in_village

FIRST_YEAR = 2000
MAX_URAIAN = 200
MAX_AMOUNT = 10**15  # a thousand trillion rupiah: far above any village budget, far below BIGINT
MAX_LINES = 2000

# The groups, in the order of the APBDes (and of every table and chart).
GROUPS = ("pendapatan", "belanja", "pembiayaan")
GROUP_NAMES = {"pendapatan": N_("Pendapatan"), "belanja": N_("Belanja"), "pembiayaan": N_("Pembiayaan")}

# What each group is divided into: the official names, and the words that recognise them in an
# import (checked in order, on the lower-cased text without a leading "bidang"/number).
PENDAPATAN_SOURCES = (
    "Pendapatan Asli Desa",
    "Dana Desa",
    "Alokasi Dana Desa",
    "Bagi Hasil Pajak dan Retribusi",
    "Bantuan Keuangan",
    "Lain-lain Pendapatan Desa yang Sah",
)
BELANJA_BIDANG = (
    "Penyelenggaraan Pemerintahan Desa",
    "Pelaksanaan Pembangunan Desa",
    "Pembinaan Kemasyarakatan Desa",
    "Pemberdayaan Masyarakat Desa",
    "Penanggulangan Bencana, Keadaan Darurat dan Mendesak Desa",
)
PEMBIAYAAN_KINDS = ("Penerimaan Pembiayaan", "Pengeluaran Pembiayaan")
PARTS: dict[str, tuple[str, ...]] = {
    "pendapatan": PENDAPATAN_SOURCES,
    "belanja": BELANJA_BIDANG,
    "pembiayaan": PEMBIAYAAN_KINDS,
}
_KEYWORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "pendapatan": (
        ("asli", PENDAPATAN_SOURCES[0]),
        ("pad", PENDAPATAN_SOURCES[0]),
        ("alokasi", PENDAPATAN_SOURCES[2]),
        ("add", PENDAPATAN_SOURCES[2]),
        ("dana desa", PENDAPATAN_SOURCES[1]),
        ("dd", PENDAPATAN_SOURCES[1]),
        ("bagi hasil", PENDAPATAN_SOURCES[3]),
        ("bantuan", PENDAPATAN_SOURCES[4]),
        ("lain", PENDAPATAN_SOURCES[5]),
    ),
    "belanja": (
        ("penyelenggaraan", BELANJA_BIDANG[0]),
        ("pemerintahan", BELANJA_BIDANG[0]),
        ("pelaksanaan", BELANJA_BIDANG[1]),
        ("pembangunan", BELANJA_BIDANG[1]),
        ("pembinaan", BELANJA_BIDANG[2]),
        ("kemasyarakatan", BELANJA_BIDANG[2]),
        ("pemberdayaan", BELANJA_BIDANG[3]),
        ("penanggulangan", BELANJA_BIDANG[4]),
        ("bencana", BELANJA_BIDANG[4]),
        ("darurat", BELANJA_BIDANG[4]),
    ),
    "pembiayaan": (("penerimaan", PEMBIAYAAN_KINDS[0]), ("pengeluaran", PEMBIAYAAN_KINDS[1])),
}
_LEADING = re.compile(r"^(bidang|sumber)\s+|^\d+(\.\d+)*[.)]?\s*")
_AMOUNT = re.compile(r"^\d{1,3}(\.\d{3})+$|^\d{1,3}(,\d{3})+$|^\d+$")


def group_name(kelompok: str) -> str:
    return _(GROUP_NAMES.get(kelompok, kelompok))


def match_group(text: str) -> str | None:
    """``Pendapatan``, ``BELANJA``, ``4. Pembiayaan`` → the group's key; None when unknown."""
    cleaned = _LEADING.sub("", " ".join(text.lower().split()))
    return cleaned if cleaned in GROUPS else None


def match_part(kelompok: str, text: str) -> str | None:
    """The official name of a source, bidang or kind of financing written some usual way
    (``Bidang Pembangunan``, ``2``, ``Dana Desa (DD)``); None when it is none of the group's."""
    parts = PARTS[kelompok]
    lowered = " ".join(text.lower().split())
    if lowered.isdecimal() and 1 <= int(lowered) <= len(parts):
        return parts[int(lowered) - 1]
    cleaned = _LEADING.sub("", lowered)
    for name in parts:
        if cleaned == name.lower():
            return name
    words = set(re.findall(r"[a-z]+", cleaned))
    for keyword, name in _KEYWORDS[kelompok]:
        if (" " in keyword and keyword in cleaned) or keyword in words:
            return name
    return None


def parse_amount(raw: object) -> int:
    """Whole rupiah from ``1500000``, ``1.500.000``, ``Rp 1.500.000``, ``1.500.000,00`` or a
    spreadsheet number. Raises ValueError with the reason (the caller names the row): not a
    number, negative, with sen, or too large."""
    if isinstance(raw, bool):
        raise ValueError(_("bukan angka"))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueError(_("bukan angka"))
        if raw != int(raw):
            raise ValueError(_("harus rupiah bulat, tanpa sen"))
        value = int(raw)
    else:
        text = str(raw or "").strip()
        text = re.sub(r"^rp\.?\s*", "", text, flags=re.IGNORECASE).replace(" ", "").replace("\u00a0", "")
        if text.startswith("-") or (text.startswith("(") and text.endswith(")")):
            raise ValueError(_("tidak boleh negatif"))
        whole, comma, cents = text.rpartition(",") if re.search(r",\d{1,2}$", text) else (text, "", "")
        if comma and cents.strip("0"):
            raise ValueError(_("harus rupiah bulat, tanpa sen"))
        if not whole or not _AMOUNT.match(whole):
            raise ValueError(_("bukan angka"))
        digits = whole.replace(".", "").replace(",", "")
        if not digits.isdecimal():
            raise ValueError(_("bukan angka"))
        value = int(digits)
    if value < 0:
        raise ValueError(_("tidak boleh negatif"))
    if value > MAX_AMOUNT:
        raise ValueError(_("terlalu besar"))
    return value


# --- years ---------------------------------------------------------------------------------------
def last_year() -> int:
    """The latest year an APBDes may have: next year (it is drafted the year before)."""
    return utcnow().year + 1


def check_year(raw: str | int) -> int:
    text = str(raw).strip()
    latest = last_year()
    if not text.isdecimal() or len(text) != 4 or not FIRST_YEAR <= int(text) <= latest:
        raise ContentError(
            _("Tahun anggaran harus berupa angka antara {first} dan {last}, misalnya {example}.").format(
                first=FIRST_YEAR, last=latest, example=latest - 1
            )
        )
    return int(text)


def get_year(db: Session, village_id: int, year_id: int) -> ApbdesYear:
    found = get_in_village(db, ApbdesYear, village_id, year_id)
    if found is None:
        raise ContentError(_("APBDes tidak ditemukan."))
    return found


def find_year(db: Session, village_id: int, year: int) -> ApbdesYear | None:
    return db.exec(in_village(ApbdesYear, village_id).where(col(ApbdesYear.year) == year)).first()


def years(db: Session, village_id: int, *, published_only: bool = False) -> list[ApbdesYear]:
    """The village's APBDes years, newest first."""
    query = in_village(ApbdesYear, village_id)
    if published_only:
        query = query.where(col(ApbdesYear.status) == "published")
    return list(db.exec(query.order_by(col(ApbdesYear.year).desc())).all())


def create_year(db: Session, village_id: int, raw_year: str | int) -> ApbdesYear:
    year = check_year(raw_year)
    if find_year(db, village_id, year) is not None:
        raise ContentError(_("APBDes tahun {year} sudah ada. Buka dari daftar di bawah.").format(year=year))
    row = ApbdesYear(village_id=village_id, year=year)
    db.add(row)
    db.flush()
    return row


def _changed(db: Session, row: ApbdesYear) -> None:
    row.updated_at = utcnow()
    db.add(row)
    if row.status == "published":
        bump_content_version(db, row.village_id)
    db.flush()


def publish(db: Session, village_id: int, year_id: int) -> ApbdesYear:
    row = get_year(db, village_id, year_id)
    if row.status == "published":
        raise ContentError(_("APBDes ini sudah terbit."))
    if not lines(db, village_id, year_id):
        raise ContentError(_("APBDes ini belum punya rincian. Isi atau impor rinciannya dulu."))
    row.status = "published"
    row.published_at = utcnow()
    _changed(db, row)
    return row


def unpublish(db: Session, village_id: int, year_id: int) -> ApbdesYear:
    row = get_year(db, village_id, year_id)
    if row.status != "published":
        raise ContentError(_("APBDes ini belum terbit."))
    bump_content_version(db, village_id)
    row.status = "draft"
    _changed(db, row)
    return row


def delete_year(db: Session, village_id: int, year_id: int) -> ApbdesYear:
    """Delete a year and its lines for good (a published one leaves the site at once)."""
    row = get_year(db, village_id, year_id)
    if row.status == "published":
        bump_content_version(db, village_id)
    _clear_lines(db, village_id, year_id)
    db.delete(row)
    db.flush()
    return row


# --- lines ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LineFields:
    """A line as checked: what a form or an import row becomes before it is stored."""

    kelompok: str
    bidang: str
    uraian: str
    anggaran: int
    realisasi: int


def check_line(kelompok: str, bidang: str, uraian: str, anggaran: object, realisasi: object) -> LineFields:
    """A line from a form: the first problem as a :class:`ContentError`."""
    group = match_group(kelompok)
    if group is None:
        raise ContentError(_("Pilih kelompok: Pendapatan, Belanja atau Pembiayaan."))
    part = match_part(group, bidang)
    if part is None:
        raise ContentError(
            _("Pilih sumber, bidang atau jenis pembiayaan dari daftar {group}.").format(
                group=group_name(group)
            )
        )
    uraian = " ".join(uraian.split())
    if len(uraian) > MAX_URAIAN:
        raise ContentError(_("Uraian terlalu panjang (maksimal 200 karakter)."))
    anggaran_value = _amount(_("Anggaran"), anggaran, required=True)
    realisasi_value = _amount(_("Realisasi"), realisasi, required=False)  # empty: not realised yet
    return LineFields(group, part, uraian, anggaran_value, realisasi_value)


def _amount(label: str, raw: object, *, required: bool) -> int:
    if raw is None or str(raw).strip() == "":
        if not required:
            return 0
        raise ContentError(_("Isi anggaran dalam rupiah, misalnya 1.500.000."))
    try:
        return parse_amount(raw)
    except ValueError as error:
        raise ContentError(
            _("{label} “{value}” {reason}. Tulis rupiah bulat, misalnya 1.500.000.").format(
                label=label, value=str(raw)[:40], reason=error
            )
        ) from None


def lines(db: Session, village_id: int, year_id: int) -> list[ApbdesLine]:
    """The year's lines in the APBDes order: group, then their position."""
    found = db.exec(
        in_village(ApbdesLine, village_id)
        .where(col(ApbdesLine.year_id) == year_id)
        .order_by(col(ApbdesLine.position), col(ApbdesLine.id))
    ).all()
    return sorted(found, key=lambda line: GROUPS.index(line.kelompok) if line.kelompok in GROUPS else 9)


def get_line(db: Session, village_id: int, year_id: int, line_id: int) -> ApbdesLine:
    found = get_in_village(db, ApbdesLine, village_id, line_id)
    if found is None or found.year_id != year_id:
        raise ContentError(_("Baris APBDes tidak ditemukan."))
    return found


def add_line(db: Session, village_id: int, year_id: int, fields: LineFields) -> ApbdesLine:
    row = get_year(db, village_id, year_id)
    existing = lines(db, village_id, year_id)
    if len(existing) >= MAX_LINES:
        raise ContentError(_("Satu APBDes paling banyak {n} baris.").format(n=MAX_LINES))
    position = max((line.position for line in existing), default=0) + 1
    line = new_line(village_id, year_id, position, fields)
    db.add(line)
    _changed(db, row)
    return line


def save_line(db: Session, village_id: int, year_id: int, line_id: int, fields: LineFields) -> ApbdesLine:
    row = get_year(db, village_id, year_id)
    line = get_line(db, village_id, year_id, line_id)
    for name, value in _as_dict(fields).items():
        setattr(line, name, value)
    db.add(line)
    _changed(db, row)
    return line


def delete_line(db: Session, village_id: int, year_id: int, line_id: int) -> ApbdesLine:
    row = get_year(db, village_id, year_id)
    line = get_line(db, village_id, year_id, line_id)
    db.delete(line)
    _changed(db, row)
    return line


def replace_lines(db: Session, village_id: int, year_id: int, new: Sequence[LineFields]) -> ApbdesYear:
    """The year's lines become ``new`` (an import): all of them or, on error, none (the caller's
    transaction)."""
    row = get_year(db, village_id, year_id)
    if len(new) > MAX_LINES:
        raise ContentError(_("Satu APBDes paling banyak {n} baris.").format(n=MAX_LINES))
    _clear_lines(db, village_id, year_id)
    for position, fields in enumerate(new, start=1):
        db.add(new_line(village_id, year_id, position, fields))
    _changed(db, row)
    return row


def _clear_lines(db: Session, village_id: int, year_id: int) -> None:
    ids = [line.id for line in lines(db, village_id, year_id) if line.id is not None]
    if ids:
        db.execute(delete(ApbdesLine).where(col(ApbdesLine.id).in_(ids)))


def new_line(village_id: int, year_id: int, position: int, fields: LineFields) -> ApbdesLine:
    """A line row (not added to any session)."""
    return ApbdesLine(
        village_id=village_id,
        year_id=year_id,
        position=position,
        kelompok=fields.kelompok,
        bidang=fields.bidang,
        uraian=fields.uraian,
        anggaran=fields.anggaran,
        realisasi=fields.realisasi,
    )


def _as_dict(fields: LineFields) -> dict[str, object]:
    return {
        "kelompok": fields.kelompok,
        "bidang": fields.bidang,
        "uraian": fields.uraian,
        "anggaran": fields.anggaran,
        "realisasi": fields.realisasi,
    }


# --- the figures ---------------------------------------------------------------------------------
def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` (one decimal); None when there is no (positive) whole."""
    return round(part * 100 / whole, 1) if whole > 0 else None


@dataclass
class Part:
    """A source, bidang or kind of financing with its lines and sums."""

    name: str
    anggaran: int = 0
    realisasi: int = 0
    lines: list[ApbdesLine] = field(default_factory=list)
    share: float | None = None  # of its group's budget, in percent

    @property
    def percent(self) -> float | None:
        return percent(self.realisasi, self.anggaran)


@dataclass
class Group:
    key: str
    name: str
    parts: list[Part]
    anggaran: int = 0
    realisasi: int = 0

    @property
    def percent(self) -> float | None:
        return percent(self.realisasi, self.anggaran)


@dataclass
class Summary:
    """A year's APBDes as the public page, the CSV and the JSON show it."""

    year: int
    groups: dict[str, Group]

    @property
    def penerimaan(self) -> Part:
        return self._financing(0)

    @property
    def pengeluaran(self) -> Part:
        return self._financing(1)

    def _financing(self, index: int) -> Part:
        name = PEMBIAYAAN_KINDS[index]
        return next((p for p in self.groups["pembiayaan"].parts if p.name == name), Part(name))

    @property
    def surplus(self) -> int:
        """Pendapatan minus belanja (negative: a deficit, covered by pembiayaan)."""
        return self.groups["pendapatan"].anggaran - self.groups["belanja"].anggaran

    @property
    def netto(self) -> int:
        """Pembiayaan netto: penerimaan minus pengeluaran."""
        return self.penerimaan.anggaran - self.pengeluaran.anggaran

    @property
    def largest(self) -> int:
        """The largest amount of the first chart (its bars are drawn against it)."""
        amounts = [g.anggaran for g in self.groups.values()] + [g.realisasi for g in self.groups.values()]
        amounts += [self.penerimaan.anggaran, self.pengeluaran.anggaran]
        return max([*amounts, 1])


def summarise(year: int, rows: Iterable[ApbdesLine]) -> Summary:
    """Group lines into sources / bidang / kinds (in the official order; parts without a line are
    left out) and add them up."""
    groups: dict[str, Group] = {}
    for key in GROUPS:
        parts = {name: Part(name) for name in PARTS[key]}
        groups[key] = Group(key, group_name(key), list(parts.values()))
    by_name = {(key, p.name): p for key, g in groups.items() for p in g.parts}
    for line in rows:
        part = by_name.get((line.kelompok, line.bidang))
        if part is None:  # a name outside the chart (never written by this module): its own part
            part = Part(line.bidang)
            groups[line.kelompok].parts.append(part)
            by_name[(line.kelompok, line.bidang)] = part
        part.lines.append(line)
        part.anggaran += line.anggaran
        part.realisasi += line.realisasi
    for group in groups.values():
        group.parts = [p for p in group.parts if p.lines]
        group.anggaran = sum(sign(group.key, p.name) * p.anggaran for p in group.parts)
        group.realisasi = sum(sign(group.key, p.name) * p.realisasi for p in group.parts)
        if group.key != "pembiayaan":  # a share of a netto figure means nothing
            for part in group.parts:
                part.share = percent(part.anggaran, group.anggaran)
    return Summary(year, groups)


def sign(kelompok: str, part: str) -> int:
    """How a part counts in its group's total: pembiayaan's total is netto (penerimaan minus
    pengeluaran), as the APBDes writes it; every other part adds."""
    return -1 if kelompok == "pembiayaan" and part == PEMBIAYAAN_KINDS[1] else 1


def summary_of(db: Session, village_id: int, row: ApbdesYear) -> Summary:
    assert row.id is not None
    return summarise(row.year, lines(db, village_id, row.id))


def previous_published(db: Session, village_id: int, year: int) -> ApbdesYear | None:
    """The latest published year before ``year`` (for the year-over-year comparison)."""
    return db.exec(
        in_village(ApbdesYear, village_id)
        .where(col(ApbdesYear.status) == "published", col(ApbdesYear.year) < year)
        .order_by(col(ApbdesYear.year).desc())
    ).first()


def as_json(summary: Summary) -> dict[str, object]:
    """The public JSON of a year: every group, part and line with budget, realisation and percent."""
    return {
        "tahun": summary.year,
        "kelompok": [
            {
                "kelompok": group.key,
                "nama": group.name,
                "anggaran": group.anggaran,
                "realisasi": group.realisasi,
                "persen_realisasi": group.percent,
                "rincian": [
                    {
                        "bidang": part.name,
                        "anggaran": part.anggaran,
                        "realisasi": part.realisasi,
                        "persen_realisasi": part.percent,
                        "baris": [
                            {"uraian": line.uraian, "anggaran": line.anggaran, "realisasi": line.realisasi}
                            for line in part.lines
                        ],
                    }
                    for part in group.parts
                ],
            }
            for group in summary.groups.values()
        ],
        "surplus_defisit": summary.surplus,
        "pembiayaan_netto": summary.netto,
    }
