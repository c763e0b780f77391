"""The supervision console's indicator tables (issue 7): a scope's sub-regions or villages with the
indicators and traffic lights, sorting, filtering, search, the month picker, drill-down to the
village's page, the "perlu perhatian" list with its reasons in words, CSV and XLSX exports, and
the wall around a supervisor's scope. Stats rows are seeded directly, the regions rebuilt from
them, as the analytics clock would leave them.

The villages: in Kabupaten Sleman (34.04), Kecamatan Godean: Sidorejo (all targets met),
Sidoluhur (far from every target, three reasons for attention), Sidomulyo (half way, falling
reach); Kecamatan Gamping: Balecatur. Outside Sleman: Poncosari (Bantul, the same province) and
Meteseh (Kota Semarang).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from etalase.platform.analytics.indicators import Attention, month_of, previous_month, rebuild_regions
from etalase.platform.analytics.models import VillageMonthlyStats
from etalase.platform.supervision import attention, table
from etalase.tenants.models import Region, Village, utcnow
from tests.conftest import Stack, StatementLog
from tests.people import Browser, make_user, make_village, portal, totp_now

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SIDOREJO, SIDOLUHUR, SIDOMULYO = "34.04.02.2001", "34.04.02.2002", "34.04.02.2003"
BALECATUR, PONCOSARI, METESEH = "34.04.01.2001", "34.02.01.2001", "33.74.10.1001"
OUTSIDE = (PONCOSARI, METESEH)


def _stats(village_id: int, month: date, **values: object) -> VillageMonthlyStats:
    now = utcnow()
    base: dict[str, object] = {
        "views": 1000,
        "visitors": 500,
        "population": 1000,
        "posts": 10,
        "quality_posts": 5,
        "trained_admins": 2,
        "platforms": 1,
        "last_post_at": now - timedelta(days=2),
        "last_active_at": now - timedelta(days=1),
    }
    base.update(values)
    return VillageMonthlyStats(village_id=village_id, month=month, **base)  # type: ignore[arg-type]


@pytest.fixture
def world(stack: Stack) -> dict[str, int]:
    """The villages, their month (and Sidorejo's month before), and the rebuilt region rows."""
    ids = {
        code: make_village(stack, code)[0] for code in (SIDOREJO, SIDOLUHUR, SIDOMULYO, BALECATUR, *OUTSIDE)
    }
    now = utcnow()
    month = month_of(now)
    rows = [
        _stats(
            ids[SIDOREJO],
            month,
            visitors=900,
            comments=100,
            reactions=50,
            shares=10,
            posts=60,
            quality_posts=55,
            trained_admins=10,
            platforms=3,
            apbdes=True,
            rpjm=True,
        ),
        _stats(
            ids[SIDOLUHUR],
            month,
            visitors=200,
            population=2000,
            views=500,
            comments=5,
            quality_posts=2,
            trained_admins=1,
            last_post_at=now - timedelta(days=40),
            last_active_at=now - timedelta(days=20),
            attention=int(Attention.NO_RECENT_POST | Attention.NO_APBDES | Attention.FEW_PLATFORMS),
        ),
        _stats(
            ids[SIDOMULYO],
            month,
            comments=100,
            platforms=3,
            apbdes=True,
            attention=int(Attention.FALLING_REACH),
        ),
        _stats(ids[BALECATUR], month, visitors=450, population=500),
        _stats(ids[PONCOSARI], month, visitors=990, attention=int(Attention.NO_APBDES)),
        _stats(ids[METESEH], month, visitors=10, attention=int(Attention.NO_APBDES)),
        # The month before: Sidorejo was far behind.
        _stats(ids[SIDOREJO], previous_month(month), visitors=120, quality_posts=7),
    ]
    with stack.runtime.session(all_villages=True) as db:
        db.add_all(rows)
        db.flush()
        rebuild_regions(db, month)
        rebuild_regions(db, previous_month(month))
    return ids


def _supervisor(stack: Stack, scope: str, email: str, two_factor: bool = True) -> Browser:
    make_user(
        stack, f"Pendamping {scope}", email=email, scope=scope, totp_secret=SECRET if two_factor else None
    )
    browser = Browser(stack)
    base = portal(stack)
    response = browser.login(base, email)
    assert response.status_code == 303
    if response.headers["location"].startswith("/akun/masuk/kode"):
        response = browser.post(f"{base}/akun/masuk/kode", {"code": totp_now(SECRET), "next": ""})
        assert response.status_code == 303, response.text
    return browser


def sleman(stack: Stack) -> Browser:
    return _supervisor(stack, "34.04", "sleman@contoh.id")


def _row_codes(html: str) -> list[str]:
    """The codes of the table's rows, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<span class="code small">([\d.]+)</span>', body)


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _kecamatan_of(stack: Stack, code: str) -> list[str]:
    with stack.runtime.session(all_villages=True) as db:
        return list(db.exec(select(Region.code).where(col(Region.parent_code) == code)).all())


def _month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


# --- the tables --------------------------------------------------------------------------------
def test_a_kabupaten_table_lists_its_kecamatan_with_their_indicators(
    stack: Stack, world: dict[str, int]
) -> None:
    browser = sleman(stack)
    page = browser.get(f"{portal(stack)}/konsol/wilayah")
    assert page.status_code == 200
    html = page.text
    assert "Kabupaten Sleman" in html
    codes = _row_codes(html)
    assert sorted(codes) == sorted(_kecamatan_of(stack, "34.04")) and len(codes) == 17
    godean = html.split('href="/konsol/wilayah/34.04.02?')[1].split("</tr>")[0]
    # (900 + 200 + 500) of 4.000 people; 1 of 3 villages meets the reach target.
    assert "40,0%" in godean and "1 dari 3 desa" in godean
    assert 'class="light merah"' in godean and "merah: jauh dari target" in godean
    for name in ("Poncosari", "Meteseh", "Srandakan", "Semarang"):
        assert name not in html
    # The headline: the kabupaten's own row; the attention count links to the list.
    assert "desa perlu perhatian" in html and "/konsol/perhatian?" in html


def test_drill_down_region_kecamatan_village(stack: Stack, world: dict[str, int]) -> None:
    superuser = make_user(stack, "Operator", email="operator@contoh.id", superuser=True, totp_secret=SECRET)
    assert superuser.id
    browser = Browser(stack)
    base = portal(stack)
    browser.login(base, "operator@contoh.id")
    assert browser.post(f"{base}/akun/masuk/kode", {"code": totp_now(SECRET), "next": ""}).status_code == 303
    nation = browser.get(f"{base}/konsol/wilayah").text
    assert len(_row_codes(nation)) == 38 and "Seluruh Indonesia" in nation
    province = browser.get(f"{base}/konsol/wilayah/34").text
    assert "34.04" in _row_codes(province) and "34.02" in _row_codes(province)
    godean = browser.get(f"{base}/konsol/wilayah/34.04.02")
    assert godean.status_code == 200
    assert _row_codes(godean.text) == [SIDOLUHUR, SIDOMULYO, SIDOREJO]  # by name
    assert f'href="/konsol/desa/{SIDOLUHUR}?bulan=' in godean.text
    # The trail leads back up: nation, province, kabupaten.
    assert (
        'href="/konsol/wilayah?bulan=' in godean.text and 'href="/konsol/wilayah/34.04?bulan=' in godean.text
    )
    # A village's code in the region path is its page.
    moved = browser.get(f"{base}/konsol/wilayah/{SIDOLUHUR}")
    assert moved.status_code == 303 and moved.headers["location"] == f"/konsol/desa/{SIDOLUHUR}"


def test_the_village_page_shows_its_indicators_trend_and_notes(stack: Stack, world: dict[str, int]) -> None:
    browser = sleman(stack)
    base = portal(stack)
    noted = browser.post(
        f"{base}/konsol/desa/{SIDOLUHUR}/catatan",
        {"body": "Unggah APBDes bulan ini."},
        form_url=f"{base}/konsol/desa/{SIDOLUHUR}",
    )
    assert noted.status_code == 303
    html = browser.get(f"{base}/konsol/desa/{SIDOLUHUR}").text
    assert "10,0%" in html  # 200 of 2.000 people
    assert (
        "APBDes tahun ini belum dipublikasikan" in html and "Tidak ada posting dalam 30 hari terakhir" in html
    )
    assert "Unggah APBDes bulan ini." in html
    assert "<svg" in html and "<title" in html and "<desc" in html
    assert "Tren 12 bulan" in html and html.count("Belum ada data") == 11  # one month of 12 seeded
    trend = _csv(browser.get(f"{base}/konsol/desa/{SIDOREJO}?format=csv").content)
    assert trend[0][0] == "Bulan" and len(trend) == 13
    this, before = month_of(utcnow()), previous_month(month_of(utcnow()))
    by_month = {line[0]: line for line in trend[1:]}
    assert by_month[_month_key(this)][1] == "900" and by_month[_month_key(before)][1] == "120"


def test_sorting_by_any_column_works_without_javascript(stack: Stack, world: dict[str, int]) -> None:
    browser = sleman(stack)
    base = f"{portal(stack)}/konsol/wilayah/34.04.02"
    assert _row_codes(browser.get(base).text) == [SIDOLUHUR, SIDOMULYO, SIDOREJO]  # by name
    reach_up = browser.get(f"{base}?urut=jangkauan").text
    assert _row_codes(reach_up) == [SIDOLUHUR, SIDOMULYO, SIDOREJO]  # 10%, 50%, 90%
    assert 'aria-sort="ascending"' in reach_up
    # The header now links to the other direction.
    assert "urut=jangkauan&amp;arah=turun" in reach_up
    assert _row_codes(browser.get(f"{base}?urut=jangkauan&arah=turun").text) == [
        SIDOREJO,
        SIDOMULYO,
        SIDOLUHUR,
    ]
    assert _row_codes(browser.get(f"{base}?urut=konten&arah=turun").text)[0] == SIDOREJO
    # Days since the last post: 2, 2 (the tie by name), 40.
    assert _row_codes(browser.get(f"{base}?urut=posting").text) == [SIDOMULYO, SIDOREJO, SIDOLUHUR]
    assert _row_codes(browser.get(f"{base}?urut=kode&arah=turun").text) == [SIDOMULYO, SIDOLUHUR, SIDOREJO]
    # An unknown column is the default order, never an error.
    assert browser.get(f"{base}?urut=%3Cscript%3E&arah=x&halaman=%C2%B2").status_code == 200


def test_filters_and_search(stack: Stack, world: dict[str, int]) -> None:
    browser = sleman(stack)
    base = f"{portal(stack)}/konsol/wilayah/34.04.02"
    assert _row_codes(browser.get(f"{base}?tampil=perhatian").text) == [SIDOLUHUR, SIDOMULYO]
    assert _row_codes(browser.get(f"{base}?tampil=tidak-aktif").text) == [SIDOLUHUR]
    assert _row_codes(browser.get(f"{base}?tampil=aktif").text) == [SIDOMULYO, SIDOREJO]
    red = _row_codes(browser.get(f"{base}?tampil=merah").text)
    assert SIDOLUHUR in red and SIDOREJO not in red
    found = browser.get(f"{base}?cari=sidolu").text
    assert _row_codes(found) == [SIDOLUHUR] and "1 dari 3 baris cocok" in found
    assert _row_codes(browser.get(f"{base}?cari={SIDOMULYO}").text) == [SIDOMULYO]
    # At the kabupaten: kecamatan with a village needing attention.
    assert _row_codes(browser.get(f"{portal(stack)}/konsol/wilayah?tampil=perhatian").text) == ["34.04.02"]


def test_the_month_picker(stack: Stack, world: dict[str, int]) -> None:
    browser = sleman(stack)
    base = f"{portal(stack)}/konsol/wilayah/34.04.02"
    this = month_of(utcnow())
    before = previous_month(this)
    html = browser.get(base).text
    assert html.count('<option value="20') == 12
    assert f'<option value="{_month_key(this)}" selected>' in html
    old = browser.get(f"{base}?bulan={_month_key(before)}").text
    assert f'<option value="{_month_key(before)}" selected>' in old
    sidorejo = old.split(f'href="/konsol/desa/{SIDOREJO}?')[1].split("</tr>")[0]
    assert "12,0%" in sidorejo and "7/50" in sidorejo  # last month's 120 readers of 1.000
    # Links keep the month: sorting, filtering, exports.
    assert f"bulan={_month_key(before)}" in old.split("<thead>")[1].split("</thead>")[0]
    # A month outside the picker, or nonsense, shows this month.
    for odd in ("1999-01", "2026-13", "kemarin", "²"):
        shown = browser.get(f"{base}?bulan={odd}")
        assert shown.status_code == 200 and f'<option value="{_month_key(this)}" selected>' in shown.text


def test_a_long_table_pages(stack: Stack, world: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table, "PAGE_SIZE", 5)
    browser = sleman(stack)
    base = f"{portal(stack)}/konsol/wilayah"
    pages = [browser.get(f"{base}?urut=kode&halaman={n}").text for n in (1, 2, 3, 4)]
    codes = [c for html in pages for c in _row_codes(html)]
    assert codes == sorted(_kecamatan_of(stack, "34.04"))  # 17 kecamatan: 5, 5, 5, 2
    assert [len(_row_codes(html)) for html in pages] == [5, 5, 5, 2]
    assert "urut=kode&amp;halaman=2" in pages[0] and 'rel="prev"' in pages[3]
    assert _row_codes(browser.get(f"{base}?urut=kode&halaman=99").text) == codes[15:]
    # The export is the whole table, not one page.
    assert len(_csv(browser.get(f"{base}?urut=kode&halaman=2&format=csv").content)) == 18


# --- exports -----------------------------------------------------------------------------------
def test_exports_match_the_screen(stack: Stack, world: dict[str, int]) -> None:
    browser = sleman(stack)
    month = _month_key(month_of(utcnow()))
    base = f"{portal(stack)}/konsol/wilayah/34.04.02"
    view = "urut=jangkauan&tampil=perhatian"
    screen = _row_codes(browser.get(f"{base}?{view}").text)
    response = browser.get(f"{base}?{view}&format=csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert f'filename="konsol-34.04.02-{month}.csv"' in response.headers["content-disposition"]
    lines = _csv(response.content)
    assert lines[0][:2] == ["Kode", "Nama"] and "Jangkauan (%)" in lines[0] and "Keterlibatan (%)" in lines[0]
    assert [line[0] for line in lines[1:]] == screen == [SIDOLUHUR, SIDOMULYO]
    reach = lines[0].index("Jangkauan (%)")
    assert lines[1][reach] == "10.0" and lines[1][reach + 1] == "merah"
    workbook = browser.get(f"{base}?{view}&format=xlsx")
    assert f'filename="konsol-34.04.02-{month}.xlsx"' in workbook.headers["content-disposition"]
    sheet = _xlsx(workbook.content)
    assert [r[0] for r in sheet[1:]] == screen and sheet[0] == lines[0]
    assert sheet[1][reach] == 10.0
    # No person in an export: not the supervisor, not a team member.
    assert b"Pendamping" not in response.content and "@" not in response.content.decode()


def test_a_kabupaten_export_holds_exactly_its_kecamatan(stack: Stack, world: dict[str, int]) -> None:
    browser = sleman(stack)
    month = _month_key(month_of(utcnow()))
    expected = sorted(_kecamatan_of(stack, "34.04"))
    for fmt in ("csv", "xlsx"):
        response = browser.get(f"{portal(stack)}/konsol/wilayah?format={fmt}")
        assert f'filename="konsol-34.04-{month}.{fmt}"' in response.headers["content-disposition"]
        rows = _csv(response.content) if fmt == "csv" else _xlsx(response.content)
        assert sorted(str(r[0]) for r in rows[1:]) == expected
        godean = next(r for r in rows if r[0] == "34.04.02")
        assert str(godean[2]) == "3"  # villages with data
    # Asked for another kabupaten's table, in the path or as a search: nothing of it.
    for url in ("/konsol/wilayah/34.02?format=csv", "/konsol/wilayah/33.74?format=xlsx"):
        assert browser.get(f"{portal(stack)}{url}").status_code == 404
    searched = _csv(browser.get(f"{portal(stack)}/konsol/wilayah?cari=34.02&format=csv").content)
    assert searched[1:] == []


# --- perlu perhatian ---------------------------------------------------------------------------
def test_the_attention_list_names_the_reasons(stack: Stack, world: dict[str, int]) -> None:
    browser = sleman(stack)
    base = f"{portal(stack)}/konsol/perhatian"
    html = browser.get(base).text
    assert "2 desa perlu perhatian" in html
    assert _row_codes(html) == [SIDOLUHUR, SIDOMULYO]
    sidoluhur = html.split(f'href="/konsol/desa/{SIDOLUHUR}?')[1].split("</tr>")[0]
    for reason in (
        "Tidak ada posting dalam 30 hari terakhir",
        "APBDes tahun ini belum dipublikasikan",
        "Kurang dari 3 platform media sosial",
    ):
        assert reason in sidoluhur
    assert "Jangkauan turun" not in sidoluhur and "Kecamatan Godean" in sidoluhur
    assert "Jangkauan turun dibanding bulan sebelumnya" in html.split(f"/konsol/desa/{SIDOMULYO}?")[1]
    assert "Poncosari" not in html and "Meteseh" not in html
    only_apbdes = browser.get(f"{base}?alasan=apbdes").text
    assert _row_codes(only_apbdes) == [SIDOLUHUR] and "1 desa perlu perhatian" in only_apbdes
    assert _row_codes(browser.get(f"{base}?cari=mulyo").text) == [SIDOMULYO]
    assert _row_codes(browser.get(f"{base}?wilayah=34.04.01").text) == []
    lines = _csv(browser.get(f"{base}?format=csv").content)
    assert [line[0] for line in lines[1:]] == [SIDOLUHUR, SIDOMULYO]
    assert "APBDes tahun ini belum dipublikasikan" in lines[1][3]
    sheet = _xlsx(browser.get(f"{base}?alasan=jangkauan&format=xlsx").content)
    assert [r[0] for r in sheet[1:]] == [SIDOMULYO]
    # Another kabupaten's villages by the query string: refused.
    for wilayah in ("34.02", "33.74", "34", "34.02.01", "bukan-kode"):
        assert browser.get(f"{base}?wilayah={wilayah}").status_code == 404, wilayah
        assert browser.get(f"{base}?wilayah={wilayah}&format=csv").status_code == 404, wilayah


def test_the_attention_list_pages(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kecamatan with more villages needing attention than a page holds."""
    month = month_of(utcnow())
    with stack.runtime.session(all_villages=True) as db:
        codes = list(
            db.exec(
                select(Region.code).where(col(Region.parent_code) == "34.04.02").order_by(col(Region.code))
            ).all()
        )
    ids = [make_village(stack, code)[0] for code in codes]
    with stack.runtime.session(all_villages=True) as db:
        db.add_all(_stats(i, month, attention=int(Attention.NO_APBDES)) for i in ids)
        db.flush()
        rebuild_regions(db, month)
    browser = _supervisor(stack, "34.04.02", "godean@contoh.id", two_factor=False)
    monkeypatch.setattr(attention, "PAGE_SIZE", 3)
    first = browser.get(f"{portal(stack)}/konsol/perhatian").text
    second = browser.get(f"{portal(stack)}/konsol/perhatian?halaman=2").text
    last = browser.get(f"{portal(stack)}/konsol/perhatian?halaman=99").text
    assert _row_codes(first) == codes[:3] and _row_codes(second) == codes[3:6]
    assert _row_codes(last) == codes[6:] and 'rel="next"' in first and 'rel="prev"' in second
    # The export names every village, looked up a chunk at a time (a national export names ~80,000
    # villages, more than PostgreSQL's 65,535 parameters in one statement).
    monkeypatch.setattr(attention, "LOOKUP_CHUNK", 2)
    lines = _csv(browser.get(f"{portal(stack)}/konsol/perhatian?format=csv").content)
    assert [line[0] for line in lines[1:]] == codes
    assert all(line[1].startswith("Desa ") and line[2] == "Kecamatan Godean" for line in lines[1:]), lines


# --- the wall ----------------------------------------------------------------------------------
def test_a_kabupaten_supervisor_sees_nothing_outside_the_kabupaten(
    stack: Stack, world: dict[str, int]
) -> None:
    browser = sleman(stack)
    base = portal(stack)
    for path in (
        "/konsol/wilayah/34.02",
        "/konsol/wilayah/34.02.01",
        "/konsol/wilayah/33.74",
        "/konsol/wilayah/34",
        "/konsol/wilayah/11",
        f"/konsol/wilayah/{PONCOSARI}",
        f"/konsol/wilayah/{METESEH}",
        f"/konsol/desa/{PONCOSARI}",
        f"/konsol/desa/{METESEH}?format=csv",
        "/konsol/wilayah/34.04.99",
        "/konsol/perhatian?wilayah=33.74.10",
    ):
        response = browser.get(f"{base}{path}")
        assert response.status_code == 404, path
        assert "Poncosari" not in response.text and "Meteseh" not in response.text
    outside_words = ("Poncosari", "Meteseh", PONCOSARI, METESEH, "34.02.", "33.74")
    for path in (
        "/konsol/wilayah",
        "/konsol/wilayah?cari=Poncosari",
        "/konsol/wilayah?cari=34.02",
        "/konsol/wilayah?tampil=perhatian&urut=perhatian&arah=turun",
        "/konsol/wilayah/34.04?bulan=1999-01",
        "/konsol/wilayah/34.04.02?cari=Meteseh",
        "/konsol/perhatian",
        "/konsol/perhatian?cari=Meteseh",
        "/konsol/perhatian?alasan=apbdes",
    ):
        for suffix in ("", "&format=csv" if "?" in path else "?format=csv"):
            response = browser.get(f"{base}{path}{suffix}")
            assert response.status_code == 200, path
            # The search words come back in the search box and the links; a name or code they
            # did not spell would only come from a row.
            searched = path.partition("cari=")[2].partition("&")[0]
            text = response.text.replace(searched, "") if searched else response.text
            for word in outside_words:
                assert word not in text, (path, suffix, word)


def test_a_kecamatan_supervisor_cannot_open_the_kabupaten(stack: Stack, world: dict[str, int]) -> None:
    browser = _supervisor(stack, "34.04.02", "godean@contoh.id", two_factor=False)
    base = portal(stack)
    own = browser.get(f"{base}/konsol/wilayah")
    assert own.status_code == 200 and _row_codes(own.text) == [SIDOLUHUR, SIDOMULYO, SIDOREJO]
    for path in (
        "/konsol/wilayah/34.04",
        "/konsol/wilayah/34.04?format=csv",
        "/konsol/wilayah/34.04.01",
        "/konsol/perhatian?wilayah=34.04",
        f"/konsol/desa/{BALECATUR}",
    ):
        assert browser.get(f"{base}{path}").status_code == 404, path
    assert "Balecatur" not in browser.get(f"{base}/konsol/perhatian").text


def test_a_village_team_member_cannot_open_the_console(stack: Stack, world: dict[str, int]) -> None:
    make_user(stack, "Admin Sidorejo", email="admin@sidorejo.id", roles={world[SIDOREJO]: "admin"})
    browser = Browser(stack)
    base = portal(stack)
    assert browser.login(base, "admin@sidorejo.id").status_code == 303
    for path in (
        "/konsol",
        "/konsol/wilayah",
        "/konsol/wilayah/34.04.02",
        f"/konsol/wilayah/{SIDOREJO}",
        "/konsol/perhatian",
        "/konsol/perhatian?format=csv",
        "/konsol/wilayah?format=xlsx",
    ):
        response = browser.get(f"{base}{path}")
        assert response.status_code == 403, path
        assert "Sidoluhur" not in response.text


# --- the cost of a page ------------------------------------------------------------------------
def test_a_table_reads_rollups_only(stack: Stack, world: dict[str, int], sql_log: StatementLog) -> None:
    browser = sleman(stack)
    base = portal(stack)
    for path, bound in (("/konsol/wilayah", 1), ("/konsol/wilayah/34.04.02", 1), ("/konsol/perhatian", 1)):
        sql_log.statements.clear()
        assert browser.get(f"{base}{path}").status_code == 200
        for raw in ("post", "page_daily_views", "village_daily_stats", "post_comment", "audit_event "):
            assert not [s for s in sql_log.touching(raw) if "FROM " + raw in s or f'FROM "{raw}"' in s], (
                path,
                raw,
            )
        # A few queries: the sign-in's, the rows, their stats, the headline; none per row.
        assert len(sql_log.statements) <= 15, (path, len(sql_log.statements))
        assert len(sql_log.touching("village_monthly_stats")) <= bound, path


def test_codes_under_a_region_in_either_form(stack: Stack, world: dict[str, int]) -> None:
    """A range where the database sorts bytewise (it walks the code's index in order), LIKE where a
    linguistic collation ignores '.' and '/'; both find the same villages."""
    from etalase.platform.supervision import rows  # noqa: PLC0415

    with stack.runtime.session(all_villages=True) as db:

        def codes() -> list[str]:
            query = select(Village.code).where(rows.under(db, col(Village.code), "34.04"))
            return list(db.exec(query.order_by(col(Village.code))).all())

        assert rows._sorts_bytewise(db)  # SQLite, and PostgreSQL here (C.UTF-8)
        by_range = codes()
        key = db.get_bind().engine.url.render_as_string(hide_password=True)
        sql = str(rows.under(db, col(Village.code), "34.04"))
        assert "LIKE" not in sql.upper()
        if db.get_bind().dialect.name == "postgresql":
            with pytest.MonkeyPatch.context() as patch:
                patch.setitem(rows._BYTEWISE, key, False)
                assert "LIKE" in str(rows.under(db, col(Village.code), "34.04")).upper()
                assert codes() == by_range
    assert by_range and all(c.startswith("34.04.") for c in by_range)
    assert {SIDOLUHUR, SIDOMULYO} <= set(by_range)
    with pytest.raises(ValueError):
        rows.under(db, col(Village.code), "34.04%")
