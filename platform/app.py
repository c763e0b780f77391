"""The FastAPI application factory: ``uvicorn --factory etalase.platform.app:create_app``."""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.exceptions import HTTPException
from starlette.types import Scope

from etalase.platform.accounts import authz
from etalase.platform.analytics.middleware import ViewCountingMiddleware
from etalase.platform.content import ticker
from etalase.platform.media import is_public_key
from etalase.platform.runtime import Runtime
from etalase.platform.settings import ConfigError, Settings, load_settings
from etalase.platform.site.page_cache import PageCacheMiddleware
from etalase.platform.web import (
    account,
    admin,
    calendar_admin,
    console,
    errors,
    favicon,
    feeds,
    language,
    media,
    national,
    opendata,
    portal,
    posts,
    public_comments,
    public_posts,
    regions_public,
    share,
    sitemaps,
    village,
)
from etalase.platform.web.agenda_admin import router as agenda_admin_router
from etalase.platform.web.announcements_admin import router as announcements_admin_router
from etalase.platform.web.appearance_admin import router as appearance_admin_router
from etalase.platform.web.aspirations_admin import router as aspirations_admin_router
from etalase.platform.web.budget_admin import router as budget_admin_router
from etalase.platform.web.cards import router as cards_router
from etalase.platform.web.comments_admin import router as comments_admin_router
from etalase.platform.web.console_indicators import router as console_indicators_router
from etalase.platform.web.console_themes import router as console_themes_router
from etalase.platform.web.documents_admin import router as documents_admin_router
from etalase.platform.web.gallery_admin import router as gallery_admin_router
from etalase.platform.web.impact_admin import router as impact_admin_router
from etalase.platform.web.importing import router as importing_router
from etalase.platform.web.pages_admin import router as pages_admin_router
from etalase.platform.web.potensi_admin import router as potensi_admin_router
from etalase.platform.web.profile_admin import router as profile_admin_router
from etalase.platform.web.public_agenda import router as public_agenda_router
from etalase.platform.web.public_appearance import router as public_appearance_router
from etalase.platform.web.public_aspirations import router as public_aspirations_router
from etalase.platform.web.public_budget import router as public_budget_router
from etalase.platform.web.public_gallery import router as public_gallery_router
from etalase.platform.web.public_pages import router as public_pages_router
from etalase.platform.web.public_potensi import router as public_potensi_router
from etalase.platform.web.public_profile import router as public_profile_router
from etalase.platform.web.routing import SiteMiddleware
from etalase.platform.web.security_headers import SecurityHeadersMiddleware
from etalase.platform.web.templates import make_templates
from etalase.themes import THEMES_DIR

# Every route of the app, in matching order (/bahasa/<code> first: it answers on every host).
ROUTERS: tuple[APIRouter, ...] = (
    favicon.router,  # every host
    language.router,
    portal.router,
    regions_public.router,  # /wilayah/<code> and its feeds
    opendata.router,
    village.router,
    account.router,
    admin.router,
    impact_admin_router,
    media.router,
    importing_router,
    posts.router,
    calendar_admin.router,
    pages_admin_router,
    public_pages_router,
    public_agenda_router,
    agenda_admin_router,
    announcements_admin_router,
    gallery_admin_router,
    documents_admin_router,
    profile_admin_router,
    public_profile_router,
    aspirations_admin_router,
    public_aspirations_router,
    comments_admin_router,
    public_comments.router,
    potensi_admin_router,
    public_potensi_router,
    public_gallery_router,
    budget_admin_router,
    public_budget_router,
    public_posts.router,
    feeds.router,
    sitemaps.router,
    sitemaps.portal_router,
    cards_router,
    share.router,
    console.router,
    console_indicators_router,
    national.router,
)


# Collect young objects less often: a request allocates thousands (SQLAlchemy, Jinja2), and the
# default (700) ran a collection every few requests and a full one every few hundred.
GC_THRESHOLDS = (50_000, 20, 10)


def settle_memory() -> None:
    """Once a process has imported and built everything: move what it holds into the collector's
    permanent generation (templates, metadata, translations are never garbage), so that a full
    collection walks only what requests left behind. Without this, a full collection stalled a
    worker for tens of milliseconds: the p99 of cached pages under load."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class PublicMediaFiles(StaticFiles):
    """The local media folder as the public sees it: public keys only (see media.PUBLIC_KEY)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not is_public_key(path.replace("\\", "/")):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    if settings is None:
        try:
            settings = load_settings()
        except ConfigError as error:
            # Under uvicorn a traceback would bury the one sentence the operator needs.
            print(error, file=sys.stderr)
            raise SystemExit(2) from None
    runtime = runtime or Runtime.build(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        settle_memory()
        stop = threading.Event()
        if not settings.redis_url:  # embedded default: this process is also the worker
            ticker.start(runtime, stop)
        yield
        stop.set()
        runtime.close()

    app = FastAPI(
        title="Etalase",
        summary="Website desa: one deployment, every village of Indonesia.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.templates = make_templates(settings)

    @app.get("/healthz", include_in_schema=False, dependencies=[Depends(authz.PUBLIC)])
    def healthz() -> JSONResponse:
        """Liveness and readiness for the load balancer; the pid tells processes apart in tests."""
        try:
            with runtime.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            runtime.cache.ping()
        except Exception as error:
            return JSONResponse({"status": "error", "error": type(error).__name__}, status_code=503)
        return JSONResponse({"status": "ok", "pid": os.getpid()})

    @app.get("/_caddy/ask", include_in_schema=False, dependencies=[Depends(authz.PUBLIC)])
    def caddy_ask(domain: str = "") -> Response:
        """Caddy's on-demand TLS asks here before getting a certificate: only for hosts we serve."""
        site = runtime.resolver.resolve(domain)
        served = site.kind == "portal" or (site.village is not None and site.village.active)
        return Response(status_code=200 if served else 404)

    for theme in sorted(THEMES_DIR.iterdir()):
        if (theme / "static").is_dir():
            app.mount(
                f"/static/{theme.name}", StaticFiles(directory=theme / "static"), name=f"static-{theme.name}"
            )
    if not settings.s3_bucket and settings.media_url == "/media/":
        settings.local_media_root.mkdir(parents=True, exist_ok=True)
        app.mount("/media", PublicMediaFiles(directory=settings.local_media_root), name="media")

    for router in ROUTERS:
        app.include_router(router)
    app.include_router(public_appearance_router)
    app.include_router(appearance_admin_router)
    app.include_router(console_themes_router)
    errors.install(app)
    public_comments.install(app)  # the post page's comments (the Jinja global post_talk)
    public_posts.install(app)  # a 404 that is an old address (301) or a removed post (410)
    authz.install(app, errors.error_page)
    app.add_middleware(language.LanguageMiddleware)  # inside SiteMiddleware
    # Inside the view counter, outside the language and the app: a hit runs nothing of the app.
    app.add_middleware(PageCacheMiddleware, runtime=runtime)
    # Inside SiteMiddleware (it needs the village), outside any page cache (a cached page is a view).
    app.add_middleware(ViewCountingMiddleware, counter=runtime.views, cache=runtime.cache)
    app.add_middleware(SiteMiddleware, resolver=runtime.resolver)
    # Outermost: every response, cached or not, leaves with its security headers.
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    return app
