"""The public APBDes (``/apbdes``, ``/apbdes/<year>``, ``/apbdes/<year>.csv``, ``/api/v1/apbdes``,
``/api/v1/apbdes/<year>``) and development projects (``/pembangunan``, ``/pembangunan/<slug>``,
``/api/v1/pembangunan``).

Only published years and projects show; every query goes through the scoped path. The charts are
SVG drawn on the server (bars as rectangles whose widths are computed here), each with a
``<title>``/``<desc>`` and a real table of the same figures: no JavaScript, no other host. Nothing
personal is in these tables, so the JSON and the CSV carry everything the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import Session, col

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.budget import apbdes, importing, projects
from etalase.platform.budget.apbdes import Summary
from etalase.platform.budget.models import ApbdesYear, Project
from etalase.platform.i18n import _
from etalase.platform.site.seo import absolute, village_base
from etalase.platform.web.deps import CurrentVillage, RuntimeDep, SessionDep, TemplatesDep, settings_of
from etalase.platform.web.public_gallery import day, picture
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import angka, render, theme_template
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

API_LIMIT = 100
CHART_WIDTH = 640  # the SVG's own units; it scales to the screen (viewBox)
FONT = 22  # in those units: about 12 px on a 360-pixel phone, where the chart is narrowest
BAR_HEIGHT = 22
GAP = 18


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: its amount, its width in SVG units and where it sits; a bar that starts
    a row carries the row's label (drawn above it, so a phone's narrow chart keeps it readable)."""

    label: str
    amount: int
    width: float
    y: int
    kind: str  # "anggaran", "realisasi" or "porsi": the CSS class that colours it
    note: str = ""
    heading: str = ""  # the text above the bar ("" for the second bar of a row)


def _width(amount: int, largest: int) -> float:
    return round(CHART_WIDTH * amount / largest, 1) if largest > 0 else 0.0


def overview_bars(summary: Summary) -> tuple[list[Bar], int]:
    """Chart 1: pendapatan, belanja and both sides of pembiayaan, budget next to realisation."""
    pairs: list[tuple[str, int, int]] = [
        (group.name, group.anggaran, group.realisasi)
        for group in (summary.groups["pendapatan"], summary.groups["belanja"])
    ]
    for part in (summary.penerimaan, summary.pengeluaran):
        pairs.append((part.name, part.anggaran, part.realisasi))
    largest = summary.largest
    bars, y = [], 0
    for name, anggaran, realisasi in pairs:
        y += FONT + 4
        bars.append(Bar(name, anggaran, _width(anggaran, largest), y, "anggaran", _("Anggaran"), name))
        y += BAR_HEIGHT + 2
        bars.append(Bar(name, realisasi, _width(realisasi, largest), y, "realisasi", _("Realisasi")))
        y += BAR_HEIGHT + GAP
    return bars, y


def share_bars(summary: Summary) -> tuple[list[Bar], int]:
    """Chart 2: each bidang's share of the belanja budget (the bars add up to the full width)."""
    group = summary.groups["belanja"]
    bars, y = [], 0
    for part in group.parts:
        y += FONT + 4
        share = f"{angka(part.share)}%" if part.share is not None else ""
        bars.append(
            Bar(part.name, part.anggaran, _width(part.anggaran, group.anggaran), y, "porsi", share, part.name)
        )
        y += BAR_HEIGHT + GAP
    return bars, y


def change(now: int, before: int) -> float | None:
    """The change from the previous year in percent (None without a previous figure)."""
    return round((now - before) * 100 / before, 1) if before else None


def _published_year(db: Session, village_id: int, raw: str) -> ApbdesYear:
    text = raw.strip()
    if not text.isdecimal() or len(text) != 4:
        raise HTTPException(status_code=404)
    row = db.exec(
        in_village(ApbdesYear, village_id).where(
            col(ApbdesYear.year) == int(text), col(ApbdesYear.status) == "published"
        )
    ).first()
    if row is None:
        raise HTTPException(status_code=404)
    return row


def _year_page(
    request: Request, db: Session, village: CurrentVillage, templates: TemplatesDep, row: ApbdesYear | None
) -> HTMLResponse:
    published = apbdes.years(db, village.id, published_only=True)
    context: dict[str, object] = {"village": village, "years": [y.year for y in published], "row": row}
    if row is not None:
        summary = apbdes.summary_of(db, village.id, row)
        previous_row = apbdes.previous_published(db, village.id, row.year)
        previous = apbdes.summary_of(db, village.id, previous_row) if previous_row else None
        overview, overview_height = overview_bars(summary)
        shares, shares_height = share_bars(summary)
        context.update(
            summary=summary,
            previous=previous,
            change=change,
            percent=apbdes.percent,
            overview=overview,
            overview_height=overview_height,
            shares=shares,
            shares_height=shares_height,
            chart_width=CHART_WIDTH,
            bar_height=BAR_HEIGHT,
            font=FONT,
            heading=_("APBDes {year}").format(year=row.year),
        )
    else:
        context["heading"] = _("APBDes")
    return render(templates, request, theme_template(templates, village.theme, "apbdes.html"), context)


@router.get("/apbdes", response_class=HTMLResponse, name="village_apbdes")
def latest(
    request: Request, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    """The latest published year (a page saying there is none yet when there is none)."""
    published = apbdes.years(session, village.id, published_only=True)
    return _year_page(request, session, village, templates, published[0] if published else None)


# Before /apbdes/{year}: "2026.csv" would otherwise be taken for a year.
@router.get("/apbdes/{year}.csv", name="village_apbdes_csv")
def year_csv(year: str, village: CurrentVillage, session: SessionDep) -> Response:
    row = _published_year(session, village.id, year)
    body = importing.write_csv(apbdes.summary_of(session, village.id, row))
    return Response(
        body.encode("utf-8-sig"),  # the BOM makes Excel read the file as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="apbdes-{village.slug}-{row.year}.csv"'},
    )


@router.get("/apbdes/{year}", response_class=HTMLResponse, name="village_apbdes_year")
def year_page(
    request: Request, year: str, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    return _year_page(request, session, village, templates, _published_year(session, village.id, year))


@router.get("/api/v1/apbdes/{year}", name="api_apbdes_year")
def year_json(year: str, village: CurrentVillage, session: SessionDep) -> JSONResponse:
    """A published year as JSON: groups, parts and lines with budget, realisation and percent."""
    row = _published_year(session, village.id, year)
    return JSONResponse({"desa": village.code, **apbdes.as_json(apbdes.summary_of(session, village.id, row))})


@router.get("/api/v1/apbdes", name="api_apbdes")
def years_json(request: Request, village: CurrentVillage, session: SessionDep) -> JSONResponse:
    """The published years, newest first, each with its totals and where its details are."""
    base = village_base(settings_of(request), village)
    found = []
    for row in apbdes.years(session, village.id, published_only=True):
        data = apbdes.as_json(apbdes.summary_of(session, village.id, row))
        found.append(
            {
                "tahun": row.year,
                "kelompok": [
                    {key: group[key] for key in ("kelompok", "anggaran", "realisasi", "persen_realisasi")}
                    for group in data["kelompok"]  # type: ignore[attr-defined]
                ],
                "surplus_defisit": data["surplus_defisit"],
                "url": f"{base}/apbdes/{row.year}",
                "json": f"{base}/api/v1/apbdes/{row.year}",
                "csv": f"{base}/apbdes/{row.year}.csv",
            }
        )
    return JSONResponse({"desa": village.code, "apbdes": found})


# --- pembangunan ---------------------------------------------------------------------------------
def _published_projects(session: Session, village_id: int) -> list[Project]:
    return list(
        session.exec(
            in_village(Project, village_id)
            .where(col(Project.status) == "published")
            .order_by(col(Project.year).desc(), col(Project.name))
        ).all()
    )


@router.get("/api/v1/pembangunan", name="api_projects")
def projects_json(
    request: Request, village: CurrentVillage, session: SessionDep, runtime: RuntimeDep
) -> JSONResponse:
    """Published development projects, the newest year first, with their dated progress reports
    and photos (at most the latest 100 projects)."""
    base = village_base(settings_of(request), village)
    rows = _published_projects(session, village.id)[:API_LIMIT]
    reports = projects.progress_of(session, village.id, [p.id for p in rows if p.id is not None])
    media_ids = [r.media_id for found in reports.values() for r in found if r.media_id]
    photos = projects.photos(session, village.id, media_ids)
    return JSONResponse(
        {
            "desa": village.code,
            "pembangunan": [
                {
                    "nama": p.name,
                    "slug": p.slug,
                    "url": f"{base}/pembangunan/{p.slug}",
                    "tahun": p.year,
                    "lokasi": p.location,
                    "anggaran": p.budget,
                    "sumber_dana": p.fund_source,
                    "tahap": p.stage,
                    "kemajuan_persen": p.progress,
                    "laporan": [
                        {
                            "tanggal": r.reported_on.isoformat(),
                            "persen": r.percent,
                            "catatan": r.note,
                            "foto": absolute(base, runtime.media.url(photos[r.media_id].key))
                            if r.media_id in photos and photos[r.media_id].is_image
                            else None,
                        }
                        for r in reports.get(p.id or 0, [])
                    ],
                }
                for p in rows
            ],
        }
    )


@router.get("/pembangunan", response_class=HTMLResponse, name="village_projects")
def project_list(
    request: Request, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    rows = _published_projects(session, village.id)
    by_year: list[tuple[int, list[Project]]] = []
    for project in rows:
        if not by_year or by_year[-1][0] != project.year:
            by_year.append((project.year, []))
        by_year[-1][1].append(project)
    context = {
        "village": village,
        "groups": by_year,
        "stage_name": projects.stage_name,
        "heading": _("Pembangunan"),
    }
    return render(templates, request, theme_template(templates, village.theme, "pembangunan.html"), context)


@router.get("/pembangunan/{slug}", response_class=HTMLResponse, name="village_project")
def project_page(
    request: Request,
    slug: str,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
) -> HTMLResponse:
    project = session.exec(
        in_village(Project, village.id).where(col(Project.slug) == slug, col(Project.status) == "published")
    ).first()
    if project is None or project.id is None:
        raise HTTPException(status_code=404)
    reports = projects.progress(session, village.id, project.id)
    photos = projects.photos(session, village.id, [r.media_id for r in reports if r.media_id])
    items = [
        {
            "report": report,
            "photo": picture(photos[report.media_id], runtime.media)
            if report.media_id in photos and photos[report.media_id].is_image
            else None,
        }
        for report in reports
    ]
    context = {
        "village": village,
        "project": project,
        "reports": items,
        "day": day,
        "stage_name": projects.stage_name,
        "heading": project.name,
    }
    return render(
        templates, request, theme_template(templates, village.theme, "pembangunan_detail.html"), context
    )


def sitemap_paths(db: Session, village_id: int, limit: int) -> list[tuple[str, datetime | None]]:
    """``/apbdes`` and ``/pembangunan`` with each published year and project, for the sitemap."""
    years = db.execute(
        in_village(ApbdesYear, village_id)
        .where(col(ApbdesYear.status) == "published")
        .with_only_columns(col(ApbdesYear.year), col(ApbdesYear.updated_at))
        .order_by(col(ApbdesYear.year))
        .limit(limit)
    ).all()
    found = db.execute(
        in_village(Project, village_id)
        .where(col(Project.status) == "published")
        .with_only_columns(col(Project.slug), col(Project.updated_at))
        .order_by(col(Project.id))
        .limit(limit)
    ).all()
    newest = max((updated for _year, updated in years), default=None)
    paths: list[tuple[str, datetime | None]] = [("/apbdes", newest), ("/pembangunan", None)]
    paths += [(f"/apbdes/{year}", updated) for year, updated in years]
    paths += [(f"/pembangunan/{slug}", updated) for slug, updated in found]
    return paths[: max(limit, 0)]
