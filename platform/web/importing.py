"""Bringing a village's old Blogger or WordPress blog into Etalase: ``/admin/impor`` (admins only).

The page explains how to export from either blog, and takes the export file, the member to credit
every imported item to, and whether to download the old blog's pictures. The upload is metered
while it arrives (:data:`MAX_EXPORT_BYTES`, the same approach as the media library's upload), then
parsed once (:func:`parse_export`, which refuses hostile XML, so a bad file is refused at once
with its message). The export is then kept with an import run and written by a background job
(:mod:`etalase.platform.importers.runs`): a blog with hundreds of posts and pictures takes
minutes, which no phone should wait for on one request. ``/admin/impor/<run>`` shows the run
(refreshing itself while it works, no JavaScript) and its report when it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from etalase.platform import jobs
from etalase.platform.accounts import service
from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.i18n import _
from etalase.platform.importers import ImportRefusedError, parse_export, runs
from etalase.platform.importers.xmlsafe import MAX_BYTES
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.media import FORM_OVERHEAD, UploadTooLarge, _metered
from etalase.platform.web.pages import log_in_village, page, redirect
from etalase.platform.web.routing import VillageTeamRoute

router = APIRouter(route_class=VillageTeamRoute)

ManageSettings = Annotated[VillageActor, Depends(village_access(Permission.MANAGE_SETTINGS))]

IMPORT = "/admin/impor"
FILE_FIELD = "berkas"
MAX_EXPORT_BYTES = MAX_BYTES  # 50 MB, the most the parsers read


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
        "runs": runs.recent(db, actor.village.id),
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

    def attempt() -> Response:
        members = {u.id: u for _m, u in service.members(db, actor.village.id)}
        credit = actor.user
        if isinstance(credit_field, str) and credit_field.strip():
            chosen = members.get(int(credit_field)) if credit_field.strip().isdecimal() else None
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
        run = runs.start(
            db,
            actor.village.id,
            data=data,
            file_name=uploaded.filename,
            result=result,
            credit=credit,
            download=download,
            user=actor.user,
        )
        assert run.id is not None
        found = _("{posts} berita dan {pages} halaman ditemukan").format(
            posts=len(result.posts), pages=len(result.pages)
        )
        log_in_village(db, request, actor, "import_started", f"{result.source}: {found}")
        db.commit()  # the job must find the run
        jobs.enqueue(settings, runs.execute, settings, run.id, actor.village.id)
        return redirect(f"{IMPORT}/{run.id}")

    return await run_in_threadpool(attempt)


router.add_api_route(
    IMPORT,
    run_import,
    methods=["POST"],
    response_class=HTMLResponse,
    route_class_override=ImportUploadRoute,
)


@router.get(f"{IMPORT}/{{run_id}}", response_class=HTMLResponse, name="admin_import_run")
def import_run(request: Request, run_id: int, actor: ManageSettings, db: SessionDep) -> Response:
    """The run: waiting, working (the page refreshes itself), or its report."""
    run = runs.get(db, actor.village.id, run_id)
    if run is None:
        raise HTTPException(status_code=404)
    context = {"actor": actor, "run": run, "report": run.report_data(), "stale": run.stale()}
    return page(request, "admin/import_report.html", context)
