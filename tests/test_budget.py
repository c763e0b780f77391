"""APBDes and pembangunan on both stacks: a CSV and an Excel file imported through the team's screen
and shown on the public page (numbers in the tables and in the SVG), a bad file refused with its
row named and nothing written, a replacement previewed first, the form keeping what was typed, the
CSV download read back into the same figures, the JSON, projects with progress photos, the
kontributor's limits, other villages' ids, and the transparency indicator."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import col

from etalase.platform.budget import apbdes, importing, projects
from etalase.platform.budget.models import ApbdesLine, ApbdesYear, Project
from etalase.platform.budget.transparency import transparency
from etalase.platform.content.models import Document
from etalase.platform.media_library import service as media_service
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village
from tests.conftest import Stack
from tests.people import Browser
from tests.test_gallery import PDF, Team, jpeg

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = (FIXTURES / "apbdes-2026.csv").read_bytes()
BAD_TOTAL = (FIXTURES / "apbdes-bad-total.csv").read_bytes()
BAD_CELLS = (FIXTURES / "apbdes-bad-cells.csv").read_bytes()
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def upload(team: Team, who: str, year: str, file: tuple[str, bytes, str] | None, **extra: str) -> object:
    """The import form as a browser sends it."""
    browser = team.browsers[who]
    base = team.other_base if who == "admin_b" else team.base
    token = browser.csrf(f"{base}/admin/galeri")
    return browser.client.post(
        f"{base}/admin/apbdes/impor",
        data={"csrf_token": token, "tahun": year, **extra},
        files={"berkas": file or ("", b"", "application/octet-stream")},
        headers={"origin": base},
    )


def xlsx_of(csv_bytes: bytes) -> bytes:
    """The fixture as an Excel workbook: amounts as real numbers where they are plain digits, as
    typed text ("Rp 25.000.000") where the CSV has them so."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "APBDes"
    sheet.append(["APBDes Desa Sidomulyo"])  # a title row above the header is skipped
    for row in importing.csv.reader(io.StringIO(csv_bytes.decode())):
        sheet.append([int(cell) if cell.isdecimal() else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def year_rows(stack: Stack, village_id: int) -> list[tuple[int, str, int]]:
    """``(year, status, number of lines)`` of a village."""
    with stack.runtime.session(village_id) as db:
        found = []
        for row in db.exec(in_village(ApbdesYear, village_id).order_by(col(ApbdesYear.year))).all():
            lines = db.exec(in_village(ApbdesLine, village_id).where(col(ApbdesLine.year_id) == row.id)).all()
            found.append((row.year, row.status, len(lines)))
        return found


def year_id(stack: Stack, village_id: int, year: int) -> int:
    with stack.runtime.session(village_id) as db:
        row = apbdes.find_year(db, village_id, year)
        assert row is not None and row.id is not None
        return row.id


def imported_id(response: object) -> int:
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    match = re.match(r"/admin/apbdes/(\d+)\?pesan=diimpor", response.headers["location"])  # type: ignore[attr-defined]
    assert match
    return int(match.group(1))


def check_public_2026(page: str) -> None:
    """The figures of the fixture on the public page: tables, percentages and the SVG."""
    assert "<h1>APBDes 2026</h1>" in page
    # The summary table: budget, realisation, percent (960/1.565 = 61,3%; 885/1.515 = 58,4%).
    assert re.search(
        r"<th scope=\"row\">Pendapatan</th><td>Rp1\.565\.000\.000</td><td>Rp960\.000\.000</td><td>61,3%</td>",
        page,
    )
    assert re.search(
        r"<th scope=\"row\">Belanja</th><td>Rp1\.515\.000\.000</td><td>Rp885\.000\.000</td><td>58,4%</td>",
        page,
    )
    assert '<th scope="row">Surplus</th><td>Rp50.000.000</td>' in page
    assert '<th scope="row">Pembiayaan netto</th><td>-Rp50.000.000</td>' in page
    # The details: a bidang with its lines, in the official order.
    assert (
        '<th scope="rowgroup">Pelaksanaan Pembangunan Desa</th><td>Rp850.000.000</td><td>Rp450.000.000</td>'
        in page
    )
    assert '<th scope="row" class="line">Jalan usaha tani Dusun Krajan</th><td>Rp700.000.000</td>' in page
    assert page.index("Penyelenggaraan Pemerintahan Desa</th>") < page.index(
        "Pelaksanaan Pembangunan Desa</th>"
    )
    # The SVG: titled and described, bars drawn against the largest amount (pendapatan: all 640
    # units; belanja 1.515 / 1.565 × 640 = 619,6; its realisation 885 / 1.565 × 640 = 361,9).
    assert '<title id="chart1-title">Pendapatan, belanja, dan pembiayaan 2026</title>' in page
    assert "Pendapatan, anggaran Rp1.565.000.000." in page
    assert re.search(r'<rect x="0" y="26" width="640\.0" height="22" class="bar-anggaran">', page)
    assert 'width="619.6" height="22" class="bar-anggaran"' in page
    assert 'width="361.9" height="22" class="bar-realisasi"' in page
    # Belanja by bidang: shares of 1.515.000.000 (850 → 56,1%).
    assert "Pelaksanaan Pembangunan Desa · 56,1%</text>" in page
    assert '<a class="apbdes-download" href="/apbdes/2026.csv" download>' in page
    assert "<script src" not in page  # works without JavaScript (JSON-LD only)


def test_a_csv_import_is_shown_published_and_downloaded(team: Team) -> None:
    base, visitor = team.base, Browser(team.stack)
    screen = team.browsers["editor"].get(f"{base}/admin/apbdes")
    assert screen.status_code == 200
    assert "Kolom berkas impor" in screen.text and "<code>kelompok</code>" in screen.text

    year = imported_id(upload(team, "editor", "2026", ("apbdes-2026.csv", GOOD, "text/csv")))
    assert year_rows(team.stack, team.vid) == [(2026, "draft", 12)]
    editor_view = team.browsers["editor"].get(f"{base}/admin/apbdes/{year}?pesan=diimpor").text
    assert "Berkas sudah diimpor" in editor_view and "Jalan usaha tani Dusun Krajan" in editor_view

    # Not public while a draft (nor in the JSON or the CSV).
    assert "Belum ada APBDes yang diterbitkan." in visitor.get(f"{base}/apbdes").text
    assert visitor.get(f"{base}/apbdes/2026").status_code == 404
    assert visitor.get(f"{base}/api/v1/apbdes/2026").status_code == 404
    assert visitor.get(f"{base}/api/v1/apbdes").json()["apbdes"] == []
    assert visitor.get(f"{base}/apbdes/2026.csv").status_code == 404

    assert team.post("editor", f"/admin/apbdes/{year}/terbitkan").status_code == 303  # type: ignore[attr-defined]
    latest = visitor.get(f"{base}/apbdes")
    assert latest.status_code == 200
    check_public_2026(latest.text)
    check_public_2026(visitor.get(f"{base}/apbdes/2026").text)
    assert visitor.get(f"{base}/apbdes/2025").status_code == 404
    assert visitor.get(f"{base}/apbdes/dua").status_code == 404

    # The years' index: totals and where the details are.
    (listed,) = visitor.get(f"{base}/api/v1/apbdes").json()["apbdes"]
    assert listed["tahun"] == 2026 and listed["surplus_defisit"] == 50_000_000
    assert listed["json"].endswith("/api/v1/apbdes/2026") and listed["csv"].endswith("/apbdes/2026.csv")
    belanja = next(g for g in listed["kelompok"] if g["kelompok"] == "belanja")
    assert (belanja["anggaran"], belanja["realisasi"]) == (1_515_000_000, 885_000_000)
    # The JSON: published figures, nothing personal.
    data = visitor.get(f"{base}/api/v1/apbdes/2026").json()
    groups = {g["kelompok"]: g for g in data["kelompok"]}
    assert data["tahun"] == 2026 and data["surplus_defisit"] == 50_000_000
    assert (groups["belanja"]["anggaran"], groups["belanja"]["realisasi"]) == (1_515_000_000, 885_000_000)
    assert groups["pendapatan"]["persen_realisasi"] == 61.3
    assert groups["pembiayaan"]["anggaran"] == -50_000_000

    # The CSV download reads back into the same figures (imported as another year).
    csv = visitor.get(f"{base}/apbdes/2026.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert "Belanja,Pelaksanaan Pembangunan Desa,TOTAL,850000000,450000000" in csv.text
    again = imported_id(upload(team, "admin", "2025", ("unduhan.csv", csv.content, "text/csv")))
    with team.stack.runtime.session(team.vid) as db:
        first = apbdes.as_json(apbdes.summary_of(db, team.vid, apbdes.get_year(db, team.vid, year)))
        second = apbdes.as_json(apbdes.summary_of(db, team.vid, apbdes.get_year(db, team.vid, again)))
    assert {**first, "tahun": 0} == {**second, "tahun": 0}

    # Year over year: 2025 published too, then 2026 compares with it (same figures: 0%).
    assert team.post("admin", f"/admin/apbdes/{again}/terbitkan").status_code == 303  # type: ignore[attr-defined]
    page = visitor.get(f"{base}/apbdes/2026").text
    assert '<th scope="col">Anggaran 2025</th>' in page and "<td>0%</td>" in page
    assert '<a href="/apbdes/2025">2025</a>' in page
    # The sitemap lists the pages and the years.
    sitemap = visitor.get(f"{base}/sitemap-halaman.xml").text
    assert (
        "/apbdes/2026</loc>" in sitemap
        and "/apbdes/2025</loc>" in sitemap
        and "/pembangunan</loc>" in sitemap
    )

    # Taken down: gone at once (the page cache follows the content version).
    assert team.post("editor", f"/admin/apbdes/{year}/tarik").status_code == 303  # type: ignore[attr-defined]
    assert visitor.get(f"{base}/apbdes/2026").status_code == 404
    assert "<h1>APBDes 2025</h1>" in visitor.get(f"{base}/apbdes").text


def test_an_excel_import_gives_the_same_figures(team: Team) -> None:
    workbook = xlsx_of(GOOD)
    year = imported_id(upload(team, "admin", "2026", ("APBDes 2026.xlsx", workbook, XLSX_TYPE)))
    assert year_rows(team.stack, team.vid) == [(2026, "draft", 12)]
    assert team.post("admin", f"/admin/apbdes/{year}/terbitkan").status_code == 303  # type: ignore[attr-defined]
    check_public_2026(Browser(team.stack).get(f"{team.base}/apbdes/2026").text)
    # The old .xls is named, not misread.
    old = upload(
        team, "admin", "2024", ("lama.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "application/vnd.ms-excel")
    )
    assert old.status_code == 400 and "Simpan ulang sebagai .xlsx" in old.text  # type: ignore[attr-defined]


def test_a_bad_file_names_its_row_and_changes_nothing(team: Team) -> None:
    refused = upload(team, "editor", "2026", ("apbdes.csv", BAD_TOTAL, "text/csv"))
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert (
        "Baris 10: jumlah anggaran Pelaksanaan Pembangunan Desa Rp1.200.000.000 tidak sama dengan total "
        "rinciannya Rp850.000.000." in refused.text  # type: ignore[attr-defined]
    )
    assert "tidak ada yang diubah" in refused.text  # type: ignore[attr-defined]
    assert year_rows(team.stack, team.vid) == []

    cells = upload(team, "editor", "2026", ("apbdes.csv", BAD_CELLS, "text/csv"))
    assert cells.status_code == 400  # type: ignore[attr-defined]
    for sentence in (
        "Baris 3: kelompok “Hibah” tidak dikenal.",
        "Baris 4: “Bidang Kesenian” bukan bagian dari Belanja.",
        "Baris 5: anggaran “lima juta” bukan angka.",
        "Baris 6: anggaran “-5.000” tidak boleh negatif.",
    ):
        assert sentence in cells.text, sentence  # type: ignore[attr-defined]
    assert year_rows(team.stack, team.vid) == []

    # An existing year keeps its lines when a bad file is sent for it.
    imported_id(upload(team, "editor", "2026", ("apbdes.csv", GOOD, "text/csv")))
    assert upload(team, "editor", "2026", ("x.csv", BAD_TOTAL, "text/csv")).status_code == 400  # type: ignore[attr-defined]
    assert upload(team, "editor", "2026", ("x.csv", b"\x89PNG\r\n\x1a\n\0\0", "image/png")).status_code == 400  # type: ignore[attr-defined]
    assert upload(team, "editor", "2026", None).status_code == 400  # type: ignore[attr-defined]
    assert year_rows(team.stack, team.vid) == [(2026, "draft", 12)]


def test_replacing_a_year_shows_a_preview_first(team: Team) -> None:
    year = imported_id(upload(team, "editor", "2026", ("apbdes.csv", GOOD, "text/csv")))
    smaller = GOOD.replace(b"Pendapatan,Dana Desa,Dana Desa 2026,1050000000,630000000\r\n", b"").replace(
        b"Pendapatan,Dana Desa,Dana Desa 2026,1050000000,630000000\n", b""
    )
    smaller = smaller.replace(b'"1.565.000.000","960.000.000"', b'"515.000.000","330.000.000"')
    preview = upload(team, "editor", "2026", ("baru.csv", smaller, "text/csv"))
    assert preview.status_code == 200, preview.text  # type: ignore[attr-defined]
    assert "Ganti rincian APBDes 2026?" in preview.text and "11 baris" in preview.text  # type: ignore[attr-defined]
    assert '<td class="nowrap">Rp1.565.000.000</td><td class="nowrap">Rp515.000.000</td>' in preview.text  # type: ignore[attr-defined]
    assert year_rows(team.stack, team.vid) == [(2026, "draft", 12)]  # nothing yet
    carried = re.search(r'name="data" value="([^"]*)"', preview.text)  # type: ignore[attr-defined]
    assert carried
    confirmed = upload(team, "editor", "2026", None, ganti="1", data=html.unescape(carried.group(1)))
    assert imported_id(confirmed) == year
    assert year_rows(team.stack, team.vid) == [(2026, "draft", 11)]


def test_the_line_form_keeps_what_was_typed(team: Team) -> None:
    editor = team.browsers["editor"]
    created = team.post("editor", "/admin/apbdes/baru", {"tahun": "2026"})
    assert created.status_code == 303  # type: ignore[attr-defined]
    year = int(created.headers["location"].split("/")[3].split("?")[0])  # type: ignore[attr-defined]
    again = team.post("editor", "/admin/apbdes/baru", {"tahun": "2026"})
    assert again.status_code == 400 and "APBDes tahun 2026 sudah ada" in again.text  # type: ignore[attr-defined]
    wrong_year = team.post("editor", "/admin/apbdes/baru", {"tahun": "dua ribu"})
    assert wrong_year.status_code == 400 and 'value="dua ribu"' in wrong_year.text  # type: ignore[attr-defined]

    typed = {
        "bidang": "belanja|Pelaksanaan Pembangunan Desa",
        "uraian": "Jalan rabat beton RT 03",
        "anggaran": "seratus juta",
        "realisasi": "",
    }
    refused = team.post("editor", f"/admin/apbdes/{year}/baris", typed)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Anggaran “seratus juta” bukan angka" in refused.text  # type: ignore[attr-defined]
    assert 'value="Jalan rabat beton RT 03"' in refused.text and 'value="seratus juta"' in refused.text  # type: ignore[attr-defined]
    assert '<option value="belanja|Pelaksanaan Pembangunan Desa" selected>' in refused.text  # type: ignore[attr-defined]
    negative = team.post("editor", f"/admin/apbdes/{year}/baris", {**typed, "anggaran": "-100"})
    assert negative.status_code == 400 and "tidak boleh negatif" in negative.text  # type: ignore[attr-defined]
    unknown = team.post("editor", f"/admin/apbdes/{year}/baris", {**typed, "bidang": "hibah|Apa saja"})
    assert unknown.status_code == 400  # type: ignore[attr-defined]
    assert year_rows(team.stack, team.vid) == [(2026, "draft", 0)]
    # Publishing an empty year is refused with a sentence.
    empty = team.post("editor", f"/admin/apbdes/{year}/terbitkan")
    assert empty.status_code == 400 and "belum punya rincian" in empty.text  # type: ignore[attr-defined]

    saved = team.post("editor", f"/admin/apbdes/{year}/baris", {**typed, "anggaran": "Rp 100.000.000"})
    assert saved.status_code == 303  # type: ignore[attr-defined]
    with team.stack.runtime.session(team.vid) as db:
        (line,) = apbdes.lines(db, team.vid, year)
        line_id = line.id
        assert (line.kelompok, line.bidang, line.anggaran, line.realisasi) == (
            "belanja",
            "Pelaksanaan Pembangunan Desa",
            100_000_000,
            0,
        )
    form = editor.get(f"{team.base}/admin/apbdes/{year}/baris/{line_id}")
    assert form.status_code == 200 and 'value="100000000"' in form.text
    bad_edit = team.post("editor", f"/admin/apbdes/{year}/baris/{line_id}", {**typed, "realisasi": "1,5"})
    assert bad_edit.status_code == 400 and 'value="1,5"' in bad_edit.text  # type: ignore[attr-defined]
    ok = team.post(
        "editor",
        f"/admin/apbdes/{year}/baris/{line_id}",
        {**typed, "anggaran": "100000000", "realisasi": "25.000.000"},
    )
    assert ok.status_code == 303  # type: ignore[attr-defined]
    assert "Rp25.000.000" in editor.get(f"{team.base}/admin/apbdes/{year}").text
    assert team.post("editor", f"/admin/apbdes/{year}/baris/{line_id}/hapus").status_code == 303  # type: ignore[attr-defined]
    assert year_rows(team.stack, team.vid) == [(2026, "draft", 0)]
    # Deleting a whole year asks for its number.
    unsure = team.post("editor", f"/admin/apbdes/{year}/hapus", {"konfirmasi": "2025"})
    assert unsure.status_code == 400 and "Ketik tahun 2026" in unsure.text  # type: ignore[attr-defined]
    assert year_rows(team.stack, team.vid) == [(2026, "draft", 0)]
    assert team.post("editor", f"/admin/apbdes/{year}/hapus", {"konfirmasi": "2026"}).status_code == 303  # type: ignore[attr-defined]
    assert year_rows(team.stack, team.vid) == []


def test_projects_with_progress_photos(team: Team) -> None:
    base, visitor = team.base, Browser(team.stack)
    fields = {
        "name": "Jalan Usaha Tani Dusun Krajan",
        "location": "Dusun Krajan RT 02",
        "description": "Rabat beton 400 meter.",
        "budget": "Rp 150.000.000",
        "fund_source": "Dana Desa",
        "year": "2026",
        "stage": "berjalan",
    }
    refused = team.post("editor", "/admin/pembangunan/baru", {**fields, "budget": "banyak"})
    assert refused.status_code == 400 and 'value="Jalan Usaha Tani Dusun Krajan"' in refused.text  # type: ignore[attr-defined]
    assert "Anggaran “banyak” bukan angka" in refused.text  # type: ignore[attr-defined]
    created = team.post("editor", "/admin/pembangunan/baru", fields)
    assert created.status_code == 303  # type: ignore[attr-defined]
    project_id = int(created.headers["location"].split("/")[3].split("?")[0])  # type: ignore[attr-defined]

    photo = team.media(jpeg(), "jalan.jpg", "Pengecoran jalan usaha tani")
    theirs = team.media(jpeg(), "rahasia.jpg", "Foto desa lain", village_id=team.other_vid)
    report = {
        "reported_on": "2026-08-17",
        "percent": "45",
        "note": "Pengecoran tahap pertama",
        "media_id": str(photo),
    }
    future = team.post(
        "editor", f"/admin/pembangunan/{project_id}/kemajuan", {**report, "reported_on": "2099-01-01"}
    )
    assert future.status_code == 400 and "masa depan" in future.text  # type: ignore[attr-defined]
    assert 'value="Pengecoran tahap pertama"' in future.text  # type: ignore[attr-defined]
    other = team.post(
        "editor", f"/admin/pembangunan/{project_id}/kemajuan", {**report, "media_id": str(theirs)}
    )
    assert other.status_code == 400 and "Foto tidak ditemukan" in other.text  # type: ignore[attr-defined]
    too_much = team.post("editor", f"/admin/pembangunan/{project_id}/kemajuan", {**report, "percent": "120"})
    assert too_much.status_code == 400  # type: ignore[attr-defined]
    if utcnow().date().isoformat() >= "2026-08-17":
        assert team.post("editor", f"/admin/pembangunan/{project_id}/kemajuan", report).status_code == 303  # type: ignore[attr-defined]
    else:  # the machine's clock is before the report date
        report["reported_on"] = utcnow().date().isoformat()
        assert team.post("editor", f"/admin/pembangunan/{project_id}/kemajuan", report).status_code == 303  # type: ignore[attr-defined]

    assert visitor.get(f"{base}/pembangunan/jalan-usaha-tani-dusun-krajan").status_code == 404
    assert visitor.get(f"{base}/api/v1/pembangunan").json()["pembangunan"] == []  # a draft
    assert team.post("editor", f"/admin/pembangunan/{project_id}/terbitkan").status_code == 303  # type: ignore[attr-defined]
    (shown,) = visitor.get(f"{base}/api/v1/pembangunan").json()["pembangunan"]
    assert (shown["nama"], shown["anggaran"], shown["sumber_dana"], shown["tahap"]) == (
        "Jalan Usaha Tani Dusun Krajan",
        150_000_000,
        "Dana Desa",
        "berjalan",
    )
    assert shown["kemajuan_persen"] == 45
    assert shown["url"].endswith("/pembangunan/jalan-usaha-tani-dusun-krajan")
    (reported,) = shown["laporan"]
    assert reported["persen"] == 45 and reported["catatan"] == "Pengecoran tahap pertama"
    assert reported["foto"].startswith("http") and f"/v/{team.vid}/media/" in reported["foto"]
    listing = visitor.get(f"{base}/pembangunan").text
    assert '<a href="/pembangunan/jalan-usaha-tani-dusun-krajan">Jalan Usaha Tani Dusun Krajan</a>' in listing
    assert "Rp150.000.000 · Dana Desa · Berjalan" in listing and 'value="45"' in listing
    page = visitor.get(f"{base}/pembangunan/jalan-usaha-tani-dusun-krajan").text
    assert "<dd>Dusun Krajan RT 02</dd>" in page and "Pengecoran tahap pertama" in page
    assert 'alt="Pengecoran jalan usaha tani"' in page and 'loading="lazy"' in page and "srcset=" in page
    assert ".webp" in page
    # The media library knows where the photo is shown.
    with team.stack.runtime.session(team.vid) as db:
        places = media_service.where_used(db, team.vid, photo)
    assert [p.title for p in places] == ["Jalan Usaha Tani Dusun Krajan"]
    assert team.post("editor", f"/admin/pembangunan/{project_id}/hapus").status_code == 400  # type: ignore[attr-defined]
    assert team.post("editor", f"/admin/pembangunan/{project_id}/hapus", {"yakin": "1"}).status_code == 303  # type: ignore[attr-defined]
    assert visitor.get(f"{base}/pembangunan/jalan-usaha-tani-dusun-krajan").status_code == 404


def test_kontributor_reads_but_cannot_change(team: Team) -> None:
    year = imported_id(upload(team, "editor", "2026", ("apbdes.csv", GOOD, "text/csv")))
    kader = team.browsers["kader"]
    assert kader.get(f"{team.base}/admin/apbdes").status_code == 200
    view = kader.get(f"{team.base}/admin/apbdes/{year}")
    assert view.status_code == 200 and "Tambah baris" not in view.text and "Impor" not in view.text
    assert upload(team, "kader", "2027", ("apbdes.csv", GOOD, "text/csv")).status_code == 403  # type: ignore[attr-defined]
    assert team.post("kader", f"/admin/apbdes/{year}/terbitkan").status_code == 403  # type: ignore[attr-defined]
    assert team.post("kader", "/admin/pembangunan/baru", {"name": "Sumur"}).status_code == 403  # type: ignore[attr-defined]
    assert kader.get(f"{team.base}/admin/pembangunan/baru").status_code == 403
    assert year_rows(team.stack, team.vid) == [(2026, "draft", 12)]


def test_another_villages_years_and_projects_are_not_found(team: Team) -> None:
    theirs = imported_id(upload(team, "admin_b", "2026", ("apbdes.csv", GOOD, "text/csv")))
    with team.stack.runtime.session(team.other_vid) as db:
        project = projects.create(
            db,
            team.other_vid,
            projects.check_fields(
                name="Embung Meteseh",
                location="",
                description="",
                budget="1000",
                fund_source="Dana Desa",
                year="2026",
                stage="rencana",
            ),
        )
        their_project = project.id
        db.commit()
    with team.stack.runtime.session(team.other_vid) as db:
        line_id = apbdes.lines(db, team.other_vid, theirs)[0].id
    editor = team.browsers["editor"]
    for path in (
        f"/admin/apbdes/{theirs}",
        f"/admin/apbdes/{theirs}/baris/{line_id}",
        f"/admin/pembangunan/{their_project}",
    ):
        assert editor.get(f"{team.base}{path}").status_code == 404, path
    for path, data in (
        (f"/admin/apbdes/{theirs}/terbitkan", {}),
        (f"/admin/apbdes/{theirs}/hapus", {}),
        (
            f"/admin/apbdes/{theirs}/baris",
            {"bidang": "belanja|Pelaksanaan Pembangunan Desa", "anggaran": "1"},
        ),
        (f"/admin/apbdes/{theirs}/baris/{line_id}/hapus", {}),
        (f"/admin/pembangunan/{their_project}/terbitkan", {}),
        (f"/admin/pembangunan/{their_project}/hapus", {}),
    ):
        assert team.post("editor", path, data).status_code == 404, path  # type: ignore[attr-defined]
    assert year_rows(team.stack, team.other_vid) == [(2026, "draft", 12)]
    with team.stack.runtime.session(team.other_vid) as db:
        assert db.exec(in_village(Project, team.other_vid)).first() is not None
    # Published over there: in their JSON, never in ours.
    assert team.post("admin_b", f"/admin/pembangunan/{their_project}/terbitkan").status_code == 303  # type: ignore[attr-defined]
    assert team.post("admin_b", f"/admin/apbdes/{theirs}/terbitkan").status_code == 303  # type: ignore[attr-defined]
    visitor = Browser(team.stack)
    theirs_json = visitor.get(f"{team.other_base}/api/v1/pembangunan").json()["pembangunan"]
    assert [p["nama"] for p in theirs_json] == ["Embung Meteseh"]
    assert visitor.get(f"{team.base}/api/v1/pembangunan").json()["pembangunan"] == []
    assert visitor.get(f"{team.base}/api/v1/apbdes").json()["apbdes"] == []


def test_transparency_counts_figures_and_documents(team: Team) -> None:
    stack, vid = team.stack, team.vid
    with stack.runtime.session(vid) as db:
        assert transparency(db, vid, 2026) == transparency(db, vid, 2026)
        found = transparency(db, vid, 2026)
        assert (found.apbdes_published, found.rpjm_current, found.complete) == (False, False, False)
    # A published APBDes document of the year counts; a draft does not; another year does not.
    doc_file = team.media(PDF, "apbdes.pdf")
    with stack.runtime.session(vid) as db:
        db.add(Document(village_id=vid, title="APBDes 2026", category="APBDes", year=2026, media_id=doc_file))
        db.add(
            Document(
                village_id=vid,
                title="APBDes 2025",
                category="APBDes",
                year=2025,
                media_id=doc_file,
                status="published",
            )
        )
        db.add(
            Document(
                village_id=vid,
                title="RPJMDes 2020-2026",
                category="RPJMDes",
                year=2020,
                media_id=doc_file,
                status="published",
            )
        )
        db.commit()
    with stack.runtime.session(vid) as db:
        found = transparency(db, vid, 2026)
        assert (found.apbdes_published, found.rpjm_current) == (False, False)  # RPJM 2020 ends in 2025
        assert transparency(db, vid, 2025).rpjm_current and transparency(db, vid, 2025).apbdes_published
    # Published figures of the year count as well.
    year = imported_id(upload(team, "editor", "2026", ("apbdes.csv", GOOD, "text/csv")))
    with stack.runtime.session(vid) as db:
        assert not transparency(db, vid, 2026).apbdes_published  # still a draft
    team.post("editor", f"/admin/apbdes/{year}/terbitkan")
    with stack.runtime.session(vid) as db:
        db.add(
            Document(
                village_id=vid,
                title="RPJMDes 2021-2027",
                category="RPJMDes",
                year=2021,
                media_id=doc_file,
                status="published",
            )
        )
        db.commit()
    with stack.runtime.session(vid) as db:
        found = transparency(db, vid, 2026)
        assert (found.apbdes_published, found.rpjm_current, found.complete) == (True, True, True)
        # Another village sees none of it.
        assert not transparency(db, team.other_vid, 2026).apbdes_published


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("Rp 1.500.000", 1_500_000),
        ("Rp1.500.000", 1_500_000),
        ("1.500.000,00", 1_500_000),
        ("1,500,000", 1_500_000),
        (1500000, 1_500_000),
        (1500000.0, 1_500_000),
    ],
)
def test_amounts_are_read_the_usual_ways(raw: object, expected: int) -> None:
    assert apbdes.parse_amount(raw) == expected


@pytest.mark.parametrize("raw", ["-1.000", "(1.000)", "1,5", "satu juta", "1.50.000", "", "1.5", 12.5, True])
def test_other_amounts_are_refused(raw: object) -> None:
    with pytest.raises(ValueError, match=r"."):
        apbdes.parse_amount(raw)


def test_the_column_names_and_bidang_numbers() -> None:
    rows = [
        (1, ["No", "Kelompok", "Sub Bidang", "Bidang", "Anggaran"]),
        (2, ["1", "BELANJA", "Sosialisasi", "2", "1.000"]),
        (3, ["2", "Belanja", "Rakor", "Bidang Penyelenggaraan Pemerintahan Desa", "2.000"]),
        (4, ["", "Pendapatan", "", "Dana Desa (DD)", "3.000"]),
    ]
    lines = importing.parse_rows(rows)
    assert [(line.kelompok, line.bidang, line.uraian, line.anggaran, line.realisasi) for line in lines] == [
        ("belanja", "Pelaksanaan Pembangunan Desa", "Sosialisasi", 1000, 0),
        ("belanja", "Penyelenggaraan Pemerintahan Desa", "Rakor", 2000, 0),
        ("pendapatan", "Dana Desa", "", 3000, 0),
    ]
    with pytest.raises(importing.ImportRefusedError, match="Baris judul kolom tidak ditemukan"):
        importing.parse_rows([(1, ["a", "b"]), (2, ["c", "d"])])


def test_every_theme_shows_the_apbdes_and_its_sidebar_widget(team: Team) -> None:
    year = imported_id(upload(team, "admin", "2026", ("apbdes.csv", GOOD, "text/csv")))
    visitor = Browser(team.stack)
    empty = team.post(
        "admin",
        "/admin/tampilan",
        {"tema": "klasik", "tata": "sidebar-kanan", "aksi": "terapkan", "w_count": "1", "w0_type": "apbdes"},
    )
    assert empty.status_code == 303  # type: ignore[attr-defined]
    assert "Belum ada APBDes yang diterbitkan." in visitor.get(f"{team.base}/").text
    assert team.post("admin", f"/admin/apbdes/{year}/terbitkan").status_code == 303  # type: ignore[attr-defined]
    for theme, layout in (
        ("klasik", "sidebar-kanan"),
        ("pesisir", "sidebar-kanan"),
        ("sawah", "sidebar-kiri"),
    ):
        applied = team.post(
            "admin",
            "/admin/tampilan",
            {"tema": theme, "tata": layout, "aksi": "terapkan", "w_count": "1", "w0_type": "apbdes"},
        )
        assert applied.status_code == 303, theme  # type: ignore[attr-defined]
        home = visitor.get(f"{team.base}/").text
        assert f"theme-{theme}" in home and "APBDes desa</h2>" in home, theme
        assert "<dt>Pendapatan</dt>" in home and "Rp1.565.000.000" in home and "Rp1.515.000.000" in home
        assert '<a href="/apbdes/2026">APBDes 2026 selengkapnya</a>' in home
        page = visitor.get(f"{team.base}/apbdes")
        assert page.status_code == 200 and f"theme-{theme}" in page.text
        check_public_2026(page.text)
        projects_page = visitor.get(f"{team.base}/pembangunan")
        assert projects_page.status_code == 200 and "Belum ada kegiatan pembangunan" in projects_page.text
