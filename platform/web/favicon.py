"""``/favicon.ico`` on every host: browsers and crawlers ask for it whatever the page says, and a
404 there is an error in every visitor's console (Lighthouse counts it against best practices)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from etalase.platform.accounts.authz import PUBLIC
from etalase.themes import THEMES_DIR

router = APIRouter(dependencies=[Depends(PUBLIC)])
_ICON = (THEMES_DIR / "base" / "static" / "favicon.ico").read_bytes()


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return Response(_ICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=604800"})
