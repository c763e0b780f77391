"""The village team's area, ``/admin`` on the village's own host: overview, members, activity log.

Every route names the permission it needs (``village_access``); the village is the one of the
host, never one named in the URL or the form, so a member of village A has nothing to aim at B.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import Session, col

from etalase.platform.accounts import audit, outbox, service
from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.accounts.identity import InputError
from etalase.platform.accounts.labels import contact
from etalase.platform.accounts.models import Membership, MentoringNote, User
from etalase.platform.analytics import indicators
from etalase.platform.analytics.indicators import Indicators
from etalase.platform.aspirations import service as aspirations
from etalase.platform.discussion import service as discussion
from etalase.platform.i18n import _
from etalase.platform.web import impact_admin
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.pages import log_in_village, page, redirect
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageTeamRoute)

AdminArea = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
ManageMembers = Annotated[VillageActor, Depends(village_access(Permission.MANAGE_MEMBERS))]
ReadAudit = Annotated[VillageActor, Depends(village_access(Permission.READ_AUDIT))]


def whatsapp_link(recipient: str, text: str) -> str | None:
    """A wa.me link that opens WhatsApp with the message ready (only for mobile numbers)."""
    if recipient.startswith("+62"):
        return f"https://wa.me/{recipient[1:]}?text={quote(text)}"
    return None


@router.get("/admin", response_class=HTMLResponse, name="admin_home")
def home(request: Request, actor: AdminArea, db: SessionDep) -> Response:
    vid = actor.village.id
    notes = db.exec(in_village(MentoringNote, vid).order_by(col(MentoringNote.id).desc()).limit(10)).all()
    context: dict[str, object] = {"actor": actor, "notes": notes}
    if actor.can(Permission.READ_STATS):
        # This month at a glance (the full dashboard is /admin/dampak): what an operator opening
        # the admin on a phone should see first.
        now = utcnow()
        month = indicators.month_of(now)
        shown = Indicators.of_village(impact_admin.fresh_month(db, vid, month, now))
        days, fresh = impact_admin.freshness(shown, now)
        context["impact"] = {
            "month": impact_admin.month_name(month),
            "meters": impact_admin.meters(shown),
            "words": impact_admin.status_words(),
            "days": days,
            "fresh": fresh,
        }
    if actor.can(Permission.MODERATE):
        context["waiting"] = {
            "aspirations": aspirations.tab_counts(db, vid)["diterima"],
            "comments": discussion.counts(db, vid)["pending"],
        }
    return page(request, "admin/dashboard.html", context)


def _members_context(db: Session, actor: VillageActor, **extra: object) -> dict[str, object]:
    return {
        "actor": actor,
        "members": service.members(db, actor.village.id),
        "invitations": service.pending_invitations(db, actor.village.id),
        "recipient": "",
        "role": "kontributor",
        **extra,
    }


@router.get("/admin/anggota", response_class=HTMLResponse, name="admin_members")
def members(request: Request, actor: ManageMembers, db: SessionDep, pesan: str = "") -> Response:
    notices = {
        "peran": _("Peran sudah diubah."),
        "hapus": _("Anggota sudah dikeluarkan dari tim desa."),
        "batal": _("Undangan sudah dibatalkan."),
        "terlatih": _("Anggota sudah ditandai terlatih."),
        "belum-terlatih": _("Tanda terlatih sudah dihapus."),
    }
    return page(request, "admin/members.html", _members_context(db, actor, notice=notices.get(pesan)))


@router.post("/admin/anggota/undang", response_class=HTMLResponse)
def invite(
    request: Request,
    actor: ManageMembers,
    db: SessionDep,
    recipient: Annotated[str, Form(max_length=300)] = "",
    role: Annotated[str, Form(max_length=20)] = "kontributor",
) -> Response:
    settings = settings_of(request)
    try:
        invitation = service.invite(
            db,
            village_id=actor.village.id,
            village_title=actor.village.title,
            recipient=recipient,
            role=role,
            inviter=actor.user,
            link=settings.village_url(actor.village.slug, "/akun/undangan/{token}"),
            email_possible=bool(settings.smtp_host),
        )
    except InputError as error:
        context = _members_context(db, actor, recipient=recipient, role=role, error=str(error))
        return page(request, "admin/members.html", context, status=400)
    log_in_village(db, request, actor, "member_invited", f"{contact(invitation.recipient.value)} ({role})")
    if outbox.deliverable(settings, invitation.recipient.value):
        from etalase.platform import jobs  # noqa: PLC0415

        db.commit()
        jobs.enqueue(settings, outbox.send_pending, settings)
    share = _("Anda diundang bergabung dengan tim website {village}. Buka: {url}").format(
        village=actor.village.title, url=invitation.link
    )
    context = _members_context(
        db,
        actor,
        invited=invitation,
        invited_to=contact(invitation.recipient.value),
        whatsapp=whatsapp_link(invitation.recipient.value, share),
    )
    return page(request, "admin/members.html", context)


@router.post("/admin/anggota/{membership_id}/peran", response_class=HTMLResponse)
def change_role(
    request: Request,
    membership_id: int,
    actor: ManageMembers,
    db: SessionDep,
    role: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        row = service.change_role(db, actor.village.id, membership_id, role)
    except InputError as error:
        db.rollback()
        return page(request, "admin/members.html", _members_context(db, actor, error=str(error)), status=400)
    log_in_village(db, request, actor, "role_changed", f"#{row.user_id} → {row.role}")
    return redirect("/admin/anggota?pesan=peran")


@router.post("/admin/anggota/{membership_id}/terlatih", response_class=HTMLResponse)
def mark_trained(
    request: Request,
    membership_id: int,
    actor: ManageMembers,
    db: SessionDep,
    terlatih: Annotated[str, Form(max_length=1)] = "1",
) -> Response:
    """Mark a member as trained ("admin terlatih", a target of the field: 10 per village) or take
    the mark back; the indicator counts trained members who signed in within 90 days."""
    row = db.exec(in_village(Membership, actor.village.id).where(col(Membership.id) == membership_id)).first()
    if row is None:
        raise HTTPException(status_code=404)
    user = db.get(User, row.user_id)
    trained = terlatih == "1"
    if trained != (row.trained_at is not None):
        row.trained_at = utcnow() if trained else None
        db.add(row)
        action = "member_trained" if trained else "member_untrained"
        log_in_village(db, request, actor, action, user.name if user else f"#{row.user_id}")
    return redirect("/admin/anggota?pesan=" + ("terlatih" if trained else "belum-terlatih"))


@router.post("/admin/anggota/{membership_id}/hapus", response_class=HTMLResponse)
def remove(request: Request, membership_id: int, actor: ManageMembers, db: SessionDep) -> Response:
    try:
        _row, user = service.remove_member(db, actor.village.id, membership_id)
    except InputError as error:
        db.rollback()
        return page(request, "admin/members.html", _members_context(db, actor, error=str(error)), status=400)
    log_in_village(db, request, actor, "member_removed", user.name if user else "")
    return redirect("/admin/anggota?pesan=hapus")


@router.post("/admin/undangan/{token_id}/batal", response_class=HTMLResponse)
def cancel_invitation(request: Request, token_id: int, actor: ManageMembers, db: SessionDep) -> Response:
    try:
        row = service.cancel_invitation(db, actor.village.id, token_id)
    except InputError as error:
        return page(request, "admin/members.html", _members_context(db, actor, error=str(error)), status=400)
    log_in_village(db, request, actor, "invite_cancelled", contact(row.recipient))
    return redirect("/admin/anggota?pesan=batal")


@router.get("/admin/log", response_class=HTMLResponse, name="admin_log")
def activity_log(request: Request, actor: ReadAudit, db: SessionDep, sebelum: int | None = None) -> Response:
    events = audit.for_village(db, actor.village.id, before=sebelum)
    context = {
        "actor": actor,
        "events": events,
        "labels": audit.action_labels(),
        "page_size": audit.PAGE_SIZE,
    }
    return page(request, "admin/audit.html", context)


@router.get("/api/v1/anggota", name="api_members")
def api_members(actor: ManageMembers, db: SessionDep) -> JSONResponse:
    return JSONResponse(
        {
            "village": actor.village.code,
            "members": [
                {"id": m.id, "user_id": m.user_id, "name": u.name, "role": m.role}
                for m, u in service.members(db, actor.village.id)
            ],
        }
    )
