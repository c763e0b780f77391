"""What a console table shows of its rows: the search, the filter, the sort and the page, all read
from the query string (the table works without JavaScript and a link reproduces it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from etalase.platform.supervision.rows import COLUMN_KEYS, HIJAU, Row

PAGE_SIZE = 50
MAX_PAGE = 100_000
SORTS = ("nama", "kode", "desa", "perhatian", *COLUMN_KEYS)
# tampil=…: every row, those with a red light, those needing attention, live or not in 7 days.
FILTERS = ("", "merah", "perhatian", "aktif", "tidak-aktif")


def _page(raw: str) -> int:
    text = (raw or "").strip()
    return min(max(1, int(text)), MAX_PAGE) if text.isdecimal() and len(text) < 10 else 1


@dataclass(frozen=True)
class TableQuery:
    cari: str = ""
    tampil: str = ""
    urut: str = "nama"
    arah: str = "naik"
    halaman: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> TableQuery:
        urut = params.get("urut", "nama")
        return cls(
            cari=(params.get("cari") or "").strip()[:100],
            tampil=params.get("tampil", "") if params.get("tampil", "") in FILTERS else "",
            urut=urut if urut in SORTS else "nama",
            arah="turun" if params.get("arah") == "turun" else "naik",
            halaman=_page(params.get("halaman", "")),
        )

    def params(self, **changes: object) -> dict[str, str]:
        """The query string of this view with ``changes`` (defaults left out: short links)."""
        view = replace(self, **changes)  # type: ignore[arg-type]
        found = {
            "cari": view.cari,
            "tampil": view.tampil,
            "urut": "" if view.urut == "nama" else view.urut,
            "arah": "" if view.arah == "naik" else view.arah,
            "halaman": "" if view.halaman == 1 else str(view.halaman),
        }
        return {k: v for k, v in found.items() if v}

    def sort_link(self, key: str) -> dict[str, str]:
        """A column header's link: ascending first (the weakest on top), then the other way."""
        arah = "turun" if self.urut == key and self.arah == "naik" else "naik"
        return self.params(urut=key, arah=arah, halaman=1)


def _matches(row: Row, query: TableQuery) -> bool:
    if query.cari:
        words = query.cari.casefold()
        if words not in row.name.casefold() and not row.code.startswith(query.cari):
            return False
    if query.tampil == "merah":
        return row.red
    if query.tampil == "perhatian":
        return row.attention > 0
    if query.tampil in ("aktif", "tidak-aktif"):
        live = row.cells["aktif"].status == HIJAU
        return live if query.tampil == "aktif" else not live
    return True


def _sort_value(row: Row, key: str) -> float | str | None:
    if key == "nama":
        return row.name.casefold()
    if key == "kode":
        return row.code
    if key == "desa":
        return row.villages
    if key == "perhatian":
        return row.attention if row.villages is not None else len(row.reasons)
    return row.cells[key].value


def select_rows(rows: Sequence[Row], query: TableQuery) -> list[Row]:
    """The rows the table shows (every page) in its order; rows without a value sort last either
    way, then by name."""
    kept = [r for r in rows if _matches(r, query)]
    known = [r for r in kept if _sort_value(r, query.urut) is not None]
    unknown = [r for r in kept if _sort_value(r, query.urut) is None]
    known.sort(key=lambda r: r.name.casefold())
    known.sort(key=lambda r: _sort_value(r, query.urut), reverse=query.arah == "turun")  # type: ignore[arg-type,return-value]
    unknown.sort(key=lambda r: r.name.casefold())
    return known + unknown


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    number: int
    pages: int


def page_of(rows: list[Row], number: int, size: int | None = None) -> Page:
    size = size or PAGE_SIZE
    pages = max(1, -(-len(rows) // size))
    number = min(number, pages)
    return Page(rows[(number - 1) * size : number * size], len(rows), number, pages)


def query_string(params: Mapping[str, str]) -> str:
    return urlencode({k: v for k, v in params.items() if v})
