"""The village team's document screens (``/admin/dokumen`` on the village's own host).

A document is a PDF, Word or Excel file with a title, a category (Perdes, APBDes…) and a year. Its
file is uploaded here (through the media library, so it counts in the quota and is checked by its
content) or chosen among the document files already in the library. Either all of it is saved or
nothing: a failed upload writes no document, and a document that cannot be saved removes the file
just uploaded for it. The whole team writes drafts, a kontributor changes only their own; editors
and admins publish, take down, trash, restore and delete for good.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import case, func
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from etalase.platform.accounts.authz import Forbidden, Permission, VillageActor, may_edit_post, village_access
from etalase.platform.content import documents
from etalase.platform.content.models import Document
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import MediaError, size_text, too_large
from etalase.platform.runtime import Runtime
from etalase.platform.web import form_photos
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.gallery_admin import FORM_OVERHEAD, metered_route
from etalase.platform.web.pages import log_in_village, page, page_number, redirect
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageTeamRoute)

Read = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
Write = Annotated[VillageActor, Depends(village_access(Permission.WRITE_DRAFTS))]
Publish = Annotated[VillageActor, Depends(village_access(Permission.PUBLISH))]

BASE = "/admin/dokumen"
PAGE_SIZE = 30
FILE_CHOICES = 50  # the newest document files of the library offered in the form
UPLOAD_FIELD = "berkas"
TABS = {"draf": "draft", "terbit": "published", "sampah": "trash"}
FIELDS = ("title", "description", "category", "year", "media_id")


def _tab_names() -> dict[str, str]:
    return {"draf": _("Draf"), "terbit": _("Terbit"), "sampah": _("Sampah")}


def _notices() -> dict[str, str]:
    return {
        "dibuat": _("Dokumen sudah disimpan sebagai draf."),
        "disimpan": _("Dokumen sudah disimpan."),
        "terbit": _("Dokumen sudah terbit di situs desa."),
        "ditarik": _("Dokumen sudah ditarik dari situs desa dan kembali menjadi draf."),
        "dihapus": _("Dokumen sudah dipindahkan ke sampah."),
        "dipulihkan": _("Dokumen sudah dipulihkan dari sampah."),
        "dimusnahkan": _("Dokumen sudah dihapus permanen. Berkasnya masih ada di pustaka media."),
    }


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _load(db: Session, actor: VillageActor, document_id: int, *, trashed: bool = False) -> Document:
    try:
        return documents.get_document(db, actor.village.id, document_id, trashed=trashed)
    except ContentError:
        raise HTTPException(status_code=404) from None


def _require_edit(actor: VillageActor, document: Document) -> None:
    if not may_edit_post(actor, document.author_id, document.status):
        raise Forbidden(_("Anda hanya dapat mengubah draf dokumen Anda sendiri."))


def _editable(db: Session, actor: VillageActor, document_id: int) -> Document:
    document = _load(db, actor, document_id)
    _require_edit(actor, document)
    return document


# --- the list --------------------------------------------------------------------------------------
@router.get(BASE, response_class=HTMLResponse, name="admin_documents")
def listing(
    request: Request,
    actor: Read,
    db: SessionDep,
    status: str = "",
    kategori: str = "",
    tahun: str = "",
    halaman: int = 1,
    pesan: str = "",
) -> Response:
    tab = status if status in TABS else "draf"
    notice = _notices().get(pesan)
    return _listing(
        request, db, actor, tab=tab, category=kategori, year=tahun, number=page_number(halaman), notice=notice
    )


def _listing(
    request: Request,
    db: Session,
    actor: VillageActor,
    *,
    tab: str,
    category: str = "",
    year: str = "",
    number: int = 1,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    vid = actor.village.id
    query = in_village(Document, vid)
    bucket = case((col(Document.deleted_at).is_not(None), "trash"), else_=col(Document.status))
    grouped = dict(db.execute(query.with_only_columns(bucket, func.count()).group_by(bucket)).all())
    counts = {name: int(grouped.get(value, 0)) for name, value in TABS.items()}
    if TABS[tab] == "trash":
        query = query.where(col(Document.deleted_at).is_not(None))
    else:
        query = query.where(col(Document.deleted_at).is_(None), col(Document.status) == TABS[tab])
    category = " ".join(category.split())[:80]
    if category:
        query = query.where(col(Document.category) == category)
    chosen_year = int(year) if year.strip().isdecimal() and len(year.strip()) == 4 else None
    if chosen_year is not None:
        query = query.where(col(Document.year) == chosen_year)
    rows = db.exec(
        query.order_by(col(Document.year).desc(), col(Document.updated_at).desc(), col(Document.id).desc())
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    shown = list(rows[:PAGE_SIZE])
    files = documents.files(db, vid, [d.media_id for d in shown])
    store = _runtime(request).media
    items = []
    for document in shown:
        media = files.get(document.media_id)
        items.append(
            {
                "document": document,
                "media": media,
                "type": documents.file_type(media) if media else "",
                "url": store.url(media.key) if media else None,
                "editable": document.deleted_at is None
                and may_edit_post(actor, document.author_id, document.status),
            }
        )
    context = {
        "actor": actor,
        "tab": tab,
        "tabs": _tab_names(),
        "counts": counts,
        "items": items,
        "categories": documents.categories(db, vid),
        "years": documents.years(db, vid),
        "category": category,
        "year": str(chosen_year or ""),
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        **extra,
    }
    return page(request, "admin/documents.html", context, status=status)


# --- the form --------------------------------------------------------------------------------------
def _file_choices(db: Session, actor: VillageActor, current: int | None) -> list[MediaFile]:
    query = media_service.library(actor.village.id, "document")
    found = list(db.exec(query.order_by(col(MediaFile.id).desc()).limit(FILE_CHOICES)).all())
    if current is not None and all(m.id != current for m in found):
        older = db.exec(query.where(col(MediaFile.id) == current)).first()
        if older is not None:
            found.append(older)
    return found


def _form(
    request: Request,
    db: Session,
    actor: VillageActor,
    document: Document | None,
    values: dict[str, str],
    *,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    current = document.media_id if document is not None else None
    chosen = values.get("media_id", "")
    files = _file_choices(db, actor, int(chosen) if chosen.isdecimal() and len(chosen) <= 12 else current)
    store = _runtime(request).media
    context: dict[str, object] = {
        "actor": actor,
        "document": document,
        "values": values,
        "files": files,
        "file_types": {m.id: documents.file_type(m) for m in files},
        "current_file": next((m for m in files if m.id == current), None),
        "media_url": store.url,
        "categories": documents.categories(db, actor.village.id),
        "first_year": documents.FIRST_YEAR,
        "last_year": documents.last_year(),
        "max_upload": size_text(media_service.max_upload_bytes(settings_of(request))),
        "may_publish": actor.can(Permission.PUBLISH),
        **extra,
    }
    return page(request, "admin/document_edit.html", context, status=status)


def _values_of(document: Document) -> dict[str, str]:
    return {
        "title": document.title,
        "description": document.description,
        "category": document.category,
        "year": str(document.year),
        "media_id": "",
    }


def _values_from(form: FormData) -> dict[str, str]:
    values = {}
    for name in FIELDS:
        raw = form.get(name)
        values[name] = raw[:4000] if isinstance(raw, str) else ""
    return values


def _too_large_error(request: Request, galat: str) -> str | None:
    if galat != "besar":
        return None
    return str(too_large(media_service.max_upload_bytes(settings_of(request))))


@router.get(f"{BASE}/baru", response_class=HTMLResponse, name="admin_document_new")
def new(request: Request, actor: Write, db: SessionDep, galat: str = "") -> Response:
    empty = dict.fromkeys(FIELDS, "")
    return _form(request, db, actor, None, empty, error=_too_large_error(request, galat))


def _chosen_file(values: dict[str, str]) -> int | None:
    raw = values["media_id"].strip()
    if not raw:
        return None
    if not raw.isdecimal() or len(raw) > 12:
        raise ContentError(_("Berkas dokumen tidak ditemukan di pustaka media desa ini."))
    return int(raw)


def _check_upload(uploaded: UploadFile) -> None:
    """A quick look at the first bytes, so a photo or anything else is refused before it is stored
    (the media library then judges a PDF or an office file completely)."""
    if not form_photos.is_document(uploaded):
        raise ContentError(
            _(
                "“{name}” bukan dokumen yang didukung. Unggah berkas PDF, Word (.docx) atau Excel (.xlsx); "
                "foto masuk ke Galeri."
            ).format(name=uploaded.filename or "")
        )


def _upload_for(
    request: Request, db: Session, actor: VillageActor, uploaded: UploadFile, title: str
) -> MediaFile:
    """Store the uploaded document in the library (committed there); raises MediaError."""
    return media_service.upload(
        db,
        _runtime(request).media,
        actor.village.id,
        filename=uploaded.filename,
        stream=uploaded.file,
        alt=title[: media_service.ALT_MAX],
        user=actor.user,
        settings=settings_of(request),
    )


def _given_file(form: FormData) -> UploadFile | None:
    uploaded = form.get(UPLOAD_FIELD)
    return uploaded if isinstance(uploaded, UploadFile) and uploaded.filename else None


async def create(request: Request, actor: Write, db: SessionDep) -> Response:
    form = await request.form()  # already parsed (and metered) by the CSRF check
    values = _values_from(form)
    uploaded = _given_file(form)

    def attempt() -> Response:
        vid = actor.village.id
        try:
            title, _desc, _cat, _year = documents.check_fields(
                values["title"], values["description"], values["category"], values["year"]
            )
            chosen = _chosen_file(values)
            if uploaded is not None:
                _check_upload(uploaded)
            elif chosen is None:
                raise ContentError(
                    _("Unggah berkas dokumen, atau pilih berkas yang sudah ada di pustaka media.")
                )
            else:
                documents.check_file(db, vid, chosen)
        except ContentError as error:
            db.rollback()
            return _form(request, db, actor, None, values, error=str(error), status=400)
        stored: MediaFile | None = None
        if uploaded is not None:
            try:
                stored = _upload_for(request, db, actor, uploaded, title)
            except MediaError as error:
                return _form(request, db, actor, None, values, error=str(error), status=error.status)
            chosen = stored.id
        assert chosen is not None
        try:
            document = documents.create_document(
                db,
                vid,
                actor.user,
                title=values["title"],
                description=values["description"],
                category=values["category"],
                year=values["year"],
                media_id=chosen,
            )
            log_in_village(db, request, actor, "document_created", document.title)
            db.commit()
        except Exception:
            db.rollback()
            if stored is not None and stored.id is not None:  # no document: no file uploaded for it
                media_service.delete(db, _runtime(request).media, vid, stored.id, force=True)
            raise
        return redirect(f"{BASE}/{document.id}?pesan=dibuat")

    return await run_in_threadpool(attempt)


def _upload_limit(request: Request) -> int:
    return media_service.max_upload_bytes(settings_of(request)) + FORM_OVERHEAD


router.add_api_route(
    f"{BASE}/baru",
    create,
    methods=["POST"],
    response_class=HTMLResponse,
    route_class_override=metered_route(_upload_limit, lambda r: r.url.path),
)


@router.get(f"{BASE}/{{document_id}}", response_class=HTMLResponse, name="admin_document_edit")
def edit(
    request: Request, document_id: int, actor: Write, db: SessionDep, pesan: str = "", galat: str = ""
) -> Response:
    document = _editable(db, actor, document_id)
    return _form(
        request,
        db,
        actor,
        document,
        _values_of(document),
        notice=_notices().get(pesan),
        error=_too_large_error(request, galat),
    )


async def save(request: Request, document_id: int, actor: Write, db: SessionDep) -> Response:
    form = await request.form()
    values = _values_from(form)
    uploaded = _given_file(form)

    def attempt() -> Response:
        vid = actor.village.id
        document = _editable(db, actor, document_id)
        try:
            title, _desc, _cat, _year = documents.check_fields(
                values["title"], values["description"], values["category"], values["year"]
            )
            chosen = _chosen_file(values)
            if uploaded is not None:
                _check_upload(uploaded)
            elif chosen is not None:
                documents.check_file(db, vid, chosen)
        except ContentError as error:
            db.rollback()
            return _form(
                request, db, actor, _load(db, actor, document_id), values, error=str(error), status=400
            )
        stored: MediaFile | None = None
        if uploaded is not None:
            try:
                stored = _upload_for(request, db, actor, uploaded, title)
            except MediaError as error:
                document = _load(db, actor, document_id)
                return _form(request, db, actor, document, values, error=str(error), status=error.status)
            chosen = stored.id
        try:
            documents.save_document(
                db,
                vid,
                document_id,
                title=values["title"],
                description=values["description"],
                category=values["category"],
                year=values["year"],
                media_id=chosen,
            )
            db.commit()
        except Exception:
            db.rollback()
            if stored is not None and stored.id is not None:
                media_service.delete(db, _runtime(request).media, vid, stored.id, force=True)
            raise
        del document
        return redirect(f"{BASE}/{document_id}?pesan=disimpan")

    return await run_in_threadpool(attempt)


router.add_api_route(
    f"{BASE}/{{document_id}}",
    save,
    methods=["POST"],
    response_class=HTMLResponse,
    route_class_override=metered_route(_upload_limit, lambda r: r.url.path),
)


# --- the workflow ----------------------------------------------------------------------------------
def _refused(request: Request, db: Session, actor: VillageActor, error: ContentError) -> HTMLResponse:
    db.rollback()
    return _listing(request, db, actor, tab="draf", error=str(error), status=400)


@router.post(f"{BASE}/{{document_id}}/terbitkan", response_class=HTMLResponse)
def publish(request: Request, document_id: int, actor: Publish, db: SessionDep) -> Response:
    document = _load(db, actor, document_id)
    try:
        documents.publish(db, actor.village.id, document_id)
    except ContentError as error:
        return _refused(request, db, actor, error)
    log_in_village(db, request, actor, "document_published", document.title)
    return redirect(f"{BASE}?status=terbit&pesan=terbit")


@router.post(f"{BASE}/{{document_id}}/tarik", response_class=HTMLResponse)
def unpublish(request: Request, document_id: int, actor: Publish, db: SessionDep) -> Response:
    document = _load(db, actor, document_id)
    try:
        documents.unpublish(db, actor.village.id, document_id)
    except ContentError as error:
        return _refused(request, db, actor, error)
    log_in_village(db, request, actor, "document_unpublished", document.title)
    return redirect(f"{BASE}?status=draf&pesan=ditarik")


@router.post(f"{BASE}/{{document_id}}/hapus", response_class=HTMLResponse)
def trash(request: Request, document_id: int, actor: Publish, db: SessionDep) -> Response:
    document = _load(db, actor, document_id)
    documents.trash(db, actor.village.id, document_id)
    log_in_village(db, request, actor, "document_deleted", document.title)
    return redirect(f"{BASE}?status=sampah&pesan=dihapus")


@router.post(f"{BASE}/{{document_id}}/pulihkan", response_class=HTMLResponse)
def restore(request: Request, document_id: int, actor: Publish, db: SessionDep) -> Response:
    document = _load(db, actor, document_id, trashed=True)
    documents.restore(db, actor.village.id, document_id)
    log_in_village(db, request, actor, "document_restored", document.title)
    tab = "terbit" if document.status == "published" else "draf"
    return redirect(f"{BASE}?status={tab}&pesan=dipulihkan")


@router.post(f"{BASE}/{{document_id}}/hapus-permanen", response_class=HTMLResponse)
def delete_for_good(request: Request, document_id: int, actor: Publish, db: SessionDep) -> Response:
    """Only from the trash; afterwards its file may be deleted from the media library."""
    found = db.exec(in_village(Document, actor.village.id).where(col(Document.id) == document_id)).first()
    if found is None:
        raise HTTPException(status_code=404)
    try:
        document = documents.delete_for_good(db, actor.village.id, document_id)
    except ContentError:
        message = _("Pindahkan dokumen ke sampah dulu sebelum menghapusnya permanen.")
        return _refused(request, db, actor, ContentError(message))
    log_in_village(db, request, actor, "document_purged", document.title)
    return redirect(f"{BASE}?status=sampah&pesan=dimusnahkan")
