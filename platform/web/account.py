"""Sign-in, sign-out, forgotten password, invitations, and the person's own profile and security.

These pages answer on the portal and on every village host. A session belongs to the host it was
made on, so a village team signs in at their village's address and facilitators at the portal.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import Session

from etalase.platform.accounts import audit, ratelimit, service, sessions, totp
from etalase.platform.accounts.authz import (
    PUBLIC,
    SECOND_FACTOR_PENDING,
    Auth,
    belongs_to,
    load_auth,
    request_host,
    requires_2fa,
    scope_level,
    signed_in,
)
from etalase.platform.accounts.identity import Identifier, InputError, parse_identifier
from etalase.platform.accounts.models import User
from etalase.platform.accounts.tokens import hash_ip, keyed
from etalase.platform.i18n import _
from etalase.platform.web.deps import RuntimeDep, SessionDep, settings_of
from etalase.platform.web.pages import (
    clear_session_cookie,
    client_ip,
    local_path,
    page,
    redirect,
    remember_language,
    set_session_cookie,
)
from etalase.platform.web.routing import AccountRoute
from etalase.tenants.resolver import VillageSite

router = APIRouter(route_class=AccountRoute)

SignedIn = Annotated[Auth, Depends(signed_in())]
SignedInSettingUp2fa = Annotated[Auth, Depends(signed_in(allow_missing_2fa=True))]
Pending = Annotated[Auth, Depends(SECOND_FACTOR_PENDING)]

NOTICES = {
    "sandi-diganti": "Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru.",
    "keluar-semua": "Anda sudah keluar dari semua perangkat.",
    "keluar": "Anda sudah keluar.",
}


def _notice(key: str | None) -> str | None:
    message = NOTICES.get(key or "")
    return _(message) if message else None


def _village(request: Request) -> VillageSite | None:
    village = getattr(getattr(request.state, "site", None), "village", None)
    return village if isinstance(village, VillageSite) else None


def _village_id(request: Request) -> int | None:
    village = _village(request)
    return village.id if village else None


def _void_reset_links(db: Session, runtime: RuntimeDep, user: User) -> None:
    # Reset links asked on other hosts belong to other villages' rows: cross on purpose, filtered
    # by nothing but the person's own id. The request's transaction commits first: it holds the
    # lock of the link just used, and the second session would wait on it forever.
    db.commit()
    with runtime.session(all_villages=True) as cross:
        service.void_reset_links(cross, user)


def _ip_hash(request: Request) -> str:
    return hash_ip(settings_of(request).effective_secret_key, client_ip(request))


def _landing(request: Request, user: User) -> str:
    if _village(request) is not None:
        return "/admin"
    if user.is_superuser or user.supervisor_scope is not None:
        return "/konsol"
    return "/akun"


def _log(db: Session, request: Request, action: str, user: User | None, target: str = "") -> None:
    village = _village(request)
    audit.record(
        db,
        action,
        actor=user,
        village_id=village.id if village else None,
        village_code=village.code if village else None,
        target=target,
        ip_hash=_ip_hash(request),
    )


def _log_attempt(db: Session, runtime: RuntimeDep, request: Request, action: str, user: User | None) -> None:
    """A failed sign-in or a reset request, typed by anyone about any account.

    The village's log gets the event, but names the account only when it belongs to the village's
    team (or a supervisor over it): otherwise A's admin would learn from A's log that some address
    has an account, and whose. The person's own history (their profile) always gets it."""
    village = _village(request)
    insider = user is not None and village is not None and belongs_to(db, village, user)
    _log(db, request, action, user if (insider or village is None) else None)
    if user is not None and village is not None and not insider:
        # Platform-wide row (no village): it lives outside every village's wall. Commit the
        # request's work first: SQLite has one writer, and PostgreSQL row locks would wait too.
        db.commit()
        with runtime.session(all_villages=True) as cross:
            audit.record(cross, action, actor=user, ip_hash=_ip_hash(request))


def _start_session(request: Request, db: Session, user: User, *, verified: bool) -> str:
    return sessions.start(
        db,
        user,
        request_host(request),
        days=settings_of(request).session_days,
        verified=verified,
        user_agent=request.headers.get("user-agent", ""),
        ip_hash=_ip_hash(request),
    )


# --- sign in --------------------------------------------------------------------------------------
@router.get("/akun/masuk", response_class=HTMLResponse, name="login", dependencies=[Depends(PUBLIC)])
def login_form(request: Request, db: SessionDep, next: str = "", pesan: str = "") -> Response:
    auth = load_auth(request, db)
    if auth is not None and auth.session.verified:
        return redirect(local_path(next, _landing(request, auth.user)))
    request.state.auth = None  # the form is for a new sign-in: bind its CSRF token to the cookie
    return page(request, "admin/login.html", {"next": next, "notice": _notice(pesan), "identifier": ""})


@router.post("/akun/masuk", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def login(
    request: Request,
    db: SessionDep,
    runtime: RuntimeDep,
    identifier: Annotated[str, Form(max_length=300)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    def again(error: str, status: int = 400) -> HTMLResponse:
        context = {"next": next, "identifier": identifier, "error": error}
        return page(request, "admin/login.html", context, status=status)

    try:
        who = parse_identifier(identifier)
    except InputError as error:
        return again(str(error))
    limiter = ratelimit.Limiter(runtime.cache)
    ip = client_ip(request)
    wait = limiter.longest_wait(*ratelimit.password_checks(who.value, ip))
    if wait:
        return again(
            _("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.").format(
                minutes=wait
            ),
            429,
        )
    user = service.authenticate(db, who, password)
    if user is None:
        limiter.hit_all(*ratelimit.password_checks(who.value, ip))
        _log_attempt(db, runtime, request, "login_failed", service.find_user(db, who))
        return again(_("Email/nomor HP atau kata sandi salah."))
    limiter.clear(ratelimit.ACCOUNT_FAILURES, who.value)
    old = load_auth(request, db)
    if old is not None:
        sessions.end(db, old.session)  # a new sign-in never reuses a session (fixation)
    sessions.purge_expired(db)  # keeps user_session small; one indexed DELETE per sign-in
    raw = _start_session(request, db, user, verified=not user.has_totp)
    target = local_path(next, _landing(request, user))
    if user.has_totp:
        target = f"/akun/masuk/kode?next={quote(target, safe='/')}"
    else:
        _log(db, request, "login", user)
    db.commit()
    response = redirect(target)
    set_session_cookie(request, response, raw)
    remember_language(request, response, user.language)
    return response


@router.get("/akun/masuk/kode", response_class=HTMLResponse)
def code_form(request: Request, auth: Pending, next: str = "") -> Response:
    if auth.session.verified:
        return redirect(local_path(next, _landing(request, auth.user)))
    return page(request, "admin/login_code.html", {"next": next})


@router.post("/akun/masuk/kode", response_class=HTMLResponse)
def code_submit(
    request: Request,
    auth: Pending,
    db: SessionDep,
    runtime: RuntimeDep,
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    limiter = ratelimit.Limiter(runtime.cache)
    subject = f"user:{auth.user_id}"
    wait = limiter.wait(ratelimit.ACCOUNT_FAILURES, subject)
    if wait:
        message = _("Terlalu banyak kode yang salah. Coba lagi dalam {minutes} menit.").format(minutes=wait)
        return page(request, "admin/login_code.html", {"next": next, "error": message}, status=429)
    used = service.check_second_factor(db, auth.user, code)
    if used is None:
        limiter.hit(ratelimit.ACCOUNT_FAILURES, subject)
        _log(db, request, "login_failed", auth.user, "2fa")
        error = _(
            "Kode salah atau sudah dipakai. Masukkan kode yang sedang tampil di aplikasi, "
            "atau satu kode cadangan."
        )
        return page(request, "admin/login_code.html", {"next": next, "error": error}, status=400)
    limiter.clear(ratelimit.ACCOUNT_FAILURES, subject)
    # Verified: a fresh token, so the cookie seen before the second factor is worth nothing.
    sessions.end(db, auth.session)
    raw = _start_session(request, db, auth.user, verified=True)
    _log(db, request, "login", auth.user, "2fa")
    if used == "recovery":
        _log(db, request, "recovery_code_used", auth.user)
    db.commit()
    response = redirect(local_path(next, _landing(request, auth.user)))
    set_session_cookie(request, response, raw)
    return response


@router.post("/akun/keluar", name="logout")
def logout(request: Request, auth: Pending, db: SessionDep) -> Response:
    sessions.end(db, auth.session)
    _log(db, request, "logout", auth.user)
    db.commit()
    response = redirect("/akun/masuk?pesan=keluar")
    clear_session_cookie(request, response)
    return response


# --- forgotten password -----------------------------------------------------------------------------
@router.get("/akun/lupa-sandi", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def forgot_form(request: Request) -> Response:
    return page(request, "admin/forgot.html", {"identifier": ""})


@router.post("/akun/lupa-sandi", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def forgot(
    request: Request,
    db: SessionDep,
    runtime: RuntimeDep,
    identifier: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    try:
        who = parse_identifier(identifier)
    except InputError as error:
        return page(request, "admin/forgot.html", {"identifier": identifier, "error": str(error)}, status=400)
    limiter = ratelimit.Limiter(runtime.cache)
    ip = client_ip(request)
    wait = limiter.longest_wait(*ratelimit.reset_checks(who.value, ip))
    if wait:
        message = _("Terlalu banyak permintaan. Coba lagi dalam {minutes} menit.").format(minutes=wait)
        return page(request, "admin/forgot.html", {"identifier": identifier, "error": message}, status=429)
    limiter.hit_all(*ratelimit.reset_checks(who.value, ip))
    village = _village(request)
    link = settings_of(request).public_url(request_host(request), "/akun/atur-sandi/{token}")
    user = service.request_reset(db, who, link=link, village_id=village.id if village else None)
    if user is not None:
        _log_attempt(db, runtime, request, "password_reset_requested", user)
    # The same answer whether or not the account exists.
    return page(request, "admin/forgot.html", {"identifier": identifier, "sent": True})


@router.get("/akun/atur-sandi/{token}", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def reset_form(request: Request, token: str, db: SessionDep) -> Response:
    try:
        service.peek_token(db, token, "reset", _village_id(request))
    except InputError as error:
        return page(request, "admin/reset.html", {"invalid": str(error)}, status=400)
    return page(request, "admin/reset.html", {"token": token})


@router.post("/akun/atur-sandi/{token}", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def reset(
    request: Request,
    token: str,
    db: SessionDep,
    runtime: RuntimeDep,
    password: Annotated[str, Form(max_length=1000)] = "",
    password2: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        service.peek_token(db, token, "reset", _village_id(request))
    except InputError as error:
        return page(request, "admin/reset.html", {"invalid": str(error)}, status=400)
    if password != password2:
        mismatch = _("Kedua kata sandi tidak sama. Ketik ulang dengan teliti.")
        return page(request, "admin/reset.html", {"token": token, "error": mismatch}, status=400)
    try:
        village = _village(request)
        user = service.reset_password(
            db, token, password, _village_id(request), village.name if village else ""
        )
    except InputError as error:
        return page(request, "admin/reset.html", {"token": token, "error": str(error)}, status=400)
    assert user.id is not None
    sessions.end_all(db, user.id)  # whoever knew the old password is signed out everywhere
    _void_reset_links(db, runtime, user)
    _log(db, request, "password_reset", user)
    return redirect("/akun/masuk?pesan=sandi-diganti")


# --- invitations --------------------------------------------------------------------------------
def _invitation_context(db: Session, token: str, village: VillageSite) -> dict[str, object]:
    row = service.peek_token(db, token, "invite", village.id)
    who = Identifier("email", row.recipient) if "@" in row.recipient else Identifier("phone", row.recipient)
    existing = service.find_user(db, who)
    return {"token": token, "invitation": row, "existing": existing, "role": row.role}


@router.get("/akun/undangan/{token}", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def invitation_form(request: Request, token: str, db: SessionDep) -> Response:
    village = _village(request)
    if village is None:
        raise HTTPException(status_code=404)
    try:
        context = _invitation_context(db, token, village)
    except InputError as error:
        return page(request, "admin/invitation.html", {"invalid": str(error)}, status=400)
    return page(request, "admin/invitation.html", {**context, "name": ""})


@router.post("/akun/undangan/{token}", response_class=HTMLResponse, dependencies=[Depends(PUBLIC)])
def accept_invitation(
    request: Request,
    token: str,
    db: SessionDep,
    runtime: RuntimeDep,
    name: Annotated[str, Form(max_length=300)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    password2: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    village = _village(request)
    if village is None:
        raise HTTPException(status_code=404)
    try:
        context = _invitation_context(db, token, village)
    except InputError as error:
        return page(request, "admin/invitation.html", {"invalid": str(error)}, status=400)
    existing = context["existing"]
    # Joining with an existing account is a password check: limited exactly like signing in.
    limiter = ratelimit.Limiter(runtime.cache)
    subject = existing.login_name if isinstance(existing, User) else ""
    ip = client_ip(request)
    if isinstance(existing, User):
        wait = limiter.longest_wait(*ratelimit.password_checks(subject, ip))
        if wait:
            message = _("Terlalu banyak percobaan yang gagal. Coba lagi dalam {minutes} menit.").format(
                minutes=wait
            )
            return page(
                request, "admin/invitation.html", {**context, "name": name, "error": message}, status=429
            )
    try:
        if existing is None and password != password2:
            raise InputError(_("Kedua kata sandi tidak sama. Ketik ulang dengan teliti."))
        user, membership = service.accept_invitation(
            db, token, village.id, name=name, password=password, village_name=village.name
        )
    except InputError as error:
        db.rollback()
        if isinstance(existing, User):
            limiter.hit_all(*ratelimit.password_checks(subject, ip))
        return page(
            request, "admin/invitation.html", {**context, "name": name, "error": str(error)}, status=400
        )
    _log(db, request, "member_joined", user, membership.role)
    raw = _start_session(request, db, user, verified=not user.has_totp)
    db.commit()
    response = redirect("/akun/masuk/kode?next=/admin" if user.has_totp else "/admin")
    set_session_cookie(request, response, raw)
    return response


# --- profile ------------------------------------------------------------------------------------
def _profile(
    request: Request, auth: Auth, db: Session, runtime: RuntimeDep, **extra: object
) -> dict[str, object]:
    # A person's own memberships span villages: read them in a session allowed to cross villages,
    # filtered by nothing but their own user id.
    with runtime.session(all_villages=True) as cross:
        memberships = service.memberships_of(cross, auth.user_id)
        events = audit.for_user(cross, auth.user_id)
    settings = settings_of(request)
    return {
        "sessions": sessions.of_user(db, auth.user_id),
        "current_session": auth.session,
        "memberships": memberships,
        "events": events,
        "labels": audit.action_labels(),
        "recovery_left": service.recovery_codes_left(db, auth.user),
        "scope_level": scope_level(auth.user.supervisor_scope)
        if auth.user.supervisor_scope is not None
        else None,
        "village_url": settings.village_url,
        "name": auth.user.name,
        **extra,
    }


@router.get("/akun", response_class=HTMLResponse, name="profile")
def profile(
    request: Request, auth: SignedInSettingUp2fa, db: SessionDep, runtime: RuntimeDep, pesan: str = ""
) -> Response:
    notices = {
        "tersimpan": _("Profil tersimpan."),
        "sandi": _("Kata sandi sudah diganti. Perangkat lain sudah dikeluarkan."),
        "sesi": _("Sesi sudah diakhiri."),
        "2fa-mati": _("Verifikasi dua langkah sudah dinonaktifkan."),
    }
    return page(
        request, "admin/profile.html", _profile(request, auth, db, runtime, notice=notices.get(pesan))
    )


@router.post("/akun/profil", response_class=HTMLResponse)
def save_profile(
    request: Request,
    auth: SignedInSettingUp2fa,
    db: SessionDep,
    runtime: RuntimeDep,
    name: Annotated[str, Form(max_length=300)] = "",
    language: Annotated[str, Form(max_length=5)] = "id",
) -> Response:
    try:
        service.update_profile(db, auth.user, name=name, language=language)
    except InputError as error:
        db.rollback()
        db.refresh(auth.user)
        context = _profile(request, auth, db, runtime, name=name, profile_error=str(error))
        return page(request, "admin/profile.html", context, status=400)
    response = redirect("/akun?pesan=tersimpan")
    remember_language(request, response, auth.user.language)
    return response


@router.post("/akun/sandi", response_class=HTMLResponse)
def change_password(
    request: Request,
    auth: SignedInSettingUp2fa,
    db: SessionDep,
    runtime: RuntimeDep,
    current: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    password2: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        if password != password2:
            raise InputError(_("Kedua kata sandi tidak sama. Ketik ulang dengan teliti."))
        service.change_password(db, auth.user, current, password)
    except InputError as error:
        db.rollback()
        db.refresh(auth.user)
        context = _profile(request, auth, db, runtime, password_error=str(error))
        return page(request, "admin/profile.html", context, status=400)
    assert auth.session.id is not None
    sessions.end_all(db, auth.user_id, keep=auth.session.id)
    _void_reset_links(db, runtime, auth.user)
    _log(db, request, "password_changed", auth.user)
    return redirect("/akun?pesan=sandi")


@router.post("/akun/sesi/{session_id}/akhiri")
def end_session(request: Request, session_id: int, auth: SignedInSettingUp2fa, db: SessionDep) -> Response:
    for row in sessions.of_user(db, auth.user_id):  # only the person's own sessions
        if row.id == session_id:
            sessions.end(db, row)
    if session_id == auth.session.id:
        response = redirect("/akun/masuk?pesan=keluar")
        clear_session_cookie(request, response)
        return response
    return redirect("/akun?pesan=sesi")


@router.post("/akun/sesi/akhiri-semua")
def end_all_sessions(request: Request, auth: SignedInSettingUp2fa, db: SessionDep) -> Response:
    sessions.end_all(db, auth.user_id)
    _log(db, request, "logout_all", auth.user)
    response = redirect("/akun/masuk?pesan=keluar-semua")
    clear_session_cookie(request, response)
    return response


# --- two-factor -----------------------------------------------------------------------------------
def _setup_signature(request: Request, auth: Auth, secret: str) -> str:
    return keyed(settings_of(request).effective_secret_key, f"totp-setup:{auth.user_id}", secret)


def _setup_context(request: Request, auth: Auth, secret: str | None = None) -> dict[str, object]:
    secret = secret or totp.new_secret()
    uri = totp.provisioning_uri(secret, auth.user.login_name or auth.user.name)
    return {
        "secret": secret,
        "secret_spaced": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "signature": _setup_signature(request, auth, secret),
        "qr": totp.qr_svg(uri),
    }


@router.get("/akun/2fa", response_class=HTMLResponse)
def two_factor(request: Request, auth: SignedInSettingUp2fa, db: SessionDep, wajib: str = "") -> Response:
    required = bool(wajib) or requires_2fa(request, db, auth)
    context: dict[str, object] = {"required": required, "enabled": auth.user.has_totp}
    if auth.user.has_totp:
        context["recovery_left"] = service.recovery_codes_left(db, auth.user)
    else:
        context.update(_setup_context(request, auth))
    return page(request, "admin/two_factor.html", context)


@router.post("/akun/2fa", response_class=HTMLResponse)
def enable_two_factor(
    request: Request,
    auth: SignedInSettingUp2fa,
    db: SessionDep,
    secret: Annotated[str, Form(max_length=64)] = "",
    signature: Annotated[str, Form(max_length=128)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    if auth.user.has_totp:
        return redirect("/akun/2fa")
    if not secret or signature != _setup_signature(request, auth, secret):
        raise HTTPException(status_code=400)
    try:
        codes = service.enable_totp(db, auth.user, secret, code)
    except InputError as error:
        context = {
            "enabled": False,
            "required": requires_2fa(request, db, auth),
            "error": str(error),
            **_setup_context(request, auth, secret),
        }
        return page(request, "admin/two_factor.html", context, status=400)
    _log(db, request, "totp_enabled", auth.user)
    return page(request, "admin/recovery_codes.html", {"codes": codes})


@router.post("/akun/2fa/kode-cadangan", response_class=HTMLResponse)
def regenerate_codes(request: Request, auth: SignedIn, db: SessionDep) -> Response:
    if not auth.user.has_totp:
        return redirect("/akun/2fa")
    return page(request, "admin/recovery_codes.html", {"codes": service.new_recovery_codes(db, auth.user)})


@router.post("/akun/2fa/nonaktif", response_class=HTMLResponse)
def disable_two_factor(
    request: Request,
    auth: SignedIn,
    db: SessionDep,
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    if requires_2fa(request, db, auth):
        error = _("Peran Anda mewajibkan verifikasi dua langkah, jadi tidak dapat dinonaktifkan.")
        context = {
            "enabled": True,
            "required": True,
            "error": error,
            "recovery_left": service.recovery_codes_left(db, auth.user),
        }
        return page(request, "admin/two_factor.html", context, status=400)
    try:
        service.disable_totp(db, auth.user, password)
    except InputError as error:
        db.rollback()
        db.refresh(auth.user)
        context = {
            "enabled": True,
            "error": str(error),
            "recovery_left": service.recovery_codes_left(db, auth.user),
        }
        return page(request, "admin/two_factor.html", context, status=400)
    _log(db, request, "totp_disabled", auth.user)
    return redirect("/akun?pesan=2fa-mati")


# --- JSON --------------------------------------------------------------------------------------------
@router.get("/api/v1/akun", name="api_me")
def api_me(auth: SignedIn) -> JSONResponse:
    user = auth.user
    return JSONResponse(
        {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "phone": user.phone,
            "supervisor_scope": user.supervisor_scope,
            "two_factor": user.has_totp,
        }
    )
