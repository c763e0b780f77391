"""One FastAPI app, two kinds of site.

:class:`SiteMiddleware` resolves the Host header once per request and puts the :class:`Site` on
``request.state.site``. Routes then belong to a site kind: a :class:`PortalRoute` matches only on
the portal host, a :class:`VillageRoute` only on a village host. ``/`` is therefore the portal's
front page on ``localhost`` and the village's home page on ``sidomulyo.localhost``, and a request
for an unknown host matches neither and gets the portal's 404 page, never some village's content.
Static files and health checks answer on any host and skip the lookup.
"""

from __future__ import annotations

from types import UnionType
from typing import Any, Union, get_args, get_origin
from urllib.parse import parse_qsl

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from etalase.tenants.resolver import UNKNOWN, Site, SiteResolver

ANY_HOST_PREFIXES = ("/static/", "/media/", "/healthz", "/_caddy/", "/favicon.ico")


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


# The largest id an id column holds (INTEGER, on SQLite and PostgreSQL alike): a larger number in
# an address names nothing.
LARGEST_ID = 2**31 - 1


def _reads_an_int(annotation: object) -> bool:
    return annotation is int or (get_origin(annotation) in (Union, UnionType) and int in get_args(annotation))


def _int_params(dependant: Dependant, kind: str) -> frozenset[str]:
    """The names in the address (``path_params`` or ``query_params``) that the route reads as
    whole numbers, its own and its dependencies'."""
    names = {f.alias for f in getattr(dependant, kind) if _reads_an_int(f.field_info.annotation)}
    for sub in dependant.dependencies:
        names |= _int_params(sub, kind)
    return frozenset(names)


def _too_large(raw: object) -> bool:
    if isinstance(raw, int):  # a "{name:int}" path converter already made it a number
        return raw > LARGEST_ID
    return isinstance(raw, str) and raw.isascii() and raw.isdigit() and int(raw) > LARGEST_ID


class SiteRoute(APIRoute):
    """A route that answers only on one kind of host. GET routes answer HEAD too (uptime checks).

    A number in the address past any database integer (``/pengumuman/99999999999999999999``,
    ``?sebelum=…``, ``?halaman=…``) does not match: the person gets the 404 page, and the database
    is never asked (SQLite's driver and PostgreSQL both refuse such a number with an error, which
    was a server error page)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.methods and "GET" in self.methods:
            self.methods.add("HEAD")
        self.int_path_params = _int_params(self.dependant, "path_params")
        self.int_query_params = _int_params(self.dependant, "query_params")

    def serves(self, site: Site) -> bool:
        raise NotImplementedError

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not self.serves(site_of(scope)):
            return Match.NONE, {}
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        params = child.get("path_params", {})
        if any(_too_large(params.get(name)) for name in self.int_path_params):
            return Match.NONE, {}
        query = scope.get("query_string", b"")
        if query and self.int_query_params:
            for name, value in parse_qsl(query.decode("latin-1")):
                if name in self.int_query_params and _too_large(value):
                    return Match.NONE, {}
        return match, child


class PortalRoute(SiteRoute):
    def serves(self, site: Site) -> bool:
        return site.kind == "portal"


class VillageRoute(SiteRoute):
    """Matches only on the host of an active village."""

    def serves(self, site: Site) -> bool:
        return site.kind == "village" and site.village is not None and site.village.active


class VillageTeamRoute(SiteRoute):
    """The village team's pages (``/admin``): on a village host whether or not the site is open yet,
    so the first admin can prepare it before the supervisor activates it."""

    def serves(self, site: Site) -> bool:
        return site.kind == "village" and site.village is not None


class AccountRoute(SiteRoute):
    """Sign-in and profile pages: on the portal and on every village host (open or not)."""

    def serves(self, site: Site) -> bool:
        return site.kind == "portal" or (site.kind == "village" and site.village is not None)
