"""The village team's APBDes and pembangunan screens (``/admin/apbdes``, ``/admin/pembangunan``).

APBDes: a year is created empty, filled line by line with the form or at once from a CSV or Excel
file (:mod:`etalase.platform.budget.importing`), then published. An import that would replace a
year's existing lines first shows a preview of the new totals next to the current ones; the
confirmation carries the checked lines (as CSV in a hidden field), so the file is not sent twice.
A refused file changes nothing: it is read and checked completely before one write.

Pembangunan: projects with their money, source and stage, and dated progress reports with a photo
chosen from the village's media library.

The whole team (and a covering supervisor) reads these screens; editors and admins change them: a
kontributor (kader) does not, since these are the village government's official figures.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.budget import apbdes, importing, projects
from etalase.platform.budget.apbdes import LineFields
from etalase.platform.budget.models import PROJECT_STATUSES, ApbdesLine, ApbdesYear, Project
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.runtime import Runtime
from etalase.platform.web.deps import SessionDep
from etalase.platform.web.gallery_admin import FORM_OVERHEAD, metered_route
from etalase.platform.web.pages import log_in_village, page, redirect
from etalase.platform.web.public_gallery import day
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageTeamRoute)

Read = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
Edit = Annotated[VillageActor, Depends(village_access(Permission.PUBLISH))]
Short = Annotated[str, Form(max_length=300)]
Long = Annotated[str, Form(max_length=projects.MAX_DESCRIPTION + 1000)]

APBDES = "/admin/apbdes"
PROJECTS = "/admin/pembangunan"
LINE_FIELDS = ("kelompok", "bidang", "uraian", "anggaran", "realisasi")
PROJECT_FIELDS = ("name", "location", "description", "budget", "fund_source", "year", "stage")
PHOTO_CHOICES = 60  # the newest photos of the library offered for a progress report
UPLOAD_FIELD = "berkas"


def _notices() -> dict[str, str]:
    return {
        "dibuat": _("Tahun anggaran sudah dibuat. Isi rinciannya dengan formulir atau impor berkas."),
        "diimpor": _("Berkas sudah diimpor: rincian tahun ini sudah diganti dengan isi berkas."),
        "baris": _("Baris sudah disimpan."),
        "baris-dihapus": _("Baris sudah dihapus."),
        "terbit": _("APBDes sudah terbit di situs desa."),
        "ditarik": _("APBDes sudah ditarik dari situs desa dan kembali menjadi draf."),
        "dihapus": _("APBDes sudah dihapus."),
        "proyek-dibuat": _("Kegiatan pembangunan sudah disimpan sebagai draf."),
        "proyek-disimpan": _("Kegiatan pembangunan sudah disimpan."),
        "proyek-terbit": _("Kegiatan pembangunan sudah terbit di situs desa."),
        "proyek-ditarik": _("Kegiatan pembangunan sudah ditarik dari situs desa."),
        "proyek-dihapus": _("Kegiatan pembangunan sudah dihapus."),
        "kemajuan": _("Laporan kemajuan sudah ditambahkan."),
        "kemajuan-dihapus": _("Laporan kemajuan sudah dihapus."),
    }


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _text_values(form: FormData, names: tuple[str, ...], limit: int = 4000) -> dict[str, str]:
    values = {}
    for name in names:
        raw = form.get(name)
        values[name] = raw[:limit] if isinstance(raw, str) else ""
    return values


def _part_choices() -> list[tuple[str, str, list[str]]]:
    """``(group key, group name, [parts])`` for the form's grouped select."""
    return [(key, apbdes.group_name(key), list(apbdes.PARTS[key])) for key in apbdes.GROUPS]


# === APBDes ======================================================================================
def _year_or_404(db: Session, actor: VillageActor, apbdes_id: int) -> ApbdesYear:
    try:
        return apbdes.get_year(db, actor.village.id, apbdes_id)
    except ContentError:
        raise HTTPException(status_code=404) from None


def _years_page(
    request: Request, db: Session, actor: VillageActor, *, status: int = 200, **extra: object
) -> HTMLResponse:
    vid = actor.village.id
    rows = apbdes.years(db, vid)
    summaries = {row.id: apbdes.summary_of(db, vid, row) for row in rows}
    context: dict[str, object] = {
        "actor": actor,
        "rows": rows,
        "summaries": summaries,
        "counts": {
            key: sum(len(part.lines) for group in s.groups.values() for part in group.parts)
            for key, s in summaries.items()
        },
        "may_edit": actor.can(Permission.PUBLISH),
        "columns": importing.COLUMNS,
        "parts": _part_choices(),
        "first_year": apbdes.FIRST_YEAR,
        "last_year": apbdes.last_year(),
        "max_lines": apbdes.MAX_LINES,
        "values": {"tahun": str(utcnow().year), "impor_tahun": str(utcnow().year)},
        **extra,
    }
    return page(request, "admin/apbdes.html", context, status=status)


@router.get(APBDES, response_class=HTMLResponse, name="admin_apbdes")
def apbdes_years(request: Request, actor: Read, db: SessionDep, pesan: str = "", galat: str = "") -> Response:
    error = _("Berkas terlalu besar (paling besar 2 MB).") if galat == "besar" else None
    return _years_page(request, db, actor, notice=_notices().get(pesan), error=error)


@router.post(f"{APBDES}/baru", response_class=HTMLResponse)
def apbdes_create(request: Request, actor: Edit, db: SessionDep, tahun: Short = "") -> Response:
    try:
        row = apbdes.create_year(db, actor.village.id, tahun)
    except ContentError as error:
        db.rollback()
        values = {"tahun": tahun, "impor_tahun": str(utcnow().year)}
        return _years_page(request, db, actor, error=str(error), values=values, status=400)
    log_in_village(db, request, actor, "apbdes_created", str(row.year))
    return redirect(f"{APBDES}/{row.id}?pesan=dibuat")


async def apbdes_import(request: Request, actor: Edit, db: SessionDep) -> Response:
    """A CSV or .xlsx file (or the checked lines a preview carries), for one year."""
    form = await request.form()
    typed = _text_values(form, ("tahun", "ganti"), 20)
    carried = form.get("data")
    uploaded = form.get(UPLOAD_FIELD)
    values = {"tahun": str(utcnow().year), "impor_tahun": typed["tahun"]}
    vid = actor.village.id

    def refused(message: str, problems: list[str] | None = None) -> HTMLResponse:
        db.rollback()
        return _years_page(
            request, db, actor, error=message, problems=problems or [], values=values, status=400
        )

    data: bytes | None = None
    if isinstance(carried, str) and carried:
        data = carried.encode()[: importing.MAX_BYTES + 1]
    elif isinstance(uploaded, UploadFile) and uploaded.filename:
        data = await uploaded.read(importing.MAX_BYTES + 1)

    def attempt() -> Response:
        try:
            year = apbdes.check_year(typed["tahun"])
        except ContentError as error:
            return refused(str(error))
        if data is None:
            return refused(_("Pilih berkas CSV atau Excel (.xlsx) berisi APBDes."))
        try:
            new = importing.read(data)
        except importing.ImportRefusedError as error:
            heading = _(
                "Berkas tidak diimpor; tidak ada yang diubah. Perbaiki baris berikut, lalu coba lagi:"
            )
            return refused(heading, error.problems)
        row = apbdes.find_year(db, vid, year)
        if row is not None and row.id is not None and typed["ganti"] != "1":
            current = apbdes.lines(db, vid, row.id)
            if current:  # replacing what is there: show both, ask once more
                context = {
                    "actor": actor,
                    "row": row,
                    "old": apbdes.summary_of(db, vid, row),
                    "new": apbdes.summarise(year, [apbdes.new_line(0, 0, n, f) for n, f in enumerate(new)]),
                    "data": importing.write_lines_csv(new),
                    "count": len(new),
                }
                return page(request, "admin/apbdes_preview.html", context)
        if row is None:
            row = apbdes.create_year(db, vid, year)
        assert row.id is not None
        apbdes.replace_lines(db, vid, row.id, new)
        log_in_village(db, request, actor, "apbdes_imported", f"{year} ({len(new)})")
        return redirect(f"{APBDES}/{row.id}?pesan=diimpor")

    return await run_in_threadpool(attempt)


router.add_api_route(
    f"{APBDES}/impor",
    apbdes_import,
    methods=["POST"],
    response_class=HTMLResponse,
    route_class_override=metered_route(lambda _r: importing.MAX_BYTES * 2 + FORM_OVERHEAD, lambda _r: APBDES),
)


def _year_page(
    request: Request,
    db: Session,
    actor: VillageActor,
    row: ApbdesYear,
    *,
    values: dict[str, str] | None = None,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    context: dict[str, object] = {
        "actor": actor,
        "row": row,
        "summary": apbdes.summary_of(db, actor.village.id, row),
        "may_edit": actor.can(Permission.PUBLISH),
        "parts": _part_choices(),
        "values": values or dict.fromkeys(LINE_FIELDS, ""),
        **extra,
    }
    return page(request, "admin/apbdes_year.html", context, status=status)


@router.get(f"{APBDES}/{{apbdes_id}}", response_class=HTMLResponse, name="admin_apbdes_year")
def apbdes_year(request: Request, apbdes_id: int, actor: Read, db: SessionDep, pesan: str = "") -> Response:
    row = _year_or_404(db, actor, apbdes_id)
    return _year_page(request, db, actor, row, notice=_notices().get(pesan))


def _line_from(values: dict[str, str]) -> LineFields:
    # The select sends "belanja|Pelaksanaan Pembangunan Desa": the group and the part together.
    kelompok, _sep, bidang = values["bidang"].partition("|")
    return apbdes.check_line(kelompok, bidang, values["uraian"], values["anggaran"], values["realisasi"])


@router.post(f"{APBDES}/{{apbdes_id}}/baris", response_class=HTMLResponse)
def apbdes_add_line(
    request: Request,
    apbdes_id: int,
    actor: Edit,
    db: SessionDep,
    bidang: Short = "",
    uraian: Short = "",
    anggaran: Short = "",
    realisasi: Short = "",
) -> Response:
    values = {"bidang": bidang, "uraian": uraian, "anggaran": anggaran, "realisasi": realisasi}
    row = _year_or_404(db, actor, apbdes_id)
    try:
        apbdes.add_line(db, actor.village.id, apbdes_id, _line_from(values))
    except ContentError as error:
        db.rollback()
        row = _year_or_404(db, actor, apbdes_id)
        return _year_page(request, db, actor, row, values=values, error=str(error), status=400)
    return redirect(f"{APBDES}/{row.id}?pesan=baris#rincian")


def _line_or_404(db: Session, actor: VillageActor, apbdes_id: int, line_id: int) -> ApbdesLine:
    try:
        return apbdes.get_line(db, actor.village.id, apbdes_id, line_id)
    except ContentError:
        raise HTTPException(status_code=404) from None


def _line_form(
    request: Request,
    actor: VillageActor,
    row: ApbdesYear,
    line: ApbdesLine,
    values: dict[str, str],
    *,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    context = {"actor": actor, "row": row, "line": line, "values": values, "parts": _part_choices(), **extra}
    return page(request, "admin/apbdes_line.html", context, status=status)


@router.get(f"{APBDES}/{{apbdes_id}}/baris/{{line_id}}", response_class=HTMLResponse)
def apbdes_line(request: Request, apbdes_id: int, line_id: int, actor: Edit, db: SessionDep) -> Response:
    row = _year_or_404(db, actor, apbdes_id)
    line = _line_or_404(db, actor, apbdes_id, line_id)
    values = {
        "bidang": f"{line.kelompok}|{line.bidang}",
        "uraian": line.uraian,
        "anggaran": str(line.anggaran),
        "realisasi": str(line.realisasi),
    }
    return _line_form(request, actor, row, line, values)


@router.post(f"{APBDES}/{{apbdes_id}}/baris/{{line_id}}", response_class=HTMLResponse)
def apbdes_save_line(
    request: Request,
    apbdes_id: int,
    line_id: int,
    actor: Edit,
    db: SessionDep,
    bidang: Short = "",
    uraian: Short = "",
    anggaran: Short = "",
    realisasi: Short = "",
) -> Response:
    values = {"bidang": bidang, "uraian": uraian, "anggaran": anggaran, "realisasi": realisasi}
    row = _year_or_404(db, actor, apbdes_id)
    line = _line_or_404(db, actor, apbdes_id, line_id)
    try:
        apbdes.save_line(db, actor.village.id, apbdes_id, line_id, _line_from(values))
    except ContentError as error:
        db.rollback()
        row = _year_or_404(db, actor, apbdes_id)
        line = _line_or_404(db, actor, apbdes_id, line_id)
        return _line_form(request, actor, row, line, values, error=str(error), status=400)
    return redirect(f"{APBDES}/{row.id}?pesan=baris#rincian")


@router.post(f"{APBDES}/{{apbdes_id}}/baris/{{line_id}}/hapus", response_class=HTMLResponse)
def apbdes_delete_line(
    request: Request, apbdes_id: int, line_id: int, actor: Edit, db: SessionDep
) -> Response:
    _year_or_404(db, actor, apbdes_id)
    _line_or_404(db, actor, apbdes_id, line_id)
    apbdes.delete_line(db, actor.village.id, apbdes_id, line_id)
    return redirect(f"{APBDES}/{apbdes_id}?pesan=baris-dihapus#rincian")


@router.post(f"{APBDES}/{{apbdes_id}}/terbitkan", response_class=HTMLResponse)
def apbdes_publish(request: Request, apbdes_id: int, actor: Edit, db: SessionDep) -> Response:
    row = _year_or_404(db, actor, apbdes_id)
    try:
        apbdes.publish(db, actor.village.id, apbdes_id)
    except ContentError as error:
        db.rollback()
        return _year_page(
            request, db, actor, _year_or_404(db, actor, apbdes_id), error=str(error), status=400
        )
    log_in_village(db, request, actor, "apbdes_published", str(row.year))
    return redirect(f"{APBDES}/{apbdes_id}?pesan=terbit")


@router.post(f"{APBDES}/{{apbdes_id}}/tarik", response_class=HTMLResponse)
def apbdes_unpublish(request: Request, apbdes_id: int, actor: Edit, db: SessionDep) -> Response:
    row = _year_or_404(db, actor, apbdes_id)
    try:
        apbdes.unpublish(db, actor.village.id, apbdes_id)
    except ContentError as error:
        db.rollback()
        return _year_page(
            request, db, actor, _year_or_404(db, actor, apbdes_id), error=str(error), status=400
        )
    log_in_village(db, request, actor, "apbdes_unpublished", str(row.year))
    return redirect(f"{APBDES}/{apbdes_id}?pesan=ditarik")


@router.post(f"{APBDES}/{{apbdes_id}}/hapus", response_class=HTMLResponse)
def apbdes_delete(
    request: Request, apbdes_id: int, actor: Edit, db: SessionDep, konfirmasi: Short = ""
) -> Response:
    """A whole year goes only when its number is typed again (one tap must not erase it)."""
    row = _year_or_404(db, actor, apbdes_id)
    year = row.year
    if konfirmasi.strip() != str(year):
        message = _("Ketik tahun {year} untuk memastikan APBDes ini memang dihapus.").format(year=year)
        return _year_page(request, db, actor, row, error=message, status=400)
    apbdes.delete_year(db, actor.village.id, apbdes_id)
    log_in_village(db, request, actor, "apbdes_deleted", str(year))
    return redirect(f"{APBDES}?pesan=dihapus")


# === Pembangunan =================================================================================
def _project_or_404(db: Session, actor: VillageActor, project_id: int) -> Project:
    try:
        return projects.get_project(db, actor.village.id, project_id)
    except ContentError:
        raise HTTPException(status_code=404) from None


@router.get(PROJECTS, response_class=HTMLResponse, name="admin_projects")
def project_list(request: Request, actor: Read, db: SessionDep, pesan: str = "") -> Response:
    rows = db.exec(
        in_village(Project, actor.village.id).order_by(col(Project.year).desc(), col(Project.id).desc())
    ).all()
    context = {
        "actor": actor,
        "rows": rows,
        "may_edit": actor.can(Permission.PUBLISH),
        "stage_name": projects.stage_name,
        "notice": _notices().get(pesan),
    }
    return page(request, "admin/projects.html", context)


def _photo_choices(db: Session, actor: VillageActor) -> list[MediaFile]:
    query = media_service.library(actor.village.id, "image")
    return list(db.exec(query.order_by(col(MediaFile.id).desc()).limit(PHOTO_CHOICES)).all())


def _project_form(
    request: Request,
    db: Session,
    actor: VillageActor,
    project: Project | None,
    values: dict[str, str],
    *,
    progress_values: dict[str, str] | None = None,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    reports = projects.progress(db, actor.village.id, project.id) if project and project.id else []
    photos = projects.photos(db, actor.village.id, [r.media_id for r in reports if r.media_id])
    store = _runtime(request).media
    context: dict[str, object] = {
        "actor": actor,
        "project": project,
        "values": values,
        "progress_values": progress_values or {"reported_on": utcnow().date().isoformat()},
        "reports": reports,
        "photos": photos,
        "photo_choices": _photo_choices(db, actor) if project else [],
        "media_url": store.url,
        "day": day,
        "fund_sources": projects.FUND_SOURCES,
        "stages": [(s, projects.stage_name(s)) for s in PROJECT_STATUSES],
        "first_year": apbdes.FIRST_YEAR,
        "last_year": apbdes.last_year(),
        **extra,
    }
    return page(request, "admin/project_edit.html", context, status=status)


def _project_values(project: Project) -> dict[str, str]:
    return {
        "name": project.name,
        "location": project.location,
        "description": project.description,
        "budget": str(project.budget),
        "fund_source": project.fund_source,
        "year": str(project.year),
        "stage": project.stage,
    }


def _project_fields(values: dict[str, str]) -> projects.ProjectFields:
    return projects.check_fields(**values)


@router.get(f"{PROJECTS}/baru", response_class=HTMLResponse)
def project_new(request: Request, actor: Edit, db: SessionDep) -> Response:
    values = {**dict.fromkeys(PROJECT_FIELDS, ""), "year": str(utcnow().year), "stage": "rencana"}
    return _project_form(request, db, actor, None, values)


@router.post(f"{PROJECTS}/baru", response_class=HTMLResponse)
def project_create(
    request: Request,
    actor: Edit,
    db: SessionDep,
    name: Short = "",
    location: Short = "",
    description: Long = "",
    budget: Short = "",
    fund_source: Short = "",
    year: Short = "",
    stage: Short = "",
) -> Response:
    values = {
        "name": name,
        "location": location,
        "description": description,
        "budget": budget,
        "fund_source": fund_source,
        "year": year,
        "stage": stage,
    }
    try:
        project = projects.create(db, actor.village.id, _project_fields(values))
    except ContentError as error:
        db.rollback()
        return _project_form(request, db, actor, None, values, error=str(error), status=400)
    log_in_village(db, request, actor, "project_created", project.name)
    return redirect(f"{PROJECTS}/{project.id}?pesan=proyek-dibuat")


@router.get(f"{PROJECTS}/{{project_id}}", response_class=HTMLResponse)
def project_edit(request: Request, project_id: int, actor: Edit, db: SessionDep, pesan: str = "") -> Response:
    project = _project_or_404(db, actor, project_id)
    return _project_form(request, db, actor, project, _project_values(project), notice=_notices().get(pesan))


@router.post(f"{PROJECTS}/{{project_id}}", response_class=HTMLResponse)
def project_save(
    request: Request,
    project_id: int,
    actor: Edit,
    db: SessionDep,
    name: Short = "",
    location: Short = "",
    description: Long = "",
    budget: Short = "",
    fund_source: Short = "",
    year: Short = "",
    stage: Short = "",
) -> Response:
    values = {
        "name": name,
        "location": location,
        "description": description,
        "budget": budget,
        "fund_source": fund_source,
        "year": year,
        "stage": stage,
    }
    _project_or_404(db, actor, project_id)
    try:
        projects.save(db, actor.village.id, project_id, _project_fields(values))
    except ContentError as error:
        db.rollback()
        project = _project_or_404(db, actor, project_id)
        return _project_form(request, db, actor, project, values, error=str(error), status=400)
    return redirect(f"{PROJECTS}/{project_id}?pesan=proyek-disimpan")


@router.post(f"{PROJECTS}/{{project_id}}/kemajuan", response_class=HTMLResponse)
def project_add_progress(
    request: Request,
    project_id: int,
    actor: Edit,
    db: SessionDep,
    reported_on: Short = "",
    percent: Short = "",
    note: Annotated[str, Form(max_length=projects.MAX_NOTE + 200)] = "",
    media_id: Short = "",
) -> Response:
    typed = {"reported_on": reported_on, "percent": percent, "note": note, "media_id": media_id}
    project = _project_or_404(db, actor, project_id)
    try:
        projects.add_progress(db, actor.village.id, project_id, **typed)
    except ContentError as error:
        db.rollback()
        project = _project_or_404(db, actor, project_id)
        return _project_form(
            request,
            db,
            actor,
            project,
            _project_values(project),
            progress_values=typed,
            progress_error=str(error),
            status=400,
        )
    log_in_village(db, request, actor, "project_progress_added", f"{project.name}: {typed['percent']}%")
    return redirect(f"{PROJECTS}/{project_id}?pesan=kemajuan#kemajuan")


@router.post(f"{PROJECTS}/{{project_id}}/kemajuan/{{progress_id}}/hapus", response_class=HTMLResponse)
def project_delete_progress(
    request: Request, project_id: int, progress_id: int, actor: Edit, db: SessionDep
) -> Response:
    _project_or_404(db, actor, project_id)
    try:
        projects.delete_progress(db, actor.village.id, project_id, progress_id)
    except ContentError:
        raise HTTPException(status_code=404) from None
    return redirect(f"{PROJECTS}/{project_id}?pesan=kemajuan-dihapus#kemajuan")


def _project_step(
    request: Request, db: Session, actor: VillageActor, project_id: int, action: str
) -> Response:
    project = _project_or_404(db, actor, project_id)
    step = {"terbitkan": projects.publish, "tarik": projects.unpublish}[action]
    try:
        step(db, actor.village.id, project_id)
    except ContentError as error:
        db.rollback()
        project = _project_or_404(db, actor, project_id)
        return _project_form(
            request, db, actor, project, _project_values(project), error=str(error), status=400
        )
    done = "published" if action == "terbitkan" else "unpublished"
    log_in_village(db, request, actor, f"project_{done}", project.name)
    notice = "proyek-terbit" if action == "terbitkan" else "proyek-ditarik"
    return redirect(f"{PROJECTS}/{project_id}?pesan={notice}")


@router.post(f"{PROJECTS}/{{project_id}}/terbitkan", response_class=HTMLResponse)
def project_publish(request: Request, project_id: int, actor: Edit, db: SessionDep) -> Response:
    return _project_step(request, db, actor, project_id, "terbitkan")


@router.post(f"{PROJECTS}/{{project_id}}/tarik", response_class=HTMLResponse)
def project_unpublish(request: Request, project_id: int, actor: Edit, db: SessionDep) -> Response:
    return _project_step(request, db, actor, project_id, "tarik")


@router.post(f"{PROJECTS}/{{project_id}}/hapus", response_class=HTMLResponse)
def project_delete(
    request: Request, project_id: int, actor: Edit, db: SessionDep, yakin: Short = ""
) -> Response:
    """Deleting needs the box ticked: the project and its reports go for good."""
    project = _project_or_404(db, actor, project_id)
    name = project.name
    if yakin != "1":
        message = _("Centang “Saya yakin” untuk menghapus kegiatan ini beserta laporannya.")
        return _project_form(request, db, actor, project, _project_values(project), error=message, status=400)
    projects.delete(db, actor.village.id, project_id)
    log_in_village(db, request, actor, "project_deleted", name)
    return redirect(f"{PROJECTS}?pesan=proyek-dihapus")
