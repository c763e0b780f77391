"""The village team's pengumuman screens (``/admin/pengumuman`` on the village's own host).

The whole team writes draft notices; a kontributor changes only their own drafts. Editors and
admins publish, take down, pin, trash and restore. A published notice is "terjadwal" until its
start, "aktif" until it expires and "berakhir" after: by time alone, nothing has to run. The
village is always the one of the host, so another village's id is not found (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import case, func, or_
from sqlmodel import Session, col

from etalase.platform.accounts.authz import Forbidden, Permission, VillageActor, may_edit_post, village_access
from etalase.platform.content import announcements
from etalase.platform.content.models import Announcement
from etalase.platform.content.richtext import MAX_BODY
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import _
from etalase.platform.web.deps import SessionDep
from etalase.platform.web.pages import log_in_village, page, page_number, redirect
from etalase.platform.web.routing import VillageTeamRoute
from etalase.platform.web.templates import waktu
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageTeamRoute)

Read = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
Write = Annotated[VillageActor, Depends(village_access(Permission.WRITE_DRAFTS))]
Publish = Annotated[VillageActor, Depends(village_access(Permission.PUBLISH))]

BASE = "/admin/pengumuman"
PAGE_SIZE = 20
# The word in the URL -> the state (announcements.state).
TABS = {
    "aktif": "active",
    "terjadwal": "scheduled",
    "berakhir": "expired",
    "draf": "draft",
    "sampah": "trash",
}
TAB_OF_STATE = {state: tab for tab, state in TABS.items()}

Text = Annotated[str, Form(max_length=MAX_BODY + 1000)]
Short = Annotated[str, Form(max_length=2000)]
Moment = Annotated[str, Form(max_length=40)]


def _tab_names() -> dict[str, str]:
    return {
        "aktif": _("Berlaku"),
        "terjadwal": _("Terjadwal"),
        "berakhir": _("Berakhir"),
        "draf": _("Draf"),
        "sampah": _("Sampah"),
    }


def _notices() -> dict[str, str]:
    return {
        "dibuat": _("Draf pengumuman sudah dibuat."),
        "disimpan": _("Pengumuman sudah disimpan."),
        "terbit": _("Pengumuman sudah terbit di situs desa."),
        "ditarik": _("Pengumuman sudah ditarik dari situs desa dan kembali menjadi draf."),
        "disematkan": _("Pengumuman disematkan: tampil paling atas."),
        "dilepas": _("Pengumuman tidak lagi disematkan."),
        "dihapus": _("Pengumuman sudah dipindahkan ke sampah."),
        "dipulihkan": _("Pengumuman sudah dipulihkan dari sampah."),
    }


def _default_notice(when: str) -> str:
    return _(
        "Waktu berakhir dikosongkan, jadi diisi otomatis {days} hari setelah mulai tayang: {when}. "
        "Ubah bila perlu."
    ).format(days=announcements.DEFAULT_DAYS, when=when)


def _tab_of(item: Announcement) -> str:
    return TAB_OF_STATE[announcements.state(item, utcnow())]


def _load(db: Session, actor: VillageActor, item_id: int, *, trashed: bool = False) -> Announcement:
    """The notice of this village, or 404 (also for another village's id)."""
    try:
        return announcements.get_announcement(db, actor.village.id, item_id, trashed=trashed)
    except ContentError:
        raise HTTPException(status_code=404) from None


def _is_author(actor: VillageActor, item: Announcement) -> bool:
    return item.author_id is not None and item.author_id == actor.user.id


def _may_trash(actor: VillageActor, item: Announcement) -> bool:
    return actor.can(Permission.PUBLISH) or (_is_author(actor, item) and item.status == "draft")


def _require_edit(actor: VillageActor, item: Announcement) -> None:
    if not may_edit_post(actor, item.author_id, item.status):
        raise Forbidden(_("Anda hanya dapat mengubah draf pengumuman Anda sendiri."))


# --- the list --------------------------------------------------------------------------------------
def _listing(
    request: Request,
    db: Session,
    actor: VillageActor,
    *,
    tab: str,
    number: int,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    now = utcnow()
    query = in_village(Announcement, actor.village.id)
    if not actor.can(Permission.PUBLISH):  # a kontributor (or a supervisor): own notices and public ones
        query = query.where(
            or_(col(Announcement.status) == "published", col(Announcement.author_id) == actor.user.id)
        )
    # The same buckets as announcements.state, counted in one query.
    bucket = case(
        (col(Announcement.deleted_at).is_not(None), "trash"),
        (col(Announcement.status) != "published", "draft"),
        (col(Announcement.expires_at) <= now, "expired"),
        (col(Announcement.starts_at) > now, "scheduled"),
        else_="active",
    )
    grouped = dict(db.execute(query.with_only_columns(bucket, func.count()).group_by(bucket)).all())
    counts = {name: int(grouped.get(state, 0)) for name, state in TABS.items()}
    chosen = TABS[tab]
    if chosen == "trash":
        query = query.where(col(Announcement.deleted_at).is_not(None)).order_by(
            col(Announcement.deleted_at).desc()
        )
    else:
        query = query.where(col(Announcement.deleted_at).is_(None))
        if chosen == "draft":
            query = query.where(col(Announcement.status) != "published").order_by(
                col(Announcement.updated_at).desc()
            )
        else:
            query = query.where(col(Announcement.status) == "published")
            if chosen == "expired":
                query = query.where(col(Announcement.expires_at) <= now).order_by(
                    col(Announcement.expires_at).desc()
                )
            elif chosen == "scheduled":
                query = query.where(
                    col(Announcement.expires_at) > now, col(Announcement.starts_at) > now
                ).order_by(col(Announcement.starts_at))
            else:
                query = query.where(col(Announcement.expires_at) > now, announcements.started(now)).order_by(
                    col(Announcement.pinned).desc(), col(Announcement.expires_at)
                )
    rows = db.exec(
        query.order_by(col(Announcement.id).desc()).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    items = [
        {
            "item": a,
            "editable": a.deleted_at is None and may_edit_post(actor, a.author_id, a.status),
        }
        for a in rows[:PAGE_SIZE]
    ]
    context = {
        "actor": actor,
        "tab": tab,
        "tabs": _tab_names(),
        "counts": counts,
        "items": items,
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        **extra,
    }
    return page(request, "admin/announcements.html", context, status=status)


@router.get(BASE, response_class=HTMLResponse, name="admin_announcements")
def listing(
    request: Request, actor: Read, db: SessionDep, status: str = "", halaman: int = 1, pesan: str = ""
) -> Response:
    tab = status if status in TABS else "aktif"
    return _listing(request, db, actor, tab=tab, number=page_number(halaman), notice=_notices().get(pesan))


# --- writing ---------------------------------------------------------------------------------------
def _form(
    request: Request,
    actor: VillageActor,
    *,
    item: Announcement | None,
    values: dict[str, str],
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    context: dict[str, object] = {
        "actor": actor,
        "item": item,
        "values": values,
        "default_days": announcements.DEFAULT_DAYS,
        **extra,
    }
    if item is not None:
        context.update(
            {
                "state": announcements.state(item, utcnow()),
                "may_publish": actor.can(Permission.PUBLISH),
                "may_trash": _may_trash(actor, item),
            }
        )
    return page(request, "admin/announcement_edit.html", context, status=status)


def _fields(actor: VillageActor, values: dict[str, str]) -> announcements.AnnouncementFields:
    return announcements.check_fields(
        actor.village.code,
        title=values["title"],
        body=values["body"],
        starts=values["starts"],
        expires=values["expires"],
    )


def _after_save(item: Announcement, fields: announcements.AnnouncementFields, notice: str) -> Response:
    # An expiry the form left empty was filled in: the edit page says so (and shows it in the field).
    extra = "&berakhir=otomatis" if fields.expiry_defaulted else ""
    return redirect(f"{BASE}/{item.id}?pesan={notice}{extra}")


@router.get(f"{BASE}/baru", response_class=HTMLResponse, name="admin_announcement_new")
def new(request: Request, actor: Write) -> Response:
    return _form(request, actor, item=None, values={"title": "", "body": "", "starts": "", "expires": ""})


@router.post(f"{BASE}/baru", response_class=HTMLResponse)
def create(
    request: Request,
    actor: Write,
    db: SessionDep,
    title: Short = "",
    body: Text = "",
    starts: Moment = "",
    expires: Moment = "",
) -> Response:
    values = {"title": title, "body": body, "starts": starts, "expires": expires}
    try:
        fields = _fields(actor, values)
        item = announcements.create(db, actor.village.id, actor.user, fields)
    except ContentError as error:
        db.rollback()
        return _form(request, actor, item=None, values=values, error=str(error), status=400)
    log_in_village(db, request, actor, "announcement_created", item.title)
    return _after_save(item, fields, "dibuat")


@router.get(f"{BASE}/{{announcement_id}}", response_class=HTMLResponse, name="admin_announcement_edit")
def edit(
    request: Request,
    announcement_id: int,
    actor: Write,
    db: SessionDep,
    pesan: str = "",
    berakhir: str = "",
) -> Response:
    item = _load(db, actor, announcement_id)
    _require_edit(actor, item)
    values = announcements.form_values(item, actor.village.code)
    notice = _notices().get(pesan)
    if notice and berakhir == "otomatis":
        notice = f"{notice} {_default_notice(waktu(item.expires_at, actor.village.code))}"
    return _form(request, actor, item=item, values=values, notice=notice)


@router.post(f"{BASE}/{{announcement_id}}", response_class=HTMLResponse)
def save(
    request: Request,
    announcement_id: int,
    actor: Write,
    db: SessionDep,
    title: Short = "",
    body: Text = "",
    starts: Moment = "",
    expires: Moment = "",
) -> Response:
    item = _load(db, actor, announcement_id)
    _require_edit(actor, item)
    values = {"title": title, "body": body, "starts": starts, "expires": expires}
    try:
        fields = _fields(actor, values)
        item = announcements.save(db, actor.village.id, announcement_id, fields)
    except ContentError as error:
        db.rollback()
        item = _load(db, actor, announcement_id)
        return _form(request, actor, item=item, values=values, error=str(error), status=400)
    return _after_save(item, fields, "disimpan")


# --- the workflow ----------------------------------------------------------------------------------
def _refused(
    request: Request, db: Session, actor: VillageActor, item_id: int, error: ContentError
) -> HTMLResponse:
    db.rollback()
    item = _load(db, actor, item_id)
    values = announcements.form_values(item, actor.village.code)
    return _form(request, actor, item=item, values=values, error=str(error), status=400)


def _done(item: Announcement, notice: str) -> Response:
    return redirect(f"{BASE}?status={_tab_of(item)}&pesan={notice}")


@router.post(f"{BASE}/{{announcement_id}}/terbitkan", response_class=HTMLResponse)
def publish(request: Request, announcement_id: int, actor: Publish, db: SessionDep) -> Response:
    item = _load(db, actor, announcement_id)
    try:
        announcements.publish(db, actor.village.id, announcement_id)
    except ContentError as error:
        return _refused(request, db, actor, announcement_id, error)
    log_in_village(db, request, actor, "announcement_published", item.title)
    return _done(item, "terbit")


@router.post(f"{BASE}/{{announcement_id}}/tarik", response_class=HTMLResponse)
def unpublish(request: Request, announcement_id: int, actor: Publish, db: SessionDep) -> Response:
    item = _load(db, actor, announcement_id)
    try:
        announcements.unpublish(db, actor.village.id, announcement_id)
    except ContentError as error:
        return _refused(request, db, actor, announcement_id, error)
    log_in_village(db, request, actor, "announcement_unpublished", item.title)
    return _done(item, "ditarik")


@router.post(f"{BASE}/{{announcement_id}}/sematkan", response_class=HTMLResponse)
def pin(
    request: Request,
    announcement_id: int,
    actor: Publish,
    db: SessionDep,
    sematkan: Annotated[str, Form(max_length=5)] = "1",
) -> Response:
    item = _load(db, actor, announcement_id)
    pinned = sematkan == "1"
    announcements.set_pinned(db, actor.village.id, announcement_id, pinned)
    action = "announcement_pinned" if pinned else "announcement_unpinned"
    log_in_village(db, request, actor, action, item.title)
    return redirect(f"{BASE}/{announcement_id}?pesan={'disematkan' if pinned else 'dilepas'}")


@router.post(f"{BASE}/{{announcement_id}}/hapus", response_class=HTMLResponse)
def trash(request: Request, announcement_id: int, actor: Write, db: SessionDep) -> Response:
    item = _load(db, actor, announcement_id)
    if not _may_trash(actor, item):
        raise Forbidden(_("Anda hanya dapat menghapus draf pengumuman Anda sendiri."))
    announcements.trash(db, actor.village.id, announcement_id)
    log_in_village(db, request, actor, "announcement_deleted", item.title)
    return _done(item, "dihapus")


@router.post(f"{BASE}/{{announcement_id}}/pulihkan", response_class=HTMLResponse)
def restore(request: Request, announcement_id: int, actor: Publish, db: SessionDep) -> Response:
    item = _load(db, actor, announcement_id, trashed=True)
    announcements.restore(db, actor.village.id, announcement_id)
    log_in_village(db, request, actor, "announcement_restored", item.title)
    return _done(item, "dipulihkan")
