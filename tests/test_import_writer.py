"""Writing a blog export into a village (etalase.platform.importers.writer), the download guard
(etalase.platform.importers.fetch) and the admin's import page, on both stacks.

No test touches the network: the writer gets a fake ``fetch``; the fetcher's refusals are tested
on the address logic, with a fake resolver and a fake connection.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import ExifTags, Image
from sqlmodel import col, select

from etalase.platform import jobs
from etalase.platform.accounts.models import AuditEvent, User
from etalase.platform.content.models import Category, Page, Post, PostCategory, PostTag, Tag
from etalase.platform.importers import ImportResult, UnsafeExportError, parse_export, runs
from etalase.platform.importers import fetch as fetching
from etalase.platform.importers.models import ImportRun
from etalase.platform.importers.writer import ImportReport, write_import
from etalase.platform.media_library.models import MediaFile
from tests.conftest import Stack
from tests.people import Browser, make_user, make_village, village_host

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
TAKEOUT = FIXTURES / "blogger-takeout-feed.atom"
WXR = FIXTURES / "wordpress-desa.WordPress.2024-02-20.xml"
BILLION_LAUGHS = FIXTURES / "billion-laughs.xml"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (30, 120, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KameraDesa"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (7.0, 46.0, 12.5)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


JPEG = jpeg_with_gps()


class FakeFetch:
    """Returns the JPEG for every URL except those in ``failing``; remembers what was asked."""

    def __init__(self, failing: tuple[str, ...] = ()) -> None:
        self.asked: list[str] = []
        self.failing = failing

    def __call__(self, url: str) -> bytes | None:
        self.asked.append(url)
        return None if any(part in url for part in self.failing) else JPEG


def setup(stack: Stack) -> tuple[int, User]:
    village_id, _slug = make_village(stack, "34.04.02.2003")
    user = make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={village_id: "admin"})
    return village_id, user


def run(
    stack: Stack, village_id: int, user: User, path: Path, fetch: Callable[[str], bytes | None] | None
) -> ImportReport:
    result = parse_export(path.read_bytes())
    assert user.id is not None
    with stack.runtime.session(village_id) as db:
        return write_import(
            db,
            village_id,
            result,
            author_id=user.id,
            author_name=user.name,
            fetch=fetch,
            media_store=stack.runtime.media,
            settings=stack.settings,
            user=None,
        )


def posts(stack: Stack, village_id: int) -> dict[str, Post]:
    with stack.runtime.session(village_id) as db:
        return {p.slug: p for p in db.exec(select(Post).where(col(Post.village_id) == village_id))}


def pages(stack: Stack, village_id: int) -> dict[str, Page]:
    with stack.runtime.session(village_id) as db:
        return {p.slug: p for p in db.exec(select(Page).where(col(Page.village_id) == village_id))}


def terms(stack: Stack, village_id: int, slug: str) -> tuple[set[str], set[str]]:
    with stack.runtime.session(village_id) as db:
        post = db.exec(select(Post).where(col(Post.slug) == slug)).one()
        categories = db.exec(
            select(Category.name)
            .join(PostCategory, col(PostCategory.category_id) == col(Category.id))
            .where(col(PostCategory.post_id) == post.id)
        ).all()
        tags = db.exec(
            select(Tag.name)
            .join(PostTag, col(PostTag.tag_id) == col(Tag.id))
            .where(col(PostTag.post_id) == post.id)
        ).all()
        return set(categories), set(tags)


def media_rows(stack: Stack, village_id: int) -> list[MediaFile]:
    with stack.runtime.session(village_id) as db:
        return list(db.exec(select(MediaFile)).all())


def aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


# --- Blogger ---------------------------------------------------------------------------------------
def test_blogger_takeout_is_imported_with_its_pictures(stack: Stack) -> None:
    village_id, user = setup(stack)
    fetch = FakeFetch()
    report = run(stack, village_id, user, TAKEOUT, fetch)
    assert report.counts == {"posts": 4, "pages": 1, "categories": 5, "tags": 0, "images": 4}
    assert any("3 komentar" in line for line in report.skipped)

    stored = posts(stack, village_id)
    musdes = stored["musyawarah-desa-penyusunan-rkpdes-2024"]
    assert musdes.status == "published"
    assert aware(musdes.published_at) == datetime(2023, 5, 12, 7, 5, 0, 1000, tzinfo=UTC)
    assert musdes.author_id == user.id and musdes.author_name == "Siti Aminah"
    assert stored["rencana-kerja-bakti-bulan-agustus"].status == "draft"
    assert stored["rencana-kerja-bakti-bulan-agustus"].published_at is None
    media_prefix = stack.runtime.media.url(f"v/{village_id}/media/x.jpg").removesuffix("x.jpg")
    for post in stored.values():
        assert "googleusercontent" not in post.body and "bp.blogspot.com" not in post.body
    assert media_prefix in musdes.body
    assert "<script" not in musdes.body
    assert terms(stack, village_id, "penyaluran-blt-dana-desa-tahap-ii") == (
        {"Berita Desa", "BLT", "APBDes"},
        set(),
    )
    profile = pages(stack, village_id)["profil-desa"]
    assert profile.status == "published" and media_prefix in profile.body

    # The pictures went through the media library: no GPS left in what is stored.
    files = media_rows(stack, village_id)
    assert len(files) == 4
    store = stack.runtime.media
    for key in (files[0].key, str(files[0].variant_list[0]["key"])):
        data = store.get(key)
        assert data is not None
        exif = Image.open(io.BytesIO(data)).getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and not exif

    # Running it again adds nothing and says so.
    again = run(stack, village_id, user, TAKEOUT, FakeFetch())
    assert again.counts == {"posts": 0, "pages": 0, "categories": 0, "tags": 0, "images": 0}
    assert sum("sudah ada" in line for line in again.skipped) == 5
    assert len(posts(stack, village_id)) == 4 and len(media_rows(stack, village_id)) == 4


def test_a_picture_that_cannot_be_fetched_is_reported_and_the_post_kept(stack: Stack) -> None:
    village_id, user = setup(stack)
    report = run(stack, village_id, user, TAKEOUT, FakeFetch(failing=("posyandu-mawar",)))
    assert report.posts == 4 and report.images == 3
    lines = [line for line in report.skipped if "posyandu-mawar.jpg" in line]
    assert len(lines) == 1 and "tidak dapat diunduh" in lines[0]
    post = posts(stack, village_id)["posyandu-mawar-pemeriksaan-balita-dusun-i"]
    assert "bp.blogspot.com" in post.body  # still the old address


def test_a_download_the_library_refuses_is_reported_and_the_quota_stops_downloads(stack: Stack) -> None:
    village_id, user = setup(stack)
    report = run(stack, village_id, user, TAKEOUT, lambda url: b"<html>bukan foto</html>")
    assert report.posts == 4 and report.images == 0
    assert sum("tidak disimpan" in line for line in report.skipped) == 4
    assert media_rows(stack, village_id) == []

    village_b, user_b = make_village(stack, "33.74.10.1001")[0], user
    fetch = FakeFetch()
    result = parse_export(TAKEOUT.read_bytes())
    full = stack.settings.model_copy(update={"media_quota_mb": 0})
    assert user_b.id is not None
    with stack.runtime.session(village_b) as db:
        report = write_import(
            db,
            village_b,
            result,
            author_id=user_b.id,
            author_name=user_b.name,
            fetch=fetch,
            media_store=stack.runtime.media,
            settings=full,
            user=None,
        )
    assert report.posts == 4 and report.images == 0
    assert len(fetch.asked) == 1  # after the quota refused the first, nothing more is downloaded
    assert sum("sudah penuh" in line for line in report.skipped) == 3


def test_without_fetch_nothing_is_downloaded(stack: Stack) -> None:
    village_id, user = setup(stack)
    report = run(stack, village_id, user, TAKEOUT, None)
    assert report.posts == 4 and report.images == 0
    assert media_rows(stack, village_id) == []


# --- WordPress -------------------------------------------------------------------------------------
def test_wordpress_export_keeps_statuses_pages_terms_and_cover(stack: Stack) -> None:
    village_id, user = setup(stack)
    report = run(stack, village_id, user, WXR, FakeFetch())
    assert report.counts == {"posts": 5, "pages": 3, "categories": 3, "tags": 3, "images": 3}
    assert any("menu navigasi" in line for line in report.skipped)
    assert any("draf" in line for line in report.notes)

    stored = posts(stack, village_id)
    musdes = stored["musyawarah-desa-penetapan-apbdes-2024"]
    assert musdes.status == "published"
    assert aware(musdes.published_at) == datetime(2024, 1, 15, 2, 30, tzinfo=UTC)
    assert musdes.cover_media_id is not None
    assert musdes.cover_media_id in {m.id for m in media_rows(stack, village_id)}
    assert "sukamakmur.desa.id/wp-content/uploads/2024/01/musdes" not in musdes.body
    assert "-64.webp 64w" in musdes.body  # the copy's own srcset (the test photo is 64 pixels wide)
    assert "Laporan-Realisasi-APBDes-2023.pdf" in musdes.body  # documents keep their old link…
    assert any("Laporan-Realisasi-APBDes-2023.pdf" in line for line in report.skipped)  # …said so
    scheduled = stored["jadwal-posyandu-balita-maret-2030"]
    assert scheduled.status == "scheduled"
    assert aware(scheduled.published_at) == datetime(2030, 3, 5, 1, 0, tzinfo=UTC)
    assert stored["catatan-rapat-internal-perangkat-desa"].status == "draft"
    assert terms(stack, village_id, "musyawarah-desa-penetapan-apbdes-2024") == (
        {"Berita Desa"},
        {"APBDes", "Musdes"},
    )

    by_slug = pages(stack, village_id)
    profile = by_slug["profil-desa"]
    assert profile.parent_id is None and profile.menu_order == 1
    assert by_slug["sejarah-desa"].parent_id == profile.id and by_slug["sejarah-desa"].menu_order == 2
    assert by_slug["visi-misi"].parent_id == profile.id

    again = run(stack, village_id, user, WXR, FakeFetch())
    assert again.posts == again.pages == again.images == again.categories == again.tags == 0
    assert len(posts(stack, village_id)) == 5 and len(pages(stack, village_id)) == 3


def test_a_taken_slug_is_made_unique(stack: Stack) -> None:
    village_id, user = setup(stack)
    with stack.runtime.session(village_id) as db:
        db.add(Post(village_id=village_id, title="Lain", slug="musyawarah-desa-penetapan-apbdes-2024"))
    report = run(stack, village_id, user, WXR, None)
    assert report.posts == 5
    assert "musyawarah-desa-penetapan-apbdes-2024-2" in posts(stack, village_id)
    again = run(stack, village_id, user, WXR, None)  # the renamed one is recognised too
    assert again.posts == 0 and len(posts(stack, village_id)) == 6


def test_a_hostile_export_is_refused_before_anything_is_written(stack: Stack) -> None:
    with pytest.raises(UnsafeExportError) as caught:
        parse_export(BILLION_LAUGHS.read_bytes())
    assert "ditolak demi keamanan" in str(caught.value)


# --- the fetcher's guard ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "172.16.0.5",
        "192.168.1.1",
        "169.254.169.254",
        "100.100.100.200",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "fe80::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "bukan-alamat",
    ],
)
def test_inside_addresses_are_refused(address: str) -> None:
    assert fetching.address_refused(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "142.250.4.132", "2606:4700::6810:84e5"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not fetching.address_refused(address)


def resolver(table: dict[str, list[str]]) -> fetching.Resolver:
    def resolve(host: str, _port: int) -> list[str]:
        if host not in table:
            raise OSError("unknown host")
        return table[host]

    return resolve


def test_urls_are_judged_by_scheme_and_every_resolved_address() -> None:
    names = resolver(
        {
            "blog.contoh.id": ["93.184.216.34"],
            "rebind.contoh.id": ["93.184.216.34", "127.0.0.1"],
            "127.0.0.1": ["127.0.0.1"],
            "metadata.google.internal": ["169.254.169.254"],
        }
    )
    assert fetching.safe_address("https://blog.contoh.id/a.jpg", names) == (
        "blog.contoh.id",
        443,
        "93.184.216.34",
    )
    assert fetching.safe_address("http://blog.contoh.id:8080/a.jpg", names) == (
        "blog.contoh.id",
        8080,
        "93.184.216.34",
    )
    for url in (
        "https://rebind.contoh.id/a.jpg",
        "http://127.0.0.1/a.jpg",
        "http://metadata.google.internal/computeMetadata/v1/",
        "ftp://blog.contoh.id/a.jpg",
        "file:///etc/passwd",
        "https://tidak-ada.contoh.id/a.jpg",
        "http://blog.contoh.id:99999/a.jpg",
    ):
        assert fetching.safe_address(url, names) is None, url


def test_fetching_loopback_is_refused_without_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_connection(*_args: object) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(fetching, "_connection", no_connection)
    assert fetching.fetch_image("http://127.0.0.1:6379/", max_bytes=1000) is None
    assert fetching.fetch_image("http://localhost/a.jpg", max_bytes=1000) is None


class FakeResponse:
    def __init__(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
        self.status, self.headers, self.body = status, headers, body

    def getheader(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def read(self, amount: int) -> bytes:
        return self.body[:amount]


class FakeConnection:
    def __init__(self, response: FakeResponse, log: list[str], where: str) -> None:
        self.response, self.log, self.where = response, log, where

    def request(self, method: str, path: str, headers: dict[str, str]) -> None:
        self.log.append(f"{self.where}{path}")

    def getresponse(self) -> FakeResponse:
        return self.response

    def close(self) -> None:
        pass


def fake_web(monkeypatch: pytest.MonkeyPatch, answers: dict[str, FakeResponse]) -> list[str]:
    log: list[str] = []

    def connection(scheme: str, host: str, port: int, address: str) -> Any:
        return FakeConnection(answers[host], log, f"{scheme}://{host}@{address}")

    monkeypatch.setattr(fetching, "_connection", connection)
    return log


NAMES = resolver(
    {"blog.contoh.id": ["93.184.216.34"], "cdn.contoh.id": ["93.184.216.35"], "dalam.contoh.id": ["10.0.0.7"]}
)


def test_redirects_are_checked_again_and_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    log = fake_web(
        monkeypatch,
        {
            "blog.contoh.id": FakeResponse(302, {"location": "https://dalam.contoh.id/rahasia"}),
            "dalam.contoh.id": FakeResponse(200, {"content-type": "image/jpeg"}, JPEG),
        },
    )
    assert fetching.fetch_image("https://blog.contoh.id/a.jpg", max_bytes=10**6, resolver=NAMES) is None
    assert log == ["https://blog.contoh.id@93.184.216.34/a.jpg"]  # never connected inside

    log = fake_web(monkeypatch, {"blog.contoh.id": FakeResponse(302, {"location": "/lagi.jpg"})})
    assert fetching.fetch_image("https://blog.contoh.id/a.jpg", max_bytes=10**6, resolver=NAMES) is None
    assert len(log) == fetching.MAX_REDIRECTS + 1


def test_only_images_within_the_limit_are_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_web(
        monkeypatch,
        {
            "blog.contoh.id": FakeResponse(301, {"location": "https://cdn.contoh.id/a.jpg"}),
            "cdn.contoh.id": FakeResponse(200, {"content-type": "image/jpeg"}, JPEG),
        },
    )
    assert fetching.fetch_image("https://blog.contoh.id/a.jpg", max_bytes=10**6, resolver=NAMES) == JPEG
    assert fetching.fetch_image("https://blog.contoh.id/a.jpg", max_bytes=100, resolver=NAMES) is None
    fake_web(monkeypatch, {"blog.contoh.id": FakeResponse(200, {"content-type": "text/html"}, b"<html>")})
    assert fetching.fetch_image("https://blog.contoh.id/a.jpg", max_bytes=10**6, resolver=NAMES) is None
    fake_web(monkeypatch, {"blog.contoh.id": FakeResponse(404, {"content-type": "image/jpeg"}, JPEG)})
    assert fetching.fetch_image("https://blog.contoh.id/a.jpg", max_bytes=10**6, resolver=NAMES) is None


# --- the admin's page --------------------------------------------------------------------------------
def test_the_admin_imports_through_the_form(stack: Stack) -> None:
    village_id, slug = make_village(stack, "34.04.02.2003")
    admin = make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={village_id: "admin"})
    kader = make_user(stack, "Dewi Lestari", email="dewi@contoh.id", roles={village_id: "kontributor"})
    base = village_host(stack, slug)
    browser = Browser(stack)
    assert browser.login(base, "siti@contoh.id").status_code == 303
    form = browser.get(f"{base}/admin/impor")
    assert form.status_code == 200
    assert "Cadangkan konten" in form.text and "Alat › Ekspor" in form.text
    assert "Dewi Lestari" in form.text and 'name="unduh_gambar"' in form.text

    response = browser.post(
        f"{base}/admin/impor",
        {"anggota": str(kader.id)},
        files={"berkas": ("blog.xml", WXR.read_bytes(), "application/xml")},
    )
    # The run is queued and the page follows it: waiting (refreshing itself), then the report.
    assert response.status_code == 303, response.text
    run_url = base + response.headers["location"]
    assert re.fullmatch(r".*/admin/impor/\d+", run_url)
    finish_imports(stack)
    report = browser.get(run_url)
    assert report.status_code == 200
    assert "Impor selesai." in report.text and "komentar tidak diimpor" in report.text
    assert 'http-equiv="refresh"' not in report.text
    assert "Impor sebelumnya" in browser.get(f"{base}/admin/impor").text
    with stack.runtime.session(village_id) as db:
        run = db.exec(select(ImportRun)).one()
        assert run.status == "done" and run.export is None  # the export is not kept after the run
    stored = posts(stack, village_id)
    assert len(stored) == 5 and {p.author_name for p in stored.values()} == {"Dewi Lestari"}
    assert media_rows(stack, village_id) == []  # the box was not ticked: nothing downloaded
    with stack.runtime.session(village_id) as db:
        event = db.exec(select(AuditEvent).where(col(AuditEvent.action) == "import_done")).one()
        assert event.actor_id == admin.id and "5 berita" in event.target

    hostile = browser.post(
        f"{base}/admin/impor",
        {},
        form_url=f"{base}/admin/impor",
        files={"berkas": ("blog.xml", BILLION_LAUGHS.read_bytes(), "application/xml")},
    )
    assert hostile.status_code == 400 and "ditolak demi keamanan" in hostile.text
    assert len(posts(stack, village_id)) == 5


def finish_imports(stack: Stack, timeout: float = 60) -> None:
    """Run the queued imports: a burst worker on the production stack (RQ on Redis), or wait for
    the embedded stack's in-process thread."""
    if stack.settings.redis_url:
        jobs.run_worker(stack.settings, burst=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with stack.runtime.session(all_villages=True) as db:
            waiting = db.exec(select(ImportRun).where(col(ImportRun.status).in_(("queued", "running")))).all()
        if not waiting:
            return
        time.sleep(0.1)
    raise AssertionError("imports still running")


def test_a_run_that_breaks_says_so_and_keeps_what_was_written(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    village_id, _slug = make_village(stack, "34.04.02.2003")
    admin = make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={village_id: "admin"})
    result = parse_export(WXR.read_bytes())
    with stack.runtime.session(village_id) as db:
        user = db.get(User, admin.id)
        assert user is not None
        run = runs.start(
            db,
            village_id,
            data=b"<not an export",
            file_name="rusak.xml",
            result=result,
            credit=user,
            download=False,
            user=user,
        )
        run_id = run.id
    assert run_id is not None
    runs.execute(stack.settings, run_id, village_id)
    runs.execute(stack.settings, run_id, village_id)  # delivered twice: the second does nothing
    with stack.runtime.session(village_id) as db:
        stored = db.exec(select(ImportRun)).one()
        assert stored.status == "failed" and stored.export is None and stored.finished_at is not None
        assert db.exec(select(AuditEvent).where(col(AuditEvent.action) == "import_failed")).one()


def test_an_editor_may_not_import(stack: Stack) -> None:
    village_id, slug = make_village(stack, "34.04.02.2003")
    make_user(stack, "Budi Santoso", email="budi@contoh.id", roles={village_id: "editor"})
    base = village_host(stack, slug)
    browser = Browser(stack)
    assert browser.login(base, "budi@contoh.id").status_code == 303
    assert browser.get(f"{base}/admin/impor").status_code == 403
    token = browser.csrf(f"{base}/akun")
    response = browser.client.post(
        f"{base}/admin/impor",
        data={"csrf_token": token},
        files={"berkas": ("blog.xml", WXR.read_bytes(), "application/xml")},
        headers={"origin": base},
    )
    assert response.status_code == 403
    assert posts(stack, village_id) == {}


def test_importing_result_shape() -> None:
    result = parse_export(WXR.read_bytes())
    assert isinstance(result, ImportResult) and result.source == "wordpress"
