"""The portal on the base domain: the directory of village sites by province › kabupaten › kecamatan."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from etalase.platform.web.deps import SessionDep, TemplatesDep
from etalase.platform.web.routing import PortalRoute
from etalase.platform.web.templates import render
from etalase.tenants import directory
from etalase.tenants.service import REGION_CODE, normalize_code

router = APIRouter(route_class=PortalRoute)


@router.get("/", response_class=HTMLResponse, name="portal_home")
def home(request: Request, session: SessionDep, templates: TemplatesDep) -> HTMLResponse:
    provinces = directory.children(session, "")
    return render(
        templates,
        request,
        "portal/index.html",
        {
            "regions": provinces,
            "total_sites": sum(p.sites for p in provinces),
            "total_villages": sum(p.villages for p in provinces),
        },
    )


@router.get("/wilayah/{code}", response_class=HTMLResponse, name="portal_region")
def region(request: Request, code: str, session: SessionDep, templates: TemplatesDep) -> HTMLResponse:
    code = normalize_code(code)
    if not REGION_CODE.match(code):
        raise HTTPException(status_code=404)
    trail = directory.breadcrumb(session, code)
    if not trail or trail[-1].code != code or trail[-1].level == 4:
        raise HTTPException(status_code=404)
    here = trail[-1]
    context = {"region": here, "trail": trail[:-1], "regions": [], "villages": []}
    if here.level == 3:
        context["villages"] = directory.villages_in(session, code)
    else:
        context["regions"] = directory.children(session, code)
    return render(templates, request, "portal/region.html", context)


@router.get("/cari", response_class=HTMLResponse, name="portal_search")
def search(
    request: Request,
    session: SessionDep,
    templates: TemplatesDep,
    q: str = "",
) -> HTMLResponse:
    term = " ".join(q.split())[:100]
    error = ""
    hits: list[directory.SearchHit] = []
    if term and len(term) < 3:
        error = "Ketik minimal 3 huruf nama desa, kecamatan, atau kabupaten."
    elif term:
        hits = directory.search(session, term)
    return render(
        templates,
        request,
        "portal/search.html",
        {"q": term, "hits": hits, "error": error, "limit": directory.MAX_RESULTS},
    )
