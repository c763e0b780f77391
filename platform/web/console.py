"""The supervision console on the portal: a facilitator's villages, activation, first admins,
mentoring notes and the scope's activity log; the operator's outbox.

Every query here filters by the person's scope (a region-code prefix) explicitly, and a village
named in the URL is refused unless the scope covers it. Reads across villages use the
cross-village session on purpose (row-level security would otherwise hide them).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from etalase.platform.accounts import audit, outbox, service
from etalase.platform.accounts.authz import Permission, ScopeActor, scope_access, scope_level
from etalase.platform.accounts.identity import InputError
from etalase.platform.accounts.labels import contact
from etalase.platform.accounts.models import Membership, MentoringNote, OutboxMessage
from etalase.platform.accounts.tokens import hash_ip
from etalase.platform.i18n import _
from etalase.platform.supervision import export, months, trend
from etalase.platform.supervision import village as village_indicators
from etalase.platform.web.admin import whatsapp_link
from etalase.platform.web.deps import CrossVillageSessionDep, settings_of
from etalase.platform.web.pages import client_ip, page, page_number, redirect
from etalase.platform.web.routing import PortalRoute
from etalase.tenants.models import Region, Village
from etalase.tenants.resolver import TYPE_TITLE
from etalase.tenants.scope import in_village, in_villages
from etalase.tenants.service import set_status

router = APIRouter(route_class=PortalRoute)

Supervise = Annotated[ScopeActor, Depends(scope_access(Permission.SUPERVISE))]
Activate = Annotated[ScopeActor, Depends(scope_access(Permission.ACTIVATE))]
InviteFirstAdmin = Annotated[ScopeActor, Depends(scope_access(Permission.INVITE_FIRST_ADMIN))]
WriteNotes = Annotated[ScopeActor, Depends(scope_access(Permission.WRITE_NOTES))]
ReadAudit = Annotated[ScopeActor, Depends(scope_access(Permission.READ_AUDIT))]
ReadOutbox = Annotated[ScopeActor, Depends(scope_access(Permission.READ_OUTBOX))]

PAGE_SIZE = 50
MAX_NOTE = 2000


def _scope_filter(query, actor: ScopeActor):  # type: ignore[no-untyped-def]
    if actor.scope:
        return query.where(col(Village.code).startswith(actor.scope + ".", autoescape=True))
    return query


def _village_in_scope(db: Session, actor: ScopeActor, code: str) -> Village:
    village = db.exec(select(Village).where(col(Village.code) == code)).first()
    # Outside the scope is the same answer as not existing: the console reveals nothing beyond it.
    if village is None or not actor.covers(village.code):
        raise HTTPException(status_code=404)
    return village


def _log(
    db: Session, request: Request, actor: ScopeActor, village: Village, action: str, target: str = ""
) -> None:
    audit.record(
        db,
        action,
        actor=actor.user,
        village_id=village.id,
        village_code=village.code,
        target=target,
        ip_hash=hash_ip(settings_of(request).effective_secret_key, client_ip(request)),
    )


def _village_title(db: Session, village: Village) -> str:
    region = db.get(Region, village.code)
    return f"{TYPE_TITLE.get(region.type if region else 'desa', 'Desa')} {village.name}"


def _scope_title(db: Session, scope: str) -> str:
    if not scope:
        return _("Seluruh Indonesia")
    region = db.get(Region, scope)
    if region is None:
        return scope
    kind = TYPE_TITLE.get(region.type, "")
    return region.name if region.type in ("kabupaten", "kota") else f"{kind} {region.name}".strip()


@router.get("/konsol", response_class=HTMLResponse, name="console")
def villages(
    request: Request,
    actor: Supervise,
    db: CrossVillageSessionDep,
    q: str = "",
    status: str = "",
    halaman: int = 1,
) -> Response:
    query = _scope_filter(select(Village), actor)
    q = q.strip()[:100]
    if q:
        query = query.where(
            col(Village.name).icontains(q, autoescape=True) | col(Village.code).startswith(q, autoescape=True)
        )
    if status in ("active", "inactive"):
        query = query.where(col(Village.status) == status)
    counts_by_status = dict(
        db.exec(
            _scope_filter(select(Village.status, func.count()), actor).group_by(col(Village.status))
        ).all()
    )
    # Unfiltered, the total is the sum of the statuses: one scan of a national scope, not two.
    if q or status:
        total = db.exec(select(func.count()).select_from(query.subquery())).one()
    else:
        total = sum(counts_by_status.values())
    halaman = page_number(halaman)
    rows = db.exec(query.order_by(col(Village.code)).offset((halaman - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    ids = [v.id for v in rows if v.id is not None]
    teams: dict[int, dict[str, int]] = {}
    for membership in db.exec(in_villages(Membership, ids)).all() if ids else []:
        counts = teams.setdefault(membership.village_id, {})
        counts[membership.role] = counts.get(membership.role, 0) + 1
    # "Desa Sidoluhur" / "Kelurahan Meteseh", "Kecamatan Godean" / "Distrik Sentani": titles by type.
    codes = {v.code for v in rows} | {v.code[:8] for v in rows}
    titles = {
        r.code: f"{TYPE_TITLE.get(r.type, '')} {r.name}".strip()
        for r in db.exec(select(Region).where(col(Region.code).in_(codes))).all()
    }
    return page(
        request,
        "admin/console.html",
        {
            "actor": actor,
            "scope_title": _scope_title(db, actor.scope),
            "scope_level": scope_level(actor.scope),
            "villages": rows,
            "teams": teams,
            "titles": titles,
            "total": total,
            "active_count": counts_by_status.get("active", 0),
            "inactive_count": counts_by_status.get("inactive", 0),
            "q": q,
            "status": status,
            "halaman": halaman,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "village_url": settings_of(request).village_url,
        },
    )


def _village_context(
    db: Session, actor: ScopeActor, village: Village, month: date | None = None, **extra: object
) -> dict[str, object]:
    assert village.id is not None
    team = service.members(db, village.id)
    return {
        # The village's indicators of the month and its twelve-month trend (issue 7).
        **village_indicators.context(db, village, month or months.parse("")),
        "actor": actor,
        "v": village,
        "title": _village_title(db, village),
        "team": team,
        "has_admin": any(m.role == "admin" for m, _u in team),
        "invitations": service.pending_invitations(db, village.id),
        "notes": db.exec(
            in_village(MentoringNote, village.id).order_by(col(MentoringNote.id).desc()).limit(50)
        ).all(),
        "events": audit.for_village(db, village.id)[:20],
        "labels": audit.action_labels(),
        "recipient": "",
        **extra,
    }


@router.get("/konsol/desa/{code}", response_class=HTMLResponse, name="console_village")
def village_detail(
    request: Request,
    code: str,
    actor: Supervise,
    db: CrossVillageSessionDep,
    pesan: str = "",
    bulan: str = "",
    format: str = "",  # ?format=csv or xlsx: the twelve-month table as a file
) -> Response:
    village = _village_in_scope(db, actor, code)
    month = months.parse(bulan)
    if format in export.FORMATS:
        assert village.id is not None
        header, lines = trend.sheet(trend.months(db, village.id, month))
        return export.download(
            header, lines, format, export.filename(village.code, month, format), village.code
        )
    notices = {
        "aktif": _("Situs desa sudah diaktifkan dan terbuka untuk umum."),
        "nonaktif": _("Situs desa sudah dinonaktifkan."),
        "catatan": _("Catatan tersimpan. Tim desa dapat membacanya di halaman admin."),
    }
    context = _village_context(
        db,
        actor,
        village,
        month,
        notice=notices.get(pesan),
        site_url=settings_of(request).village_url(village.slug),
    )
    return page(request, "admin/console_village.html", context)


@router.post("/konsol/desa/{code}/aktifkan", response_class=HTMLResponse)
def activate(request: Request, code: str, actor: Activate, db: CrossVillageSessionDep) -> Response:
    village = _village_in_scope(db, actor, code)
    if village.status != "active":
        set_status(db, village, active=True)
        _log(db, request, actor, village, "village_activated")
    return redirect(f"/konsol/desa/{village.code}?pesan=aktif")


@router.post("/konsol/desa/{code}/nonaktifkan", response_class=HTMLResponse)
def deactivate(request: Request, code: str, actor: Activate, db: CrossVillageSessionDep) -> Response:
    village = _village_in_scope(db, actor, code)
    if village.status == "active":
        set_status(db, village, active=False)
        _log(db, request, actor, village, "village_deactivated")
    return redirect(f"/konsol/desa/{village.code}?pesan=nonaktif")


@router.post("/konsol/desa/{code}/undang", response_class=HTMLResponse)
def invite_first_admin(
    request: Request,
    code: str,
    actor: InviteFirstAdmin,
    db: CrossVillageSessionDep,
    recipient: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    village = _village_in_scope(db, actor, code)
    assert village.id is not None
    settings = settings_of(request)
    site_url = settings.village_url(village.slug)
    title = _village_title(db, village)
    try:
        if any(m.role == "admin" for m, _u in service.members(db, village.id)):
            raise InputError(
                _("Desa ini sudah punya admin. Anggota tim berikutnya diundang oleh admin desa.")
            )
        # One first admin: a new invitation replaces any earlier one still waiting.
        for earlier in service.pending_invitations(db, village.id):
            if earlier.role == "admin" and earlier.id is not None:
                service.cancel_invitation(db, village.id, earlier.id)
        invitation = service.invite(
            db,
            village_id=village.id,
            village_title=title,
            recipient=recipient,
            role="admin",
            inviter=actor.user,
            link=settings.village_url(village.slug, "/akun/undangan/{token}"),
            email_possible=bool(settings.smtp_host),
        )
    except InputError as error:
        db.rollback()
        context = _village_context(
            db, actor, village, recipient=recipient, error=str(error), site_url=site_url
        )
        return page(request, "admin/console_village.html", context, status=400)
    _log(db, request, actor, village, "member_invited", f"{contact(invitation.recipient.value)} (admin)")
    if outbox.deliverable(settings, invitation.recipient.value):
        from etalase.platform import jobs  # noqa: PLC0415

        db.commit()
        jobs.enqueue(settings, outbox.send_pending, settings)
    share = _("Anda diundang menjadi admin website {village}. Buka: {url}").format(
        village=title, url=invitation.link
    )
    context = _village_context(
        db,
        actor,
        village,
        invited=invitation,
        invited_to=contact(invitation.recipient.value),
        whatsapp=whatsapp_link(invitation.recipient.value, share),
        site_url=site_url,
    )
    return page(request, "admin/console_village.html", context)


@router.post("/konsol/desa/{code}/catatan", response_class=HTMLResponse)
def add_note(
    request: Request,
    code: str,
    actor: WriteNotes,
    db: CrossVillageSessionDep,
    body: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    village = _village_in_scope(db, actor, code)
    assert village.id is not None
    text = body.strip()
    error = None
    if not text:
        error = _("Tulis catatannya terlebih dahulu.")
    elif len(text) > MAX_NOTE:
        error = _("Catatan terlalu panjang (maksimal 2.000 karakter).")
    if error:
        site_url = settings_of(request).village_url(village.slug)
        context = _village_context(db, actor, village, note=body, note_error=error, site_url=site_url)
        return page(request, "admin/console_village.html", context, status=400)
    db.add(
        MentoringNote(village_id=village.id, author_id=actor.user.id, author_name=actor.user.name, body=text)
    )
    _log(db, request, actor, village, "note_added")
    return redirect(f"/konsol/desa/{village.code}?pesan=catatan")


@router.get("/konsol/log", response_class=HTMLResponse, name="console_log")
def scope_log(
    request: Request, actor: ReadAudit, db: CrossVillageSessionDep, sebelum: int | None = None
) -> Response:
    events = audit.for_scope(db, actor.scope, before=sebelum)
    codes = {e.village_code for e in events if e.village_code}
    names = (
        {v.code: v.name for v in db.exec(select(Village).where(col(Village.code).in_(codes))).all()}
        if codes
        else {}
    )
    context = {
        "actor": actor,
        "events": events,
        "labels": audit.action_labels(),
        "names": names,
        "page_size": audit.PAGE_SIZE,
    }
    return page(request, "admin/console_log.html", context)


@router.get("/konsol/kotak-keluar", response_class=HTMLResponse, name="console_outbox")
def outbox_page(request: Request, actor: ReadOutbox, db: CrossVillageSessionDep) -> Response:
    messages = db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(100)).all()
    return page(
        request,
        "admin/outbox.html",
        {"actor": actor, "messages": messages, "smtp": bool(settings_of(request).smtp_host)},
    )


@router.get("/api/v1/desa", name="api_villages")
def api_villages(actor: Supervise, db: CrossVillageSessionDep, halaman: int = 1) -> JSONResponse:
    query = _scope_filter(select(Village), actor).order_by(col(Village.code))
    rows = db.exec(query.offset((page_number(halaman) - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return JSONResponse(
        {
            "scope": actor.scope,
            "villages": [{"code": v.code, "name": v.name, "slug": v.slug, "status": v.status} for v in rows],
        }
    )
