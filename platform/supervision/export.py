"""Any console table as CSV or XLSX: the same rows (every page, filtered and sorted as on the
screen) and columns, codes and names of regions and villages only (no person is named).

A cell exports its value in natural units (a percentage as ``82.5``, a count as ``12``) next to
its traffic light as a word, so a spreadsheet can sort and sum what the screen shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from fastapi.responses import Response
from openpyxl import Workbook

from etalase.platform.i18n import _
from etalase.platform.supervision.months import key as month_key
from etalase.platform.supervision.rows import COLUMNS, Row

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Value = str | int | float | None


def filename(code: str, month: date, fmt: str, table: str = "") -> str:
    """``konsol-34.04-2026-11.csv`` (``nasional`` for the whole country)."""
    parts = ["konsol", table, code or "nasional", month_key(month)]
    return "-".join(p for p in parts if p) + f".{fmt}"


def table_sheet(rows: Sequence[Row], regions: bool) -> tuple[list[str], list[list[Value]]]:
    """The header and lines of an indicator table (regions or villages)."""
    header = [_("Kode"), _("Nama")]
    if regions:
        header.append(_("Desa dengan data"))
    for column in COLUMNS:
        label = _(column.region_label if regions else column.label)
        header.append(label + (" (%)" if column.rate or (regions and column.counts_villages) else ""))
        if regions and column.counts_villages:
            header.append(_("{label} (jumlah desa)").format(label=label))
        header.append(_("{label} (status)").format(label=label))
    header.append(_("Perlu perhatian"))
    lines: list[list[Value]] = []
    for row in rows:
        line: list[Value] = [row.code, row.name]
        if regions:
            line.append(row.villages or 0)
        for column in COLUMNS:
            cell = row.cells[column.key]
            line.append(cell.value)
            if regions and column.counts_villages:
                line.append(cell.count)
            line.append(cell.status or "")
        line.append(row.attention if regions else "; ".join(row.reasons))
        lines.append(line)
    return header, lines


def _cell(value: Value) -> Value:
    """A text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _csv(header: list[str], lines: Iterable[Sequence[Value]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for line in lines:
        writer.writerow(["" if v is None else _cell(v) for v in line])
    # The byte-order mark makes spreadsheet programs read the file as UTF-8 ("—", "é").
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(header: list[str], lines: Iterable[Sequence[Value]], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Konsol")
    sheet.append(header)
    for line in lines:
        sheet.append([_cell(v) for v in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(
    header: list[str], lines: Sequence[Sequence[Value]], fmt: str, name: str, title: str = "Konsol"
) -> Response:
    body = _csv(header, lines) if fmt == "csv" else _xlsx(header, lines, title)
    return Response(
        body,
        media_type=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
