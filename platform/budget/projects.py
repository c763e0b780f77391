"""Development projects (pembangunan): what is built, where, with how much money from which source,
and how far it is, told by dated progress reports with a photo of the media library.

Functions take the request's session and the village, never commit, and raise
:class:`~etalase.platform.content.workflow.ContentError` before changing anything. A project is a
draft until published; the village's content version moves whenever a published one changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col

from etalase.platform.budget import apbdes
from etalase.platform.budget.models import PROJECT_STATUSES, Project, ProjectProgress
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import N_, _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.tenants.models import utcnow
from etalase.tenants.scope import get_in_village, in_village
from etalase.tenants.slugs import slugify

MAX_NAME = 200
MAX_LOCATION = 200
MAX_DESCRIPTION = 4000
MAX_SOURCE = 80
MAX_NOTE = 500
FUND_SOURCES = (
    "Dana Desa",
    "Alokasi Dana Desa",
    "Pendapatan Asli Desa",
    "Bagi Hasil Pajak dan Retribusi",
    "Bantuan Keuangan Provinsi",
    "Bantuan Keuangan Kabupaten/Kota",
    "Swadaya Masyarakat",
)
STAGE_NAMES = {"rencana": N_("Rencana"), "berjalan": N_("Berjalan"), "selesai": N_("Selesai")}


def stage_name(stage: str) -> str:
    return _(STAGE_NAMES.get(stage, stage))


@dataclass(frozen=True, slots=True)
class ProjectFields:
    name: str
    location: str
    description: str
    budget: int
    fund_source: str
    year: int
    stage: str


def check_fields(
    *, name: str, location: str, description: str, budget: str, fund_source: str, year: str, stage: str
) -> ProjectFields:
    """The form's fields cleaned, or the first problem as a :class:`ContentError`."""
    name = " ".join(name.split())
    if not name:
        raise ContentError(_("Isi nama kegiatan pembangunan."))
    if len(name) > MAX_NAME:
        raise ContentError(_("Nama kegiatan terlalu panjang (maksimal 200 karakter)."))
    location = " ".join(location.split())
    if len(location) > MAX_LOCATION:
        raise ContentError(_("Lokasi terlalu panjang (maksimal 200 karakter)."))
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise ContentError(_("Keterangan terlalu panjang (maksimal 4000 karakter)."))
    if not budget.strip():
        raise ContentError(_("Isi anggaran kegiatan dalam rupiah, misalnya 150.000.000."))
    try:
        amount = apbdes.parse_amount(budget)
    except ValueError as error:
        raise ContentError(
            _("Anggaran “{value}” {reason}. Tulis rupiah bulat, misalnya 150.000.000.").format(
                value=budget[:40], reason=error
            )
        ) from None
    fund_source = " ".join(fund_source.split())
    if not fund_source:
        raise ContentError(_("Isi sumber dana, misalnya Dana Desa."))
    if len(fund_source) > MAX_SOURCE:
        raise ContentError(_("Sumber dana terlalu panjang (maksimal 80 karakter)."))
    number = apbdes.check_year(year)
    if stage not in PROJECT_STATUSES:
        raise ContentError(_("Pilih tahap kegiatan: rencana, berjalan atau selesai."))
    return ProjectFields(name, location, description, amount, fund_source, number, stage)


def unique_slug(db: Session, village_id: int, name: str, *, keep: int | None = None) -> str:
    base = slugify(name)[:180] or "pembangunan"
    slug, n = base, 1
    while True:
        found = db.exec(in_village(Project, village_id).where(col(Project.slug) == slug)).first()
        if found is None or (keep is not None and found.id == keep):
            return slug
        n += 1
        slug = f"{base}-{n}"


def get_project(db: Session, village_id: int, project_id: int) -> Project:
    found = get_in_village(db, Project, village_id, project_id)
    if found is None:
        raise ContentError(_("Kegiatan pembangunan tidak ditemukan."))
    return found


def _changed(db: Session, project: Project) -> None:
    project.updated_at = utcnow()
    db.add(project)
    if project.status == "published":
        bump_content_version(db, project.village_id)
    db.flush()


def create(db: Session, village_id: int, fields: ProjectFields) -> Project:
    project = Project(
        village_id=village_id,
        slug=unique_slug(db, village_id, fields.name),
        name=fields.name,
        location=fields.location,
        description=fields.description,
        budget=fields.budget,
        fund_source=fields.fund_source,
        year=fields.year,
        stage=fields.stage,
    )
    db.add(project)
    db.flush()
    return project


def save(db: Session, village_id: int, project_id: int, fields: ProjectFields) -> Project:
    """New fields; the address (slug) stays, so shared links keep working."""
    project = get_project(db, village_id, project_id)
    project.name, project.location, project.description = fields.name, fields.location, fields.description
    project.budget, project.fund_source = fields.budget, fields.fund_source
    project.year, project.stage = fields.year, fields.stage
    _changed(db, project)
    return project


def publish(db: Session, village_id: int, project_id: int) -> Project:
    project = get_project(db, village_id, project_id)
    if project.status == "published":
        raise ContentError(_("Kegiatan ini sudah terbit."))
    project.status = "published"
    _changed(db, project)
    return project


def unpublish(db: Session, village_id: int, project_id: int) -> Project:
    project = get_project(db, village_id, project_id)
    if project.status != "published":
        raise ContentError(_("Kegiatan ini belum terbit."))
    bump_content_version(db, village_id)
    project.status = "draft"
    _changed(db, project)
    return project


def delete(db: Session, village_id: int, project_id: int) -> Project:
    """Delete a project and its progress reports for good (their photos stay in the library)."""
    project = get_project(db, village_id, project_id)
    if project.status == "published":
        bump_content_version(db, village_id)
    for report in progress(db, village_id, project_id):
        db.delete(report)
    db.flush()  # the reports first: the ORM knows no order between the two tables
    db.delete(project)
    db.flush()
    return project


# --- progress ------------------------------------------------------------------------------------
def progress(db: Session, village_id: int, project_id: int) -> list[ProjectProgress]:
    """The project's reports, newest first."""
    return list(
        db.exec(
            in_village(ProjectProgress, village_id)
            .where(col(ProjectProgress.project_id) == project_id)
            .order_by(col(ProjectProgress.reported_on).desc(), col(ProjectProgress.id).desc())
        ).all()
    )


def progress_of(db: Session, village_id: int, project_ids: list[int]) -> dict[int, list[ProjectProgress]]:
    """The reports of several projects at once, newest first each (one query)."""
    found: dict[int, list[ProjectProgress]] = {i: [] for i in project_ids}
    if not project_ids:
        return found
    rows = db.exec(
        in_village(ProjectProgress, village_id)
        .where(col(ProjectProgress.project_id).in_(project_ids))
        .order_by(col(ProjectProgress.reported_on).desc(), col(ProjectProgress.id).desc())
    ).all()
    for row in rows:
        found[row.project_id].append(row)
    return found


def check_photo(db: Session, village_id: int, raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    media = media_service.find(db, village_id, int(raw)) if raw.isdecimal() and len(raw) <= 12 else None
    if media is None or not media.is_image:
        raise ContentError(_("Foto tidak ditemukan di pustaka media desa ini."))
    return media.id


def check_progress(reported_on: str, percent: str, note: str) -> tuple[date, int, str]:
    try:
        day = date.fromisoformat(reported_on.strip())
    except ValueError:
        raise ContentError(_("Isi tanggal laporan, misalnya 2026-08-17.")) from None
    if day.year < apbdes.FIRST_YEAR or day > utcnow().date():
        raise ContentError(_("Tanggal laporan tidak boleh di masa depan."))
    text = percent.strip().rstrip("%").strip()
    if not text.isdecimal() or not 0 <= int(text) <= 100:
        raise ContentError(_("Kemajuan harus angka 0 sampai 100 (persen)."))
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise ContentError(_("Catatan terlalu panjang (maksimal 500 karakter)."))
    return day, int(text), note


def _refresh_progress(db: Session, village_id: int, project: Project) -> None:
    """The project shows its latest report's percentage (0 without reports)."""
    assert project.id is not None
    reports = progress(db, village_id, project.id)
    project.progress = reports[0].percent if reports else 0
    _changed(db, project)


def add_progress(
    db: Session, village_id: int, project_id: int, *, reported_on: str, percent: str, note: str, media_id: str
) -> ProjectProgress:
    project = get_project(db, village_id, project_id)
    day, number, text = check_progress(reported_on, percent, note)
    photo = check_photo(db, village_id, media_id)
    report = ProjectProgress(
        village_id=village_id,
        project_id=project_id,
        reported_on=day,
        percent=number,
        note=text,
        media_id=photo,
    )
    db.add(report)
    db.flush()
    _refresh_progress(db, village_id, project)
    return report


def delete_progress(db: Session, village_id: int, project_id: int, progress_id: int) -> ProjectProgress:
    project = get_project(db, village_id, project_id)
    report = get_in_village(db, ProjectProgress, village_id, progress_id)
    if report is None or report.project_id != project_id:
        raise ContentError(_("Laporan kemajuan tidak ditemukan."))
    db.delete(report)
    db.flush()
    _refresh_progress(db, village_id, project)
    return report


def photos(db: Session, village_id: int, ids: list[int]) -> dict[int, MediaFile]:
    """``{media id: photo}`` for progress reports, in one query."""
    if not ids:
        return {}
    found = db.exec(media_service.library(village_id).where(col(MediaFile.id).in_(sorted(set(ids))))).all()
    return {m.id: m for m in found if m.id is not None}


# --- where a photo is used -----------------------------------------------------------------------
@media_service.usage_finder
def _projects_showing(db: Session, village_id: int, media: MediaFile) -> list[media_service.Usage]:
    """Progress reports showing the photo (deleting it anyway only empties the report's photo)."""
    rows = db.exec(
        in_village(ProjectProgress, village_id)
        .where(col(ProjectProgress.media_id) == media.id)
        .order_by(col(ProjectProgress.id))
    ).all()
    found = []
    for report in rows:
        project = get_in_village(db, Project, village_id, report.project_id)
        if project is not None:
            found.append(
                media_service.Usage(_("Pembangunan"), project.name, f"/admin/pembangunan/{project.id}")
            )
    return found
