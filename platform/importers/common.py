"""What both importers do the same way: dates, authors, finishing an item's body."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from etalase.platform.importers import bodies
from etalase.platform.importers.images import Media, find_media
from etalase.platform.importers.model import ImportedAuthor
from etalase.platform.importers.report import Report


def parse_iso(value: str | None) -> datetime | None:
    """An RFC 3339 timestamp (``2023-05-12T09:30:00.001+07:00``, ``…Z``) as an aware UTC datetime.
    A timestamp without an offset is taken as UTC, which is what Atom requires anyway."""
    if not value or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class Authors:
    """Authors in the order items name them; richer data (display name, email) wins when it comes."""

    def __init__(self) -> None:
        self._by_key: dict[str, ImportedAuthor] = {}
        self._known: dict[str, ImportedAuthor] = {}

    def know(self, author: ImportedAuthor) -> None:
        """An author the export lists (WordPress's ``wp:author``), used only once an item names them."""
        self._known[author.key] = author

    def use(self, key: str, display_name: str = "", email: str | None = None) -> str:
        if not key:
            return ""
        if key not in self._by_key:
            self._by_key[key] = self._known.get(key) or ImportedAuthor(key, display_name or key, email)
        return key

    def all(self) -> list[ImportedAuthor]:
        return list(self._by_key.values())


@dataclass(slots=True)
class Body:
    html: str
    media: Media


_EMBED_MESSAGES = {
    "iframe": "Sematan (iframe) tidak didukung Etalase; diganti tautan ke sumbernya: {url}",
    "script": "Skrip di dalam isi tulisan dihapus (Etalase tidak menjalankan skrip dari isi tulisan).",
    "object": "Objek sematan (Flash/plugin) di dalam isi tulisan dihapus.",
    "embed": "Objek sematan (Flash/plugin) di dalam isi tulisan dihapus.",
    "applet": "Objek sematan (Java applet) di dalam isi tulisan dihapus.",
}


def finish_body(
    html: str,
    title: str,
    report: Report,
    *,
    base_url: str | None,
    canonical: Callable[[str], str] = str,
    extra_images: Iterable[str] = (),
) -> Body:
    """Replace what the sanitiser would silently drop (and say so), then list the body's files."""
    html, replaced = bodies.replace_embeds(html)
    for item in replaced:
        message = _EMBED_MESSAGES[item.what]
        if item.what == "iframe" and not item.url:
            message = "Sematan (iframe) tanpa alamat yang bisa dibuka dihapus."
        if item.what == "iframe" and item.url:
            report.note("embed_link", title, message.format(url=item.url))
        else:
            report.skip("embed_removed", title, message)
    media = find_media(html, base_url=base_url, canonical=canonical, extra_images=extra_images)
    return Body(html, media)
