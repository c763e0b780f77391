"""Importing a village's existing blog: Blogger (Blogspot) and WordPress exports.

The parsers read an export into a neutral :class:`ImportResult` (posts, pages, categories, tags,
dates in UTC, authors, the files they point at, and a report in Indonesian of what could not be
brought over). Writing that into a village is a separate step.

    result = parse_export(data)          # or parse_blogger(data) / parse_wxr(data)
    for item in result.items: ...
"""

from __future__ import annotations

from etalase.platform.importers.blogger import parse_blogger
from etalase.platform.importers.images import normalise_image_url, rewrite_urls
from etalase.platform.importers.model import (
    ImportedAttachment,
    ImportedAuthor,
    ImportedItem,
    ImportResult,
    Note,
    ReportLine,
    Skipped,
)
from etalase.platform.importers.wordpress import parse_wxr
from etalase.platform.importers.xmlsafe import (
    MAX_BYTES,
    ExportTooLargeError,
    ImportRefusedError,
    InvalidExportError,
    UnsafeExportError,
    check_size,
    detect,
    invalid,
)

__all__ = [
    "MAX_BYTES",
    "ExportTooLargeError",
    "ImportRefusedError",
    "ImportResult",
    "ImportedAttachment",
    "ImportedAuthor",
    "ImportedItem",
    "InvalidExportError",
    "Note",
    "ReportLine",
    "Skipped",
    "UnsafeExportError",
    "detect",
    "normalise_image_url",
    "parse_blogger",
    "parse_export",
    "parse_wxr",
    "rewrite_urls",
]


def parse_export(data: bytes, *, max_bytes: int = MAX_BYTES) -> ImportResult:
    """Recognise the exporter (:func:`detect`) and read the file with the right parser."""
    check_size(data, max_bytes)
    source = detect(data)
    if source == "blogger":
        return parse_blogger(data, max_bytes=max_bytes)
    if source == "wordpress":
        return parse_wxr(data, max_bytes=max_bytes)
    raise invalid("berkasnya tidak dikenali sebagai ekspor Blogger (.xml/.atom) atau WordPress (WXR .xml).")
