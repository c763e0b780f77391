"""Reading an uploaded export safely: a size limit, no DTD (so no entity expansion, no external
entities), and errors a village operator can read.

Blogger and WordPress never put a DOCTYPE in their exports, so any DTD is refused outright rather
than parsed with limits: that closes billion-laughs, quadratic blow-up and XXE in one rule. The
parser is defusedxml's (``forbid_dtd``), which rejects the DTD inside expat itself, whatever the
document's encoding, before a single entity is declared.
"""

from __future__ import annotations

import re
from pyexpat import errors as expat_errors
from typing import Literal
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring as safe_fromstring

MAX_BYTES = 50 * 1024 * 1024
_PREFIX = "Berkas ini bukan ekspor Blogger/WordPress yang valid: "

# Expat errors that mean the file stops before the document does: a cut-off download.
_TRUNCATED = {
    expat_errors.codes[expat_errors.XML_ERROR_NO_ELEMENTS],
    expat_errors.codes[expat_errors.XML_ERROR_UNCLOSED_TOKEN],
    expat_errors.codes[expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
    expat_errors.codes[expat_errors.XML_ERROR_PARTIAL_CHAR],
}


class ImportRefusedError(ValueError):
    """The whole file was refused; ``str(error)`` is a sentence in Indonesian for the operator."""

    code = "refused"


class ExportTooLargeError(ImportRefusedError):
    code = "too_large"


class UnsafeExportError(ImportRefusedError):
    code = "unsafe_xml"


class InvalidExportError(ImportRefusedError):
    code = "invalid"


def invalid(reason: str) -> InvalidExportError:
    return InvalidExportError(_PREFIX + reason)


def check_size(data: bytes, max_bytes: int = MAX_BYTES) -> None:
    if len(data) > max_bytes:
        size = f"{len(data) / 1024 / 1024:.1f}".replace(".", ",")
        raise ExportTooLargeError(
            f"Berkas terlalu besar ({size} MB); batasnya {max_bytes // 1024 // 1024} MB. Pecah "
            "ekspornya (di WordPress: per kategori atau rentang tanggal) lalu impor satu per satu."
        )
    if not data.strip():
        raise invalid("berkasnya kosong.")


def parse_xml(data: bytes, max_bytes: int = MAX_BYTES) -> Element:
    """The root element of ``data``, or :class:`ImportRefusedError` with a readable reason."""
    check_size(data, max_bytes)
    try:
        return safe_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeExportError(
            "Berkas ditolak demi keamanan: berisi deklarasi DOCTYPE/ENTITY, yang tidak pernah ada di "
            "ekspor Blogger atau WordPress dan dapat dipakai untuk menyerang server."
        ) from exc
    except ParseError as exc:
        line, column = exc.position
        if exc.code in _TRUNCATED:
            raise invalid(
                f"berkasnya terpotong atau tidak lengkap (berhenti di baris {line}). "
                "Unduh ulang ekspornya lalu coba lagi."
            ) from exc
        raise invalid(f"XML-nya rusak di baris {line}, kolom {column + 1}.") from exc


# --- recognising a file -----------------------------------------------------------------------
_HEAD = 64 * 1024
_WXR = re.compile(rb"xmlns:wp\s*=\s*[\"']http://wordpress\.org/export/|<wp:wxr_version>")
_ATOM_FEED = re.compile(rb"<feed[\s>]")
_BLOGGER = re.compile(
    rb"schemas\.google\.com/blogger/|tag:blogger\.com,1999:blog-|uri=[\"']https?://www\.blogger\.com"
)


def _head_bytes(data: bytes) -> bytes:
    head = data[:_HEAD]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark
        try:
            return head.decode("utf-16", errors="ignore").encode("utf-8")
        except UnicodeError:  # pragma: no cover - decode with errors="ignore" does not raise
            return head
    return head


def detect(data: bytes) -> Literal["blogger", "wordpress"] | None:
    """Which exporter made ``data``, from its first 64 KiB; None when it looks like neither.

    Cheap and never parses the file: use it to pick the parser, which still validates everything.
    """
    head = _head_bytes(data)
    if _WXR.search(head) and b"<rss" in head:
        return "wordpress"
    if _ATOM_FEED.search(head) and _BLOGGER.search(head):
        return "blogger"
    return None
