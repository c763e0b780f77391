"""The village's media library in the admin area (``/admin/media``) and its JSON list for the editor.

Everyone on the team who writes (kontributor and up) sees the library, uploads and edits alt text;
deleting a file is for those who moderate (editor, admin). The village is always the request's
host (:func:`village_access`); a file of another village is not found.

The upload's body is metered while it is read (:class:`UploadRoute`): a request that declares or
sends more than the upload limit is refused after at most that many bytes, before the file is kept
anywhere, and before any of it is decoded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.types import Message, Receive

from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.content import workflow
from etalase.platform.i18n import _
from etalase.platform.media_library import service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import MediaError, size_text, too_large
from etalase.platform.media_library.service import MediaInUseError, MediaNotFoundError
from etalase.platform.runtime import Runtime
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.pages import log_in_village, page, redirect
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.scope import get_in_village

log = logging.getLogger(__name__)

router = APIRouter(route_class=VillageTeamRoute)

Library = Annotated[VillageActor, Depends(village_access(Permission.WRITE_DRAFTS))]
Moderate = Annotated[VillageActor, Depends(village_access(Permission.MODERATE))]

FILE_FIELD = "berkas"
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers, the CSRF token, the alt text
LIBRARY = "/admin/media"


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# --- the metered upload -----------------------------------------------------------------------------
class UploadTooLarge(Exception):  # noqa: N818  (a control-flow signal, not an error)
    pass


def _metered(headers: Headers, receive: Receive, limit: int) -> Receive:
    """``receive`` that raises :class:`UploadTooLarge` as soon as the declared length, or the bytes
    actually received, pass ``limit``. Called only when the body is read, which the access check
    (CSRF) does after the sign-in and the role were checked: strangers are refused before that."""
    declared = headers.get("content-length", "")
    seen = 0

    async def receive_metered() -> Message:
        nonlocal seen
        if declared.isdecimal() and int(declared) > limit:
            raise UploadTooLarge
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise UploadTooLarge
        return message

    return receive_metered


class UploadRoute(VillageTeamRoute):
    """A team route whose request body may be at most the upload limit (``ETALASE_MEDIA_MAX_UPLOAD_MB``
    plus a little for the form). Over it, the person is sent back to the library with the limit
    in words; the rest of the body is never read (the server closes the connection)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def metered_handler(request: Request) -> Response:
            limit = service.max_upload_bytes(settings_of(request)) + FORM_OVERHEAD
            metered = Request(request.scope, _metered(request.headers, request.receive, limit))
            try:
                return await handler(metered)
            except UploadTooLarge:
                return redirect(f"{LIBRARY}?galat=besar")
            finally:
                await metered.close()  # the spooled upload, if the form was parsed

        return metered_handler


# --- pages --------------------------------------------------------------------------------------
def _notices() -> dict[str, str]:
    return {
        "unggah": _("Berkas sudah diunggah."),
        "alt": _("Teks alternatif sudah disimpan."),
        "hapus": _("Berkas sudah dihapus."),
    }


def _library(
    request: Request,
    db: Session,
    actor: VillageActor,
    *,
    before: int | None = None,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    settings = settings_of(request)
    store = _runtime(request).media
    used, quota = service.usage(db, actor.village.id, settings)
    files = service.listing(db, actor.village.id, before=before)
    context = {
        "actor": actor,
        "files": files,
        "used": used,
        "quota": quota,
        "used_percent": min(100, round(used * 100 / quota)) if quota else 100,
        "max_upload": size_text(service.max_upload_bytes(settings)),
        "page_size": service.PAGE_SIZE,
        "media_url": store.url,
        "alt": "",
        **extra,
    }
    return page(request, "admin/media.html", context, status=status)


@router.get(LIBRARY, response_class=HTMLResponse, name="admin_media")
def library(
    request: Request,
    actor: Library,
    db: SessionDep,
    pesan: str = "",
    galat: str = "",
    sebelum: int | None = None,
) -> Response:
    notice = _notices().get(pesan)
    warning = None
    if pesan == "tanpa-alt":
        warning = _(
            "Foto sudah diunggah, tetapi belum punya teks alternatif. Tambahkan di bawah foto itu: "
            "pembaca yang tidak dapat melihat gambar (dan mesin pencari) memerlukannya."
        )
    error = str(too_large(service.max_upload_bytes(settings_of(request)))) if galat == "besar" else None
    return _library(request, db, actor, before=sebelum, notice=notice, warning=warning, error=error)


async def upload(request: Request, actor: Library, db: SessionDep) -> Response:
    form = await request.form()  # already parsed (and metered) by the CSRF check
    uploaded = form.get(FILE_FIELD)
    alt_field = form.get("alt")
    alt = alt_field if isinstance(alt_field, str) else ""
    runtime = _runtime(request)

    def attempt() -> Response:
        if not isinstance(uploaded, UploadFile) or not uploaded.filename:
            message = _("Pilih berkas yang akan diunggah.")
            return _library(request, db, actor, error=message, alt=alt, status=400)
        try:
            media = service.upload(
                db,
                runtime.media,
                actor.village.id,
                filename=uploaded.filename,
                stream=uploaded.file,
                alt=alt,
                user=actor.user,
                settings=settings_of(request),
            )
        except MediaError as error:
            return _library(request, db, actor, error=str(error), alt=alt, status=error.status)
        log_in_village(db, request, actor, "media_uploaded", media.original_name)
        missing_alt = media.is_image and not media.alt
        return redirect(f"{LIBRARY}?pesan={'tanpa-alt' if missing_alt else 'unggah'}")

    return await run_in_threadpool(attempt)


router.add_api_route(
    f"{LIBRARY}/unggah",
    upload,
    methods=["POST"],
    response_class=HTMLResponse,
    route_class_override=UploadRoute,
)


@router.post(f"{LIBRARY}/{{media_id}}/alt", response_class=HTMLResponse)
def change_alt(
    request: Request,
    media_id: int,
    actor: Library,
    db: SessionDep,
    alt: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.set_alt(db, actor.village.id, media_id, alt)
        workflow.cover_described(db, actor.village.id, media_id)  # the posts' quality follows
    except MediaNotFoundError:
        raise HTTPException(status_code=404) from None
    except MediaError as error:
        db.rollback()
        return _library(request, db, actor, error=str(error), status=error.status)
    return redirect(f"{LIBRARY}?pesan=alt")


@router.post(f"{LIBRARY}/{{media_id}}/hapus", response_class=HTMLResponse)
def delete(
    request: Request,
    media_id: int,
    actor: Moderate,
    db: SessionDep,
    paksa: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    force = paksa == "1"
    places = service.where_used(db, actor.village.id, media_id) if force else []
    try:
        removed = service.delete(db, _runtime(request).media, actor.village.id, media_id, force=force)
    except MediaNotFoundError:
        raise HTTPException(status_code=404) from None
    except MediaInUseError as error:
        in_use = get_in_village(db, MediaFile, actor.village.id, media_id)
        return _library(
            request,
            db,
            actor,
            in_use=in_use,
            places=error.places,
            forcible=error.forcible,
            error=str(error),
            status=error.status,
        )
    target = removed.original_name
    if places:
        target = _("{name} (masih dipakai di {n} tempat)").format(name=target, n=len(places))
    log_in_village(db, request, actor, "media_deleted", target)
    return redirect(f"{LIBRARY}?pesan=hapus")


@router.get("/api/v1/media", name="api_media")
def api_media(request: Request, actor: Library, db: SessionDep, sebelum: int | None = None) -> JSONResponse:
    """The library for the editor's picker: newest first, ``sebelum=<id>`` for the next page."""
    store = _runtime(request).media
    used, quota = service.usage(db, actor.village.id, settings_of(request))
    files = service.listing(db, actor.village.id, before=sebelum)
    return JSONResponse(
        {
            "village": actor.village.code,
            "used_bytes": used,
            "quota_bytes": quota,
            "media": [service.as_json(m, store) for m in files],
        }
    )
