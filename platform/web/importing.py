"""Bringing a village's old Blogger or WordPress blog into Etalase: ``/admin/impor`` (admins only).

The page explains how to export from either blog, and takes the export file, the member to credit
every imported item to, and whether to download the old blog's pictures. The upload is metered
while it arrives (:data:`MAX_EXPORT_BYTES`, the same approach as the media library's upload), then
parsed (:func:`parse_export`, which refuses hostile XML) and written
(:func:`etalase.platform.importers.writer.write_import`), and the report is shown.

For now the import runs in the request. A big blog with many pictures takes minutes: a background
job (with the report kept and shown when done) is the next step.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from etalase.platform.accounts import service
from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.i18n import _
from etalase.platform.importers import ImportRefusedError, parse_export
from etalase.platform.importers.fetch import fetcher
from etalase.platform.importers.writer import write_import
from etalase.platform.importers.xmlsafe import MAX_BYTES
from etalase.platform.media_library import service as media_service
from etalase.platform.runtime import Runtime
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.media import FORM_OVERHEAD, UploadTooLarge, _metered
from etalase.platform.web.pages import log_in_village, page, redirect
from etalase.platform.web.routing import VillageTeamRoute

router = APIRouter(route_class=VillageTeamRoute)

ManageSettings = Annotated[VillageActor, Depends(village_access(Permission.MANAGE_SETTINGS))]

IMPORT = "/admin/impor"
FILE_FIELD = "berkas"
MAX_EXPORT_BYTES = MAX_BYTES  # 50 MB, the most the parsers read


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


class ImportUploadRoute(VillageTeamRoute):
    """A team route whose body may be at most :data:`MAX_EXPORT_BYTES` plus the form; over it the
    person is sent back to the import page with the limit in words, the rest never read."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def metered_handler(request: Request) -> Response:
            metered = Request(
                request.scope, _metered(request.headers, request.receive, MAX_EXPORT_BYTES + FORM_OVERHEAD)
            )
            try:
                return await handler(metered)
            except UploadTooLarge:
                return redirect(f"{IMPORT}?galat=besar")
            finally:
                await metered.close()

        return metered_handler


def _form(
    request: Request, db: Session, actor: VillageActor, *, status: int = 200, **extra: object
) -> HTMLResponse:
    members = [(m, u) for m, u in service.members(db, actor.village.id)]
    context = {
        "actor": actor,
        "members": members,
        "credit": actor.user.id,
        "download": True,
        **extra,
    }
    return page(request, "admin/import.html", context, status=status)


def _too_large() -> str:
    return _("Berkas ekspor terlalu besar: paling besar 50 MB.")


@router.get(IMPORT, response_class=HTMLResponse, name="admin_import")
def import_form(request: Request, actor: ManageSettings, db: SessionDep, galat: str = "") -> Response:
    error = _too_large() if galat == "besar" else None
    return _form(request, db, actor, error=error)


async def run_import(request: Request, actor: ManageSettings, db: SessionDep) -> Response:
    form = await request.form()  # already parsed (and metered) by the CSRF check
    uploaded = form.get(FILE_FIELD)
    credit_field = form.get("anggota")
    download = form.get("unduh_gambar") == "1"
    settings = settings_of(request)
    runtime = _runtime(request)

    def attempt() -> Response:
        members = {u.id: u for _m, u in service.members(db, actor.village.id)}
        credit = actor.user
        if isinstance(credit_field, str) and credit_field.strip():
            chosen = members.get(int(credit_field)) if credit_field.strip().isdigit() else None
            if chosen is None:
                message = _("Pilih anggota tim desa yang akan dicantumkan sebagai penulis.")
                return _form(request, db, actor, error=message, download=download, status=400)
            credit = chosen
        if not isinstance(uploaded, UploadFile) or not uploaded.filename:
            message = _("Pilih berkas ekspor blog yang akan diimpor.")
            return _form(request, db, actor, error=message, credit=credit.id, download=download, status=400)
        data = uploaded.file.read(MAX_EXPORT_BYTES + 1)
        try:
            result = parse_export(data)
        except ImportRefusedError as error:
            return _form(
                request, db, actor, error=str(error), credit=credit.id, download=download, status=400
            )
        del data
        assert credit.id is not None
        fetch = fetcher(media_service.max_upload_bytes(settings)) if download else None
        report = write_import(
            db,
            actor.village.id,
            result,
            author_id=credit.id,
            author_name=credit.name,
            fetch=fetch,
            media_store=runtime.media,
            settings=settings,
            user=actor.user,
        )
        log_in_village(db, request, actor, "import_done", f"{result.source}: {report.summary()}")
        context = {"actor": actor, "report": report, "result": result, "credited": credit.name}
        return page(request, "admin/import_report.html", context)

    return await run_in_threadpool(attempt)


router.add_api_route(
    IMPORT,
    run_import,
    methods=["POST"],
    response_class=HTMLResponse,
    route_class_override=ImportUploadRoute,
)
