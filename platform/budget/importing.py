"""Reading an APBDes from a CSV or Excel (.xlsx) file, and writing one as CSV.

The columns (any order, header names case-insensitive; the README's "APBDes import columns" and the
import screen say the same):

==========  ==============================================================================
kelompok    Pendapatan, Belanja or Pembiayaan
bidang      the source (Dana Desa…), the bidang (Pelaksanaan Pembangunan Desa, or 1–5) or the
            kind of financing (Penerimaan / Pengeluaran Pembiayaan)
uraian      the line's words: a sub-bidang or a detail (``sub_bidang`` and ``rincian`` are
            accepted names too). ``TOTAL`` or ``JUMLAH`` here makes the row a total (below)
anggaran    the budget in whole rupiah: ``1500000``, ``1.500.000``, ``Rp 1.500.000``
realisasi   the realisation, same form; empty means 0
==========  ==============================================================================

A total row (``uraian`` = TOTAL) is checked, never stored: with a ``bidang`` it must equal that
bidang's lines, without one its whole group's (for pembiayaan: netto, penerimaan minus
pengeluaran). A file whose totals do not add up, with an unknown
group or bidang, a text or a negative number where an amount belongs, is refused whole with a
sentence per problem naming its row (as the spreadsheet numbers it); nothing is written.

Excel files are read with openpyxl in read-only mode (cached values of formulas, the first sheet,
at most :data:`MAX_ROWS` rows); openpyxl parses their XML with defusedxml, which is installed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from lokal.rupiah import format_rupiah

from etalase.platform.budget import apbdes
from etalase.platform.budget.apbdes import LineFields, Summary
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import _

MAX_BYTES = 2 * 1024 * 1024  # a village's APBDes is a few hundred rows: 2 MB is plenty
MAX_ROWS = apbdes.MAX_LINES + 200  # detail lines plus their totals, headings and blank rows
MAX_ERRORS = 10  # a file with more problems than this is named by its first ones
COLUMNS = ("kelompok", "bidang", "uraian", "anggaran", "realisasi")
ALIASES = {"sub_bidang": "uraian", "subbidang": "uraian", "rincian": "uraian", "sumber": "bidang"}
TOTAL_WORDS = ("total", "jumlah")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old .xls
FORMULA_START = ("=", "+", "-", "@")


class ImportRefusedError(ContentError):
    """The file is refused: ``problems`` are sentences naming their rows."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class _Total:
    row: int
    kelompok: str
    bidang: str | None  # None: the whole group's total
    anggaran: int
    realisasi: int | None  # None: the cell was empty, only the budget is checked


def read(data: bytes, filename: str = "") -> list[LineFields]:
    """The detail lines of a CSV or .xlsx file, checked; :class:`ImportRefusedError` otherwise."""
    if not data.strip():
        raise ImportRefusedError([_("Berkas kosong. Pilih berkas CSV atau Excel (.xlsx) berisi APBDes.")])
    if len(data) > MAX_BYTES:
        raise ImportRefusedError([_("Berkas terlalu besar (paling besar 2 MB).")])
    if data.startswith(OLE_MAGIC):
        raise ImportRefusedError(
            [_("Berkas Excel lama (.xls) tidak dapat dibaca. Simpan ulang sebagai .xlsx atau .csv.")]
        )
    rows = _xlsx_rows(data) if data.startswith(XLSX_MAGIC) else _csv_rows(data)
    return parse_rows(rows)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel on Windows saves CSV this way
    if "\x00" in text:
        raise ImportRefusedError([_("Berkas ini bukan CSV atau Excel (.xlsx).")])
    first = text.split("\n", 1)[0]
    # Excel set to Indonesian writes ";" between cells (the comma is the decimal mark).
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise ImportRefusedError(
                    [_("Berkas terlalu panjang (paling banyak {n} baris).").format(n=MAX_ROWS)]
                )
            yield number, list(row)
    except csv.Error:
        raise ImportRefusedError([_("Berkas CSV ini rusak (tanda kutip tidak tertutup?).")]) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    import openpyxl  # noqa: PLC0415  (only imports pay for it)

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRefusedError(
            [_("Berkas Excel ini tidak dapat dibaca. Simpan ulang sebagai .xlsx atau .csv.")]
        ) from None
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(max_col=12, values_only=True), start=1):
            if number > MAX_ROWS:
                raise ImportRefusedError(
                    [_("Berkas terlalu panjang (paling banyak {n} baris).").format(n=MAX_ROWS)]
                )
            yield number, list(row)
    finally:
        book.close()


def _cell(value: object) -> str:
    text = "" if value is None else " ".join(str(value).split())
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:  # as write_csv guards them
        text = text[1:]
    return text


def _header(cells: list[object]) -> dict[str, int] | None:
    names = [_cell(c).lower().replace(" ", "_") for c in cells]
    found = {}
    for index, name in enumerate(names):
        key = ALIASES.get(name, name)
        if key in COLUMNS and key not in found:
            found[key] = index
    return found if "kelompok" in found else None


def parse_rows(rows: Iterable[tuple[int, list[object]]]) -> list[LineFields]:
    """Lines from numbered rows; the first row naming ``kelompok`` is the header."""
    problems: list[str] = []
    header: dict[str, int] | None = None
    details: list[tuple[int, LineFields]] = []
    totals: list[_Total] = []
    for number, cells in rows:
        if not any(_cell(c) for c in cells):
            continue
        if header is None:
            header = _header(cells)
            if header is not None:
                missing = [c for c in COLUMNS if c not in header and c != "realisasi"]
                if missing:
                    problems.append(
                        _("Baris {row}: kolom {columns} tidak ada. Kolomnya: {all}.").format(
                            row=number, columns=", ".join(missing), all=", ".join(COLUMNS)
                        )
                    )
                    break
            continue
        try:
            found = _row(number, cells, header)
        except ContentError as error:
            problems.append(str(error))
            if len(problems) >= MAX_ERRORS:
                break
            continue
        if isinstance(found, _Total):
            totals.append(found)
        else:
            details.append((number, found))
    lines = [fields for _n, fields in details]
    problems = problems or _whole_file_problems(header is not None, lines, totals)
    if problems:
        raise ImportRefusedError(problems[:MAX_ERRORS])
    return lines


def _whole_file_problems(has_header: bool, lines: list[LineFields], totals: list[_Total]) -> list[str]:
    """What only the whole file shows: no header, no line, too many lines, totals that differ."""
    if not has_header:
        return [
            _("Baris judul kolom tidak ditemukan. Baris pertama harus berisi: {all}.").format(
                all=", ".join(COLUMNS)
            )
        ]
    if not lines:
        return [_("Berkas ini tidak berisi satu pun baris rincian APBDes.")]
    if len(lines) > apbdes.MAX_LINES:
        return [_("Satu APBDes paling banyak {n} baris.").format(n=apbdes.MAX_LINES)]
    return _check_totals(totals, lines)


def _row(number: int, cells: list[object], header: dict[str, int]) -> LineFields | _Total:
    def get(name: str) -> object:
        index = header.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    kelompok_text, bidang_text, uraian = _cell(get("kelompok")), _cell(get("bidang")), _cell(get("uraian"))
    kelompok = apbdes.match_group(kelompok_text)
    if kelompok is None:
        raise ContentError(
            _(
                "Baris {row}: kelompok “{value}” tidak dikenal. Pakai Pendapatan, Belanja atau Pembiayaan."
            ).format(row=number, value=kelompok_text[:60])
        )
    is_total = uraian.lower() in TOTAL_WORDS
    bidang: str | None = None
    if bidang_text or not is_total:
        bidang = apbdes.match_part(kelompok, bidang_text)
        if bidang is None:
            raise ContentError(
                _("Baris {row}: “{value}” bukan bagian dari {group}. Pilih salah satu: {names}.").format(
                    row=number,
                    value=bidang_text[:60],
                    group=apbdes.group_name(kelompok),
                    names="; ".join(apbdes.PARTS[kelompok]),
                )
            )
    if len(uraian) > apbdes.MAX_URAIAN:
        raise ContentError(
            _("Baris {row}: uraian terlalu panjang (maksimal 200 karakter).").format(row=number)
        )
    raw_anggaran, raw_realisasi = get("anggaran"), get("realisasi")
    anggaran = _amount(number, _("anggaran"), raw_anggaran, required=True)
    realisasi_empty = raw_realisasi is None or str(raw_realisasi).strip() == ""
    realisasi = _amount(number, _("realisasi"), raw_realisasi, required=False)
    if is_total:
        return _Total(number, kelompok, bidang, anggaran, None if realisasi_empty else realisasi)
    assert bidang is not None
    return LineFields(kelompok, bidang, uraian, anggaran, realisasi)


def _amount(number: int, label: str, raw: object, *, required: bool) -> int:
    if raw is None or str(raw).strip() == "":
        if required:
            raise ContentError(_("Baris {row}: {label} kosong.").format(row=number, label=label))
        return 0
    try:
        return apbdes.parse_amount(raw)
    except ValueError as error:
        raise ContentError(
            _("Baris {row}: {label} “{value}” {reason}.").format(
                row=number, label=label, value=str(raw)[:40], reason=error
            )
        ) from None


def _check_totals(totals: list[_Total], details: list[LineFields]) -> list[str]:
    problems = []
    for total in totals:
        chosen = [d for d in details if d.kelompok == total.kelompok and total.bidang in (None, d.bidang)]
        what = total.bidang or apbdes.group_name(total.kelompok)
        # A group total of pembiayaan is netto: penerimaan minus pengeluaran (apbdes.sign).
        signs = [apbdes.sign(d.kelompok, d.bidang) if total.bidang is None else 1 for d in chosen]
        checks = [
            (_("anggaran"), total.anggaran, sum(s * d.anggaran for s, d in zip(signs, chosen, strict=True)))
        ]
        if total.realisasi is not None:
            computed = sum(s * d.realisasi for s, d in zip(signs, chosen, strict=True))
            checks.append((_("realisasi"), total.realisasi, computed))
        for label, stated, computed in checks:
            if stated != computed:
                problems.append(
                    _(
                        "Baris {row}: jumlah {label} {what} {stated} tidak sama dengan total rinciannya "
                        "{computed}."
                    ).format(
                        row=total.row,
                        label=label,
                        what=what,
                        stated=format_rupiah(stated),
                        computed=format_rupiah(computed),
                    )
                )
    return problems


# --- writing -------------------------------------------------------------------------------------
def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (read back by :func:`_cell`)."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def write_csv(summary: Summary) -> str:
    """The year as CSV in the import's columns: every line, then a TOTAL row for each part and
    group, so the file reads back (totals checked) into the same lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for group in summary.groups.values():
        label = group.key.capitalize()  # Indonesian in every language: the file reads back anywhere
        for part in group.parts:
            for line in part.lines:
                writer.writerow([label, part.name, _safe(line.uraian), line.anggaran, line.realisasi])
            writer.writerow([label, part.name, "TOTAL", part.anggaran, part.realisasi])
        if group.parts and group.key != "pembiayaan":  # its total is netto, possibly negative
            writer.writerow([label, "", "TOTAL", group.anggaran, group.realisasi])
    return out.getvalue()


def write_lines_csv(lines: Sequence[LineFields]) -> str:
    """Checked lines as CSV (the import preview carries them to the confirmation this way)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line in lines:
        writer.writerow(
            [line.kelompok.capitalize(), line.bidang, _safe(line.uraian), line.anggaran, line.realisasi]
        )
    return out.getvalue()
