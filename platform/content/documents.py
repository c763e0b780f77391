"""Dokumen: downloadable files (Perdes, APBDes, RPJMDes, laporan…) with a category and a year.

Functions take the request's session and the village, never commit, and raise
:class:`~etalase.platform.content.workflow.ContentError` before changing anything. A document's
file is a PDF, Word or Excel file (kind ``document``) of the SAME village's media library. The
foreign key to the file has no ON DELETE: the media library refuses to delete a file a document
offers, even when asked to force it (see :func:`etalase.platform.media_library.service.delete`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col

from etalase.platform.accounts.models import User
from etalase.platform.content.models import Document
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.tenants.models import utcnow
from etalase.tenants.scope import get_in_village, in_village

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_CATEGORY = 80
FIRST_YEAR = 1945

# The usual kinds of village documents, offered first (a village may add its own).
STANDARD_CATEGORIES = (
    "Peraturan Desa",
    "Peraturan Kepala Desa",
    "Keputusan Kepala Desa",
    "APBDes",
    "Laporan Realisasi APBDes",
    "RPJMDes",
    "RKPDes",
    "Laporan Keuangan",
    "Profil Desa",
    "Lainnya",
)

FILE_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
}


def last_year() -> int:
    """The latest year a document may carry: next year (an APBDes is drafted the year before)."""
    return utcnow().year + 1


def file_type(media: MediaFile) -> str:
    return FILE_TYPES.get(media.content_type, media.key.rsplit(".", 1)[-1].upper())


def get_document(db: Session, village_id: int, document_id: int, *, trashed: bool = False) -> Document:
    document = get_in_village(db, Document, village_id, document_id)
    if document is None or (document.deleted_at is not None) != trashed:
        raise ContentError(_("Dokumen tidak ditemukan."))
    return document


def categories(db: Session, village_id: int) -> list[str]:
    """The standard categories, then the village's own ones already used (alphabetical)."""
    used = (
        db.execute(in_village(Document, village_id).with_only_columns(col(Document.category)).distinct())
        .scalars()
        .all()
    )
    own = sorted({str(c) for c in used} - set(STANDARD_CATEGORIES), key=str.casefold)
    return [*STANDARD_CATEGORIES, *own]


def years(db: Session, village_id: int, *, published_only: bool = False) -> list[int]:
    query = in_village(Document, village_id).where(col(Document.deleted_at).is_(None))
    if published_only:
        query = query.where(col(Document.status) == "published")
    found = db.execute(query.with_only_columns(col(Document.year)).distinct()).scalars().all()
    return sorted((int(y) for y in found), reverse=True)


def check_fields(title: str, description: str, category: str, year: str | int) -> tuple[str, str, str, int]:
    """The fields cleaned, or the first problem as a :class:`ContentError`."""
    title = " ".join(title.split())
    if not title:
        raise ContentError(_("Isi judul dokumen."))
    if len(title) > MAX_TITLE:
        raise ContentError(_("Judul dokumen terlalu panjang (maksimal 200 karakter)."))
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise ContentError(_("Keterangan dokumen terlalu panjang (maksimal 2000 karakter)."))
    category = " ".join(category.split())
    if not category:
        raise ContentError(_("Pilih atau tulis kategori dokumen, misalnya APBDes."))
    if len(category) > MAX_CATEGORY:
        raise ContentError(_("Nama kategori terlalu panjang (maksimal 80 karakter)."))
    text = str(year).strip()
    latest = last_year()
    if not text.isdecimal() or not FIRST_YEAR <= int(text) <= latest:
        raise ContentError(
            _("Tahun dokumen harus berupa angka antara {first} dan {last}, misalnya {example}.").format(
                first=FIRST_YEAR, last=latest, example=latest - 1
            )
        )
    return title, description, category, int(text)


def check_file(db: Session, village_id: int, media_id: int) -> MediaFile:
    """The file a document offers: a PDF, Word or Excel file of this village's library."""
    media = media_service.find(db, village_id, media_id)
    if media is None:
        raise ContentError(_("Berkas dokumen tidak ditemukan di pustaka media desa ini."))
    if media.kind != "document":
        raise ContentError(
            _("“{name}” bukan dokumen. Pilih berkas PDF, Word (.docx) atau Excel (.xlsx).").format(
                name=media.original_name
            )
        )
    return media


def create_document(
    db: Session,
    village_id: int,
    author: User,
    *,
    title: str,
    description: str = "",
    category: str,
    year: str | int,
    media_id: int,
) -> Document:
    title, description, category, number = check_fields(title, description, category, year)
    check_file(db, village_id, media_id)
    document = Document(
        village_id=village_id,
        title=title,
        description=description,
        category=category,
        year=number,
        media_id=media_id,
        status="draft",
        author_id=author.id,
    )
    db.add(document)
    db.flush()
    return document


def _changed(db: Session, document: Document) -> None:
    document.updated_at = utcnow()
    db.add(document)
    if document.status == "published" and document.deleted_at is None:
        bump_content_version(db, document.village_id)
    db.flush()


def save_document(
    db: Session,
    village_id: int,
    document_id: int,
    *,
    title: str,
    description: str,
    category: str,
    year: str | int,
    media_id: int | None = None,
) -> Document:
    """New fields; a new file when ``media_id`` is given (None keeps the current one)."""
    title, description, category, number = check_fields(title, description, category, year)
    document = get_document(db, village_id, document_id)
    if media_id is not None and media_id != document.media_id:
        check_file(db, village_id, media_id)
        document.media_id = media_id
    document.title, document.description = title, description
    document.category, document.year = category, number
    _changed(db, document)
    return document


def publish(db: Session, village_id: int, document_id: int) -> Document:
    document = get_document(db, village_id, document_id)
    if document.status == "published":
        raise ContentError(_("Dokumen ini sudah terbit."))
    document.status = "published"
    _changed(db, document)
    return document


def unpublish(db: Session, village_id: int, document_id: int) -> Document:
    document = get_document(db, village_id, document_id)
    if document.status != "published":
        raise ContentError(_("Dokumen ini belum terbit."))
    bump_content_version(db, village_id)
    document.status = "draft"
    _changed(db, document)
    return document


def trash(db: Session, village_id: int, document_id: int) -> Document:
    document = get_document(db, village_id, document_id)
    if document.status == "published":
        bump_content_version(db, village_id)
    document.deleted_at = utcnow()
    _changed(db, document)
    return document


def restore(db: Session, village_id: int, document_id: int) -> Document:
    document = get_document(db, village_id, document_id, trashed=True)
    document.deleted_at = None
    _changed(db, document)
    return document


def delete_for_good(db: Session, village_id: int, document_id: int) -> Document:
    """Delete a trashed document for good (its file stays in the media library, free to delete)."""
    document = get_document(db, village_id, document_id, trashed=True)
    db.delete(document)
    db.flush()
    return document


def files(db: Session, village_id: int, ids: Sequence[int]) -> dict[int, MediaFile]:
    """``{media id: file}`` for a list of documents, in one query."""
    if not ids:
        return {}
    found = db.exec(media_service.library(village_id).where(col(MediaFile.id).in_(list(set(ids))))).all()
    return {m.id: m for m in found if m.id is not None}


# --- where a file is offered -----------------------------------------------------------------------
@media_service.usage_finder
def _documents_offering(db: Session, village_id: int, media: MediaFile) -> list[media_service.Usage]:
    """Documents offering the file, trashed ones too (they keep it: the foreign key)."""
    rows = db.exec(
        in_village(Document, village_id).where(col(Document.media_id) == media.id).order_by(col(Document.id))
    ).all()
    found = []
    for document in rows:
        if document.deleted_at is not None:
            state = _("di tempat sampah")
        else:
            state = _("draf") if document.status == "draft" else ""
        what = _("Dokumen")
        found.append(
            media_service.Usage(
                f"{what} ({state})" if state else what, document.title, f"/admin/dokumen/{document.id}"
            )
        )
    return found
