"""One FastAPI app, two kinds of site.

:class:`SiteMiddleware` resolves the Host header once per request and puts the :class:`Site` on
``request.state.site``. Routes then belong to a site kind: a :class:`PortalRoute` matches only on
the portal host, a :class:`VillageRoute` only on a village host. ``/`` is therefore the portal's
front page on ``localhost`` and the village's home page on ``sidomulyo.localhost``, and a request
for an unknown host matches neither and gets the portal's 404 page, never some village's content.
Static files and health checks answer on any host and skip the lookup.
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from etalase.tenants.resolver import UNKNOWN, Site, SiteResolver

ANY_HOST_PREFIXES = ("/static/", "/media/", "/healthz")


def site_of(scope: Scope) -> Site:
    state: dict[str, Any] = scope.get("state") or {}
    site = state.get("site")
    return site if isinstance(site, Site) else UNKNOWN


class SiteMiddleware:
    def __init__(self, app: ASGIApp, resolver: SiteResolver) -> None:
        self.app = app
        self.resolver = resolver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(ANY_HOST_PREFIXES):
            host = None
            for name, value in scope["headers"]:
                if name == b"host":
                    host = value.decode("latin-1")
                    break
            site = self.resolver.peek(host)
            if site is None:  # cold or due a generation check: may touch Redis and the database
                site = await run_in_threadpool(self.resolver.resolve, host)
            scope.setdefault("state", {})["site"] = site
        await self.app(scope, receive, send)


class PortalRoute(APIRoute):
    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if site_of(scope).kind != "portal":
            return Match.NONE, {}
        return super().matches(scope)


class VillageRoute(APIRoute):
    """Matches only on the host of an active village."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        site = site_of(scope)
        if site.kind != "village" or site.village is None or not site.village.active:
            return Match.NONE, {}
        return super().matches(scope)
