"""Galeri: albums of photos from the village's media library.

Functions take the request's session and the village, never commit, and raise
:class:`~etalase.platform.content.workflow.ContentError` (a message for the person) before changing
anything. A photo is a file of the SAME village's library (found through the scoped path), and only
a photo, never a document. The album's cover is one of its photos (the first when none is chosen).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col

from etalase.platform.accounts.models import User
from etalase.platform.content.models import Album, AlbumPhoto
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.tenants.models import utcnow
from etalase.tenants.scope import get_in_village, in_village
from etalase.tenants.slugs import slugify

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_CAPTION = 300


def get_album(db: Session, village_id: int, album_id: int, *, trashed: bool = False) -> Album:
    album = get_in_village(db, Album, village_id, album_id)
    if album is None or (album.deleted_at is not None) != trashed:
        raise ContentError(_("Album tidak ditemukan."))
    return album


def _unique_slug(db: Session, village_id: int, title: str, album_id: int | None = None) -> str:
    base = slugify(title)[:180] or "album"
    slug, n = base, 1
    while True:
        found = db.exec(in_village(Album, village_id).where(col(Album.slug) == slug)).first()
        if found is None or found.id == album_id:
            return slug
        n += 1
        slug = f"{base}-{n}"


def _check(title: str, description: str) -> tuple[str, str]:
    title = " ".join(title.split())
    if not title:
        raise ContentError(_("Isi judul album."))
    if len(title) > MAX_TITLE:
        raise ContentError(_("Judul album terlalu panjang (maksimal 200 karakter)."))
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise ContentError(_("Keterangan album terlalu panjang (maksimal 2000 karakter)."))
    return title, description


def _changed(db: Session, album: Album) -> None:
    album.updated_at = utcnow()
    db.add(album)
    if album.status == "published" and album.deleted_at is None:
        bump_content_version(db, album.village_id)
    db.flush()


def create_album(
    db: Session, village_id: int, author: User, *, title: str, description: str = "", taken_on: date | None
) -> Album:
    title, description = _check(title, description)
    album = Album(
        village_id=village_id,
        title=title,
        slug=_unique_slug(db, village_id, title),
        description=description,
        taken_on=taken_on,
        status="draft",
        author_id=author.id,
    )
    db.add(album)
    db.flush()
    return album


def save_album(
    db: Session, village_id: int, album_id: int, *, title: str, description: str, taken_on: date | None
) -> Album:
    """New title, description and day; the address (slug) stays once the album exists, so links
    already shared keep working."""
    title, description = _check(title, description)
    album = get_album(db, village_id, album_id)
    album.title, album.description, album.taken_on = title, description, taken_on
    _changed(db, album)
    return album


# --- the photos ------------------------------------------------------------------------------------
def photos(db: Session, village_id: int, album_id: int) -> list[tuple[AlbumPhoto, MediaFile]]:
    """The album's photos in order, each with its file (both through the scoped path)."""
    rows = db.exec(
        in_village(AlbumPhoto, village_id)
        .where(col(AlbumPhoto.album_id) == album_id)
        .order_by(col(AlbumPhoto.position), col(AlbumPhoto.media_id))
    ).all()
    if not rows:
        return []
    files = db.exec(
        media_service.library(village_id).where(col(MediaFile.id).in_([r.media_id for r in rows]))
    ).all()
    by_id = {m.id: m for m in files}
    return [(row, by_id[row.media_id]) for row in rows if row.media_id in by_id]


def photo_count(db: Session, village_id: int, album_ids: Iterable[int]) -> dict[int, int]:
    ids = list(album_ids)
    if not ids:
        return {}
    query = in_village(AlbumPhoto, village_id).where(col(AlbumPhoto.album_id).in_(ids))
    grouped = db.execute(
        query.with_only_columns(col(AlbumPhoto.album_id), func.count()).group_by(col(AlbumPhoto.album_id))
    ).all()
    return {int(album_id): int(n) for album_id, n in grouped}


def _renumber(db: Session, village_id: int, album_id: int) -> list[AlbumPhoto]:
    rows = [row for row, _media in photos(db, village_id, album_id)]
    for index, row in enumerate(rows):
        if row.position != index:
            row.position = index
            db.add(row)
    return rows


def add_photos(db: Session, village_id: int, album_id: int, media_ids: Sequence[int]) -> int:
    """Put photos of the village's library at the end of the album; returns how many were new.
    An id that is not a photo of this village refuses the whole request, before any change."""
    album = get_album(db, village_id, album_id)
    wanted = list(dict.fromkeys(media_ids))
    if not wanted:
        raise ContentError(_("Pilih minimal satu foto untuk ditambahkan."))
    for media_id in wanted:
        media = media_service.find(db, village_id, media_id)
        if media is None:
            raise ContentError(_("Foto tidak ditemukan di pustaka media desa ini."))
        if not media.is_image:
            raise ContentError(
                _("“{name}” adalah dokumen, bukan foto. Album hanya berisi foto.").format(
                    name=media.original_name
                )
            )
    present = {row.media_id for row in _renumber(db, village_id, album_id)}
    position = len(present)
    added = 0
    for media_id in wanted:
        if media_id in present:
            continue
        db.add(AlbumPhoto(village_id=village_id, album_id=album_id, media_id=media_id, position=position))
        position += 1
        added += 1
    _changed(db, album)
    return added


def _photo(db: Session, village_id: int, album_id: int, media_id: int) -> AlbumPhoto:
    row = db.exec(
        in_village(AlbumPhoto, village_id).where(
            col(AlbumPhoto.album_id) == album_id, col(AlbumPhoto.media_id) == media_id
        )
    ).first()
    if row is None:
        raise ContentError(_("Foto itu tidak ada di album ini."))
    return row


def remove_photo(db: Session, village_id: int, album_id: int, media_id: int) -> None:
    """Take a photo out of the album (the file stays in the media library)."""
    album = get_album(db, village_id, album_id)
    db.delete(_photo(db, village_id, album_id, media_id))
    db.flush()
    if album.cover_media_id == media_id:
        album.cover_media_id = None  # back to the first photo
    _renumber(db, village_id, album_id)
    _changed(db, album)


def move_photo(db: Session, village_id: int, album_id: int, media_id: int, step: int) -> None:
    """One place up (``step`` -1) or down (+1); at the start or the end nothing moves."""
    album = get_album(db, village_id, album_id)
    _photo(db, village_id, album_id, media_id)
    rows = _renumber(db, village_id, album_id)
    index = next(i for i, row in enumerate(rows) if row.media_id == media_id)
    other = index + (1 if step > 0 else -1)
    if not 0 <= other < len(rows):
        return
    rows[index].position, rows[other].position = other, index
    db.add(rows[index])
    db.add(rows[other])
    _changed(db, album)


def set_captions(db: Session, village_id: int, album_id: int, captions: dict[int, str]) -> None:
    """Captions by photo; photos not in the album are ignored (a stale form)."""
    album = get_album(db, village_id, album_id)
    cleaned = {}
    for media_id, caption in captions.items():
        text = " ".join(caption.split())
        if len(text) > MAX_CAPTION:
            raise ContentError(_("Keterangan foto terlalu panjang (maksimal 300 karakter)."))
        cleaned[media_id] = text
    changed = False
    for row, _media in photos(db, village_id, album_id):
        wanted = cleaned.get(row.media_id)
        if wanted is not None and wanted != row.caption:
            row.caption = wanted
            db.add(row)
            changed = True
    if changed:
        _changed(db, album)


def set_cover(db: Session, village_id: int, album_id: int, media_id: int | None) -> None:
    """The album's cover: one of its photos, or None for the first photo."""
    album = get_album(db, village_id, album_id)
    if media_id is not None:
        _photo(db, village_id, album_id, media_id)
    if album.cover_media_id != media_id:
        album.cover_media_id = media_id
        _changed(db, album)


def covers(db: Session, village_id: int, albums: Sequence[Album]) -> dict[int, MediaFile]:
    """``{album id: cover photo}``: the chosen cover while it is still in the album, else the
    first photo. Albums without photos have none. Two queries for all the albums."""
    ids = [a.id for a in albums if a.id is not None]
    if not ids:
        return {}
    rows = db.exec(
        in_village(AlbumPhoto, village_id)
        .where(col(AlbumPhoto.album_id).in_(ids))
        .order_by(col(AlbumPhoto.album_id), col(AlbumPhoto.position), col(AlbumPhoto.media_id))
    ).all()
    chosen: dict[int, int] = {}
    members: dict[int, set[int]] = {}
    for row in rows:
        members.setdefault(row.album_id, set()).add(row.media_id)
        chosen.setdefault(row.album_id, row.media_id)
    for album in albums:
        if album.id in members and album.cover_media_id in members[album.id]:
            chosen[album.id] = album.cover_media_id
    if not chosen:
        return {}
    files = db.exec(
        media_service.library(village_id).where(col(MediaFile.id).in_(list(set(chosen.values()))))
    ).all()
    by_id = {m.id: m for m in files}
    return {album_id: by_id[mid] for album_id, mid in chosen.items() if mid in by_id}


# --- the workflow ----------------------------------------------------------------------------------
def publish(db: Session, village_id: int, album_id: int) -> Album:
    album = get_album(db, village_id, album_id)
    if album.status == "published":
        raise ContentError(_("Album ini sudah terbit."))
    if not photos(db, village_id, album_id):
        raise ContentError(_("Tambahkan minimal satu foto sebelum menerbitkan album."))
    album.status = "published"
    _changed(db, album)
    return album


def unpublish(db: Session, village_id: int, album_id: int) -> Album:
    album = get_album(db, village_id, album_id)
    if album.status != "published":
        raise ContentError(_("Album ini belum terbit."))
    bump_content_version(db, village_id)
    album.status = "draft"
    _changed(db, album)
    return album


def trash(db: Session, village_id: int, album_id: int) -> Album:
    album = get_album(db, village_id, album_id)
    if album.status == "published":
        bump_content_version(db, village_id)
    album.deleted_at = utcnow()
    _changed(db, album)
    return album


def restore(db: Session, village_id: int, album_id: int) -> Album:
    album = get_album(db, village_id, album_id, trashed=True)
    album.deleted_at = None
    _changed(db, album)
    return album


# --- where a photo is used -------------------------------------------------------------------------
def state_label(row: Album | object) -> str:
    if getattr(row, "deleted_at", None) is not None:
        return _("di tempat sampah")
    return _("draf") if getattr(row, "status", "") == "draft" else ""


@media_service.usage_finder
def _albums_using(db: Session, village_id: int, media: MediaFile) -> list[media_service.Usage]:
    """Albums holding the photo, or showing it as their cover (trashed albums too: they can be
    restored)."""
    in_album = (
        in_village(AlbumPhoto, village_id)
        .where(col(AlbumPhoto.media_id) == media.id)
        .with_only_columns(col(AlbumPhoto.album_id))
    )
    albums = db.exec(
        in_village(Album, village_id)
        .where(or_(col(Album.id).in_(in_album), col(Album.cover_media_id) == media.id))
        .order_by(col(Album.id))
    ).all()
    found = []
    for album in albums:
        state = state_label(album)
        what = _("Galeri")
        found.append(
            media_service.Usage(
                f"{what} ({state})" if state else what, album.title, f"/admin/galeri/{album.id}"
            )
        )
    return found
