"""What potensi and products share: cleaning fields, the WhatsApp number, slugs, photos and the
review workflow.

Functions take the request's session and the village, never commit, and raise
:class:`~etalase.platform.content.workflow.ContentError` (a sentence for the person) before
changing anything. Every query goes through the scoped path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from lokal.phone import parse_phone
from sqlmodel import Session, col

from etalase.platform.content.richtext import to_safe_html
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.potensi.models import Potensi, PotensiPhoto, Product, ProductPhoto
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village
from etalase.tenants.slugs import slugify

MAX_NAME = 200
MAX_DESCRIPTION = 20_000  # characters as typed (HTML from the editor included)
MAX_NOTE = 1000
MAX_PHOTOS = 8
MAX_PHONE = 25

Listing = TypeVar("Listing", Potensi, Product)
# The action a form's submit button asks for.
ACTIONS = ("draf", "ajukan", "terbitkan", "simpan")


def clean_name(raw: str, *, empty: str, too_long: str, limit: int = MAX_NAME) -> str:
    value = " ".join(raw.split())
    if not value:
        raise ContentError(empty)
    if len(value) > limit:
        raise ContentError(too_long)
    return value


def clean_description(raw: str) -> str:
    """Rich text, safe to store (nh3), or plain text made into paragraphs."""
    if len(raw) > MAX_DESCRIPTION:
        raise ContentError(_("Deskripsi terlalu panjang (maksimal 20.000 karakter)."))
    return to_safe_html(raw) if raw.strip() else ""


def clean_whatsapp(raw: str) -> str:
    """A mobile number as WhatsApp wants it (``6281234567890``), or "" when none was given.
    Personal data: callers store it and hand it to the order redirect only."""
    value = raw.strip()
    if not value:
        return ""
    if len(value) > MAX_PHONE:
        raise ContentError(_("Nomor WhatsApp terlalu panjang."))
    info = parse_phone(value)
    if not info.valid or not info.whatsapp:
        raise ContentError(_("Nomor WhatsApp tidak valid. Contoh yang benar: 0812 3456 7890"))
    if info.type != "mobile":
        raise ContentError(
            _("Gunakan nomor HP yang memakai WhatsApp, bukan nomor telepon rumah atau kantor.")
        )
    return str(info.whatsapp)


def unique_slug(db: Session, model: type[Listing], village_id: int, name: str, fallback: str) -> str:
    base = slugify(name)[:180] or fallback
    slug, n = base, 1
    column: Any = model.slug
    while db.exec(in_village(model, village_id).where(column == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def photo_ids(raw: Sequence[str]) -> list[int]:
    """The chosen photos' ids in the order given, each once; anything not a number is dropped."""
    found: list[int] = []
    for value in raw:
        text = value.strip()
        if text.isdecimal() and len(text) <= 12 and int(text) not in found:
            found.append(int(text))
    return found


def check_photos(db: Session, village_id: int, ids: list[int]) -> list[int]:
    """Photos of THIS village's library (another village's id is simply not found)."""
    if len(ids) > MAX_PHOTOS:
        raise ContentError(_("Pilih paling banyak {n} foto.").format(n=MAX_PHOTOS))
    if not ids:
        return []
    rows = db.exec(media_service.library(village_id).where(col(MediaFile.id).in_(ids))).all()
    images = {m.id for m in rows if m.kind == "image"}
    if any(i not in images for i in ids):
        raise ContentError(_("Foto yang dipilih tidak ditemukan di pustaka media desa ini."))
    return ids


def set_photos(db: Session, row: Potensi | Product, ids: list[int]) -> None:
    """Replace the row's photos by ``ids`` in that order (already checked)."""
    assert row.id is not None
    vid = row.village_id
    if isinstance(row, Product):
        old: Sequence[Any] = db.exec(
            in_village(ProductPhoto, vid).where(col(ProductPhoto.product_id) == row.id)
        ).all()
        new: list[Any] = [
            ProductPhoto(village_id=vid, product_id=row.id, media_id=m, position=i) for i, m in enumerate(ids)
        ]
    else:
        old = db.exec(in_village(PotensiPhoto, vid).where(col(PotensiPhoto.potensi_id) == row.id)).all()
        new = [
            PotensiPhoto(village_id=vid, potensi_id=row.id, media_id=m, position=i) for i, m in enumerate(ids)
        ]
    for link in old:
        db.delete(link)
    db.flush()
    db.add_all(new)
    db.flush()


def photos(
    db: Session, village_id: int, model: type[Potensi] | type[Product], owner_ids: Sequence[int]
) -> dict[int, list[MediaFile]]:
    """``{owner id: [photo, …]}`` in order, for a list of potensi or products, in one query."""
    if not owner_ids:
        return {}
    link: Any = ProductPhoto if model is Product else PotensiPhoto
    owner = col(link.product_id) if model is Product else col(link.potensi_id)
    rows = db.execute(
        in_village(link, village_id)
        .where(owner.in_(list(set(owner_ids))))
        .join(MediaFile, col(MediaFile.id) == col(link.media_id))
        .with_only_columns(owner, MediaFile)
        .order_by(owner, col(link.position))
    ).all()
    found: dict[int, list[MediaFile]] = {}
    for owner_id, media in rows:
        if media.kind == "image":
            found.setdefault(int(owner_id), []).append(media)
    return found


# --- the workflow ----------------------------------------------------------------------------------
def status_for(action: str, *, may_publish: bool, current: str | None) -> str:
    """The status a save leads to. A kontributor can only keep a draft or submit it; an editor or
    admin publishes directly, or keeps a published row published when simply saving it."""
    if action == "ajukan":
        return "published" if may_publish else "review"
    if action == "terbitkan" and may_publish:
        return "published"
    if action == "simpan" and may_publish and current is not None:
        return current
    return "draft"


def changed(db: Session, row: Potensi | Product, *, was_public: bool) -> None:
    """Stamp the change; public pages move on when the row is or was public."""
    row.updated_at = utcnow()
    if row.status == "published" and row.published_at is None:
        row.published_at = row.updated_at
    db.add(row)
    if was_public or is_public(row):
        bump_content_version(db, row.village_id)
    db.flush()


def is_public(row: Potensi | Product) -> bool:
    return row.status == "published" and row.deleted_at is None


def move(db: Session, row: Listing, status: str) -> Listing:
    was = is_public(row)
    row.status = status
    if status == "published":
        row.review_note = ""
    changed(db, row, was_public=was)
    return row


def send_back(db: Session, row: Listing, note: str) -> Listing:
    """Back to its writer as a draft, with the editor's note."""
    note = note.strip()
    if not note:
        raise ContentError(_("Tulis catatan untuk pengirimnya: apa yang perlu diperbaiki."))
    if len(note) > MAX_NOTE:
        raise ContentError(_("Catatan terlalu panjang (maksimal 1000 karakter)."))
    if row.status == "published":
        raise ContentError(_("Yang sudah terbit tidak dapat dikembalikan. Tarik dulu dari situs."))
    row.review_note = note
    return move(db, row, "draft")


def trash(db: Session, row: Listing) -> Listing:
    was = is_public(row)
    row.deleted_at = utcnow()
    changed(db, row, was_public=was)
    return row


def restore(db: Session, row: Listing) -> Listing:
    row.deleted_at = None
    changed(db, row, was_public=False)
    return row


T = TypeVar("T")


def first(items: Sequence[T]) -> T | None:
    """The first of a list (a cover photo), or None."""
    return items[0] if items else None
