"""Rendering the team's pages (sign-in, admin, console): CSRF token, signed-in person, cookies.

Public village pages use :func:`etalase.platform.web.templates.render` directly; these pages add
what a form needs and never let a shared cache keep them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from etalase.platform.accounts import audit, csrf, sessions
from etalase.platform.accounts.authz import VillageActor
from etalase.platform.accounts.tokens import hash_ip
from etalase.platform.i18n import COOKIE as LANGUAGE_COOKIE
from etalase.platform.i18n import LANGUAGES
from etalase.platform.settings import Settings
from etalase.platform.web.deps import settings_of
from etalase.platform.web.templates import render

ONE_YEAR = 365 * 24 * 3600
TEAM_PAGES_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)

# The rich_text macro's textarea (themes/admin/_forms.html).
EDITOR_MARK = b'data-editor="rich"'


def team_pages_csp(settings: Settings) -> str:
    """:data:`TEAM_PAGES_CSP`, with the media origin allowed for images when media are served from
    elsewhere (S3 or a CDN), so the media library shows its thumbnails."""
    parts = urlsplit(settings.media_url)
    if not (parts.scheme and parts.netloc):
        return TEAM_PAGES_CSP
    return TEAM_PAGES_CSP.replace(
        "img-src 'self' data:", f"img-src 'self' data: {parts.scheme}://{parts.netloc}"
    )


def page(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    settings = settings_of(request)
    auth = getattr(request.state, "auth", None)
    site = getattr(request.state, "site", None)
    full = {
        "csrf_token": csrf.token_for(request),
        "auth": auth,
        "me": auth.user if auth else None,
        "site": site,
        "village": getattr(site, "village", None),
        **(context or {}),
    }
    response = render(request.app.state.templates, request, template, full, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    # The team's pages are never framed (clickjacking a "Keluarkan" button), load nothing from
    # elsewhere and post forms only here.
    csp = team_pages_csp(settings)
    if EDITOR_MARK in response.body:
        # A page with the rich-text editor runs the self-hosted editor scripts, and nothing else.
        csp = csp.replace("script-src 'none'", "script-src 'self'")
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Token links (/akun/undangan/…, /akun/atur-sandi/…) must not leak to other sites through the
    # Referer; "same-origin", not "no-referrer", which makes browsers send `Origin: null` on forms.
    response.headers["Referrer-Policy"] = "same-origin"
    new_cookie = getattr(request.state, "new_csrf_cookie", None)
    if new_cookie:
        response.set_cookie(
            csrf.anon_cookie_name(settings),
            new_cookie,
            max_age=ONE_YEAR,
            httponly=True,
            samesite="lax",
            secure=settings.public_scheme == "https",
            path="/",
        )
    return response


MAX_PAGE = 100_000  # past it no list has rows, and an SQL offset must still fit a bigint


def page_number(raw: int) -> int:
    """A list's ``?halaman=`` kept between 1 and :data:`MAX_PAGE` (a huge one was a 500)."""
    return min(max(1, raw), MAX_PAGE)


def local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site (``/admin``), else ``default``: never off-site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ch in target for ch in "\r\n\t"):
        return default
    return target


def redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def set_session_cookie(request: Request, response: Response, raw: str) -> None:
    settings = settings_of(request)
    response.set_cookie(
        sessions.cookie_name(settings),
        raw,
        max_age=settings.session_days * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.public_scheme == "https",
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    settings = settings_of(request)
    response.delete_cookie(
        sessions.cookie_name(settings),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.public_scheme == "https",
    )


def remember_language(request: Request, response: Response, language: str) -> None:
    """The person's saved language follows them to every device they sign in on."""
    if language not in LANGUAGES or request.cookies.get(LANGUAGE_COOKIE) == language:
        return
    settings = settings_of(request)
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=ONE_YEAR,
        samesite="lax",
        secure=settings.public_scheme == "https",
        path="/",
    )


def log_in_village(db: Session, request: Request, actor: VillageActor, action: str, target: str = "") -> None:
    """An audit event of the team's work in the village of the request's host."""
    settings = settings_of(request)
    audit.record(
        db,
        action,
        actor=actor.user,
        village_id=actor.village.id,
        village_code=actor.village.code,
        target=target,
        ip_hash=hash_ip(settings.effective_secret_key, client_ip(request)),
    )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
