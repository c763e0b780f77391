"""The neutral shape every importer produces: what a blog export holds, before Etalase writes it.

Nothing here touches the database. Bodies are the source's raw HTML (after the format's own markup,
Gutenberg comments and WordPress shortcodes, has been turned into plain HTML); the writer sanitises
them with :func:`etalase.platform.content.sanitize.clean_html` like any other body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["post", "page"]
Status = Literal["published", "draft", "scheduled"]
Source = Literal["blogger", "wordpress"]


@dataclass(slots=True)
class ImportedItem:
    """A post (berita) or page (halaman) as the source held it.

    ``published_at``/``updated_at`` are aware datetimes in UTC. ``published_at`` is the source's own
    date whatever the status (a draft keeps the date it was written, a scheduled item the date it is
    due); the writer publishes only ``status == "published"``.

    ``image_urls`` and ``document_urls`` are what to download: absolute http(s) URLs, deduplicated,
    Blogger's resized copies replaced by the original (``s0``) and WordPress's ``-640x480`` copies by
    the uploaded file when the export lists it. ``body_urls`` maps every URL exactly as it appears in
    ``body_html`` (attribute value, entities decoded) to its entry in those lists, so the writer can
    point the body at its own copies with :func:`etalase.platform.importers.images.rewrite_urls`.
    """

    kind: Kind
    source_id: str
    title: str
    slug: str
    body_html: str
    summary: str = ""
    status: Status = "published"
    published_at: datetime | None = None
    updated_at: datetime | None = None
    author: str = ""  # ImportedAuthor.key, "" when the source names nobody
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source_url: str | None = None  # the public address on the old site, when it had one
    source_path: str | None = None  # its path there (/2023/05/judul.html), for redirects
    image_urls: list[str] = field(default_factory=list)
    document_urls: list[str] = field(default_factory=list)
    body_urls: dict[str, str] = field(default_factory=dict)
    featured_image_url: str | None = None
    parent: str | None = None  # a page's parent page, by its slug in this result
    menu_order: int = 0


@dataclass(slots=True)
class ImportedAttachment:
    """A file the source's media library listed (WordPress only; Blogger has no library)."""

    source_id: str
    url: str
    title: str = ""
    mime_type: str | None = None
    parent_source_id: str | None = None  # the item it was uploaded to
    alt: str = ""
    caption: str = ""


@dataclass(slots=True, frozen=True)
class ImportedAuthor:
    """Who wrote items, to be mapped to a member of the village. ``key`` is what items refer to."""

    key: str  # WordPress login, Blogger display name
    display_name: str
    email: str | None = None


@dataclass(slots=True, frozen=True)
class ReportLine:
    """One line of the import report, in Indonesian. ``count`` > 1 for lines that stand for many
    entries (comments, menu items, revisions), which are reported once, not one line each."""

    reason_code: str
    title_or_id: str
    message: str
    count: int = 1


@dataclass(slots=True, frozen=True)
class Skipped(ReportLine):
    """Something in the export that was not brought over."""


@dataclass(slots=True, frozen=True)
class Note(ReportLine):
    """Something brought over differently from the source (private → draft, shortcode → HTML…)."""


@dataclass(slots=True)
class ImportResult:
    source: Source
    site_title: str = ""
    site_url: str | None = None
    items: list[ImportedItem] = field(default_factory=list)
    attachments: list[ImportedAttachment] = field(default_factory=list)
    authors: list[ImportedAuthor] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def posts(self) -> list[ImportedItem]:
        return [item for item in self.items if item.kind == "post"]

    @property
    def pages(self) -> list[ImportedItem]:
        return [item for item in self.items if item.kind == "page"]

    def author(self, key: str) -> ImportedAuthor | None:
        return next((a for a in self.authors if a.key == key), None)
