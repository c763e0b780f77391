"""Open data (/api/v1/data/wilayah, /data/wilayah.csv): the documented columns, the region sums of
the seeded villages, pagination, the licence and cache headers, refusals in words, and never a
village's own row, name, address or person. Both stacks."""

from __future__ import annotations

import csv
import io
import json

from sqlmodel import col, func, select

from etalase.platform.web.opendata import COLUMNS, PER_PAGE
from etalase.tenants.models import Region
from tests.conftest import Stack
from tests.people import Browser, make_user, portal, village_host
from tests.test_national import GODEAN_OTHER, METESEH, SIDOMULYO, seed

NAMES = [name for name, _source, _text in COLUMNS]


def _by_code(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {row["kode"]: row for row in rows}


def test_json_holds_documented_aggregates_per_region(stack: Stack) -> None:
    month, before, slugs = seed(stack)
    browser = Browser(stack)
    base = f"{portal(stack)}/api/v1/data/wilayah"
    response = browser.get(f"{base}?bulan={month:%Y-%m}&tingkat=provinsi")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=900"  # this month moves
    assert response.headers["access-control-allow-origin"] == "*"
    assert "creativecommons.org/licenses/by/4.0" in response.headers["link"]
    body = response.json()
    assert body["lisensi"]["nama"] == "CC BY 4.0"
    assert [c["nama"] for c in body["kolom"]] == NAMES and all(c["keterangan"] for c in body["kolom"])
    assert body["jumlah"] == 38 == len(body["data"]) and body["halaman_berikutnya"] is None
    assert all(list(row) == NAMES for row in body["data"])
    diy = _by_code(body["data"])["34"]
    assert (diy["desa_bersitus"], diy["desa_aktif_30_hari"], diy["berita"], diy["berita_berkualitas"]) == (
        2,
        1,
        15,
        5,
    )
    assert (diy["penduduk_tercatat"], diy["pengunjung_tercatat"], diy["jangkauan"]) == (2000, 400, 0.2)
    assert (diy["tayangan"], diy["komentar"], diy["desa_perlu_perhatian"], diy["bulan"]) == (
        1200,
        2,
        1,
        f"{month:%Y-%m}",
    )
    assert _by_code(body["data"])["33"]["jangkauan"] is None  # no population known: no rate
    assert _by_code(body["data"])["91"]["desa_bersitus"] == 0  # a province without sites: zeros

    kecamatan = browser.get(f"{base}?bulan={month:%Y-%m}&tingkat=kecamatan&induk=34.04").json()
    with stack.runtime.session(all_villages=True) as db:
        in_sleman = db.exec(
            select(func.count()).where(col(Region.level) == 3, col(Region.code).startswith("34.04."))
        ).one()
    assert kecamatan["jumlah"] == in_sleman == len(kecamatan["data"]) > 10
    assert all(str(row["kode"]).startswith("34.04.") for row in kecamatan["data"])
    assert _by_code(kecamatan["data"])["34.04.02"]["berita"] == 15

    nation = browser.get(f"{base}?bulan={before:%Y-%m}&tingkat=nasional").json()
    assert nation["jumlah"] == 1 and nation["data"][0]["kode"] == "" and nation["data"][0]["berita"] == 4
    past = browser.get(f"{base}?bulan={before:%Y-%m}&tingkat=nasional")
    assert past.headers["cache-control"] == "public, max-age=86400"

    # No village's own row, code, name, address or person anywhere.
    everything = json.dumps([body, kecamatan, nation])
    for private in (SIDOMULYO, GODEAN_OTHER, METESEH, *slugs.values(), "Sidomulyo", "Meteseh", "@"):
        assert private not in everything, private


def test_json_pages_and_refusals(stack: Stack) -> None:
    seed(stack)
    make_user(stack, "Admin Desa", email="admin.desa@contoh.id", phone="081234567890")
    browser = Browser(stack)
    base = f"{portal(stack)}/api/v1/data/wilayah"
    first = browser.get(f"{base}?tingkat=kecamatan").json()
    assert first["jumlah"] > PER_PAGE == len(first["data"]) and first["halaman"] == 1
    assert first["halaman_berikutnya"].endswith("tingkat=kecamatan&halaman=2")
    last_page = -(-first["jumlah"] // PER_PAGE)
    last = browser.get(f"{base}?tingkat=kecamatan&halaman={last_page}").json()
    assert (
        len(last["data"]) == first["jumlah"] - PER_PAGE * (last_page - 1)
        and last["halaman_berikutnya"] is None
    )
    assert "0812" not in json.dumps(first) and "admin.desa" not in json.dumps(first)
    for query, words in (
        ("bulan=2026-13", "TTTT-BB"),
        ("bulan=kemarin", "TTTT-BB"),
        ("tingkat=desa", "tingkat"),
        ("tingkat=kabupaten&induk=34.04.02", "induk"),
        ("tingkat=kecamatan&induk=<script>", "induk"),
        ("halaman=abc", "halaman"),
        ("halaman=0", "halaman"),
    ):
        refused = browser.get(f"{base}?{query}")
        assert refused.status_code == 400 and words in refused.json()["galat"], query
    csv_refused = browser.get(f"{portal(stack)}/data/wilayah.csv?tingkat=desa")
    assert csv_refused.status_code == 400 and "tingkat" in csv_refused.text


def test_csv_has_the_documented_columns_and_the_same_numbers(stack: Stack) -> None:
    month, _before, slugs = seed(stack)
    browser = Browser(stack)
    response = browser.get(f"{portal(stack)}/data/wilayah.csv?bulan={month:%Y-%m}&tingkat=kabupaten&induk=34")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert f'filename="wilayah-kabupaten-34-{month:%Y-%m}.csv"' in response.headers["content-disposition"]
    assert response.headers["cache-control"].startswith("public")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == NAMES and len(rows) == 5  # DIY's four kabupaten and one kota
    sleman = next(r for r in rows if r["kode"] == "34.04")
    assert (sleman["desa_bersitus"], sleman["berita"], sleman["jangkauan"]) == ("2", "15", "0.2")
    assert all(r["kode"].startswith("34.") for r in rows)
    for private in (SIDOMULYO, *slugs.values()):
        assert private not in response.text
    everything = browser.get(f"{portal(stack)}/data/wilayah.csv?bulan={month:%Y-%m}&tingkat=kecamatan")
    with stack.runtime.session(all_villages=True) as db:
        kecamatan = db.exec(select(func.count()).where(col(Region.level) == 3)).one()
    assert len(list(csv.DictReader(io.StringIO(everything.text)))) == kecamatan  # no cap, no page
    # Only on the portal.
    assert browser.get(f"{village_host(stack, slugs[SIDOMULYO])}/data/wilayah.csv").status_code == 404
