"""Potensi desa: tourism spots (wisata), BUMDes units and UMKM, one table with a kind.

Functions take the request's session and the village, never commit, and raise ContentError
before changing anything (see :mod:`etalase.platform.potensi.service`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from etalase.platform.accounts.models import User
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import N_, _
from etalase.platform.potensi import service
from etalase.platform.potensi.models import KINDS, Potensi
from etalase.tenants.scope import get_in_village, in_village

MAX_LOCATION = 200
_KIND_LABELS = {"wisata": N_("Wisata"), "bumdes": N_("BUMDes"), "umkm": N_("UMKM")}
# Kinds that sell: a product's seller is one of these.
SELLERS = ("umkm", "bumdes")


def kind_label(kind: str) -> str:
    return _(_KIND_LABELS.get(kind, kind))


def kind_labels() -> dict[str, str]:
    return {kind: kind_label(kind) for kind in KINDS}


@dataclass(frozen=True)
class PotensiFields:
    kind: str
    name: str
    description: str
    location: str
    whatsapp: str
    photos: list[int]


def check_fields(
    db: Session,
    village_id: int,
    *,
    kind: str,
    name: str,
    description: str,
    location: str,
    whatsapp: str,
    photos: list[int],
) -> PotensiFields:
    """The fields cleaned, or the first problem as a ContentError."""
    if kind not in KINDS:
        raise ContentError(_("Pilih jenis potensi: wisata, BUMDes, atau UMKM."))
    clean = service.clean_name(
        name,
        empty=_("Isi nama potensi, misalnya Embung Sidomulyo atau Keripik Bu Sri."),
        too_long=_("Nama potensi terlalu panjang (maksimal 200 karakter)."),
    )
    place = " ".join(location.split())
    if len(place) > MAX_LOCATION:
        raise ContentError(_("Lokasi terlalu panjang (maksimal 200 karakter)."))
    return PotensiFields(
        kind=kind,
        name=clean,
        description=service.clean_description(description),
        location=place,
        whatsapp=service.clean_whatsapp(whatsapp),
        photos=service.check_photos(db, village_id, photos),
    )


def get_potensi(db: Session, village_id: int, potensi_id: int, *, trashed: bool = False) -> Potensi:
    row = get_in_village(db, Potensi, village_id, potensi_id)
    if row is None or (row.deleted_at is not None) != trashed:
        raise ContentError(_("Potensi tidak ditemukan."))
    return row


def create(db: Session, village_id: int, author: User, fields: PotensiFields, status: str) -> Potensi:
    row = Potensi(
        village_id=village_id,
        kind=fields.kind,
        name=fields.name,
        slug=service.unique_slug(db, Potensi, village_id, fields.name, "potensi"),
        description=fields.description,
        location=fields.location,
        whatsapp=fields.whatsapp,
        status=status,
        author_id=author.id,
    )
    db.add(row)
    db.flush()
    service.set_photos(db, row, fields.photos)
    service.changed(db, row, was_public=False)
    return row


def save(db: Session, row: Potensi, fields: PotensiFields, status: str) -> Potensi:
    """New fields; the address (slug) stays, so shared links keep working."""
    was = service.is_public(row)
    row.kind, row.name, row.description = fields.kind, fields.name, fields.description
    row.location, row.whatsapp, row.status = fields.location, fields.whatsapp, status
    if status == "published":
        row.review_note = ""
    service.set_photos(db, row, fields.photos)
    service.changed(db, row, was_public=was)
    return row


def sellers(db: Session, village_id: int) -> list[Potensi]:
    """UMKM and BUMDes units a product may name as its seller (not in the trash)."""
    return list(
        db.exec(
            in_village(Potensi, village_id)
            .where(col(Potensi.kind).in_(SELLERS), col(Potensi.deleted_at).is_(None))
            .order_by(col(Potensi.name))
            .limit(500)
        ).all()
    )


def published(village_id: int, kind: str | None = None) -> SelectOfScalar[Potensi]:
    """Published potensi outside the trash (of one kind when given)."""
    query = in_village(Potensi, village_id).where(
        col(Potensi.status) == "published", col(Potensi.deleted_at).is_(None)
    )
    if kind in KINDS:
        query = query.where(col(Potensi.kind) == kind)
    return query
