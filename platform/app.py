"""The FastAPI application factory: ``uvicorn --factory etalase.platform.app:create_app``."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from etalase.platform.accounts import authz
from etalase.platform.content import ticker
from etalase.platform.runtime import Runtime
from etalase.platform.settings import ConfigError, Settings, load_settings
from etalase.platform.web import account, admin, console, errors, language, media, portal, posts, village
from etalase.platform.web.importing import router as importing_router
from etalase.platform.web.routing import SiteMiddleware
from etalase.platform.web.templates import make_templates
from etalase.themes import THEMES_DIR


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
        app.mount("/media", StaticFiles(directory=settings.local_media_root), name="media")

    app.include_router(language.router)  # /bahasa/<code>: every host
    app.include_router(portal.router)
    app.include_router(village.router)
    app.include_router(account.router)
    app.include_router(admin.router)
    app.include_router(media.router)
    app.include_router(importing_router)
    app.include_router(posts.router)
    app.include_router(console.router)
    errors.install(app)
    authz.install(app, errors.error_page)
    app.add_middleware(language.LanguageMiddleware)  # inside SiteMiddleware
    app.add_middleware(SiteMiddleware, resolver=runtime.resolver)
    return app
