"""Writing a parsed blog export (:class:`ImportResult`) into a village.

    report = write_import(db, village_id, result, author_id=…, author_name=…, fetch=…,
                          media_store=…, settings=…, user=…)

What is brought over: posts (a published post keeps its original date, a draft stays a draft, a
scheduled post stays scheduled for its date), pages (with their parent and menu order, looked up by
the source's slugs), categories and tags (:func:`workflow.set_terms`), and the pictures: each one
``fetch`` can download goes through the media library's :func:`upload` (so it is checked by its
bytes, stripped of EXIF/GPS, stored in every size and counted against the quota) and the body is
pointed at the village's copy; the featured picture becomes the post's cover. Every author of the
old blog is credited to the one member chosen (``author_id``/``author_name``). Bodies are sanitised
with :func:`clean_html` like any other body.

Slugs are kept when free in the village and made unique otherwise. Running the same import again
adds nothing: an item whose slug already exists with the same source date (kept as ``created_at``,
and as ``published_at`` when public) is skipped and reported as "sudah ada".

Transactions. :func:`upload` commits the session itself, and rolls it back when it fails. So the
writer works one item at a time, in this order: first the item's pictures are uploaded (each
upload is its own committed transaction; at that moment nothing else is pending, so an upload's
rollback can never take anything else with it), then the item's rows (post or page, its terms) are
added and committed together. One item is one batch: a failure while writing an item rolls back that
item only, becomes a line of the report, and the items before and after it are kept. A picture
uploaded for an item that then fails stays in the library (visible and deletable there) rather than
being lost. Nothing here raises for a single bad item or picture; the report says what happened.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from etalase.platform.accounts.models import User
from etalase.platform.content import workflow
from etalase.platform.content.models import Category, Page, Post, Tag
from etalase.platform.content.sanitize import clean_html
from etalase.platform.i18n import _
from etalase.platform.importers.images import attributes, rewrite_urls
from etalase.platform.importers.model import ImportedItem, ImportResult
from etalase.platform.media import MediaStore
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import MediaError
from etalase.platform.settings import Settings
from etalase.platform.site import redirects
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village
from etalase.tenants.slugs import slugify

__all__ = ["Fetch", "ImportReport", "write_import"]

log = logging.getLogger(__name__)

Fetch = Callable[[str], bytes | None]
MAX_TITLE = 200
MAX_SUMMARY = 500
_IMG = re.compile(r"<img\b([^<>]*)>", re.IGNORECASE)
_SRCSET_ATTR = re.compile(r"""\s(?:data-)?srcset\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+)""", re.IGNORECASE)


@dataclass
class ImportReport:
    """What an import brought over (counts of new rows) and, in lines for the person, what it did
    not: the writer's own lines (already there, pictures not downloaded, items that failed) and the
    parser's (comments, trashed items…), then the parser's notes on what was brought differently."""

    posts: int = 0
    pages: int = 0
    categories: int = 0
    tags: int = 0
    images: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "posts": self.posts,
            "pages": self.pages,
            "categories": self.categories,
            "tags": self.tags,
            "images": self.images,
        }

    def summary(self) -> str:
        """One line for the audit log."""
        return _(
            "{posts} berita, {pages} halaman, {categories} kategori, {tags} label, {images} gambar"
        ).format(**self.counts)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _same_moment(a: datetime | None, b: datetime | None) -> bool:
    a, b = _aware(a), _aware(b)
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) < 1  # SQLite and PostgreSQL keep microseconds differently


def _line(title: str, message: str) -> str:
    return f"{title}: {message}" if title else message


def _file_name(url: str) -> str:
    last = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return last[:120] or "gambar"


class _Writer:
    def __init__(
        self,
        session: Session,
        village_id: int,
        *,
        author_id: int,
        author_name: str,
        fetch: Fetch | None,
        media_store: MediaStore,
        settings: Settings,
        user: User | None,
    ) -> None:
        self.db = session
        self.village_id = village_id
        self.author_id = author_id
        self.author_name = author_name[:100]
        self.fetch = fetch
        self.store = media_store
        self.settings = settings
        self.user = user
        self.report = ImportReport()
        self.uploaded: dict[str, str] = {}  # image URL -> its media key
        self.media_ids: dict[str, int] = {}  # image URL -> its media row's id
        self.rows: dict[str, MediaFile] = {}
        self.failed: set[str] = set()
        self.quota_full = False
        self.pages_by_source: dict[str, int] = {}  # source slug -> page id
        self.public_changed = False

    # --- pictures ---------------------------------------------------------------------------------
    def picture(self, url: str, title: str) -> int | None:
        """The media id of ``url`` in the village, uploading it first; None when not brought over
        (a line of the report says why, once per URL)."""
        if url in self.media_ids:
            return self.media_ids[url]
        if self.fetch is None or url in self.failed:
            return None
        data = self._download(url, title)
        row = self._store(url, title, data) if data else None
        if row is None:
            self.failed.add(url)
            return None
        assert row.id is not None
        self.media_ids[url] = row.id
        self.uploaded[url] = row.key
        self.rows[url] = row
        self.report.images += 1
        return row.id

    def _download(self, url: str, title: str) -> bytes | None:
        assert self.fetch is not None
        if self.quota_full:
            message = _("Gambar {url} tidak diunduh: ruang penyimpanan desa sudah penuh.").format(url=url)
            self.report.skipped.append(_line(title, message))
            return None
        try:
            data = self.fetch(url)
        except Exception:  # a fetch function is the caller's; whatever it raises is one picture
            log.info("import: fetching %s failed", url, exc_info=True)
            data = None
        if not data:
            message = _(
                "Gambar {url} tidak dapat diunduh; isi tulisan tetap menautkan alamat lamanya."
            ).format(url=url)
            self.report.skipped.append(_line(title, message))
        return data or None

    def _store(self, url: str, title: str, data: bytes) -> MediaFile | None:
        """Through the media library (checked by its bytes, EXIF stripped, every size, the quota).
        The upload commits; nothing else is pending at this point (see the module's notes)."""
        try:
            return media_service.upload(
                self.db,
                self.store,
                self.village_id,
                filename=_file_name(url),
                stream=io.BytesIO(data),
                alt="",
                user=self.user,
                settings=self.settings,
            )
        except MediaError as error:
            if isinstance(error, media_service.QuotaExceededError):
                self.quota_full = True
            reason = str(error)
        except Exception:  # never one picture's fault for the whole import
            self.db.rollback()
            log.exception("import into village %s: storing %s failed", self.village_id, url)
            reason = _("gangguan saat menyimpan berkas.")
        self.report.skipped.append(
            _line(title, _("Gambar {url} tidak disimpan: {reason}").format(url=url, reason=reason))
        )
        return None

    def body(self, item: ImportedItem) -> tuple[str, int | None]:
        """The item's sanitised body pointing at the village's copies, and its cover's media id."""
        for url in item.image_urls:
            self.picture(url, item.title)
        for url in item.document_urls:  # only pictures are downloaded (image/* answers)
            self.report.skipped.append(
                _line(
                    item.title,
                    _("Dokumen {url} tidak diunduh; tautannya tetap ke blog lama.").format(url=url),
                )
            )
        cover = None
        if item.featured_image_url:
            cover = self.picture(item.featured_image_url, item.title)
        replacements = {
            raw: self.store.url(self.uploaded[canonical])
            for raw, canonical in item.body_urls.items()
            if canonical in self.uploaded
        }
        html = rewrite_urls(item.body_html, replacements) if replacements else item.body_html
        if replacements:
            html = self._own_srcsets(html)
        return clean_html(html), cover

    def _own_srcsets(self, html: str) -> str:
        """An ``<img>`` now showing the village's copy gets that copy's own ``srcset`` (its stored
        widths); the old blog's candidates all became the one file and their widths mean nothing."""
        by_url = {self.store.url(key): url for url, key in self.uploaded.items()}

        def one(match: re.Match[str]) -> str:
            tag = match.group(0)
            src = attributes(match.group(1)).get("src", "")
            source = by_url.get(src)
            if source is None:
                return tag
            row = self.rows[source]
            tag = _SRCSET_ATTR.sub("", tag)
            own = media_service.srcset(row, self.store)
            if not own:
                return tag
            return tag[:4] + f' srcset="{escape(own, quote=True)}"' + tag[4:]

        return _IMG.sub(one, html)

    # --- items --------------------------------------------------------------------------------------
    def _slug(self, item: ImportedItem, model: type[Post] | type[Page]) -> tuple[str, Any]:
        """A free slug for the item (its own when free, else ``<own>-2``, ``-3``…) and the row this
        import already wrote for it, if any: same slug (or one made unique from it) and same date."""
        wanted = slugify(item.slug)[:180] or slugify(item.title)[:180] or "tulisan"
        similar = self.db.exec(
            in_village(model, self.village_id).where(
                or_(col(model.slug) == wanted, col(model.slug).startswith(wanted + "-", autoescape=True))
            )
        ).all()
        for row in similar:
            if _same_moment(row.created_at, item.published_at):
                return row.slug, row
        taken = {row.slug for row in similar}
        slug, n = wanted, 1
        while slug in taken:
            n += 1
            slug = f"{wanted}-{n}"
        return slug, None

    def post(self, item: ImportedItem) -> None:
        slug, existing = self._slug(item, Post)
        if existing is not None:
            self.report.skipped.append(_line(item.title, _("sudah ada (diimpor sebelumnya), dilewati.")))
            return
        body, cover = self.body(item)
        created = item.published_at or utcnow()
        status = item.status if item.status in ("published", "draft", "scheduled") else "draft"
        post = Post(
            village_id=self.village_id,
            title=" ".join(item.title.split())[:MAX_TITLE] or slug,
            slug=slug,
            summary=item.summary.strip()[:MAX_SUMMARY],
            body=body,
            status=status,
            published_at=created if status in ("published", "scheduled") else None,
            author_id=self.author_id,
            author_name=self.author_name,
            updated_by_name=self.author_name,
            cover_media_id=cover,
            created_at=created,
            updated_at=item.updated_at or created,
        )
        workflow.score(self.db, post)  # imported posts count toward the quality indicator too
        self.db.add(post)
        self.db.flush()
        assert post.id is not None
        if item.categories or item.tags:
            workflow.set_terms(self.db, self.village_id, post.id, categories=item.categories, tags=item.tags)
        self.old_address(item, "legacy", post.id)
        self.db.commit()
        self.report.posts += 1
        self.public_changed = self.public_changed or status == "published"

    def page(self, item: ImportedItem) -> None:
        slug, existing = self._slug(item, Page)
        if existing is not None:
            assert existing.id is not None
            self.pages_by_source[item.slug] = existing.id
            self.report.skipped.append(_line(item.title, _("sudah ada (diimpor sebelumnya), dilewati.")))
            return
        body, _cover = self.body(item)  # a page has no cover: its picture stays in the body
        created = item.published_at or utcnow()
        status = "published" if item.status == "published" else "draft"
        page = Page(
            village_id=self.village_id,
            title=" ".join(item.title.split())[:MAX_TITLE] or slug,
            slug=slug,
            body=body,
            parent_id=self.pages_by_source.get(item.parent) if item.parent else None,
            menu_order=item.menu_order,
            status=status,
            created_at=created,
            updated_at=item.updated_at or created,
        )
        self.db.add(page)
        self.db.flush()
        assert page.id is not None
        self.old_address(item, "legacy_page", page.id)
        self.db.commit()
        self.pages_by_source[item.slug] = page.id
        self.report.pages += 1
        self.public_changed = self.public_changed or status == "published"

    def old_address(self, item: ImportedItem, kind: str, row_id: int) -> None:
        """The item's address on the old blog (/2023/05/judul.html, /?p=123) answers 301 to its
        new one here, when the village points its old domain at us (see etalase.platform.site.redirects)."""
        if item.source_path and item.source_path.startswith("/") and item.source_path != "/":
            path, _sep, query = item.source_path.partition("?")
            redirects.record(self.db, self.village_id, kind, redirects.legacy_key(path, query), row_id)

    def parent_fixups(self, pages: list[ImportedItem]) -> None:
        """Parents that came after their children in the export get linked once all are written."""
        for item in pages:
            page_id = self.pages_by_source.get(item.slug)
            parent_id = self.pages_by_source.get(item.parent) if item.parent else None
            if page_id is None or parent_id is None or page_id == parent_id:
                continue
            page = self.db.exec(in_village(Page, self.village_id).where(col(Page.id) == page_id)).first()
            if page is not None and page.parent_id is None:
                page.parent_id = parent_id
                self.db.add(page)
        self.db.commit()

    def count(self, model: type[Category] | type[Tag]) -> int:
        stored = in_village(model, self.village_id).subquery()
        return int(self.db.exec(select(func.count()).select_from(stored)).one())


def write_import(
    session: Session,
    village_id: int,
    result: ImportResult,
    *,
    author_id: int,
    author_name: str,
    fetch: Fetch | None,
    media_store: MediaStore,
    settings: Settings,
    user: User | None,
) -> ImportReport:
    """Write ``result`` into the village (see the module's notes on transactions); commits."""
    writer = _Writer(
        session,
        village_id,
        author_id=author_id,
        author_name=author_name,
        fetch=fetch,
        media_store=media_store,
        settings=settings,
        user=user,
    )
    session.commit()  # whatever the caller had pending is its own, not part of the first item
    categories, tags = writer.count(Category), writer.count(Tag)
    # Pages first, parents before children where the export allows, so parent ids are known.
    pages = sorted(result.pages, key=lambda p: (p.parent is not None, p.menu_order))
    for item in [*pages, *result.posts]:
        try:
            writer.page(item) if item.kind == "page" else writer.post(item)
        except Exception:
            session.rollback()
            log.exception("import into village %s: %s %s failed", village_id, item.kind, item.source_id)
            writer.report.skipped.append(
                _line(item.title, _("gagal disimpan karena gangguan; tulisan lain tetap diimpor."))
            )
    writer.parent_fixups(pages)
    report = writer.report
    report.categories = writer.count(Category) - categories
    report.tags = writer.count(Tag) - tags
    if writer.public_changed:
        workflow.bump_content_version(session, village_id)
        session.commit()
    report.skipped.extend(_line(s.title_or_id, s.message) for s in result.skipped)
    report.notes.extend(_line(n.title_or_id, n.message) for n in result.notes)
    return report
