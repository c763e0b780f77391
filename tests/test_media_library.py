"""The media library (etalase.platform.media_library) on both stacks: local disk and S3 (moto).

What is stored is checked where it is stored: the objects are listed under the village's prefix
(``list_objects_v2`` on S3, the folder on disk), so "no orphan" means nothing is there, not merely
that no row points at it.
"""

from __future__ import annotations

import asyncio
import io
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
from PIL import ExifTags, Image
from sqlmodel import Session, select
from starlette.datastructures import Headers

from etalase.platform.content.models import Post
from etalase.platform.i18n import use_language
from etalase.platform.media import MediaStore, S3MediaStore
from etalase.platform.media_library import processing, service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import MB
from etalase.platform.settings import Settings
from etalase.platform.web.media import UploadTooLarge, _metered
from tests.conftest import Stack
from tests.people import PASSWORD, Browser, make_user, make_village, village_host
from tests.test_browser import PHONE, chromium, fits_the_screen, server  # noqa: F401  (fixtures)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- the store, as it is ----------------------------------------------------------------------------
def stored_keys(stack: Stack, village_id: int) -> set[str]:
    """Every object under ``v/<village_id>/``, listed from the store itself."""
    prefix = f"v/{village_id}/"
    store = stack.runtime.media
    if isinstance(store, S3MediaStore):
        keys: set[str] = set()
        for page in store.client.get_paginator("list_objects_v2").paginate(
            Bucket=store.bucket, Prefix=prefix
        ):
            keys.update(item["Key"] for item in page.get("Contents", []))
        return keys
    root = stack.settings.local_media_root
    folder = root / prefix
    return (
        {p.relative_to(root).as_posix() for p in folder.rglob("*") if p.is_file()}
        if folder.exists()
        else set()
    )


def purge(stack: Stack, village_id: int) -> None:
    for key in stored_keys(stack, village_id):
        stack.runtime.media.delete(key)


def rows(stack: Stack, village_id: int) -> list[MediaFile]:
    with stack.runtime.session(village_id) as db:
        return list(db.exec(select(MediaFile)).all())


@dataclass
class Desa:
    id: int
    slug: str


@pytest.fixture
def desa(stack: Stack) -> Iterator[Desa]:
    village_id, slug = make_village(stack, "34.04.02.2003")
    purge(stack, village_id)  # ids come back on SQLite once a test wiped its villages
    yield Desa(village_id, slug)
    purge(stack, village_id)


def upload(
    stack: Stack,
    desa: Desa,
    data: bytes,
    name: str = "foto.jpg",
    alt: str = "",
    *,
    settings: Settings | None = None,
    store: MediaStore | None = None,
) -> MediaFile:
    with stack.runtime.session(desa.id) as db:
        return service.upload(
            db,
            store or stack.runtime.media,
            desa.id,
            filename=name,
            stream=io.BytesIO(data),
            alt=alt,
            user=None,
            settings=settings or stack.settings,
        )


def refused(stack: Stack, desa: Desa, data: bytes, name: str, **kw: object) -> processing.MediaError:
    """The upload is refused, and leaves no row and no object behind."""
    with pytest.raises(processing.MediaError) as caught:
        upload(stack, desa, data, name, **kw)  # type: ignore[arg-type]
    assert rows(stack, desa.id) == []
    assert stored_keys(stack, desa.id) == set()
    return caught.value


# --- files to upload ------------------------------------------------------------------------------
RED, BLUE = (220, 20, 30), (20, 40, 200)


def photo_with_gps(width: int = 2000, height: int = 1500, orientation: int = 6) -> bytes:
    """A phone photo as it arrives: stored sideways with an EXIF orientation, with the camera's
    make, a GPS position, XMP and a comment. A red block marks the stored top-left corner."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 5, height // 5))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "KameraDesa"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (7.0, 46.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (110.0, 17.0, 30.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"rumah-pak-kades", xmp=b"<x:xmpmeta>Godean</x:xmpmeta>")
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)[2] == (7.0, 46.0, 12.5)
    return data


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def noise(width: int, height: int) -> bytes:
    """A photo that does not compress: its stored sizes are large."""
    return encoded(Image.effect_noise((width, height), 80).convert("RGB"), "JPEG", quality=95)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels, with one tiny compressed row: a
    decoder that trusted it would allocate width × height bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def office(main_type: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/main.xml" ContentType="{main_type}"/></Types>',
        )
        archive.writestr("main.xml", "<doc>APBDes 2026</doc>")
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return buffer.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def opened(stack: Stack, key: str) -> tuple[Image.Image, bytes]:
    data = stack.runtime.media.get(key)
    assert data is not None, key
    return Image.open(io.BytesIO(data)), data


def assert_no_metadata(image: Image.Image, data: bytes) -> None:
    assert not image.getexif(), "EXIF survived"
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"):
        assert key not in image.info, key
    for secret in (b"KameraDesa", b"rumah-pak-kades", b"Godean", b"Exif\x00\x00", b"EXIF"):
        assert secret not in data, secret


# --- photos -------------------------------------------------------------------------------------------
def test_a_phone_photo_is_stored_upright_without_gps_in_every_width(stack: Stack, desa: Desa) -> None:
    row = upload(stack, desa, photo_with_gps(), "IMG_20261127_0930.jpg", "Kerja bakti di balai desa")
    assert row.kind == "image" and row.content_type == "image/jpeg"
    assert (row.width, row.height) == (1500, 2000)  # orientation 6: turned upright
    assert row.key.startswith(f"v/{desa.id}/media/") and row.key.endswith(".jpg")
    assert row.original_name == "IMG_20261127_0930.jpg" and row.alt == "Kerja bakti di balai desa"
    variants = row.variant_list
    assert [v["width"] for v in variants] == [320, 640, 1024, 1500]  # narrower widths, then its own
    assert {v["format"] for v in variants} == {"webp"}
    total = 0
    for entry in [*variants, {"key": row.key, "width": 1500, "format": "jpeg"}]:
        image, data = opened(stack, str(entry["key"]))
        total += len(data)
        assert image.format == str(entry["format"]).upper()
        assert image.size == (entry["width"], round(2000 * int(entry["width"]) / 1500))
        assert_no_metadata(image, data)
        # The stored top-left corner is the picture's top-right once upright.
        rgb = image.convert("RGB")
        w = rgb.width
        top_right, top_left = rgb.getpixel((w - 3, 3)), rgb.getpixel((2, 2))
        assert isinstance(top_right, tuple) and isinstance(top_left, tuple)
        assert top_right[0] > 150 and top_right[2] < 100, top_right
        assert top_left[2] > 150, top_left
    assert row.bytes == total
    assert stored_keys(stack, desa.id) == set(row.keys)
    srcset = service.srcset(row, stack.runtime.media)
    assert srcset.count("w, ") == 3 and srcset.endswith(" 1500w")
    assert stack.runtime.media.url(str(variants[0]["key"])) + " 320w" in srcset


def test_a_large_photo_gets_the_four_widths_and_a_1600_pixel_fallback(stack: Stack, desa: Desa) -> None:
    data = encoded(Image.new("RGB", (3000, 2000), BLUE), "JPEG")
    row = upload(stack, desa, data, "panen-raya.jpg")
    assert [v["width"] for v in row.variant_list] == list(processing.WEBP_WIDTHS)
    assert [v["height"] for v in row.variant_list] == [213, 427, 683, 1067]
    assert (row.width, row.height) == (1600, 1067)
    assert all("/panen-raya-" in str(v["key"]) for v in row.variant_list)
    assert row.key.endswith("/panen-raya.jpg")


def test_a_png_with_transparency_keeps_a_png_fallback(stack: Stack, desa: Desa) -> None:
    logo = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    logo.paste((12, 110, 50, 255), (100, 50, 300, 250))
    row = upload(stack, desa, encoded(logo, "PNG"), "logo-desa.png", "Logo Desa Sidomulyo")
    assert row.content_type == "image/png" and row.key.endswith(".png")
    fallback, data = opened(stack, row.key)
    assert fallback.format == "PNG" and fallback.mode == "RGBA"
    assert fallback.getpixel((5, 5))[3] == 0 and fallback.getpixel((200, 150))[3] == 255  # type: ignore[index]
    assert_no_metadata(fallback, data)
    assert [v["width"] for v in row.variant_list] == [320, 400]
    webp, _ = opened(stack, str(row.variant_list[0]["key"]))
    assert webp.mode == "RGBA"
    # An opaque PNG (a screenshot) gets a JPEG fallback: much smaller for the same picture.
    opaque = upload(stack, desa, encoded(Image.new("RGBA", (200, 100), (1, 2, 3, 255)), "PNG"), "layar.png")
    assert opaque.content_type == "image/jpeg"


@pytest.mark.parametrize("fmt", ["WEBP", "GIF"])
def test_webp_and_gif_are_photos_too(stack: Stack, desa: Desa, fmt: str) -> None:
    frames = [Image.new("RGB", (120, 80), color) for color in (RED, BLUE)]
    buffer = io.BytesIO()
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100)
    row = upload(stack, desa, buffer.getvalue(), f"animasi.{fmt.lower()}")
    assert row.kind == "image" and (row.width, row.height) == (120, 80)
    first, _ = opened(stack, row.key)
    pixel = first.convert("RGB").getpixel((60, 40))
    assert isinstance(pixel, tuple) and pixel[0] > 150  # the first frame


# --- documents ----------------------------------------------------------------------------------------
def test_documents_are_stored_as_uploaded(stack: Stack, desa: Desa) -> None:
    pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    row = upload(stack, desa, pdf, "APBDes 2026 (final).pdf")
    assert row.kind == "document" and row.content_type == "application/pdf"
    assert row.variant_list == [] and row.width is None and row.bytes == len(pdf)
    assert row.key.endswith("/apbdes-2026-final.pdf") and row.original_name == "APBDes 2026 (final).pdf"
    assert stack.runtime.media.get(row.key) == pdf
    assert service.srcset(row, stack.runtime.media) == ""
    sheet = upload(stack, desa, office(XLSX), "realisasi.xlsx")
    assert sheet.content_type.endswith("spreadsheetml.sheet") and sheet.key.endswith(".xlsx")
    letter = upload(stack, desa, office(DOCX), "C:\\Users\\Sekdes\\undangan musdes.docx")
    assert letter.key.endswith("/undangan-musdes.docx") and letter.original_name == "undangan musdes.docx"


# --- refusals -------------------------------------------------------------------------------------
UNSUPPORTED = "Jenis berkas ini tidak didukung. Unggah foto JPG, PNG, WebP atau GIF"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("foto.jpg", b"<?php system($_GET['c']); ?>"),
        ("foto.jpg", b"\xef\xbb\xbf<?php echo 'hai'; ?>\n"),
        ("gambar.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("peta.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("halaman.html", b"<!doctype html><html><script>document.cookie</script></html>"),
        ("laporan.pdf", b"<html><body>bukan PDF</body></html>"),
        ("aplikasi.apk", office("application/java-archive")),
        ("makro.docx", office(DOCX, {"word/vbaProject.bin": b"\x00macro"})),
        ("makro.docm", office("application/vnd.ms-word.document.macroEnabled.main+xml")),
        ("kosong.txt", b"teks biasa saja"),
    ],
)
def test_a_file_is_judged_by_its_content_not_its_name(
    stack: Stack, desa: Desa, name: str, data: bytes
) -> None:
    error = refused(stack, desa, data, name)
    assert str(error).startswith(UNSUPPORTED) and error.status == 415


def test_a_gif_header_on_a_script_is_refused(stack: Stack, desa: Desa) -> None:
    error = refused(stack, desa, b"GIF89a<?php system($_GET['c']); ?>", "foto.gif")
    assert error.status in (400, 413, 415)  # damaged, or a "screen" of 16188 × 26736 pixels


def test_empty_damaged_and_heic_files_get_their_own_message(stack: Stack, desa: Desa) -> None:
    assert "kosong" in str(refused(stack, desa, b"", "foto.jpg"))
    truncated = photo_with_gps()[:3000]
    assert "rusak" in str(refused(stack, desa, truncated, "foto.jpg"))
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    assert "HEIC" in str(refused(stack, desa, heic, "IMG_0001.HEIC"))


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")  # as the app sets it
@pytest.mark.parametrize(
    "bomb",
    [
        pytest.param(lambda: png_header_only(50_000, 50_000), id="header-50000x50000"),
        pytest.param(lambda: png_header_only(7000, 7000), id="header-49MP"),
        pytest.param(lambda: encoded(Image.new("1", (10_000, 5_000)), "PNG"), id="real-50MP-bilevel"),
    ],
)
def test_a_decompression_bomb_is_refused_before_decoding(stack: Stack, desa: Desa, bomb: object) -> None:
    data = bomb()  # type: ignore[operator]
    assert len(data) < 200_000  # small on the wire, gigantic once decoded
    started = time.perf_counter()
    error = refused(stack, desa, data, "spanduk.png")
    assert time.perf_counter() - started < 1.0
    assert "megapiksel" in str(error) and error.status == 413


@dataclass
class Endless:
    """An upload stream far larger than any limit, counting what was read from it."""

    size: int = 50 * MB
    read_bytes: int = 0
    calls: list[int] = field(default_factory=list)

    def read(self, n: int = -1) -> bytes:
        assert n > 0, "read everything at once"
        self.calls.append(n)
        chunk = min(n, self.size - self.read_bytes)
        self.read_bytes += chunk
        return b"\xff" * chunk


def test_an_upload_over_the_limit_is_refused_while_it_is_read(stack: Stack, desa: Desa) -> None:
    small = stack.settings.model_copy(update={"media_max_upload_mb": 1})
    stream = Endless()
    with pytest.raises(processing.FileTooLargeError) as caught, stack.runtime.session(desa.id) as db:
        service.upload(
            db,
            stack.runtime.media,
            desa.id,
            filename="video.jpg",
            stream=stream,
            alt="",
            user=None,
            settings=small,
        )
    assert stream.read_bytes == MB + 1  # one byte past the limit, never the other 49 MB
    assert max(stream.calls) <= processing.READ_CHUNK
    assert str(caught.value) == (
        "Berkas terlalu besar: batasnya 1 MB per berkas. Perkecil fotonya, atau bagi dokumennya "
        "menjadi beberapa berkas."
    )
    assert rows(stack, desa.id) == [] and stored_keys(stack, desa.id) == set()
    # Exactly at the limit is accepted (a PDF padded to 1 MB).
    exact = b"%PDF-1.4\n" + b"0" * (MB - 9)
    assert upload(stack, desa, exact, "pas.pdf", settings=small).bytes == MB


def test_over_the_quota_is_refused_with_the_numbers(stack: Stack, desa: Desa) -> None:
    three = stack.settings.model_copy(update={"media_quota_mb": 3})
    with stack.runtime.session(desa.id) as db:
        db.add(
            MediaFile(
                village_id=desa.id,
                kind="document",
                original_name="arsip.pdf",
                content_type="application/pdf",
                bytes=int(2.87 * MB),
                key=f"v/{desa.id}/media/arsip-lama.pdf",
            )
        )
    before = rows(stack, desa.id)
    with pytest.raises(service.QuotaExceededError) as caught:
        upload(stack, desa, noise(800, 600), "pasar-desa.jpg", settings=three)
    message = str(caught.value)
    assert message.startswith(
        "Ruang penyimpanan desa tidak cukup: terpakai 2,9 MB dari 3 MB, berkas ini perlu "
    )
    assert re.search(r"perlu \d+(,\d)? (KB|MB)\. Hapus berkas", message), message  # decimal comma
    assert [r.id for r in rows(stack, desa.id)] == [r.id for r in before]
    assert stored_keys(stack, desa.id) == set()
    with stack.runtime.session(desa.id) as db:
        assert service.usage(db, desa.id, three) == (int(2.87 * MB), 3 * MB)
    with use_language("en"), pytest.raises(service.QuotaExceededError) as english:
        upload(stack, desa, noise(800, 600), "pasar-desa.jpg", settings=three)
    assert "2.9 MB" in str(english.value)


@dataclass
class FlakyStore:
    """The real store, except that the ``fail_on``-th put raises (after writing, as a timeout
    after the upload reached S3 would)."""

    real: MediaStore
    fail_on: int
    puts: list[str] = field(default_factory=list)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.puts.append(key)
        self.real.put(key, data, content_type)
        if len(self.puts) == self.fail_on:
            raise ConnectionError("S3 went away")

    def get(self, key: str) -> bytes | None:
        return self.real.get(key)

    def delete(self, key: str) -> None:
        self.real.delete(key)

    def url(self, key: str) -> str:
        return self.real.url(key)


def test_a_failure_while_storing_leaves_no_row_and_no_object(stack: Stack, desa: Desa) -> None:
    flaky = FlakyStore(stack.runtime.media, fail_on=3)
    error = refused(stack, desa, photo_with_gps(), "foto.jpg", store=flaky)
    assert isinstance(error, service.StorageError) and error.status == 503
    assert "Tidak ada yang tersimpan" in str(error)
    assert len(flaky.puts) == 3  # two variants written and a third half-written: all removed
    # The next upload works.
    assert upload(stack, desa, photo_with_gps(), "foto.jpg").id is not None


def test_a_database_failure_after_the_objects_were_written_removes_them(
    stack: Stack, desa: Desa, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_flush = Session.flush

    def failing_flush(self: Session, *args: object, **kwargs: object) -> None:
        if any(isinstance(obj, MediaFile) for obj in self.new):
            raise RuntimeError("database went away")
        real_flush(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Session, "flush", failing_flush)
    error = refused(stack, desa, photo_with_gps(), "foto.jpg")
    assert isinstance(error, service.StorageError)


# --- deleting ---------------------------------------------------------------------------------------
def test_a_file_used_by_a_post_is_not_deleted_until_it_is_released(stack: Stack, desa: Desa) -> None:
    row = upload(stack, desa, photo_with_gps(), "posyandu.jpg", "Posyandu balita")
    assert row.id is not None
    url = stack.runtime.media.url(str(row.variant_list[1]["key"]))
    with stack.runtime.session(desa.id) as db:
        post = Post(
            village_id=desa.id,
            title="Posyandu bulan November",
            slug="posyandu-bulan-november",
            body=f'<p>Kegiatan posyandu.</p><p><img src="{url}" alt="Posyandu balita"></p>',
        )
        db.add(post)
        db.flush()
        post_id = post.id
    with stack.runtime.session(desa.id) as db:
        places = service.where_used(db, desa.id, row.id)
        assert [(p.what, p.title) for p in places] == [("Berita (draf)", "Posyandu bulan November")]
        with pytest.raises(service.MediaInUseError) as caught:
            service.delete(db, stack.runtime.media, desa.id, row.id)
    assert caught.value.places == places and "masih dipakai di 1 tempat" in str(caught.value)
    assert len(rows(stack, desa.id)) == 1 and stored_keys(stack, desa.id) == set(row.keys)

    with stack.runtime.session(desa.id) as db:  # the writer takes the photo out of the post
        stored = db.get(Post, post_id)
        assert stored is not None
        stored.body = "<p>Kegiatan posyandu.</p>"
        db.add(stored)
    with stack.runtime.session(desa.id) as db:
        assert service.where_used(db, desa.id, row.id) == []
        service.delete(db, stack.runtime.media, desa.id, row.id)
    assert rows(stack, desa.id) == [] and stored_keys(stack, desa.id) == set()


def test_a_cover_counts_as_a_use(stack: Stack, desa: Desa) -> None:
    if not hasattr(Post, "cover_media_id"):
        pytest.skip("posts have no cover yet")
    row = upload(stack, desa, photo_with_gps(), "sampul.jpg")
    with stack.runtime.session(desa.id) as db:
        db.add(Post(village_id=desa.id, title="Bersih desa", slug="bersih-desa", cover_media_id=row.id))
    with stack.runtime.session(desa.id) as db:
        assert row.id is not None
        assert [p.title for p in service.where_used(db, desa.id, row.id)] == ["Bersih desa"]
        with pytest.raises(service.MediaInUseError):
            service.delete(db, stack.runtime.media, desa.id, row.id)
        service.delete(db, stack.runtime.media, desa.id, row.id, force=True)  # asked for, explicitly
    assert rows(stack, desa.id) == [] and stored_keys(stack, desa.id) == set()


def test_another_villages_file_is_not_found(stack: Stack, desa: Desa) -> None:
    other_id, _slug = make_village(stack, "33.74.10.1001")
    purge(stack, other_id)
    row = upload(stack, desa, photo_with_gps(), "milik-sidomulyo.jpg", "Milik Sidomulyo")
    assert row.id is not None
    with stack.runtime.session(other_id) as db:
        assert service.listing(db, other_id) == []
        assert service.usage(db, other_id, stack.settings)[0] == 0
        assert service.where_used(db, other_id, row.id) == []
        with pytest.raises(service.MediaNotFoundError):
            service.set_alt(db, other_id, row.id, "Diganti")
        with pytest.raises(service.MediaNotFoundError):
            service.delete(db, stack.runtime.media, other_id, row.id, force=True)
    (kept,) = rows(stack, desa.id)
    assert kept.alt == "Milik Sidomulyo" and stored_keys(stack, desa.id) == set(row.keys)
    assert stored_keys(stack, other_id) == set()


def test_alt_text_is_cleaned_and_limited(stack: Stack, desa: Desa) -> None:
    row = upload(stack, desa, photo_with_gps(), "foto.jpg", "  Sawah   di\nGodean ")
    assert row.alt == "Sawah di Godean" and row.id is not None
    with (
        stack.runtime.session(desa.id) as db,
        pytest.raises(processing.MediaError, match="paling banyak 300"),
    ):
        service.set_alt(db, desa.id, row.id, "x" * 301)


def test_names_are_cleaned_for_showing() -> None:
    assert processing.clean_name("C:\\fakepath\\Foto Kades.JPG") == "Foto Kades.JPG"
    assert processing.clean_name("../../etc/passwd") == "passwd"
    assert processing.clean_name("a\x00b\x1f  c.pdf") == "a b c.pdf"
    long = processing.clean_name("n" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")


# --- over HTTP --------------------------------------------------------------------------------------
@pytest.fixture
def team(stack: Stack, desa: Desa) -> dict[str, Browser]:
    people = {}
    for role in ("admin", "kontributor"):
        email = f"{role}.media@contoh.id"
        make_user(stack, f"Media {role}", email=email, roles={desa.id: role})
        browser = Browser(stack)
        assert browser.login(village_host(stack, desa.slug), email).status_code == 303
        people[role] = browser
    return people


def send(browser: Browser, url: str, data: bytes, name: str, alt: str = "") -> object:
    token = browser.csrf(url.rsplit("/", 1)[0])
    origin = "/".join(url.split("/", 3)[:3])
    return browser.client.post(
        url,
        data={"csrf_token": token, "alt": alt},
        files={"berkas": (name, data, "image/jpeg")},
        headers={"origin": origin},
    )


def test_the_upload_form_works_over_http(stack: Stack, desa: Desa, team: dict[str, Browser]) -> None:
    base = village_host(stack, desa.slug)
    kontributor, admin = team["kontributor"], team["admin"]
    page = kontributor.get(f"{base}/admin/media")
    assert page.status_code == 200
    html = page.text
    assert 'enctype="multipart/form-data"' in html and 'accept="image/*,application/pdf' in html
    assert "Terpakai 0 KB dari 500 MB (0%)." in html
    assert "Paling besar 20 MB per berkas" in html and '<meter class="quota"' in html
    if stack.settings.s3_bucket:  # thumbnails come from the bucket's origin: allowed, nothing else
        assert "img-src 'self' data: https://media.etalase.test;" in page.headers["content-security-policy"]

    response = send(kontributor, f"{base}/admin/media/unggah", photo_with_gps(), "balai.jpg", "Balai desa")
    assert response.status_code == 303 and response.headers["location"] == "/admin/media?pesan=unggah"  # type: ignore[attr-defined]
    (row,) = rows(stack, desa.id)
    listing = kontributor.get(f"{base}/admin/media?pesan=unggah").text
    thumb = stack.runtime.media.url(str(row.variant_list[0]["key"]))
    assert f'src="{thumb}" alt="Balai desa" width="320" height="427"' in listing
    assert "Berkas sudah diunggah." in listing
    assert f'action="/admin/media/{row.id}/hapus"' not in listing  # a kontributor does not delete
    api = kontributor.get(f"{base}/api/v1/media").json()
    assert [m["id"] for m in api["media"]] == [row.id] and api["media"][0]["srcset"].endswith(" 1500w")
    assert api["used_bytes"] == row.bytes and api["quota_bytes"] == 500 * MB
    if not stack.settings.s3_bucket:
        served = kontributor.get(f"{base}{stack.runtime.media.url(row.key)}")
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"

    # Without alt text: uploaded, and asked for it.
    response = send(kontributor, f"{base}/admin/media/unggah", photo_with_gps(), "tanpa-alt.jpg")
    assert response.headers["location"] == "/admin/media?pesan=tanpa-alt"  # type: ignore[attr-defined]
    assert "belum punya teks alternatif" in kontributor.get(f"{base}/admin/media?pesan=tanpa-alt").text

    # A script named like a photo: the page again, with the reason, and nothing kept.
    before = stored_keys(stack, desa.id)
    response = send(kontributor, f"{base}/admin/media/unggah", b"<?php phpinfo(); ?>", "foto.jpg", "x")
    assert response.status_code == 415  # type: ignore[attr-defined]
    assert UNSUPPORTED in response.text  # type: ignore[attr-defined]
    assert len(rows(stack, desa.id)) == 2 and stored_keys(stack, desa.id) == before

    # No file chosen.
    token = kontributor.csrf(f"{base}/admin/media")
    empty = kontributor.client.post(
        f"{base}/admin/media/unggah", data={"csrf_token": token, "alt": ""}, headers={"origin": base}
    )
    assert empty.status_code == 400 and "Pilih berkas yang akan diunggah." in empty.text

    # Alt text by the kontributor; deleting is the admin's (or an editor's).
    library = f"{base}/admin/media"
    changed = kontributor.post(f"{library}/{row.id}/alt", {"alt": "Balai Desa Sidomulyo"}, form_url=library)
    assert changed.status_code == 303 and changed.headers["location"] == "/admin/media?pesan=alt"
    assert {r.alt for r in rows(stack, desa.id)} == {"Balai Desa Sidomulyo", ""}
    assert kontributor.post(f"{library}/{row.id}/hapus", form_url=library).status_code == 403
    gone = admin.post(f"{library}/{row.id}/hapus", form_url=library)
    assert gone.status_code == 303 and gone.headers["location"] == "/admin/media?pesan=hapus"
    assert not set(row.keys) & stored_keys(stack, desa.id)
    assert admin.post(f"{base}/admin/media/{row.id}/hapus", form_url=f"{base}/admin/media").status_code == 404


def test_deleting_a_used_file_over_http_lists_the_places(
    stack: Stack, desa: Desa, team: dict[str, Browser]
) -> None:
    base = village_host(stack, desa.slug)
    admin = team["admin"]
    row = upload(stack, desa, photo_with_gps(), "musdes.jpg", "Musyawarah desa")
    with stack.runtime.session(desa.id) as db:
        body = f'<img src="{stack.runtime.media.url(row.key)}" alt="">'
        db.add(
            Post(village_id=desa.id, title="Musdes RKP 2027", slug="musdes", body=body, status="published")
        )
    refused_page = admin.post(f"{base}/admin/media/{row.id}/hapus", form_url=f"{base}/admin/media")
    assert refused_page.status_code == 409
    assert (
        "masih dipakai di 1 tempat" in refused_page.text and "Berita: “Musdes RKP 2027”" in refused_page.text
    )
    assert 'name="paksa" value="1"' in refused_page.text
    assert len(rows(stack, desa.id)) == 1 and stored_keys(stack, desa.id) == set(row.keys)
    forced = admin.post(f"{base}/admin/media/{row.id}/hapus", {"paksa": "1"}, form_url=f"{base}/admin/media")
    assert forced.status_code == 303
    assert rows(stack, desa.id) == [] and stored_keys(stack, desa.id) == set()
    log = admin.get(f"{base}/admin/log").text
    assert "Berkas media dihapus" in log and "musdes.jpg (masih dipakai di 1 tempat)" in log


# --- the body is metered while it arrives ----------------------------------------------------------------
def test_the_upload_body_is_cut_off_at_the_limit(stack: Stack, desa: Desa, team: dict[str, Browser]) -> None:
    """Straight through ASGI with a body that arrives in pieces: the app stops asking for more
    soon after the limit, and a declared length over it is refused before any of the body."""
    small = stack.settings.model_copy(update={"media_max_upload_mb": 1})
    from etalase.platform.app import create_app  # noqa: PLC0415

    app = create_app(small, stack.runtime)
    browser = team["admin"]
    base = village_host(stack, desa.slug)
    token = browser.csrf(f"{base}/admin/media")
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.client.cookies.jar)
    boundary = "batas"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="berkas"; filename="besar.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    piece = b"\xff" * (64 * 1024)

    def run(declared: int | None) -> tuple[int, str, int]:
        sent = 0
        messages: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            nonlocal sent
            sent += 1
            body = head if sent == 1 else piece
            return {"type": "http.request", "body": body, "more_body": sent < 200}  # ~12.5 MB in all

        async def send(message: dict[str, object]) -> None:
            messages.append(message)

        headers = [
            (b"host", f"{desa.slug}.etalase.test".encode()),
            (b"cookie", cookie.encode()),
            (b"origin", base.encode()),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
        ]
        if declared is not None:
            headers.append((b"content-length", str(declared).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": stack.settings.public_scheme,
            "path": "/admin/media/unggah",
            "raw_path": b"/admin/media/unggah",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 5000),
            "server": (f"{desa.slug}.etalase.test", 443),
        }
        asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
        start = next(m for m in messages if m["type"] == "http.response.start")
        location = dict(start["headers"]).get(b"location", b"").decode()  # type: ignore[call-overload]
        return int(start["status"]), location, sent  # type: ignore[call-overload]

    status, location, pieces = run(None)  # chunked: counted as it arrives
    assert (status, location) == (303, "/admin/media?galat=besar")
    assert pieces * len(piece) <= MB + 3 * len(piece)  # about 1 MB read of 12.5
    status, location, pieces = run(200 * len(piece))  # declared: refused before the body
    assert (status, location, pieces) == (303, "/admin/media?galat=besar", 0)
    page = browser.get(f"{base}/admin/media?galat=besar").text
    assert "Berkas terlalu besar: batasnya 20 MB per berkas." in page
    assert rows(stack, desa.id) == [] and stored_keys(stack, desa.id) == set()


def test_the_meter_counts_every_message() -> None:
    async def scenario() -> int:
        chunks = [b"a" * 10, b"b" * 10, b"c" * 10]

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": chunks.pop(0), "more_body": bool(chunks)}

        metered = _metered(Headers(), receive, 25)  # type: ignore[arg-type]
        got = 0
        with pytest.raises(UploadTooLarge):
            while True:
                message = await metered()
                got += len(message["body"])
        return got

    assert asyncio.run(scenario()) == 20


def test_the_s3_objects_carry_their_type(production_stack: Stack) -> None:
    production_stack.wipe()
    village_id, slug = make_village(production_stack, "34.04.02.2003")
    desa = Desa(village_id, slug)
    purge(production_stack, village_id)
    row = upload(production_stack, desa, photo_with_gps(), "foto.jpg")
    settings = production_stack.settings
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.s3_region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    types = {key: client.head_object(Bucket=settings.s3_bucket, Key=key)["ContentType"] for key in row.keys}
    assert types[row.key] == "image/jpeg"
    assert {types[str(v["key"])] for v in row.variant_list} == {"image/webp"}
    purge(production_stack, village_id)
    production_stack.wipe()


# --- on a phone ---------------------------------------------------------------------------------------
def test_the_library_on_a_360_pixel_phone(
    chromium: object,  # noqa: F811
    server: int,  # noqa: F811
    embedded_stack: Stack,
    tmp_path: Path,
) -> None:
    """A kader uploads a photo from their phone, sees it in the grid (its 320-pixel WebP loaded),
    adds the alt text, and is told plainly when a file is not a photo; the page never scrolls
    sideways and nothing complains in the console (the CSP allows the thumbnails)."""
    village_id, slug = make_village(embedded_stack, "34.04.02.2003")
    purge(embedded_stack, village_id)
    make_user(embedded_stack, "Rina Wulandari", email="rina@contoh.id", roles={village_id: "kontributor"})
    site = f"http://{slug}.etalase.test:{server}"
    context = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{site}/admin/media")
    page.fill("input[name=identifier]", "rina@contoh.id")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/admin/media")
    assert fits_the_screen(page) and "Terpakai 0 KB dari 500 MB" in page.content()

    photo = {"name": "gotong-royong.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps()}
    page.set_input_files("input[name=berkas]", photo)
    page.click("form[action='/admin/media/unggah'] button[type=submit]")
    page.wait_for_url(f"{site}/admin/media?pesan=tanpa-alt")
    assert "belum punya teks alternatif" in page.content()
    thumb = page.locator(".media-grid img").first
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.media-grid img').complete")
    assert thumb.evaluate("img => img.naturalWidth") == 320
    assert fits_the_screen(page)
    page.screenshot(path=str(tmp_path / "media-grid.png"), full_page=True)

    page.click(".media-grid summary")
    page.fill(".media-grid textarea[name=alt]", "Warga bergotong royong membersihkan saluran irigasi")
    page.click(".media-grid form[action$='/alt'] button[type=submit]")
    page.wait_for_url(f"{site}/admin/media?pesan=alt")
    assert thumb.get_attribute("alt") == "Warga bergotong royong membersihkan saluran irigasi"

    script = {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": b"<?php system($_GET['c']); ?>"}
    page.set_input_files("input[name=berkas]", script)
    page.click("form[action='/admin/media/unggah'] button[type=submit]")
    assert UNSUPPORTED in page.content() and fits_the_screen(page)
    assert [p for p in problems if "status of 4" not in p] == []
    context.close()
    purge(embedded_stack, village_id)
