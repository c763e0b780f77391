"""Reading Blogger and WordPress exports into ImportResult: pure, no database.

The fixtures in tests/fixtures/imports/ are written by hand after real exports: a Google Takeout
``feed.atom`` (Blogger's 2018 format), a classic Blogger "Back up content" file, a WordPress WXR 1.2
file, and hostile files (billion laughs, XXE, a truncated download).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etalase.platform.content.sanitize import clean_html
from etalase.platform.importers import (
    MAX_BYTES,
    ExportTooLargeError,
    ImportedItem,
    ImportRefusedError,
    ImportResult,
    InvalidExportError,
    ReportLine,
    UnsafeExportError,
    bodies,
    detect,
    images,
    normalise_image_url,
    parse_blogger,
    parse_export,
    parse_wxr,
    rewrite_urls,
    shortcodes,
)

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
TAKEOUT = "blogger-takeout-feed.atom"
CLASSIC = "blogger-backup-classic.xml"
WXR = "wordpress-desa.WordPress.2024-02-20.xml"
Parser = Callable[[bytes], ImportResult]


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_title(result: ImportResult, title: str) -> ImportedItem:
    return next(item for item in result.items if item.title == title)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def codes(lines: Sequence[ReportLine]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.reason_code] = totals.get(line.reason_code, 0) + line.count
    return totals


@pytest.fixture(scope="module")
def takeout() -> ImportResult:
    return parse_blogger(read(TAKEOUT))


@pytest.fixture(scope="module")
def classic() -> ImportResult:
    return parse_blogger(read(CLASSIC))


@pytest.fixture(scope="module")
def wxr() -> ImportResult:
    return parse_wxr(read(WXR))


# --- detect -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "source"),
    [
        (TAKEOUT, "blogger"),
        (CLASSIC, "blogger"),
        (WXR, "wordpress"),
        ("billion-laughs.xml", "wordpress"),
        ("wordpress-truncated.xml", "wordpress"),
    ],
)
def test_detect_recognises_the_exporter(name: str, source: str) -> None:
    assert detect(read(name)) == source


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html><body>Profil desa</body></html>",
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>',
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>RSS biasa</title></channel></rss>',
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
)
def test_detect_says_none_for_other_files(data: bytes) -> None:
    assert detect(data) is None


def test_detect_reads_a_utf16_export() -> None:
    text = read(CLASSIC).decode().replace("encoding='UTF-8'", "encoding='UTF-16'", 1)
    data = text.encode("utf-16")
    assert detect(data) == "blogger"
    assert len(parse_export(data).items) == 4


def test_parse_export_dispatches(takeout: ImportResult, wxr: ImportResult) -> None:
    assert parse_export(read(TAKEOUT)).source == "blogger"
    assert parse_export(read(WXR)).source == "wordpress"


# --- Blogger: Takeout feed.atom ---------------------------------------------------------------
def test_takeout_counts(takeout: ImportResult) -> None:
    assert takeout.source == "blogger"
    assert takeout.site_title == "Desa Sukamaju – Kecamatan Cibeber"
    assert takeout.site_url is None  # Takeout does not say where the blog lived
    assert len(takeout.posts) == 4 and len(takeout.pages) == 1
    assert sorted(item.status for item in takeout.posts) == ["draft", "published", "published", "published"]


def test_takeout_post_fields(takeout: ImportResult) -> None:
    post = by_title(takeout, "Musyawarah Desa Penyusunan RKPDes 2024")
    assert post.kind == "post"
    assert post.source_id.endswith(".post-1873920465512839047")
    assert post.slug == "musyawarah-desa-penyusunan-rkpdes-2024"
    assert post.source_path == "/2023/05/musyawarah-desa-penyusunan-rkpdes-2024.html"
    assert post.source_url is None
    assert post.categories == ["Berita Desa", "Kegiatan"] and post.tags == []
    assert post.author == "Operator Desa Sukamaju"
    assert post.summary.startswith("Musdes Desa Sukamaju menyepakati")  # blogger:metaDescription
    assert post.published_at == datetime(2023, 5, 12, 7, 5, 0, 1000, tzinfo=UTC)
    assert post.updated_at == datetime(2023, 5, 13, 1, 12, 44, 519000, tzinfo=UTC)
    assert "<b>Musyawarah Desa (Musdes)</b>" in post.body_html


def test_takeout_dates_are_utc_whatever_the_offset(takeout: ImportResult) -> None:
    posyandu = by_title(takeout, "Posyandu Mawar & Pemeriksaan Balita Dusun I")
    assert posyandu.published_at == utc(2022, 11, 20, 19, 10)  # 02:10+07:00
    for item in takeout.items:
        assert item.published_at is not None and item.published_at.utcoffset() == UTC.utcoffset(None)


def test_takeout_double_escaped_title_and_generated_slug(takeout: ImportResult) -> None:
    # "&amp;amp;" in the file; the URL is Blogger's blog-post_21.html, which names nothing.
    posyandu = by_title(takeout, "Posyandu Mawar & Pemeriksaan Balita Dusun I")
    assert posyandu.slug == "posyandu-mawar-pemeriksaan-balita-dusun-i"
    assert posyandu.source_path == "/2022/11/blog-post_21.html"


def test_takeout_draft_page_and_trash(takeout: ImportResult) -> None:
    draft = by_title(takeout, "Rencana Kerja Bakti Bulan Agustus")
    assert draft.status == "draft" and draft.source_path is None
    assert draft.slug == "rencana-kerja-bakti-bulan-agustus"
    assert draft.author == "Sekretaris Desa"
    page = by_title(takeout, "Profil Desa")
    assert page.kind == "page" and page.slug == "profil-desa" and page.parent is None
    assert all("salah ketik" not in item.title for item in takeout.items)
    trashed = [line for line in takeout.skipped if line.reason_code == "trashed"]
    assert [line.title_or_id for line in trashed] == ["Pengumuman Jadwal Pelayanan (salah ketik)"]
    assert "tempat sampah" in trashed[0].message


def test_takeout_comments_are_one_counted_line(takeout: ImportResult) -> None:
    comments = [line for line in takeout.skipped if line.reason_code == "comments"]
    assert len(comments) == 1
    assert comments[0].count == 3
    assert comments[0].message == "3 komentar tidak diimpor."


def test_takeout_authors_are_unique_in_order(takeout: ImportResult) -> None:
    assert [a.key for a in takeout.authors] == ["Operator Desa Sukamaju", "Sekretaris Desa", "Kader PKK"]
    assert all(a.email is None for a in takeout.authors)


def test_takeout_images_are_normalised_and_deduplicated(takeout: ImportResult) -> None:
    post = by_title(takeout, "Musyawarah Desa Penyusunan RKPDes 2024")
    # The thumbnail (w640-h480) and the link to the full size (s1600) are one picture, fetched as s0.
    assert len(post.image_urls) == 1
    assert post.image_urls[0].startswith("https://blogger.googleusercontent.com/img/b/")
    assert post.image_urls[0].endswith("/s0/musdes-rkpdes-2024.jpg")
    assert len(post.body_urls) == 2
    assert set(post.body_urls.values()) == set(post.image_urls)

    blt = by_title(takeout, "Penyaluran BLT Dana Desa Tahap II Tahun 2023")
    assert len(blt.image_urls) == 1 and blt.image_urls[0].endswith("=s0")  # the img/a/…=w640-h480 form
    assert blt.document_urls == [
        "https://dpmd.cianjurkab.go.id/wp-content/uploads/2023/06/Perbup-BLT-DD-2023.pdf"
    ]
    posyandu = by_title(takeout, "Posyandu Mawar & Pemeriksaan Balita Dusun I")
    assert posyandu.image_urls == [
        "https://1.bp.blogspot.com/-Xk3pR7aQe2c/Y3bT0fKp9AI/AAAAAAAABcE/"
        "Qw8rT2yUi4oP6aS9dF1gH3jK5lZ7xC0vBnM/s0/posyandu-mawar.jpg"
    ]


def test_takeout_caption_table_becomes_a_figure(takeout: ImportResult) -> None:
    post = by_title(takeout, "Musyawarah Desa Penyusunan RKPDes 2024")
    assert "tr-caption-container" not in post.body_html
    assert "<figcaption>Suasana Musyawarah Desa di Balai Desa Sukamaju</figcaption>" in post.body_html
    cleaned = clean_html(post.body_html)
    assert "<figure>" in cleaned and "<figcaption>" in cleaned and "<img" in cleaned


def test_takeout_youtube_iframe_becomes_a_link_with_a_note(takeout: ImportResult) -> None:
    blt = by_title(takeout, "Penyaluran BLT Dana Desa Tahap II Tahun 2023")
    assert "<iframe" not in blt.body_html
    assert 'href="https://www.youtube.com/watch?v=q9ZbT2xYk1E"' in blt.body_html
    notes = [n for n in takeout.notes if n.reason_code == "embed_link"]
    assert len(notes) == 1 and notes[0].title_or_id == blt.title
    assert "diganti tautan" in notes[0].message


# --- Blogger: classic backup ------------------------------------------------------------------
def test_classic_counts_and_site(classic: ImportResult) -> None:
    assert classic.site_title == "Desa Mekarjaya"
    assert classic.site_url == "https://desamekarjaya.blogspot.com/"
    assert [(i.kind, i.status) for i in classic.items] == [
        ("post", "published"),
        ("post", "draft"),
        ("post", "scheduled"),
        ("page", "published"),
    ]


def test_classic_post_fields(classic: ImportResult) -> None:
    post = by_title(classic, "Musyawarah Desa Penetapan RKPDes 2020")
    assert post.slug == "musyawarah-desa-penetapan-rkpdes-2020"
    assert post.source_url == (
        "https://desamekarjaya.blogspot.com/2019/08/musyawarah-desa-penetapan-rkpdes-2020.html"
    )
    assert post.published_at == utc(2019, 8, 17, 8, 45)
    assert post.categories == ["Berita Desa", "Musdes"]
    assert post.summary.startswith("Mekarjaya - Bertempat di aula kantor desa")  # text before <a name="more">
    # media:thumbnail (s72-c) is the same picture as the body's s400 and s1600.
    assert post.featured_image_url == post.image_urls[0]
    assert post.image_urls == [
        "https://2.bp.blogspot.com/-hR4tYk0pQ2E/XVe9sL1pT0I/AAAAAAAAAlQ/"
        "rT7uYp2wQ9oE1sZ4xV6bN8mK0lJ3hG5fDCLcBGAs/s0/musdes-2019.JPG"
    ]
    assert classic.authors[0].email is None  # noreply@blogger.com is nobody's address


def test_classic_draft_scheduled_and_page(classic: ImportResult) -> None:
    draft = by_title(classic, "LPJ Kepala Desa 2019 (draf)")
    assert draft.status == "draft" and draft.source_url is None and draft.slug == "lpj-kepala-desa-2019-draf"
    scheduled = by_title(classic, "Jadwal Penyaluran BLT Dana Desa September 2019")
    assert scheduled.status == "scheduled"  # dated after the export was made
    assert scheduled.published_at == utc(2019, 9, 5, 0, 0)
    assert scheduled.image_urls[0].startswith("https://3.bp.blogspot.com/")  # protocol-relative src
    page = by_title(classic, "Struktur Pemerintahan Desa")
    assert page.kind == "page" and page.slug == "struktur-pemerintahan-desa"
    assert "<table" in page.body_html


def test_classic_template_settings_and_comments_are_counted(classic: ImportResult) -> None:
    assert codes(classic.skipped) == {"template": 1, "settings": 3, "comments": 2}
    messages = {line.reason_code: line.message for line in classic.skipped}
    assert messages["comments"] == "2 komentar tidak diimpor."
    assert "3 entri pengaturan" in messages["settings"]
    assert "Templat" in messages["template"]


def test_blogger_unknown_entry_kinds_and_2007_app_namespace() -> None:
    feed = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom'><id>tag:blogger.com,1999:blog-9.archive</id><title>Desa</title>
<entry><id>tag:blogger.com,1999:blog-9.post-1</id>
<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'/>
<app:control xmlns:app='http://www.w3.org/2007/app'><app:draft>yes</app:draft></app:control>
<title type='text'></title>
<content type='html'>&lt;p&gt;Gotong royong membersihkan makam desa&lt;/p&gt;</content>
<author><name>Unknown</name></author></entry>
<entry><id>tag:blogger.com,1999:blog-9.widget-1</id>
<category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#widget'/>
</entry>
</feed>"""
    result = parse_blogger(feed)
    [item] = result.items
    assert item.status == "draft"
    assert item.title == "Gotong royong membersihkan makam desa"  # an empty title takes the body's words
    assert item.slug == "gotong-royong-membersihkan-makam-desa"
    assert item.author == "" and result.authors == []
    assert codes(result.notes) == {"untitled": 1}
    [unknown] = result.skipped
    assert unknown.reason_code == "unknown_entry" and "WIDGET" in unknown.message


# --- WordPress --------------------------------------------------------------------------------
def test_wxr_counts(wxr: ImportResult) -> None:
    assert wxr.source == "wordpress"
    assert wxr.site_title == "Desa Sukamakmur"
    assert wxr.site_url == "https://sukamakmur.desa.id"
    assert len(wxr.posts) == 5 and len(wxr.pages) == 3
    assert len(wxr.attachments) == 4


def test_wxr_status_mapping(wxr: ImportResult) -> None:
    statuses = {item.title: item.status for item in wxr.items}
    assert statuses["Musyawarah Desa Penetapan APBDes 2024"] == "published"
    assert statuses["Jadwal Posyandu Balita – Maret 2030"] == "scheduled"
    assert statuses["Catatan Rapat Internal Perangkat Desa"] == "draft"  # private
    assert statuses["Festival Kafé Desa & Kuliner Lokal"] == "draft"
    private_notes = [n for n in wxr.notes if n.reason_code == "private_as_draft"]
    assert [n.title_or_id for n in private_notes] == ["Catatan Rapat Internal Perangkat Desa"]
    assert "draf" in private_notes[0].message


def test_wxr_post_fields(wxr: ImportResult) -> None:
    post = by_title(wxr, "Musyawarah Desa Penetapan APBDes 2024")
    assert post.source_id == "10"
    assert post.slug == "musyawarah-desa-penetapan-apbdes-2024"
    assert post.published_at == utc(2024, 1, 15, 2, 30)  # post_date_gmt
    assert post.updated_at == utc(2024, 1, 16, 1, 12, 45)
    assert post.author == "admin"
    assert post.categories == ["Berita Desa"]
    assert post.tags == ["APBDes", "Musdes"]
    assert post.source_url == "https://sukamakmur.desa.id/2024/01/15/musyawarah-desa-penetapan-apbdes-2024/"
    assert post.source_path == "/2024/01/15/musyawarah-desa-penetapan-apbdes-2024/"
    blt = by_title(wxr, "Penyaluran BLT Dana Desa Tahap I 2023")
    assert blt.summary == "BLT Dana Desa tahap I disalurkan kepada 112 KPM di balai desa."
    assert blt.categories == ["Bantuan Sosial", "Berita Desa"]  # post_format is not a category
    assert blt.tags == ["BLT DD"]


def test_wxr_uncategorised_is_dropped(wxr: ImportResult) -> None:
    assert by_title(wxr, "Catatan Rapat Internal Perangkat Desa").categories == []


def test_wxr_scheduled_post_decodes_its_slug_and_has_no_public_url(wxr: ImportResult) -> None:
    scheduled = by_title(wxr, "Jadwal Posyandu Balita – Maret 2030")  # &#8211; in the title
    assert scheduled.slug == "jadwal-posyandu-balita-maret-2030"  # %e2%80%93 decoded, then dropped
    assert scheduled.published_at == utc(2030, 3, 5, 1, 0)
    assert scheduled.source_url is None


def test_wxr_draft_without_gmt_date_uses_the_sites_own_offset(wxr: ImportResult) -> None:
    draft = by_title(wxr, "Festival Kafé Desa & Kuliner Lokal")
    assert draft.slug == "festival-kafe-desa-kuliner-lokal"  # no post_name: from the title, é → e
    assert draft.published_at == utc(2024, 2, 10, 3, 0)  # 10:00 at +07:00, read from the other posts
    [note] = [n for n in wxr.notes if n.reason_code == "timezone_inferred"]
    assert note.count == 1 and "+07:00" in note.message


def test_wxr_dates_without_offsets_are_assumed_wib_and_noted() -> None:
    data = wxr_with(
        item(post_id="1", title="Rapat Karang Taruna", status="draft", date="2024-03-01 19:00:00", gmt=""),
    )
    result = parse_wxr(data)
    assert result.items[0].published_at == utc(2024, 3, 1, 12, 0)
    [note] = result.notes
    assert note.reason_code == "timezone_assumed" and "WIB" in note.message


def test_wxr_pages_keep_parent_and_order(wxr: ImportResult) -> None:
    profil = by_title(wxr, "Profil Desa")
    sejarah = by_title(wxr, "Sejarah Desa")
    visi = by_title(wxr, "Visi & Misi")
    assert (profil.parent, profil.menu_order) == (None, 1)
    assert (sejarah.parent, sejarah.menu_order) == ("profil-desa", 2)
    assert (visi.parent, visi.slug) == ("profil-desa", "visi-misi")


def test_wxr_skipped_report(wxr: ImportResult) -> None:
    assert codes(wxr.skipped) == {
        "comments": 3,
        "nav_menu": 2,
        "revisions": 1,
        "unsupported_type": 1,
        "shortcode_removed": 1,
        "trashed": 1,
    }
    lines = {line.reason_code: line for line in wxr.skipped}
    assert lines["comments"].message == "3 komentar tidak diimpor."
    assert lines["nav_menu"].message.startswith("2 butir menu navigasi tidak diimpor")
    assert lines["revisions"].message.startswith("1 revisi lama tidak diimpor")
    assert lines["unsupported_type"].title_or_id == "wpcf7_contact_form"
    assert lines["trashed"].title_or_id == "Pengumuman Pemadaman Listrik (dobel)"
    assert "[contact-form-7]" in lines["shortcode_removed"].message
    assert lines["shortcode_removed"].title_or_id == "Penyaluran BLT Dana Desa Tahap I 2023"


def test_wxr_authors(wxr: ImportResult) -> None:
    assert [(a.key, a.display_name) for a in wxr.authors] == [
        ("admin", "Admin Desa"),
        ("sekdes", "Siti Aminah, S.Sos."),
    ]
    sekdes = wxr.author("sekdes")
    assert sekdes is not None and sekdes.email == "sekdes.sukamakmur@gmail.com"


def test_wxr_attachments(wxr: ImportResult) -> None:
    first = wxr.attachments[0]
    assert first.source_id == "101" and first.parent_source_id == "10"
    assert first.mime_type == "image/jpeg"
    assert first.alt == "Peserta Musyawarah Desa di aula Desa Sukamakmur"
    assert first.caption == "Suasana Musdes di aula desa"
    pdf = wxr.attachments[-1]
    assert pdf.mime_type == "application/pdf" and pdf.parent_source_id is None


def test_wxr_gutenberg_comments_are_stripped(wxr: ImportResult) -> None:
    post = by_title(wxr, "Musyawarah Desa Penetapan APBDes 2024")
    assert "<!--" not in post.body_html and "wp:" not in post.body_html
    assert "<h2" in post.body_html and "<li>Belanja desa: Rp1.905.000.000</li>" in post.body_html
    assert "<!--" not in by_title(wxr, "Visi & Misi").body_html


def test_wxr_images_resolve_to_the_uploaded_files(wxr: ImportResult) -> None:
    post = by_title(wxr, "Musyawarah Desa Penetapan APBDes 2024")
    original = "https://sukamakmur.desa.id/wp-content/uploads/2024/01/musdes-apbdes-2024.jpg"
    assert post.featured_image_url == original
    assert post.image_urls == [original]  # the -1024x683 src and every srcset size are this file
    assert post.body_urls[original.replace(".jpg", "-300x200.jpg")] == original
    assert post.document_urls == [
        "https://sukamakmur.desa.id/wp-content/uploads/2024/02/Laporan-Realisasi-APBDes-2023.pdf"
    ]


def test_wxr_classic_body_gets_paragraphs_caption_figure_and_gallery(wxr: ImportResult) -> None:
    blt = by_title(wxr, "Penyaluran BLT Dana Desa Tahap I 2023")
    body = blt.body_html
    assert body.startswith("<p>Pemerintah Desa Sukamakmur menyalurkan")
    assert "pendamping desa.<br>\nSetiap KPM" in body  # a single newline is a line break
    assert "[caption" not in body and "[gallery" not in body and "[contact-form-7" not in body
    assert "<figcaption>Warga menerima BLT-DD di balai desa</figcaption>" in body
    assert body.count("<img") == 3  # the captioned one and the two of the gallery
    assert "[Dok. Pemdes]" in body  # bracketed prose is not a shortcode
    assert blt.image_urls == [
        "https://sukamakmur.desa.id/wp-content/uploads/2023/04/blt-tahap-1-a.jpg",
        "https://sukamakmur.desa.id/wp-content/uploads/2023/04/blt-tahap-1-b-scaled.jpg",
    ]
    gallery = [n for n in wxr.notes if n.reason_code == "shortcode_converted" and n.title_or_id == blt.title]
    assert gallery and "2 gambar" in gallery[0].message
    cleaned = clean_html(body)
    assert "<figcaption>" in cleaned and cleaned.count("<p>") >= 4


def test_wxr_embed_shortcode_and_iframe_become_links(wxr: ImportResult) -> None:
    sejarah = by_title(wxr, "Sejarah Desa")
    assert "[embed]" not in sejarah.body_html
    assert '<a href="https://www.youtube.com/watch?v=Xy12AbCdE34">' in sejarah.body_html
    profil = by_title(wxr, "Profil Desa")
    assert "<iframe" not in profil.body_html and ">Buka peta</a>" in profil.body_html
    assert {n.title_or_id for n in wxr.notes if n.reason_code in {"embed_link", "shortcode_converted"}} >= {
        "Sejarah Desa",
        "Profil Desa",
    }


def test_wxr_non_ascii_survives(wxr: ImportResult) -> None:
    festival = by_title(wxr, "Festival Kafé Desa & Kuliner Lokal")
    assert "Kafé BUMDes" in festival.body_html
    assert "6,4 km²" in by_title(wxr, "Profil Desa").body_html


def test_wxr_edge_statuses() -> None:
    data = wxr_with(
        item(post_id="1", title="Rahasia", status="publish", password="kunci"),
        item(post_id="2", title="Menunggu", status="pending"),
        item(post_id="3", title="", status="auto-draft", content=""),
        item(post_id="4", title="Anak", post_type="page", parent="99"),
        item(post_id="5", title="Kembar", name="kembar"),
        item(post_id="6", title="Kembar lagi", name="kembar"),
    )
    result = parse_wxr(data)
    statuses = {i.title: i.status for i in result.items}
    assert statuses == {"Rahasia": "draft", "Menunggu": "draft", "Anak": "published", "Kembar": "published",
                        "Kembar lagi": "published"}  # fmt: skip
    assert codes(result.notes) == {"password_as_draft": 1, "pending_as_draft": 1, "parent_missing": 1,
                                   "slug_changed": 1}  # fmt: skip
    assert codes(result.skipped) == {"auto_draft": 1}
    anak = by_title(result, "Anak")
    assert anak.parent is None
    assert (anak.source_url, anak.source_path) == ("https://desa.id/?p=4", "/?p=4")  # plain permalinks
    assert by_title(result, "Menunggu").source_url is None  # never public
    assert [i.slug for i in result.posts if i.title.startswith("Kembar")] == ["kembar", "kembar-2"]


def test_wxr_1_1_namespace_is_read() -> None:
    data = wxr_with(item(post_id="1", title="Berita lama"), version="1.1")
    assert [i.title for i in parse_wxr(data).items] == ["Berita lama"]


# --- hostile and broken files -----------------------------------------------------------------
@pytest.mark.parametrize("parser", [parse_blogger, parse_wxr, parse_export])
@pytest.mark.parametrize("name", ["billion-laughs.xml", "xxe-blogger.atom"])
def test_dtd_and_entities_are_refused(parser: Parser, name: str) -> None:
    started = time.monotonic()
    with pytest.raises(UnsafeExportError) as refused:
        parser(read(name))
    assert time.monotonic() - started < 1
    assert "DOCTYPE/ENTITY" in str(refused.value)
    assert refused.value.code == "unsafe_xml"


def test_truncated_file_is_refused_in_indonesian() -> None:
    with pytest.raises(InvalidExportError) as refused:
        parse_wxr(read("wordpress-truncated.xml"))
    message = str(refused.value)
    assert message.startswith("Berkas ini bukan ekspor Blogger/WordPress yang valid: ")
    assert "terpotong" in message


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(InvalidExportError, match=r"XML-nya rusak di baris 2"):
        parse_blogger(b"<feed xmlns='http://www.w3.org/2005/Atom'>\n<entry></feed>")


@pytest.mark.parametrize(
    ("parser", "data", "reason"),
    [
        (parse_blogger, read(WXR), "ini ekspor WordPress, bukan Blogger"),
        (parse_wxr, read(TAKEOUT), "ini ekspor Blogger, bukan WordPress"),
        (parse_wxr, b"<rss version='2.0'><channel><title>x</title></channel></rss>", "bukan berkas WXR"),
        (parse_blogger, b"<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>", "bukan"),
        (parse_export, b"<html><body>x</body></html>", "tidak dikenali"),
        (parse_export, b"  \n", "kosong"),
    ],
)
def test_wrong_kind_of_file_is_refused(parser: Parser, data: bytes, reason: str) -> None:
    with pytest.raises(InvalidExportError) as refused:
        parser(data)
    assert str(refused.value).startswith("Berkas ini bukan ekspor Blogger/WordPress yang valid: ")
    assert reason in str(refused.value)


def test_too_large_is_refused_before_parsing() -> None:
    with pytest.raises(ExportTooLargeError, match=r"batasnya 50 MB"):
        parse_export(b" " * (MAX_BYTES + 1))
    with pytest.raises(ExportTooLargeError, match=r"Berkas terlalu besar \(0,0 MB\)"):
        parse_wxr(read(WXR), max_bytes=1000)
    assert issubclass(ExportTooLargeError, ImportRefusedError)


def test_pathological_bodies_take_linear_time() -> None:
    n = 20_000
    hostile = [
        "<!-- wp:paragraph " * n,
        "<!--" * n,
        '<a href="x" ' * n,
        '<iframe src="x" ' * n,
        "<script>" * n,
        '<table class="tr-caption-container">' * n,
        "[a x=1]" * n,
        "".join(f"[n{i}]" for i in range(n)) + "".join(f"[/n{i}]" for i in reversed(range(n))),
        "[a " * n,
    ]
    started = time.monotonic()
    for body in hostile:
        bodies.replace_embeds(body)
        bodies.strip_block_comments(body)
        bodies.blogger_captions(body)
        bodies.autop(body)
        bodies.html_to_text(body)
        shortcodes.expand(body, lambda code: "")
        images.find_media(body)
    assert time.monotonic() - started < 5


# --- the pieces -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://1.bp.blogspot.com/-abc/XYZ/AAAAAAAAAAA/def/s320/foto.jpg",
            "https://1.bp.blogspot.com/-abc/XYZ/AAAAAAAAAAA/def/s0/foto.jpg",
        ),
        (
            "http://3.bp.blogspot.com/-abc/XYZ/AAAAAAAAAAA/def/s1600-h/foto.jpg",
            "https://3.bp.blogspot.com/-abc/XYZ/AAAAAAAAAAA/def/s0/foto.jpg",
        ),
        (
            "https://blogger.googleusercontent.com/img/b/R29vZ2xl/AVvXsEh/w640-h480/foto.png",
            "https://blogger.googleusercontent.com/img/b/R29vZ2xl/AVvXsEh/s0/foto.png",
        ),
        (
            "https://blogger.googleusercontent.com/img/b/R29vZ2xl/AVvXsEh/w400-h225-p-k-no-nu/foto.png",
            "https://blogger.googleusercontent.com/img/b/R29vZ2xl/AVvXsEh/s0/foto.png",
        ),
        (
            "https://blogger.googleusercontent.com/img/a/AVvXsEgAbC=w640-h426",
            "https://blogger.googleusercontent.com/img/a/AVvXsEgAbC=s0",
        ),
        (
            "https://blogger.googleusercontent.com/img/a/AVvXsEgAbC=s1600",
            "https://blogger.googleusercontent.com/img/a/AVvXsEgAbC=s0",
        ),
        (
            "https://lh3.googleusercontent.com/-abc/XYZ/AAAAAAAAAAA/def/s72-c/foto.jpg?imgmax=800",
            "https://lh3.googleusercontent.com/-abc/XYZ/AAAAAAAAAAA/def/s0/foto.jpg",
        ),
        (
            "https://i0.wp.com/sukamakmur.desa.id/wp-content/uploads/2024/01/a.jpg?resize=640%2C480&ssl=1",
            "https://sukamakmur.desa.id/wp-content/uploads/2024/01/a.jpg",
        ),
        (
            "https://desa.id/wp-content/uploads/s1600/foto.jpg",
            "https://desa.id/wp-content/uploads/s1600/foto.jpg",
        ),
        ("https://1.bp.blogspot.com/-abc/XYZ/AAAAAAAAAAA/def/foto.jpg", None),
        ("https://docs.googleusercontent.com/docs/securesc/abc/s1600/berkas", None),
    ],
)
def test_normalise_image_url(url: str, expected: str | None) -> None:
    assert normalise_image_url(url) == (expected or url)
    assert normalise_image_url(normalise_image_url(url)) == normalise_image_url(url)


def test_find_media_reads_srcset_lazy_attributes_and_links() -> None:
    body = (
        '<img src="data:image/gif;base64,R0lGOD" data-src="/wp-content/uploads/a.jpg">'
        '<img srcset="//cdn.desa.id/b-300.jpg 300w, //cdn.desa.id/b-1200.jpg 1200w, '
        '//cdn.desa.id/b-800.jpg 800w">'
        '<a href="/wp-content/uploads/c.PNG">foto</a><a href="/berkas/perdes-apbdes.pdf">PDF</a>'
        '<a href="/profil">profil</a><!-- <img src="/dikomentari.jpg"> -->'
        '<img src="/a.jpg?x=1&amp;y=2">'
    )
    media = images.find_media(body, base_url="https://desa.id/")
    assert media.images == [
        "https://desa.id/wp-content/uploads/a.jpg",
        "https://cdn.desa.id/b-1200.jpg",
        "https://cdn.desa.id/b-300.jpg",
        "https://cdn.desa.id/b-800.jpg",
        "https://desa.id/a.jpg?x=1&y=2",
        "https://desa.id/wp-content/uploads/c.PNG",
    ]
    assert media.documents == ["https://desa.id/berkas/perdes-apbdes.pdf"]
    assert media.found["/a.jpg?x=1&y=2"] == "https://desa.id/a.jpg?x=1&y=2"


def test_rewrite_urls_points_the_body_at_new_copies(takeout: ImportResult) -> None:
    post = by_title(takeout, "Musyawarah Desa Penyusunan RKPDes 2024")
    local = dict.fromkeys(post.body_urls, "/media/v/1/musdes.jpg")
    rewritten = rewrite_urls(post.body_html, local)
    assert "googleusercontent" not in rewritten
    assert rewritten.count('"/media/v/1/musdes.jpg"') == 2
    body = '<img src="a.jpg?x=1&amp;y=2" srcset="a-300.jpg 300w, a.jpg 1200w"><a href=\'b.pdf\'>b</a>'
    done = rewrite_urls(body, {"a.jpg?x=1&y=2": "/m/a.jpg", "a-300.jpg": "/m/a.jpg", "b.pdf": "/m/b.pdf"})
    assert done == '<img src="/m/a.jpg" srcset="/m/a.jpg 300w, a.jpg 1200w"><a href="/m/b.pdf">b</a>'


def test_autop_keeps_blocks_and_pre() -> None:
    text = "Paragraf satu\nbaris dua\n\n<ul>\n<li>a</li>\n</ul>\n\n<pre>kode\n\nkode</pre>\nakhir"
    assert bodies.autop(text) == (
        "<p>Paragraf satu<br>\nbaris dua</p>\n<ul>\n<li>a</li>\n</ul>\n<pre>kode\n\nkode</pre>\n<p>akhir</p>"
    )


def test_slug_from_path() -> None:
    assert bodies.slug_from_path("/2023/05/musyawarah-desa.html") == "musyawarah-desa"
    assert bodies.slug_from_path("/p/profil-desa.html") == "profil-desa"
    assert bodies.slug_from_path("/2022/11/blog-post_21.html") == ""
    assert bodies.slug_from_path("/2022/11/blog-post.html") == ""
    assert bodies.slug_from_path("/2021/01/rapat_koordinasi.html") == "rapat-koordinasi"
    assert bodies.slug_from_path(None) == ""


def test_shortcode_attributes() -> None:
    attrs, positional = shortcodes.parse_attrs(" id=\"attachment_7\" align='aligncenter' width=640 kosong")
    assert attrs == {"id": "attachment_7", "align": "aligncenter", "width": "640"}
    assert positional == ("kosong",)
    assert (
        shortcodes.expand("[[gallery]] [Foto: Dok. Desa] [1]", lambda c: "X")
        == "[gallery] [Foto: Dok. Desa] [1]"
    )


# --- helpers to build small WXR files ---------------------------------------------------------
def item(
    *,
    post_id: str,
    title: str,
    status: str = "publish",
    post_type: str = "post",
    date: str = "2024-01-10 08:00:00",
    gmt: str = "2024-01-10 01:00:00",
    name: str = "",
    parent: str = "0",
    password: str = "",
    content: str = "<p>Isi berita.</p>",
) -> str:
    return f"""<item><title><![CDATA[{title}]]></title><link>https://desa.id/?p={post_id}</link>
<dc:creator><![CDATA[admin]]></dc:creator><content:encoded><![CDATA[{content}]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{post_id}</wp:post_id>
<wp:post_date><![CDATA[{date}]]></wp:post_date>
<wp:post_date_gmt><![CDATA[{gmt or "0000-00-00 00:00:00"}]]></wp:post_date_gmt>
<wp:post_name><![CDATA[{name}]]></wp:post_name><wp:status><![CDATA[{status}]]></wp:status>
<wp:post_parent>{parent}</wp:post_parent><wp:menu_order>0</wp:menu_order>
<wp:post_type><![CDATA[{post_type}]]></wp:post_type><wp:post_password><![CDATA[{password}]]></wp:post_password></item>"""


def wxr_with(*items: str, version: str = "1.2") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/{version}/">
<channel><title>Desa Uji</title><link>https://desa.id</link><wp:wxr_version>{version}</wp:wxr_version>
{"".join(items)}
</channel></rss>""".encode()
