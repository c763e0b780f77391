"""Documents (dokumen) on both stacks: a real small PDF and an Excel file uploaded with the form, a
wrong file or a wrong year refused with the typed values kept (and nothing stored), categories and
years filtered on the team's list and on the public page, the kontributor's limits, other villages'
ids, and a document's file that the media library never deletes, not even by force."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent
from etalase.platform.content import documents
from etalase.platform.content.models import Document
from etalase.platform.media_library.models import MediaFile
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village
from tests.conftest import Stack
from tests.people import Browser
from tests.test_gallery import PDF, Team, jpeg
from tests.test_media_library import XLSX, office, stored_keys

BASE = "/admin/dokumen"


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def send(
    team: Team, who: str, path: str, fields: dict[str, str], file: tuple[str, bytes, str] | None = None
) -> object:
    """The document form as a browser sends it (multipart, with or without a file)."""
    browser = team.browsers[who]
    base = team.other_base if who == "admin_b" else team.base
    token = browser.csrf(f"{base}{BASE}")
    return browser.client.post(
        f"{base}{path}",
        data={"csrf_token": token, **fields},
        files={"berkas": file} if file else {"berkas": ("", b"", "application/octet-stream")},
        headers={"origin": base},
    )


def rows(stack: Stack, village_id: int) -> list[Document]:
    with stack.runtime.session(village_id) as db:
        found = list(db.exec(in_village(Document, village_id).order_by(col(Document.id))).all())
        for row in found:
            db.expunge(row)
        return found


def media_count(stack: Stack, village_id: int) -> int:
    with stack.runtime.session(village_id) as db:
        return len(db.exec(in_village(MediaFile, village_id)).all())


def created_id(response: object) -> int:
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    match = re.match(rf"{BASE}/(\d+)\?pesan=dibuat", response.headers["location"])  # type: ignore[attr-defined]
    assert match
    return int(match.group(1))


def test_a_pdf_uploaded_with_the_form_is_offered_for_download(team: Team) -> None:
    base, kader = team.base, team.browsers["kader"]
    form = kader.get(f"{base}{BASE}/baru")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    for category in documents.STANDARD_CATEGORIES:
        assert f'<option value="{category}">' in form.text
    assert "<script" not in form.text

    typed = {"title": "APBDes Sidomulyo 2026", "category": "APBDes", "year": "2026", "description": "Ringkas"}
    # A photo is not a document: refused by name, the typed values kept, nothing stored.
    wrong = send(team, "kader", f"{BASE}/baru", typed, ("apbdes.jpg", jpeg(), "image/jpeg"))
    assert wrong.status_code == 400  # type: ignore[attr-defined]
    assert "“apbdes.jpg” bukan dokumen yang didukung" in wrong.text  # type: ignore[attr-defined]
    assert 'value="APBDes Sidomulyo 2026"' in wrong.text and 'value="APBDes"' in wrong.text  # type: ignore[attr-defined]
    assert 'value="2026"' in wrong.text and ">Ringkas</textarea>" in wrong.text  # type: ignore[attr-defined]
    # A script dressed as a PDF is judged by the media library: refused, nothing stored.
    fake = send(
        team, "kader", f"{BASE}/baru", typed, ("apbdes.pdf", b"PK\x03\x04bukan zip", "application/pdf")
    )
    assert fake.status_code == 415 and "Jenis berkas ini tidak didukung" in fake.text  # type: ignore[attr-defined]
    assert 'value="APBDes Sidomulyo 2026"' in fake.text  # type: ignore[attr-defined]
    # No file at all.
    none = send(team, "kader", f"{BASE}/baru", typed)
    assert none.status_code == 400 and "Unggah berkas dokumen, atau pilih berkas" in none.text  # type: ignore[attr-defined]
    # Years outside 1945 … next year: refused before the file is stored.
    next_year = utcnow().year + 1
    for year in ("1944", str(next_year + 1), "dua ribu", ""):
        refused = send(
            team, "kader", f"{BASE}/baru", {**typed, "year": year}, ("a.pdf", PDF, "application/pdf")
        )
        assert refused.status_code == 400, year  # type: ignore[attr-defined]
        assert f"antara 1945 dan {next_year}" in refused.text  # type: ignore[attr-defined]
        assert 'value="APBDes Sidomulyo 2026"' in refused.text  # type: ignore[attr-defined]
    assert rows(team.stack, team.vid) == [] and media_count(team.stack, team.vid) == 0
    assert stored_keys(team.stack, team.vid) == set()

    document_id = created_id(
        send(team, "kader", f"{BASE}/baru", typed, ("APBDes 2026.pdf", PDF, "application/pdf"))
    )
    (document,) = rows(team.stack, team.vid)
    assert (document.id, document.title, document.category, document.year, document.status) == (
        document_id,
        "APBDes Sidomulyo 2026",
        "APBDes",
        2026,
        "draft",
    )
    file = team.file(document.media_id)
    assert file.kind == "document" and file.content_type == "application/pdf"
    assert team.stack.runtime.media.get(file.key) == PDF

    # An Excel file too, in a category of the village's own; then it is offered in the form.
    sheet = office(XLSX)
    excel_id = created_id(
        send(
            team,
            "kader",
            f"{BASE}/baru",
            {"title": "Data Penduduk 2025", "category": "Data Kependudukan", "year": "2025"},
            ("penduduk.xlsx", sheet, "application/octet-stream"),
        )
    )
    assert '<option value="Data Kependudukan">' in kader.get(f"{base}{BASE}/baru").text

    # Not public while a draft; a kontributor does not publish.
    visitor = Browser(team.stack)
    assert "APBDes Sidomulyo 2026" not in visitor.get(f"{base}/dokumen").text
    assert team.post("kader", f"{BASE}/{document_id}/terbitkan").status_code == 403  # type: ignore[attr-defined]
    for published in (document_id, excel_id):
        assert team.post("editor", f"{BASE}/{published}/terbitkan").status_code == 303  # type: ignore[attr-defined]

    page = visitor.get(f"{base}/dokumen")
    assert page.status_code == 200
    url = team.stack.runtime.media.url(file.key)
    assert f'<a href="{url}" download>APBDes Sidomulyo 2026</a>' in page.text
    assert "APBDes · 2026 · PDF," in page.text and "Unduh PDF" in page.text
    assert "Data Kependudukan · 2025 · XLSX," in page.text
    assert page.text.index("Tahun 2026") < page.text.index("Tahun 2025")
    # Filtered by category, by year: plain GET links and a form, no JavaScript.
    by_category = visitor.get(f"{base}/dokumen?kategori=APBDes").text
    assert "APBDes Sidomulyo 2026" in by_category and "Data Penduduk 2025" not in by_category
    by_year = visitor.get(f"{base}/dokumen?tahun=2025").text
    assert "Data Penduduk 2025" in by_year and "APBDes Sidomulyo 2026" not in by_year
    nothing = visitor.get(f"{base}/dokumen?kategori=APBDes&tahun=2025").text
    assert "Tidak ada dokumen untuk pilihan ini." in nothing
    if not team.stack.settings.s3_bucket:
        served = visitor.get(f"{base}{url}")
        assert served.status_code == 200 and served.content == PDF

    # Taken down: gone from the public page.
    assert team.post("editor", f"{BASE}/{document_id}/tarik").status_code == 303  # type: ignore[attr-defined]
    assert "APBDes Sidomulyo 2026" not in visitor.get(f"{base}/dokumen").text
    with team.stack.runtime.session(team.vid) as db:
        actions = db.exec(
            select(AuditEvent.action).where(col(AuditEvent.action).startswith("document_"))
        ).all()
    assert sorted(actions) == sorted(
        ["document_created"] * 2 + ["document_published"] * 2 + ["document_unpublished"]
    )


def test_the_team_list_filters_by_category_and_year(team: Team) -> None:
    for title, category, year in (
        ("Perdes Nomor 1 Tahun 2024", "Peraturan Desa", "2024"),
        ("Perdes Nomor 2 Tahun 2025", "Peraturan Desa", "2025"),
        ("RPJMDes 2020-2026", "RPJMDes", "2020"),
    ):
        created_id(
            send(
                team,
                "editor",
                f"{BASE}/baru",
                {"title": title, "category": category, "year": year},
                ("a.pdf", PDF, "application/pdf"),
            )
        )
    editor = team.browsers["editor"]
    everything = editor.get(f"{team.base}{BASE}").text
    assert all(t in everything for t in ("Perdes Nomor 1", "Perdes Nomor 2", "RPJMDes 2020-2026"))
    perdes = editor.get(f"{team.base}{BASE}?kategori=Peraturan+Desa").text
    assert "Perdes Nomor 1" in perdes and "Perdes Nomor 2" in perdes and "RPJMDes 2020-2026" not in perdes
    year = editor.get(f"{team.base}{BASE}?kategori=Peraturan+Desa&tahun=2025").text
    assert "Perdes Nomor 2" in year and "Perdes Nomor 1" not in year
    assert '<option value="2025" selected>' in year


def test_choosing_a_file_of_the_library(team: Team) -> None:
    mine = team.media(PDF, "perkades.pdf")
    photo = team.media(jpeg(), "foto.jpg", "Foto")
    theirs = team.media(PDF, "rahasia-meteseh.pdf", village_id=team.other_vid)
    fields = {"title": "Perkades Nomor 3", "category": "Peraturan Kepala Desa", "year": "2026"}
    form = team.browsers["editor"].get(f"{team.base}{BASE}/baru").text
    assert f'<option value="{mine}"' in form and f'<option value="{photo}"' not in form
    assert "rahasia-meteseh" not in form
    for wrong, message in ((theirs, "tidak ditemukan di pustaka media desa ini"), (photo, "bukan dokumen")):
        refused = send(team, "editor", f"{BASE}/baru", {**fields, "media_id": str(wrong)})
        assert refused.status_code == 400 and message in refused.text  # type: ignore[attr-defined]
        assert 'value="Perkades Nomor 3"' in refused.text  # type: ignore[attr-defined]
    assert rows(team.stack, team.vid) == []
    document_id = created_id(send(team, "editor", f"{BASE}/baru", {**fields, "media_id": str(mine)}))
    assert rows(team.stack, team.vid)[0].media_id == mine
    assert media_count(team.stack, team.vid) == 2  # nothing new was uploaded

    # Editing: a new file replaces the old one (which stays in the library).
    saved = send(
        team,
        "editor",
        f"{BASE}/{document_id}",
        {**fields, "title": "Perkades Nomor 3 (perubahan)"},
        ("perubahan.pdf", PDF, "application/pdf"),
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    (document,) = rows(team.stack, team.vid)
    assert document.title == "Perkades Nomor 3 (perubahan)" and document.media_id not in (mine, photo)
    # A wrong year on edit: refused, typed values kept, and the upload was not stored.
    count = media_count(team.stack, team.vid)
    refused = send(
        team, "editor", f"{BASE}/{document_id}", {**fields, "year": "3000"}, ("x.pdf", PDF, "application/pdf")
    )
    assert refused.status_code == 400 and 'value="3000"' in refused.text  # type: ignore[attr-defined]
    assert media_count(team.stack, team.vid) == count


def test_a_documents_file_is_never_deleted_even_by_force(team: Team) -> None:
    document_id = created_id(
        send(
            team,
            "editor",
            f"{BASE}/baru",
            {"title": "Laporan Realisasi 2025", "category": "Laporan Realisasi APBDes", "year": "2025"},
            ("realisasi.pdf", PDF, "application/pdf"),
        )
    )
    (document,) = rows(team.stack, team.vid)
    file = team.file(document.media_id)
    admin, library = team.browsers["admin"], f"{team.base}/admin/media"
    for form in ({}, {"paksa": "1"}):
        refused = admin.post(f"{library}/{file.id}/hapus", form, form_url=library)
        assert refused.status_code == 409  # type: ignore[attr-defined]
        assert "Hapus dulu dokumennya" in refused.text and "Laporan Realisasi 2025" in refused.text
        assert "Dokumen (draf): “Laporan Realisasi 2025”" in refused.text
        assert "Tetap hapus" not in refused.text  # no button that could only be refused again
    # In the trash it still holds its file (it can be restored).
    assert team.post("editor", f"{BASE}/{document_id}/hapus").status_code == 303  # type: ignore[attr-defined]
    refused = admin.post(f"{library}/{file.id}/hapus", {"paksa": "1"}, form_url=library)
    assert refused.status_code == 409 and "Dokumen (di tempat sampah)" in refused.text
    assert team.file(file.id).key == file.key
    assert set(file.keys) <= stored_keys(team.stack, team.vid)
    # Deleted for good (only from the trash, only by an editor or admin): then the file may go.
    assert team.post("kader", f"{BASE}/{document_id}/hapus-permanen").status_code == 403  # type: ignore[attr-defined]
    assert team.post("editor", f"{BASE}/{document_id}/hapus-permanen").status_code == 303  # type: ignore[attr-defined]
    assert rows(team.stack, team.vid) == []
    assert admin.post(f"{library}/{file.id}/hapus", form_url=library).status_code == 303
    assert media_count(team.stack, team.vid) == 0 and stored_keys(team.stack, team.vid) == set()


def test_kontributor_limits_and_other_villages_ids(team: Team) -> None:
    fields = {"title": "Profil Desa Sidomulyo", "category": "Profil Desa", "year": "2026"}
    document_id = created_id(
        send(team, "kader", f"{BASE}/baru", fields, ("profil.pdf", PDF, "application/pdf"))
    )
    assert team.browsers["kader2"].get(f"{team.base}{BASE}/{document_id}").status_code == 403
    assert send(team, "kader2", f"{BASE}/{document_id}", {**fields, "title": "Diganti"}).status_code == 403  # type: ignore[attr-defined]
    for action in ("terbitkan", "tarik", "hapus", "pulihkan", "hapus-permanen"):
        assert team.post("kader", f"{BASE}/{document_id}/{action}").status_code == 403, action  # type: ignore[attr-defined]
    assert rows(team.stack, team.vid)[0].title == "Profil Desa Sidomulyo"
    # Once published it is the editors': the kader reads it in the list, no longer edits it.
    team.post("editor", f"{BASE}/{document_id}/terbitkan")
    assert team.browsers["kader"].get(f"{team.base}{BASE}/{document_id}").status_code == 403
    assert "Profil Desa Sidomulyo" in team.browsers["kader"].get(f"{team.base}{BASE}?status=terbit").text

    # A's admin aims at B's document by id: not found, and B's document is untouched.
    theirs = created_id(
        send(
            team,
            "admin_b",
            f"{BASE}/baru",
            {"title": "APBDes Meteseh", "category": "APBDes", "year": "2026"},
            ("meteseh.pdf", PDF, "application/pdf"),
        )
    )
    before = [(d.title, d.status, d.deleted_at) for d in rows(team.stack, team.other_vid)]
    admin = team.browsers["admin"]
    assert admin.get(f"{team.base}{BASE}/{theirs}").status_code == 404
    assert send(team, "admin", f"{BASE}/{theirs}", fields).status_code == 404  # type: ignore[attr-defined]
    for action in ("terbitkan", "tarik", "hapus", "pulihkan", "hapus-permanen"):
        assert team.post("admin", f"{BASE}/{theirs}/{action}").status_code == 404, action  # type: ignore[attr-defined]
    assert [(d.title, d.status, d.deleted_at) for d in rows(team.stack, team.other_vid)] == before
    assert "Meteseh" not in admin.get(f"{team.base}{BASE}").text
    assert "Meteseh" not in Browser(team.stack).get(f"{team.base}/dokumen").text
