"""Error pages. A village host gets its own theme's page; every other host gets the portal's."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from etalase.platform.i18n import N_, _, language_of, use_language
from etalase.platform.web.routing import site_of
from etalase.platform.web.templates import render, theme_template

# Marked here, translated when a page is built (the language belongs to the request).
MESSAGES = {
    400: (N_("Permintaan tidak valid"), N_("Alamat atau isian yang dikirim tidak dapat diproses.")),
    403: (N_("Akses ditolak"), N_("Anda tidak punya akses ke halaman ini.")),
    404: (N_("Halaman tidak ditemukan"), N_("Halaman yang Anda cari tidak ada atau sudah dipindahkan.")),
    405: (N_("Cara akses tidak didukung"), N_("Halaman ini tidak menerima permintaan seperti itu.")),
    410: (N_("Halaman sudah dihapus"), N_("Halaman ini sudah dihapus oleh pengelolanya.")),
    422: (N_("Isian tidak valid"), N_("Periksa kembali isian Anda.")),
    500: (
        N_("Terjadi gangguan"),
        N_("Maaf, terjadi gangguan di server. Silakan coba lagi beberapa saat lagi."),
    ),
}


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    """The error page for this host; ``detail`` (already translated) replaces the usual message."""
    # A server error is rendered outside LanguageMiddleware (by Starlette's outermost middleware),
    # so the language is set here again.
    with use_language(language_of(request)):
        return _error_page(request, status, detail)


def _error_page(request: Request, status: int, detail: str | None = None) -> Response:
    title, message = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
    title, message = _(title), detail or _(message)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": title}, status_code=status)
    templates = request.app.state.templates
    site = site_of(request.scope)
    context = {"status": status, "title": title, "message": message}
    if site.kind == "village" and site.village is not None:
        village = site.village
        if not village.active and status == 404:
            context["title"] = _("Situs desa belum aktif")
            context["message"] = _("Situs %(village)s sudah disiapkan, tetapi belum dibuka untuk umum.") % {
                "village": village.title
            }
        template = theme_template(templates, village.theme, "error.html")
        return render(templates, request, template, {**context, "village": village}, status_code=status)
    return render(templates, request, "portal/error.html", context, status_code=status)


def install(app: FastAPI) -> None:
    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        response = error_page(request, status)
        if isinstance(exc, StarletteHTTPException) and exc.headers:
            response.headers.update(exc.headers)
        return response

    async def validation_error(request: Request, exc: Exception) -> Response:
        # A malformed path or query (e.g. a non-numeric page) is a missing page to a visitor.
        return error_page(request, 404 if request.method == "GET" else 422)

    async def server_error(request: Request, exc: Exception) -> Response:
        return error_page(request, 500)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, server_error)
