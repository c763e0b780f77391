"""The village team's aspiration screens (``/admin/aspirasi`` on the village's own host).

Editors and admins handle aspirations: the inbox by status, a message with its photo and its
sender's name and phone, public replies and internal notes, the status, and publishing when the
sender agreed. A kontributor (kader) does not see them: the sender's name and phone number are
personal data, and a kader is a volunteer writer, not the village's administration. Supervisors
(pendamping) do not see them either, for the same reason. The village is always the host's: an id of
another village is not found (404), whatever the role.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col

from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.accounts.identity import display_phone
from etalase.platform.aspirations import codes
from etalase.platform.aspirations import service as aspirations
from etalase.platform.aspirations.models import STATUSES, Aspiration
from etalase.platform.i18n import _
from etalase.platform.runtime import Runtime
from etalase.platform.web.deps import SessionDep
from etalase.platform.web.pages import log_in_village, page, page_number, redirect
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageTeamRoute)

Handle = Annotated[VillageActor, Depends(village_access(Permission.MODERATE))]
Text = Annotated[str, Form(max_length=20_000)]
Short = Annotated[str, Form(max_length=40)]

BASE = "/admin/aspirasi"
PAGE_SIZE = 30
TABS = (*STATUSES, "spam")


def _tab_names() -> dict[str, str]:
    return {**aspirations.status_labels(), "spam": _("Spam")}


def _notices() -> dict[str, str]:
    return {
        "dibalas": _("Balasan sudah disimpan. Pengirim dapat membacanya dengan kode aspirasi."),
        "dicatat": _("Catatan internal sudah disimpan. Hanya tim desa yang dapat membacanya."),
        "status": _("Status aspirasi sudah diubah."),
        "terbit": _("Aspirasi sudah terbit di situs desa, tanpa nama dan nomor HP pengirim."),
        "ditarik": _("Aspirasi sudah ditarik dari situs desa."),
        "bukan-spam": _("Aspirasi sudah dipindahkan ke kotak masuk."),
    }


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _load(db: Session, actor: VillageActor, aspiration_id: int) -> Aspiration:
    try:
        return aspirations.get(db, actor.village.id, aspiration_id)
    except aspirations.NotFoundError:
        raise HTTPException(status_code=404) from None


def _target(aspiration: Aspiration, extra: str = "") -> str:
    """What the audit log names: the code, never the sender."""
    code = codes.display(aspiration.code)
    return f"{code}: {extra}" if extra else code


# --- the inbox ------------------------------------------------------------------------------------
@router.get(BASE, response_class=HTMLResponse, name="admin_aspirations")
def inbox(
    request: Request, actor: Handle, db: SessionDep, status: str = "", halaman: int = 1, pesan: str = ""
) -> Response:
    tab = status if status in TABS else "diterima"
    number = page_number(halaman)
    query = in_village(Aspiration, actor.village.id)
    if tab == "spam":
        query = query.where(col(Aspiration.spam).is_(True))
    else:
        query = query.where(col(Aspiration.spam).is_(False), col(Aspiration.status) == tab)
    rows = db.exec(
        query.order_by(col(Aspiration.created_at).desc(), col(Aspiration.id).desc())
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    context = {
        "actor": actor,
        "tab": tab,
        "tabs": _tab_names(),
        "counts": aspirations.tab_counts(db, actor.village.id),
        "items": list(rows[:PAGE_SIZE]),
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        "notice": _notices().get(pesan),
        "display_code": codes.display,
        "category_names": aspirations.category_short(),
    }
    return page(request, "admin/aspirasi.html", context)


# --- one aspiration -------------------------------------------------------------------------------
def _detail(
    request: Request,
    db: Session,
    actor: VillageActor,
    aspiration: Aspiration,
    *,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    assert aspiration.id is not None
    photo = None
    if aspiration.photo_media_id is not None:
        found = aspirations.photos(db, actor.village.id, [aspiration.photo_media_id])
        media = found.get(aspiration.photo_media_id)
        if media is not None:
            # Through the app, never the public media URL: the photo is private (UU PDP).
            own = f"{BASE}/{aspiration.id}/foto"
            photo = {
                "src": own,
                "srcset": ", ".join(
                    f"{own}?lebar={int(v['width'])} {int(v['width'])}w" for v in media.variant_list
                ),
                "width": media.width,
                "height": media.height,
            }
    context = {
        "actor": actor,
        "aspiration": aspiration,
        "code": codes.display(aspiration.code),
        "phone": display_phone(aspiration.sender_phone) if aspiration.sender_phone else "",
        "photo": photo,
        "steps": aspirations.replies(db, actor.village.id, [aspiration.id], public_only=False)[aspiration.id],
        "statuses": aspirations.status_labels(),
        "category_names": aspirations.category_labels(),
        "reply": "",
        "reply_kind": "public",
        **extra,
    }
    return page(request, "admin/aspirasi_detail.html", context, status=status)


@router.get(f"{BASE}/{{aspiration_id}}/foto", name="admin_aspiration_photo")
def photo(request: Request, aspiration_id: int, actor: Handle, db: SessionDep, lebar: int = 0) -> Response:
    """The resident's photo, for the village's editors and admins only: the JPEG, or the WebP
    variant of width ``lebar``. Not cached by shared caches, and not kept on the device."""
    aspiration = _load(db, actor, aspiration_id)
    found = aspirations.photos(db, actor.village.id, [aspiration.photo_media_id])
    media = found.get(aspiration.photo_media_id) if aspiration.photo_media_id is not None else None
    if media is None:
        raise HTTPException(status_code=404)
    key, content_type = media.key, media.content_type
    for variant in media.variant_list:
        if lebar and int(variant["width"]) == lebar:
            key, content_type = str(variant["key"]), f"image/{variant.get('format', 'webp')}"
    body = _runtime(request).media.get(key)
    if body is None:
        raise HTTPException(status_code=404)
    return Response(
        body,
        media_type=content_type,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get(f"{BASE}/{{aspiration_id}}", response_class=HTMLResponse, name="admin_aspiration")
def detail(request: Request, aspiration_id: int, actor: Handle, db: SessionDep, pesan: str = "") -> Response:
    aspiration = _load(db, actor, aspiration_id)
    return _detail(request, db, actor, aspiration, notice=_notices().get(pesan))


def _refused(
    request: Request, db: Session, actor: VillageActor, aspiration_id: int, error: str, **extra: Any
) -> HTMLResponse:
    db.rollback()
    aspiration = _load(db, actor, aspiration_id)
    return _detail(request, db, actor, aspiration, status=400, error=error, **extra)


@router.post(f"{BASE}/{{aspiration_id}}/balas", response_class=HTMLResponse)
def reply(
    request: Request,
    aspiration_id: int,
    actor: Handle,
    db: SessionDep,
    isi: Text = "",
    jenis: Short = "public",
) -> Response:
    aspiration = _load(db, actor, aspiration_id)
    public = jenis != "internal"
    try:
        aspirations.add_reply(db, actor.village.id, aspiration_id, actor.user, isi, public=public)
    except aspirations.AspirationError as error:
        return _refused(
            request,
            db,
            actor,
            aspiration_id,
            str(error),
            reply=isi,
            reply_kind="public" if public else "internal",
        )
    if public:
        log_in_village(db, request, actor, "aspiration_replied", _target(aspiration))
    return redirect(f"{BASE}/{aspiration_id}?pesan={'dibalas' if public else 'dicatat'}")


@router.post(f"{BASE}/{{aspiration_id}}/status", response_class=HTMLResponse)
def change_status(
    request: Request, aspiration_id: int, actor: Handle, db: SessionDep, status: Short = ""
) -> Response:
    _load(db, actor, aspiration_id)
    try:
        aspiration = aspirations.change_status(db, actor.village.id, aspiration_id, actor.user, status)
    except aspirations.AspirationError as error:
        return _refused(request, db, actor, aspiration_id, str(error))
    log_in_village(db, request, actor, "aspiration_status_changed", _target(aspiration, status))
    return redirect(f"{BASE}/{aspiration_id}?pesan=status")


@router.post(f"{BASE}/{{aspiration_id}}/terbitkan", response_class=HTMLResponse)
def publish(request: Request, aspiration_id: int, actor: Handle, db: SessionDep) -> Response:
    _load(db, actor, aspiration_id)
    try:
        aspiration = aspirations.set_published(db, actor.village.id, aspiration_id, True)
    except aspirations.AspirationError as error:
        return _refused(request, db, actor, aspiration_id, str(error))
    log_in_village(db, request, actor, "aspiration_published", _target(aspiration))
    return redirect(f"{BASE}/{aspiration_id}?pesan=terbit")


@router.post(f"{BASE}/{{aspiration_id}}/tarik", response_class=HTMLResponse)
def unpublish(request: Request, aspiration_id: int, actor: Handle, db: SessionDep) -> Response:
    _load(db, actor, aspiration_id)
    try:
        aspiration = aspirations.set_published(db, actor.village.id, aspiration_id, False)
    except aspirations.AspirationError as error:
        return _refused(request, db, actor, aspiration_id, str(error))
    log_in_village(db, request, actor, "aspiration_unpublished", _target(aspiration))
    return redirect(f"{BASE}/{aspiration_id}?pesan=ditarik")


@router.post(f"{BASE}/{{aspiration_id}}/bukan-spam", response_class=HTMLResponse)
def not_spam(request: Request, aspiration_id: int, actor: Handle, db: SessionDep) -> Response:
    _load(db, actor, aspiration_id)
    try:
        aspiration = aspirations.mark_not_spam(db, actor.village.id, aspiration_id)
    except aspirations.AspirationError as error:
        return _refused(request, db, actor, aspiration_id, str(error))
    log_in_village(db, request, actor, "aspiration_not_spam", _target(aspiration))
    return redirect(f"{BASE}/{aspiration_id}?pesan=bukan-spam")
