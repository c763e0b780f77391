"""Authorization: the one module that decides who may do what.

Every route declares exactly one access requirement, made here, as a dependency:

- :data:`PUBLIC`: anyone (public pages, the sign-in form);
- :func:`signed_in`: any signed-in person (their own profile);
- :func:`village_access`: a permission in the village of the request's host (the admin area);
- :func:`scope_access`: a permission over the villages of a supervision scope (the console);
- :data:`SUPERUSER`: the platform operator.

``tests/test_authz_declared.py`` walks the app's routes and fails on any route without exactly one
declaration, so no page becomes reachable by accident. Every declaration also checks CSRF on
state-changing methods (see :mod:`etalase.platform.accounts.csrf`).

Village roles: **admin** (the operator: settings, members, everything), **editor** (publishes and
moderates), **kontributor** (kader: writes drafts for review). Supervisors (facilitators) see every
village whose code starts with their scope, activate sites, invite a first admin, read what
villages publish, their statistics and their logs, and leave mentoring notes; they never edit a
village's content: the village owns its voice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from sqlmodel import Session, col

from etalase.platform.accounts import csrf, sessions
from etalase.platform.accounts.models import Membership, User, UserSession
from etalase.platform.i18n import _
from etalase.platform.settings import Settings
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.tenants.hosts import normalize_host
from etalase.tenants.resolver import VillageSite
from etalase.tenants.scope import in_village

ACCESS_ATTR = "__etalase_access__"
LOGIN_PATH = "/akun/masuk"
TWO_FACTOR_SETUP_PATH = "/akun/2fa"
TWO_FACTOR_CODE_PATH = "/akun/masuk/kode"


class Permission(StrEnum):
    ADMIN_AREA = "admin.view"  # open the village's admin area
    WRITE_DRAFTS = "content.draft"
    PUBLISH = "content.publish"
    MODERATE = "content.moderate"
    MANAGE_MEMBERS = "members.manage"
    MANAGE_SETTINGS = "settings.manage"
    READ_AUDIT = "audit.read"
    READ_STATS = "stats.read"
    READ_NOTES = "notes.read"
    # supervision
    SUPERVISE = "village.supervise"  # see the village in the console
    ACTIVATE = "village.activate"
    INVITE_FIRST_ADMIN = "village.invite_admin"
    WRITE_NOTES = "notes.write"
    # platform operator
    READ_OUTBOX = "outbox.read"


_KONTRIBUTOR = frozenset(
    {Permission.ADMIN_AREA, Permission.WRITE_DRAFTS, Permission.READ_STATS, Permission.READ_NOTES}
)
_EDITOR = _KONTRIBUTOR | {Permission.PUBLISH, Permission.MODERATE}
_ADMIN = _EDITOR | {Permission.MANAGE_MEMBERS, Permission.MANAGE_SETTINGS, Permission.READ_AUDIT}
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "kontributor": _KONTRIBUTOR,
    "editor": frozenset(_EDITOR),
    "admin": frozenset(_ADMIN),
}
SUPERVISOR_PERMISSIONS = frozenset(
    {
        Permission.ADMIN_AREA,
        Permission.READ_STATS,
        Permission.READ_NOTES,
        Permission.READ_AUDIT,
        Permission.SUPERVISE,
        Permission.ACTIVATE,
        Permission.INVITE_FIRST_ADMIN,
        Permission.WRITE_NOTES,
    }
)
SUPERUSER_PERMISSIONS = frozenset(Permission)


def scope_level(scope: str) -> str:
    """``""`` nasional, ``34`` provinsi, ``34.04`` kabupaten, ``34.04.02`` kecamatan."""
    return {0: "nasional", 2: "provinsi", 5: "kabupaten", 8: "kecamatan"}.get(len(scope), "kecamatan")


def covers(scope: str | None, code: str) -> bool:
    """Whether a supervision scope includes a region or village code (``34.04`` covers
    ``34.04.02.2001`` and ``34.04`` itself, not ``34.040…``)."""
    if scope is None:
        return False
    return scope in ("", code) or code.startswith(scope + ".")


# --- who is asking -----------------------------------------------------------------------------
@dataclass
class Auth:
    user: User
    session: UserSession

    @property
    def user_id(self) -> int:
        assert self.user.id is not None
        return self.user.id


@dataclass
class VillageActor:
    """A person acting in the village of the request's host."""

    auth: Auth
    village: VillageSite
    role: str | None  # their membership role; None for supervisors and the operator
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    @property
    def user(self) -> User:
        return self.auth.user

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass
class ScopeActor:
    """A supervisor (or the operator) in the console, over the villages of ``scope``."""

    auth: Auth
    scope: str
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    @property
    def user(self) -> User:
        return self.auth.user

    def covers(self, code: str) -> bool:
        return covers(self.scope, code)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


# --- refusals ----------------------------------------------------------------------------------
class SignInRequired(Exception):  # noqa: N818  (a control-flow signal, not an error)
    pass


class TwoFactorRequired(Exception):  # noqa: N818
    """The person's role requires two-factor sign-in and they have not set it up yet."""


class SecondFactorPending(Exception):  # noqa: N818
    """Password accepted, code not yet entered."""


class Forbidden(HTTPException):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(status_code=403, detail=message or "")


class CsrfFailed(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=403, detail="csrf")


# --- the declarations ---------------------------------------------------------------------------
def _declare(kind: str, dependency: Callable[..., Any]) -> Callable[..., Any]:
    setattr(dependency, ACCESS_ATTR, kind)
    return dependency


def request_host(request: Request) -> str:
    return normalize_host(request.headers.get("host")) or ""


def load_auth(request: Request, db: Session) -> Auth | None:
    """The request's signed-in session (verified or not), loaded once per request."""
    if hasattr(request.state, "auth_loaded"):
        auth: Auth | None = request.state.auth
        return auth
    settings = settings_of(request)
    raw = request.cookies.get(sessions.cookie_name(settings), "")
    found = sessions.load(db, raw, request_host(request), days=settings.session_days) if raw else None
    auth = Auth(user=found[1], session=found[0]) if found else None
    request.state.auth = auth
    request.state.auth_loaded = True
    return auth


async def _check_csrf(request: Request) -> None:
    if not await csrf.verify(request):
        raise CsrfFailed


def _needs_2fa(settings: Settings, user: User, role_or_level: str | None) -> bool:
    required = settings.roles_requiring_2fa
    if user.has_totp:
        return False
    if user.is_superuser and "superuser" in required:
        return True
    return role_or_level is not None and role_or_level in required


async def _public(request: Request) -> None:
    """Anyone may use this route, signed in or not."""
    await _check_csrf(request)


PUBLIC: Any = _declare("public", _public)


async def _public_form(request: Request) -> None:
    """Anyone, through a form printed on a page the full-page cache shares between readers (a
    comment under a post), so it cannot carry a per-reader token. No cookie authenticates such a
    request, so a forged one could do nothing its forger cannot do directly: the origin is checked,
    and the route checks its own signed form stamp, honeypot and rate limits."""
    if request.method not in csrf.SAFE_METHODS and not csrf.same_origin(request):
        raise CsrfFailed


PUBLIC_FORM: Any = _declare("public_form", _public_form)


def _require_verified(request: Request, db: Session) -> Auth:
    auth = load_auth(request, db)
    if auth is None:
        raise SignInRequired
    if not auth.session.verified:
        raise SecondFactorPending
    return auth


def signed_in(*, allow_missing_2fa: bool = False) -> Callable[..., Awaitable[Auth]]:
    """Any signed-in person. ``allow_missing_2fa`` for the pages where they set it up."""

    async def dependency(request: Request, db: SessionDep) -> Auth:
        auth = _require_verified(request, db)
        if not allow_missing_2fa and _needs_2fa(
            settings_of(request), auth.user, _context_level(request, db, auth)
        ):
            raise TwoFactorRequired
        await _check_csrf(request)
        return auth

    return _declare("signed_in", dependency)


async def _second_factor_pending(request: Request, db: SessionDep) -> Auth:
    auth = load_auth(request, db)
    if auth is None:
        raise SignInRequired
    await _check_csrf(request)
    return auth


SECOND_FACTOR_PENDING: Any = _declare("second_factor_pending", _second_factor_pending)


def _village_of(request: Request) -> VillageSite | None:
    site = getattr(request.state, "site", None)
    village = getattr(site, "village", None)
    return village if isinstance(village, VillageSite) else None


def _membership(db: Session, village_id: int, user_id: int) -> Membership | None:
    return db.exec(in_village(Membership, village_id).where(col(Membership.user_id) == user_id)).first()


def _context_level(request: Request, db: Session, auth: Auth) -> str | None:
    """The role (village host) or supervision level (portal) that decides whether 2FA is required."""
    village = _village_of(request)
    if village is not None:
        membership = _membership(db, village.id, auth.user_id)
        if membership is not None:
            return membership.role
        if covers(auth.user.supervisor_scope, village.code):
            return scope_level(auth.user.supervisor_scope or "")
        return None
    if auth.user.supervisor_scope is not None:
        return scope_level(auth.user.supervisor_scope)
    return None


def requires_2fa(request: Request, db: Session, auth: Auth) -> bool:
    """Whether this person's role here (village role on a village host, supervision level on the
    portal, or operator) requires two-factor sign-in, enrolled or not."""
    required = settings_of(request).roles_requiring_2fa
    if auth.user.is_superuser and "superuser" in required:
        return True
    level = _context_level(request, db, auth)
    return level is not None and level in required


def belongs_to(db: Session, village: VillageSite, user: User) -> bool:
    """Whether the person is on the village's team, supervises it, or runs the platform."""
    if user.is_superuser or covers(user.supervisor_scope, village.code):
        return True
    return user.id is not None and _membership(db, village.id, user.id) is not None


def may_edit_post(actor: VillageActor, author_id: int | None, status: str) -> bool:
    """Editors and admins edit any post; a kontributor only their own, and only while it is a
    draft (once submitted it is the editor's to review)."""
    if actor.can(Permission.PUBLISH):
        return True
    return (
        actor.can(Permission.WRITE_DRAFTS)
        and author_id is not None
        and author_id == actor.user.id
        and status == "draft"
    )


def village_actor(request: Request, db: Session, auth: Auth) -> VillageActor | None:
    """What this person may do in the village of the request's host, or None for nothing."""
    village = _village_of(request)
    if village is None:
        return None
    if auth.user.is_superuser:
        return VillageActor(auth, village, None, SUPERUSER_PERMISSIONS)
    membership = _membership(db, village.id, auth.user_id)
    if membership is not None:
        return VillageActor(
            auth, village, membership.role, ROLE_PERMISSIONS.get(membership.role, frozenset())
        )
    if covers(auth.user.supervisor_scope, village.code):
        return VillageActor(auth, village, None, SUPERVISOR_PERMISSIONS)
    return None


def village_access(permission: Permission) -> Callable[..., Awaitable[VillageActor]]:
    """A permission in the village whose host the request came to (a member's role there, a
    supervisor whose scope covers it, or the operator)."""

    async def dependency(request: Request, db: SessionDep) -> VillageActor:
        auth = _require_verified(request, db)
        actor = village_actor(request, db, auth)
        if actor is None:
            raise Forbidden(_("Akun Anda bukan anggota tim desa ini."))
        level = actor.role or (
            "superuser" if auth.user.is_superuser else scope_level(auth.user.supervisor_scope or "")
        )
        if _needs_2fa(settings_of(request), auth.user, level):
            raise TwoFactorRequired
        if not actor.can(permission):
            raise Forbidden(_("Peran Anda di desa ini tidak mengizinkan tindakan tersebut."))
        await _check_csrf(request)
        return actor

    return _declare(f"village:{permission}", dependency)


def scope_actor(auth: Auth) -> ScopeActor | None:
    if auth.user.is_superuser:
        return ScopeActor(auth, "", SUPERUSER_PERMISSIONS)
    if auth.user.supervisor_scope is None:
        return None
    return ScopeActor(auth, auth.user.supervisor_scope, SUPERVISOR_PERMISSIONS)


def scope_access(permission: Permission) -> Callable[..., Awaitable[ScopeActor]]:
    """A permission over the villages of the person's supervision scope (the console). Routes with
    a village or region code in the path must still check ``actor.covers(code)``."""

    async def dependency(request: Request, db: SessionDep) -> ScopeActor:
        auth = _require_verified(request, db)
        actor = scope_actor(auth)
        if actor is None:
            raise Forbidden(_("Halaman ini hanya untuk pendamping desa dan pengelola platform."))
        level = "superuser" if auth.user.is_superuser else scope_level(actor.scope)
        if _needs_2fa(settings_of(request), auth.user, level):
            raise TwoFactorRequired
        if not actor.can(permission):
            raise Forbidden(_("Akun Anda tidak punya izin untuk tindakan ini."))
        await _check_csrf(request)
        return actor

    return _declare(f"scope:{permission}", dependency)


async def _superuser(request: Request, db: SessionDep) -> Auth:
    auth = _require_verified(request, db)
    if not auth.user.is_superuser:
        raise Forbidden(_("Halaman ini hanya untuk pengelola platform."))
    if _needs_2fa(settings_of(request), auth.user, "superuser"):
        raise TwoFactorRequired
    await _check_csrf(request)
    return auth


SUPERUSER: Any = _declare("superuser", _superuser)


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every API route of an app, also inside included routers."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found.extend(api_routes(list(inner.routes)))
    return found


def declaration_of(dependant: Any) -> list[str]:
    """The access declarations found in a route's dependency tree (for the route-walk test)."""
    found: list[str] = []
    stack = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        kind = getattr(dep.call, ACCESS_ATTR, None)
        if kind is not None:
            found.append(kind)
        stack.extend(dep.dependencies)
    return found


# --- refusals as responses ---------------------------------------------------------------------
def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _next_param(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return quote(target, safe="/")


def install(app: FastAPI, error_page: Callable[[Request, int, str | None], Response]) -> None:
    async def sign_in(request: Request, _exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "Perlu masuk terlebih dahulu."}, status_code=401)
        return RedirectResponse(f"{LOGIN_PATH}?next={_next_param(request)}", status_code=303)

    async def pending(request: Request, _exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "Masukkan kode verifikasi terlebih dahulu."}, status_code=401)
        return RedirectResponse(f"{TWO_FACTOR_CODE_PATH}?next={_next_param(request)}", status_code=303)

    async def two_factor(request: Request, _exc: Exception) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": "Aktifkan verifikasi dua langkah terlebih dahulu."}, status_code=403
            )
        return RedirectResponse(f"{TWO_FACTOR_SETUP_PATH}?wajib=1", status_code=303)

    async def forbidden(request: Request, exc: Exception) -> Response:
        message: str | None
        if isinstance(exc, CsrfFailed):
            message = _(
                "Formulir ini sudah kedaluwarsa atau tidak dikirim dari halaman kami. "
                "Muat ulang halaman, lalu coba lagi."
            )
        else:
            message = str(getattr(exc, "detail", "")) or None
        if _is_api(request):
            return JSONResponse({"detail": message or "Akses ditolak."}, status_code=403)
        return error_page(request, 403, message)

    app.add_exception_handler(SignInRequired, sign_in)
    app.add_exception_handler(SecondFactorPending, pending)
    app.add_exception_handler(TwoFactorRequired, two_factor)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(CsrfFailed, forbidden)
