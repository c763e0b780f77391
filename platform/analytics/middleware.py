"""Counting every public page a reader gets, from the page cache or not.

Pure ASGI, inside SiteMiddleware (it needs the village) and outside the page cache (a cached page
is still a view). It looks at the response's status and type as they pass, and after the response
has gone it appends one :class:`~etalase.platform.analytics.counting.View` to the buffer: the page
is never slowed by counting, and a counting error never reaches it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from etalase.platform.analytics import bots, sources, visitors
from etalase.platform.analytics.counting import View, ViewCounter
from etalase.platform.cache import Cache
from etalase.platform.web.routing import site_of
from etalase.tenants.timezones import zone_for

log = logging.getLogger(__name__)

# Not pages a reader reads: the team's screens, APIs, files, feeds and machine endpoints.
NOT_PAGES = ("/admin", "/akun", "/api/", "/konsol", "/static/", "/media/", "/healthz", "/_caddy/",
             "/bahasa/", "/robots.txt", "/sitemap", "/favicon", "/kartu/", "/tema.css")  # fmt: skip
PURPOSE_HEADERS = (b"sec-purpose", b"purpose", b"x-purpose", b"x-moz")
NOT_PAGE_ENDINGS = (".xml", ".ics", ".png", ".jpg", ".webp", ".css", ".js", ".txt")


class ViewCountingMiddleware:
    def __init__(self, app: ASGIApp, counter: ViewCounter, cache: Cache) -> None:
        self.app = app
        self.counter = counter
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or path.startswith(NOT_PAGES)
            or path.endswith(NOT_PAGE_ENDINGS)
        ):
            await self.app(scope, receive, send)
            return
        seen: dict[str, object] = {}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        seen["html"] = value.startswith(b"text/html")
            await send(message)

        await self.app(scope, receive, watch)
        if seen.get("status") == 200 and seen.get("html"):
            try:
                self._count(scope, path)
            except Exception:  # counting must never break a page
                log.exception("a page view could not be counted")

    def _count(self, scope: Scope, path: str) -> None:
        site = site_of(scope)
        village = site.village
        if village is None:
            return
        # Only the headers counting needs, decoded once (this runs on every page a reader gets).
        agent = referrer = host = purpose = ""
        for name, value in scope["headers"]:
            if name == b"user-agent":
                agent = value.decode("latin-1")
            elif name == b"referer":
                referrer = value.decode("latin-1")
            elif name == b"host":
                host = value.decode("latin-1")
            elif name in PURPOSE_HEADERS:
                purpose = value.decode("latin-1")
        if bots.is_machine(agent) or (purpose and bots.is_prefetch({"purpose": purpose})):
            return
        client = scope.get("client")
        ip = client[0] if client else ""
        day = datetime.now(zone_for(village.code)[0]).date()
        salt = visitors.salt_for(self.cache, day)
        query = scope.get("query_string", b"").decode("latin-1")
        source = sources.classify(referrer, query, host)
        self.counter.record(
            View(
                village_id=village.id,
                day=day,
                visitor=visitors.visitor_id(salt, village.id, ip, agent),
                source=source,
                path=path[:300],
            )
        )
