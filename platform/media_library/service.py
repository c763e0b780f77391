"""A village's media library: upload, re-label, delete, measure. Every query goes through the scoped
path (:func:`etalase.tenants.scope.in_village`).

All or nothing: :func:`upload` checks the file and the village's quota before it writes anything,
then writes the objects, then the row, and commits. If anything fails after the first object was
written (the store, the database, the commit), it deletes every object it wrote and raises, so a
failed upload leaves neither a row nor an orphan object.

Content that uses media tells this module through :func:`usage_finder` (the extension point):
:func:`delete` refuses while any finder reports a place, and lists the places.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from etalase.platform.accounts.models import User
from etalase.platform.content import models as content_models
from etalase.platform.i18n import _
from etalase.platform.media import MediaStore, village_key
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import (
    MB,
    MediaError,
    Readable,
    clean_name,
    process,
    read_limited,
    size_text,
)
from etalase.platform.settings import Settings
from etalase.tenants.models import Village, utcnow
from etalase.tenants.scope import get_in_village, in_village
from etalase.tenants.slugs import slugify

__all__ = [
    "PAGE_SIZE",
    "MediaError",
    "MediaInUseError",
    "MediaNotFoundError",
    "QuotaExceededError",
    "StorageError",
    "Usage",
    "as_json",
    "clean_alt",
    "delete",
    "listing",
    "max_upload_bytes",
    "quota_bytes",
    "set_alt",
    "srcset",
    "thumbnail_key",
    "upload",
    "usage",
    "usage_finder",
    "where_used",
]

log = logging.getLogger(__name__)

PAGE_SIZE = 24
ALT_MAX = 300
_SPACES = re.compile(r"\s+")


class QuotaExceededError(MediaError):
    pass


class StorageError(MediaError):
    status = 503


class MediaNotFoundError(MediaError):
    status = 404


class MediaInUseError(MediaError):
    status = 409

    def __init__(self, message: str, places: list[Usage], *, forcible: bool = True) -> None:
        super().__init__(message)
        self.places = places
        # False when not even "Tetap hapus" may remove it (a document's file).
        self.forcible = forcible


# --- settings -------------------------------------------------------------------------------------
def max_upload_bytes(settings: Settings) -> int:
    return settings.media_max_upload_mb * MB


def quota_bytes(settings: Settings) -> int:
    return settings.media_quota_mb * MB


# --- where a file is used: the extension point ----------------------------------------------------
@dataclass(frozen=True)
class Usage:
    """One place that shows a media file: ``what`` (``Berita``, ``Halaman``…, translated) and its
    title; ``url`` where the team can change it, when there is one."""

    what: str
    title: str
    url: str | None = None


UsageFinder = Callable[[Session, int, MediaFile], list[Usage]]
_FINDERS: list[UsageFinder] = []


def usage_finder(finder: UsageFinder) -> UsageFinder:
    """Register a function ``(session, village_id, media) -> [Usage, …]`` that reports where
    ``media`` is used. Every kind of content that can show a media file (a post's body or cover, a
    page, a gallery, the village's logo…) registers one, querying its rows through
    ``in_village(…, village_id)``; :func:`delete` refuses while any finder reports a place.

    A body refers to a file through its URL, which contains ``media.folder``
    (``v/<village>/media/…/<token>/``, the same for every variant), so a substring test is
    enough. Usable as a decorator."""
    _FINDERS.append(finder)
    return finder


def where_used(session: Session, village_id: int, media_id: int) -> list[Usage]:
    """Every place of the village that uses the file (empty when none, or when it is not the
    village's)."""
    media = get_in_village(session, MediaFile, village_id, media_id)
    if media is None:
        return []
    places: list[Usage] = []
    for finder in _FINDERS:
        places.extend(finder(session, village_id, media))
    return places


def _state(row: Any) -> str:
    if getattr(row, "deleted_at", None) is not None:
        return _("di tempat sampah")
    status = getattr(row, "status", "")
    return {
        "draft": _("draf"),
        "review": _("menunggu tinjauan"),
        "scheduled": _("terjadwal"),
    }.get(status, "")


@usage_finder
def _content_bodies(session: Session, village_id: int, media: MediaFile) -> list[Usage]:
    """Posts whose body or cover (``cover_media_id``, when the model has it) uses the file, and
    pages (when the content module has them) whose body does. Drafts and trashed rows count too:
    they can be published or restored."""
    found: list[Usage] = []
    tables: list[tuple[type[Any], str]] = [(content_models.Post, _("Berita"))]
    page_model = getattr(content_models, "Page", None)
    if page_model is not None:
        tables.append((page_model, _("Halaman")))
    for model, what in tables:
        conditions: list[Any] = [col(model.body).contains(media.folder, autoescape=True)]
        cover: Any = getattr(model, "cover_media_id", None)
        if cover is not None:
            conditions.append(cover == media.id)
        rows = session.exec(in_village(model, village_id).where(or_(*conditions)).order_by(model.id)).all()
        for row in rows:
            state = _state(row)
            found.append(Usage(f"{what} ({state})" if state else what, str(row.title)))
    return found


# --- reading --------------------------------------------------------------------------------------
def usage(session: Session, village_id: int, settings: Settings) -> tuple[int, int]:
    """``(bytes used, quota in bytes)`` of the village's media library."""
    stored = in_village(MediaFile, village_id).subquery()
    used = session.exec(select(func.coalesce(func.sum(stored.c.bytes), 0))).one()
    return int(used), quota_bytes(settings)


def library(village_id: int, kind: str | None = None) -> SelectOfScalar[MediaFile]:
    """The village's media library as the team sees it and pages show it: every file but the
    private ones (residents' photos, see ``MediaFile.private``). Every picker and every public
    page reads files through this, so a private photo cannot be chosen as a cover by its id."""
    query = in_village(MediaFile, village_id).where(col(MediaFile.private).is_(False))
    return query.where(col(MediaFile.kind) == kind) if kind else query


def listing(
    session: Session, village_id: int, *, before: int | None = None, limit: int = PAGE_SIZE
) -> Sequence[MediaFile]:
    """The newest files first; ``before`` (an id) for the next page."""
    query = library(village_id)
    if before:
        query = query.where(col(MediaFile.id) < before)
    return session.exec(query.order_by(col(MediaFile.id).desc()).limit(limit)).all()


def srcset(media: MediaFile, store: MediaStore) -> str:
    """``https://…/panen-320.webp 320w, https://…/panen-640.webp 640w, …`` for ``<img srcset>``
    (empty for a document). Pair it with ``src`` = ``store.url(media.key)``, the fallback."""
    return ", ".join(f"{store.url(str(v['key']))} {int(v['width'])}w" for v in media.variant_list)


def thumbnail_key(media: MediaFile) -> str | None:
    """The narrowest WebP (320 pixels wide, or the photo's own width when narrower)."""
    variants = media.variant_list
    return str(variants[0]["key"]) if variants else None


def as_json(media: MediaFile, store: MediaStore) -> dict[str, Any]:
    return {
        "id": media.id,
        "kind": media.kind,
        "name": media.original_name,
        "alt": media.alt,
        "content_type": media.content_type,
        "bytes": media.bytes,
        "width": media.width,
        "height": media.height,
        "url": store.url(media.key),
        "srcset": srcset(media, store),
        "variants": [
            {"width": v["width"], "height": v.get("height"), "url": store.url(str(v["key"]))}
            for v in media.variant_list
        ],
        "created_at": media.created_at.isoformat(),
    }


# --- writing --------------------------------------------------------------------------------------
def clean_alt(alt: str | None) -> str:
    text = _SPACES.sub(" ", alt or "").strip()
    if len(text) > ALT_MAX:
        raise MediaError(
            _("Teks alternatif terlalu panjang: paling banyak {n} huruf, sekarang {m}.").format(
                n=ALT_MAX, m=len(text)
            )
        )
    return text


def upload(
    session: Session,
    media_store: MediaStore,
    village_id: int,
    *,
    filename: str | None,
    stream: Readable,
    alt: str | None,
    user: User | None,
    settings: Settings,
    private: bool = False,
) -> MediaFile:
    """Check, process and store one upload; returns the row, committed.

    It commits the session itself (with whatever the caller had pending), so that a failing
    commit is caught here and the objects already written are removed. Raises :class:`MediaError`
    (its message is for the person) and keeps nothing when the file is too large (found while
    reading ``stream``, which is never read past the limit), not a supported photo or document by
    its content, too many pixels, over the village's quota, or when storing it fails; after the
    first database step, such a failure rolls the session back."""
    alt_text = clean_alt(alt)
    name = clean_name(filename)
    data = read_limited(stream, max_upload_bytes(settings))
    processed = process(data)
    del data

    # One upload at a time per village from here to the commit, so two cannot both fit the last
    # megabytes of the quota (PostgreSQL; SQLite writes one transaction at a time anyway).
    session.exec(select(Village.id).where(col(Village.id) == village_id).with_for_update()).first()
    used, quota = usage(session, village_id, settings)
    needed = processed.total_bytes
    if used + needed > quota:
        session.rollback()
        raise QuotaExceededError(
            _(
                "Ruang penyimpanan desa tidak cukup: terpakai {used} dari {quota}, berkas ini perlu "
                "{needed}. Hapus berkas yang tidak dipakai lagi, atau minta pengelola platform menambah "
                "kuota."
            ).format(used=size_text(used), quota=size_text(quota), needed=size_text(needed))
        )

    now = utcnow()
    # Public media under media/, the only prefix the media URL serves (deploy/README.md).
    folder = f"{'private' if private else 'media'}/{now:%Y}/{now:%m}/{secrets.token_hex(5)}"
    fallback_stem = "foto" if processed.kind == "image" else "dokumen"
    stem = slugify(name.rsplit(".", 1)[0])[:60].strip("-") or fallback_stem
    written: list[str] = []
    try:
        variants = []
        for rendition in processed.variants:
            key = village_key(village_id, f"{folder}/{stem}-{rendition.width}.{rendition.extension}")
            written.append(key)  # before the put: a put that fails half-way is cleaned up too
            media_store.put(key, rendition.data, rendition.content_type)
            variants.append(
                {
                    "width": rendition.width,
                    "height": rendition.height,
                    "key": key,
                    "bytes": len(rendition.data),
                    "format": rendition.format,
                }
            )
        main = processed.main
        key = village_key(village_id, f"{folder}/{stem}.{main.extension}")
        written.append(key)
        media_store.put(key, main.data, main.content_type)
        row = MediaFile(
            village_id=village_id,
            kind=processed.kind,
            original_name=name or key.rsplit("/", 1)[1],
            content_type=main.content_type,
            bytes=needed,
            width=main.width,
            height=main.height,
            key=key,
            variants=json.dumps(variants),
            alt=alt_text,
            private=private,
            uploaded_by=user.id if user is not None else None,
            created_at=now,
        )
        session.add(row)
        session.flush()
        session.commit()
    except BaseException as error:
        session.rollback()
        _remove(media_store, written)
        if not isinstance(error, Exception):
            raise
        log.exception("media upload to village %s failed; removed %d objects", village_id, len(written))
        raise StorageError(
            _("Berkas gagal disimpan karena gangguan pada penyimpanan. Tidak ada yang tersimpan; coba lagi.")
        ) from error
    return row


def set_alt(session: Session, village_id: int, media_id: int, alt: str | None) -> MediaFile:
    """Change a file's alternative text (the caller commits)."""
    media = find(session, village_id, media_id)
    if media is None:
        raise _not_found()
    media.alt = clean_alt(alt)
    session.add(media)
    session.flush()
    return media


def delete(
    session: Session,
    media_store: MediaStore,
    village_id: int,
    media_id: int,
    *,
    force: bool = False,
    private: bool = False,
) -> MediaFile:
    """Delete a file: the row (committed), then its objects. Refused with :class:`MediaInUseError`
    (listing the places) while content uses it, unless ``force``: then those places lose it (a
    cover is emptied by its foreign key; an image in a body stops showing). A private file only
    when ``private`` (its owner, the aspirations, deletes it; the library cannot)."""
    media = find(session, village_id, media_id, private=private)
    if media is None:
        raise _not_found()
    places = where_used(session, village_id, media_id)
    # A document's file is never removed, not even by force: its foreign key has no ON DELETE (a
    # trashed document can be restored and still needs its file).
    offered = session.exec(
        in_village(content_models.Document, village_id).where(
            col(content_models.Document.media_id) == media_id
        )
    ).first()
    if offered is not None:
        raise MediaInUseError(
            _(
                "Berkas ini adalah berkas dokumen “{title}”, jadi tidak dapat dihapus, juga tidak dengan "
                "paksa. Hapus dulu dokumennya, atau ganti berkas dokumen itu dengan berkas lain."
            ).format(title=offered.title),
            places,
            forcible=False,
        )
    if places and not force:
        raise MediaInUseError(
            _("Berkas ini masih dipakai di {n} tempat, jadi belum dihapus. Lepaskan dulu dari:").format(
                n=len(places)
            ),
            places,
        )
    keys = media.keys
    session.delete(media)
    session.flush()
    session.commit()
    # After the commit: a failure here leaves an unused object, never a row without its file.
    _remove(media_store, keys)
    return media


def find(session: Session, village_id: int, media_id: int, *, private: bool = False) -> MediaFile | None:
    """A file of the village's library by its id (None when not the village's, or private)."""
    query = in_village(MediaFile, village_id) if private else library(village_id)
    return session.exec(query.where(col(MediaFile.id) == media_id)).first()


def _not_found() -> MediaNotFoundError:
    return MediaNotFoundError(_("Berkas tidak ditemukan di pustaka media desa ini."))


def _remove(media_store: MediaStore, keys: list[str]) -> None:
    for key in keys:
        try:
            media_store.delete(key)
        except Exception:
            log.exception("could not delete media object %s", key)
