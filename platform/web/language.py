"""The language switch (``/bahasa/<code>`` on every host) and the middleware that applies it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.i18n import COOKIE, LANGUAGES, language_of, use_language
from etalase.platform.web.deps import settings_of

COOKIE_MAX_AGE = 365 * 24 * 3600

router = APIRouter()


class LanguageMiddleware:
    """Puts each request's language in the ContextVar for routes and templates, and removes it after."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        with use_language(language_of(HTTPConnection(scope))):
            await self.app(scope, receive, send)


def local_path(target: str) -> str:
    """``target`` if it is a path on this host, else ``/``: the switch never sends anyone off-site."""
    if (
        not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ord(c) < 0x20 or c == "\x7f" for c in target)
    ):
        return "/"
    return target


@router.get("/bahasa/{code}", include_in_schema=False, name="language_switch", dependencies=[Depends(PUBLIC)])
def switch(request: Request, code: str, next: str = "/") -> RedirectResponse:
    """Remember the chosen language for a year and go back to the page the visitor was on."""
    if code not in LANGUAGES:
        raise HTTPException(status_code=404)
    settings = settings_of(request)
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        path="/",
        samesite="lax",
        secure=settings.public_scheme == "https",
    )
    return response
