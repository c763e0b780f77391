"""The portal on the base domain: the directory of village sites by province › kabupaten › kecamatan.

The region pages themselves (``/wilayah/<code>``, with the latest posts of the villages under a
region and its feeds) are in :mod:`etalase.platform.web.regions_public`.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.i18n import _
from etalase.platform.runtime import Runtime
from etalase.platform.web.deps import RuntimeDep, SessionDep, TemplatesDep
from etalase.platform.web.routing import PortalRoute
from etalase.platform.web.templates import render
from etalase.tenants import directory

# Public pages: anyone may read them (the declaration every route must make, see accounts.authz).
router = APIRouter(route_class=PortalRoute, dependencies=[Depends(PUBLIC)])

# Counting sites per province scans every village (about 170 ms at 83,762 on PostgreSQL); the
# directory may lag a minute behind, the front page must not.
DIRECTORY_TTL = 60.0


def cached_children(runtime: Runtime, session: Session, code: str) -> list[directory.RegionRow]:
    key = f"portal:children:{code}"
    raw = runtime.cache.get(key)
    if raw is not None:
        return [directory.RegionRow(**row) for row in json.loads(raw)]
    rows = directory.children(session, code)
    runtime.cache.set(key, json.dumps([asdict(row) for row in rows]).encode(), DIRECTORY_TTL)
    return rows


@router.get("/", response_class=HTMLResponse, name="portal_home")
def home(request: Request, runtime: RuntimeDep, session: SessionDep, templates: TemplatesDep) -> HTMLResponse:
    provinces = cached_children(runtime, session, "")
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
        error = _("Ketik minimal 3 huruf nama desa, kecamatan, atau kabupaten.")
    elif term:
        hits = directory.search(session, term)
    return render(
        templates,
        request,
        "portal/search.html",
        {"q": term, "hits": hits, "error": error, "limit": directory.MAX_RESULTS},
    )
