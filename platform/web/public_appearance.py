"""``/tema.css``: a village's colours as CSS custom properties (public, on village hosts).

The address carries the content version (``/tema.css?v=12``), which every appearance change bumps:
a request for the current version may be cached for a year; any other gets a short lifetime, so a
stale page never pins old colours.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.site import appearance, themes
from etalase.platform.web.deps import CurrentVillage, RuntimeDep
from etalase.platform.web.routing import VillageRoute

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

ONE_YEAR = 365 * 24 * 3600


@router.get("/tema.css", name="village_theme_css", include_in_schema=False)
def theme_css(request: Request, village: CurrentVillage, runtime: RuntimeDep, v: str = "") -> Response:
    look = appearance.look_for(runtime, village)
    body = themes.stylesheet(look.theme, look.options.colors)
    current = v == str(look.version)
    cache = f"public, max-age={ONE_YEAR}, immutable" if current else "public, max-age=60"
    return Response(body, media_type="text/css", headers={"Cache-Control": cache})
