"""What an upload is, judged by its bytes, and the files stored for it.

The name and the browser's content type are never believed: a PHP script called ``foto.jpg``, an
SVG or an HTML page are refused, whatever their extension. What is accepted:

- **photos** (JPEG, PNG, WebP, GIF: the first frame) that Pillow identifies from their bytes. The
  size in the header is checked before a single pixel is decoded (:data:`MAX_PIXELS`), so a
  decompression bomb (a small file that unpacks to gigabytes) costs nothing. The picture is turned
  upright (EXIF orientation), converted to sRGB, and re-encoded from its pixels alone, so no EXIF
  (GPS position above all), XMP, ICC profile or comment survives. Stored: WebP at the widths of
  :data:`WEBP_WIDTHS` narrower than the photo plus the photo's own width (at most
  :data:`MAX_WIDTH`), for ``srcset``; and one JPEG fallback (PNG when the photo has transparency)
  at that width. The uploaded original is not kept.
- **documents**: PDF (``%PDF-``), and Word ``.docx`` / Excel ``.xlsx`` (a zip whose
  ``[Content_Types].xml`` names the document type; macro-enabled files are refused). Stored as
  uploaded.

Everything here is pure (bytes in, bytes out); :mod:`.service` stores the result.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Protocol

from babel.numbers import format_decimal
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from etalase.platform import i18n
from etalase.platform.i18n import _

MAX_PIXELS = 40_000_000  # 40 megapixels: every phone camera fits, a bomb does not
WEBP_WIDTHS = (320, 640, 1024, 1600)
MAX_WIDTH = WEBP_WIDTHS[-1]
MAX_HEIGHT = 8000  # a long infographic stays readable; WebP itself stops at 16383
WEBP_QUALITY = 80
JPEG_QUALITY = 82
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
READ_CHUNK = 64 * 1024
MB = 1024 * 1024

# Belt and braces around the explicit check in _open_image: Pillow itself refuses to open
# anything over twice this size and warns over it; the warning becomes an error.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_HEIF_BRANDS = (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypheim", b"ftypheis", b"ftypmif1", b"ftypmsf1")
_OOXML = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SPACES = re.compile(r"\s+")


# --- refusals -----------------------------------------------------------------------------------
class MediaError(ValueError):
    """A refusal, worded (and translated) for the person who uploaded. ``status`` is the HTTP
    status a page answers with."""

    status = 400


class UnsupportedFileError(MediaError):
    status = 415
    unknown_kind = False  # True: not a kind of file the library stores at all (see unsupported())


class FileTooLargeError(MediaError):
    status = 413


class TooManyPixelsError(MediaError):
    status = 413


class DamagedFileError(MediaError):
    pass


def size_text(n_bytes: int) -> str:
    """``4,2 MB``, ``850 KB``, ``500 MB`` in Indonesian (``4.2 MB`` in English)."""
    locale = i18n.babel_locale()
    if n_bytes >= MB:
        value = n_bytes / MB
        return f"{format_decimal(round(value, 1 if value < 100 else 0), locale=locale)} MB"
    kilobytes = max(1, round(n_bytes / 1024)) if n_bytes > 0 else 0
    return f"{format_decimal(kilobytes, locale=locale)} KB"


def unsupported() -> UnsupportedFileError:
    error = UnsupportedFileError(
        _(
            "Jenis berkas ini tidak didukung. Unggah foto JPG, PNG, WebP atau GIF, atau dokumen PDF, "
            "Word (.docx) atau Excel (.xlsx)."
        )
    )
    error.unknown_kind = True
    return error


def photo_reason(error: MediaError) -> str:
    """Why a file sent where only a photo goes was refused: a file of no kind the library knows
    gets a sentence about photos only (the library's own one also offers documents)."""
    if getattr(error, "unknown_kind", False):
        return _("Berkas ini bukan foto. Kirim foto JPG, PNG, WebP atau GIF.")
    return str(error)


def too_large(max_bytes: int) -> FileTooLargeError:
    return FileTooLargeError(
        _(
            "Berkas terlalu besar: batasnya {limit} per berkas. Perkecil fotonya, atau bagi dokumennya "
            "menjadi beberapa berkas."
        ).format(limit=size_text(max_bytes))
    )


def too_many_pixels() -> TooManyPixelsError:
    return TooManyPixelsError(
        _(
            "Gambar ini terlalu besar: lebih dari {mp} megapiksel. Perkecil dulu ukurannya (misalnya "
            "menjadi 4000 × 3000 piksel), lalu unggah lagi."
        ).format(mp=MAX_PIXELS // 1_000_000)
    )


# --- reading ------------------------------------------------------------------------------------
class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def read_limited(stream: Readable, max_bytes: int) -> bytes:
    """The whole stream, read in chunks, or :class:`FileTooLargeError` as soon as it passes
    ``max_bytes`` (at most ``max_bytes + 1`` bytes are ever read)."""
    buffer = bytearray()
    while True:
        chunk = stream.read(min(READ_CHUNK, max_bytes + 1 - len(buffer)))
        if not chunk:
            break
        buffer += chunk
        if len(buffer) > max_bytes:
            raise too_large(max_bytes)
    return bytes(buffer)


def clean_name(filename: str | None) -> str:
    """The name to show: no folders (``C:\\fakepath\\``), no control characters, NFC, one space
    between words, at most 200 characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", _CONTROL.sub(" ", name))
    name = _SPACES.sub(" ", name).strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 199 - len(ext)]}.{ext}" if dot and 0 < len(ext) <= 10 else name[:200]
    return name


# --- results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rendition:
    """One object to store."""

    data: bytes
    content_type: str
    extension: str  # of the stored name: webp, jpg, png, pdf, docx, xlsx
    format: str  # webp, jpeg, png, pdf, docx, xlsx
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class Processed:
    kind: str  # image, document
    main: Rendition  # the fallback image, or the document
    variants: list[Rendition] = field(default_factory=list)  # WebP, narrowest first

    @property
    def renditions(self) -> list[Rendition]:
        return [*self.variants, self.main]

    @property
    def total_bytes(self) -> int:
        return sum(len(r.data) for r in self.renditions)


def process(data: bytes) -> Processed:
    """Judge ``data`` by its content and make what is stored, or raise :class:`MediaError`."""
    if not data:
        raise DamagedFileError(_("Berkasnya kosong. Pilih berkas lain."))
    if data[4:12] in _HEIF_BRANDS:
        raise UnsupportedFileError(
            _(
                "Foto HEIC (iPhone) belum didukung. Ubah dulu ke JPG (di iPhone: Pengaturan › Kamera › "
                "Format › Paling Kompatibel), lalu unggah lagi."
            )
        )
    image = _open_image(data)
    if image is not None:
        return _process_image(image)
    document = _document(data)
    if document is not None:
        return Processed("document", document)
    raise unsupported()


# --- images -------------------------------------------------------------------------------------
def _open_image(data: bytes) -> Image.Image | None:
    """The image, opened (header only, nothing decoded yet), or None when it is not one of ours."""
    try:
        image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
    except UnidentifiedImageError:
        return None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels() from None
    except Exception:  # whatever a malformed header makes a decoder raise
        raise _damaged() from None
    width, height = image.size
    if width < 1 or height < 1:
        raise _damaged()
    if width * height > MAX_PIXELS:
        raise too_many_pixels()
    return image


def _damaged() -> DamagedFileError:
    return DamagedFileError(
        _("Berkas gambar rusak atau tidak lengkap. Coba unggah ulang, atau simpan ulang gambarnya dulu.")
    )


def _process_image(image: Image.Image) -> Processed:
    try:
        if image.format == "JPEG":
            # Decode a much larger photo at 1/2, 1/4 or 1/8 scale: less memory, same result.
            image.draft(None, (MAX_WIDTH, MAX_WIDTH))
        image.seek(0)  # GIF and animated WebP: the first frame
        image.load()
        upright = ImageOps.exif_transpose(image)
        pixels = _pixels(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels() from None
    except Exception:  # truncated data, broken EXIF, a bad palette: all the same to the person
        raise _damaged() from None
    finally:
        image.close()
    transparent = pixels.mode == "RGBA"
    width, height = pixels.size
    variants = []
    for target in [w for w in WEBP_WIDTHS if w < width] + [width]:
        resized = _resized(pixels, target)
        variants.append(
            Rendition(
                _encode(resized, "WEBP", quality=WEBP_QUALITY, method=4),
                "image/webp",
                "webp",
                "webp",
                resized.width,
                resized.height,
            )
        )
    if transparent:
        main = Rendition(_encode(pixels, "PNG", optimize=True), "image/png", "png", "png", width, height)
    else:
        jpeg = _encode(pixels, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        main = Rendition(jpeg, "image/jpeg", "jpg", "jpeg", width, height)
    return Processed("image", main, variants)


def _pixels(image: Image.Image) -> Image.Image:
    """RGB (RGBA when some pixel is see-through) in sRGB, at most MAX_WIDTH × MAX_HEIGHT, rebuilt
    from its pixel data alone: a new image with empty ``info`` carries no metadata at all."""
    icc = image.info.get("icc_profile")
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        extrema = rgba.getchannel("A").getextrema()
        lowest = extrema[0] if isinstance(extrema, tuple) else extrema
        image = rgba if isinstance(lowest, (int, float)) and lowest < 255 else rgba.convert("RGB")
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=image.mode)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken or mismatched profile: keep the pixels as they are
    scale = min(1.0, MAX_WIDTH / image.width, MAX_HEIGHT / image.height)
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    clean.info = {}
    return clean


def _resized(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


# --- documents ----------------------------------------------------------------------------------
def _document(data: bytes) -> Rendition | None:
    if data.startswith(b"%PDF-"):
        return Rendition(data, "application/pdf", "pdf", "pdf")
    if data.startswith(b"PK\x03\x04"):
        return _office_document(data)
    return None


def _office_document(data: bytes) -> Rendition | None:
    """A .docx or .xlsx: a zip whose ``[Content_Types].xml`` (read alone, its size checked
    first) names the main part of a Word document or an Excel workbook. No macros."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 256 * 1024:
                return None
            types = archive.read(info)
            names = archive.namelist()
    except (KeyError, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    found = [value for marker, value in _OOXML.items() if marker in types]
    if len(found) != 1:
        return None
    extension, content_type = found[0]
    return Rendition(data, content_type, extension, extension)
