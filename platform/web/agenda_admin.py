"""The village team's agenda screens (``/admin/agenda`` on the village's own host).

The whole team writes draft events; a kontributor changes only their own drafts. Editors and
admins publish, take down, trash and restore. The rules of an event's life are in
:mod:`etalase.platform.content.agenda`; the village is always the one of the host, so an event id
of another village is not found (404), whatever the role.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import case, func, or_
from sqlmodel import Session, col

from etalase.platform.accounts.authz import Forbidden, Permission, VillageActor, may_edit_post, village_access
from etalase.platform.content import agenda
from etalase.platform.content.models import Event
from etalase.platform.content.richtext import MAX_BODY
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import _
from etalase.platform.web.deps import SessionDep
from etalase.platform.web.pages import log_in_village, page, page_number, redirect
from etalase.platform.web.public_agenda import when_text
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageTeamRoute)

Read = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
Write = Annotated[VillageActor, Depends(village_access(Permission.WRITE_DRAFTS))]
Publish = Annotated[VillageActor, Depends(village_access(Permission.PUBLISH))]

BASE = "/admin/agenda"
PAGE_SIZE = 20
TABS = ("mendatang", "lalu", "draf", "sampah")

Text = Annotated[str, Form(max_length=MAX_BODY + 1000)]
Short = Annotated[str, Form(max_length=2000)]
Moment = Annotated[str, Form(max_length=40)]


def _tab_names() -> dict[str, str]:
    return {
        "mendatang": _("Akan datang"),
        "lalu": _("Sudah lewat"),
        "draf": _("Draf"),
        "sampah": _("Sampah"),
    }


def _notices() -> dict[str, str]:
    return {
        "dibuat": _("Draf acara sudah dibuat."),
        "disimpan": _("Acara sudah disimpan."),
        "terbit": _("Acara sudah terbit di agenda situs desa."),
        "ditarik": _("Acara sudah ditarik dari situs desa dan kembali menjadi draf."),
        "dihapus": _("Acara sudah dipindahkan ke sampah."),
        "dipulihkan": _("Acara sudah dipulihkan dari sampah."),
    }


def _tab_of(event: Event) -> str:
    if event.deleted_at is not None:
        return "sampah"
    if event.status != "published":
        return "draf"
    return "lalu" if agenda.is_over(event, utcnow()) else "mendatang"


def _load(db: Session, actor: VillageActor, event_id: int, *, trashed: bool = False) -> Event:
    """The event of this village, or 404 (also for another village's id)."""
    try:
        return agenda.get_event(db, actor.village.id, event_id, trashed=trashed)
    except ContentError:
        raise HTTPException(status_code=404) from None


def _is_author(actor: VillageActor, event: Event) -> bool:
    return event.author_id is not None and event.author_id == actor.user.id


def _may_trash(actor: VillageActor, event: Event) -> bool:
    return actor.can(Permission.PUBLISH) or (_is_author(actor, event) and event.status == "draft")


def _require_edit(actor: VillageActor, event: Event) -> None:
    if not may_edit_post(actor, event.author_id, event.status):
        raise Forbidden(_("Anda hanya dapat mengubah draf acara Anda sendiri."))


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
    query = in_village(Event, actor.village.id)
    if not actor.can(Permission.PUBLISH):  # a kontributor (or a supervisor): own events and public ones
        query = query.where(or_(col(Event.status) == "published", col(Event.author_id) == actor.user.id))
    # Every tab's count in one query.
    bucket = case(
        (col(Event.deleted_at).is_not(None), "sampah"),
        (col(Event.status) != "published", "draf"),
        (agenda.not_over(now), "mendatang"),
        else_="lalu",
    )
    grouped = dict(db.execute(query.with_only_columns(bucket, func.count()).group_by(bucket)).all())
    counts = {name: int(grouped.get(name, 0)) for name in TABS}
    if tab == "sampah":
        query = query.where(col(Event.deleted_at).is_not(None)).order_by(col(Event.deleted_at).desc())
    elif tab == "draf":
        query = query.where(col(Event.deleted_at).is_(None), col(Event.status) != "published").order_by(
            col(Event.starts_at)
        )
    else:
        query = query.where(col(Event.deleted_at).is_(None), col(Event.status) == "published")
        if tab == "mendatang":
            query = query.where(agenda.not_over(now)).order_by(col(Event.starts_at))
        else:
            query = query.where(~agenda.not_over(now)).order_by(col(Event.starts_at).desc())
    rows = db.exec(
        query.order_by(col(Event.id).desc()).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    events = [
        {
            "event": e,
            "when": when_text(e, actor.village.code),
            "editable": e.deleted_at is None and may_edit_post(actor, e.author_id, e.status),
        }
        for e in rows[:PAGE_SIZE]
    ]
    context = {
        "actor": actor,
        "tab": tab,
        "tabs": _tab_names(),
        "counts": counts,
        "events": events,
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        **extra,
    }
    return page(request, "admin/agenda.html", context, status=status)


@router.get(BASE, response_class=HTMLResponse, name="admin_agenda")
def listing(
    request: Request, actor: Read, db: SessionDep, status: str = "", halaman: int = 1, pesan: str = ""
) -> Response:
    tab = status if status in TABS else "mendatang"
    return _listing(request, db, actor, tab=tab, number=page_number(halaman), notice=_notices().get(pesan))


# --- writing ---------------------------------------------------------------------------------------
EMPTY = {
    "title": "",
    "description": "",
    "place": "",
    "start_date": "",
    "start_time": "",
    "end_date": "",
    "end_time": "",
    "all_day": "",
}


def _form(
    request: Request,
    actor: VillageActor,
    *,
    event: Event | None,
    values: dict[str, str],
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    context: dict[str, object] = {"actor": actor, "event": event, "values": values, **extra}
    if event is not None:
        context.update(
            {
                "when": when_text(event, actor.village.code),
                "may_publish": actor.can(Permission.PUBLISH),
                "may_trash": _may_trash(actor, event),
            }
        )
    return page(request, "admin/event_edit.html", context, status=status)


def _fields(actor: VillageActor, values: dict[str, str]) -> agenda.EventFields:
    return agenda.check_fields(
        actor.village.code,
        title=values["title"],
        description=values["description"],
        place=values["place"],
        start_date=values["start_date"],
        start_time=values["start_time"],
        end_date=values["end_date"],
        end_time=values["end_time"],
        all_day=bool(values["all_day"]),
    )


def _typed(
    title: str,
    description: str,
    place: str,
    start_date: str,
    start_time: str,
    end_date: str,
    end_time: str,
    all_day: str,
) -> dict[str, str]:
    return {
        "title": title,
        "description": description,
        "place": place,
        "start_date": start_date,
        "start_time": start_time,
        "end_date": end_date,
        "end_time": end_time,
        "all_day": "1" if all_day else "",
    }


@router.get(f"{BASE}/baru", response_class=HTMLResponse, name="admin_event_new")
def new(request: Request, actor: Write) -> Response:
    return _form(request, actor, event=None, values=dict(EMPTY))


@router.post(f"{BASE}/baru", response_class=HTMLResponse)
def create(
    request: Request,
    actor: Write,
    db: SessionDep,
    title: Short = "",
    description: Text = "",
    place: Short = "",
    start_date: Moment = "",
    start_time: Moment = "",
    end_date: Moment = "",
    end_time: Moment = "",
    all_day: Moment = "",
) -> Response:
    values = _typed(title, description, place, start_date, start_time, end_date, end_time, all_day)
    try:
        event = agenda.create(db, actor.village.id, actor.user, _fields(actor, values))
    except ContentError as error:
        db.rollback()
        return _form(request, actor, event=None, values=values, error=str(error), status=400)
    log_in_village(db, request, actor, "event_created", event.title)
    return redirect(f"{BASE}/{event.id}?pesan=dibuat")


@router.get(f"{BASE}/{{event_id}}", response_class=HTMLResponse, name="admin_event_edit")
def edit(request: Request, event_id: int, actor: Write, db: SessionDep, pesan: str = "") -> Response:
    event = _load(db, actor, event_id)
    _require_edit(actor, event)
    values = agenda.form_values(event, actor.village.code)
    return _form(request, actor, event=event, values=values, notice=_notices().get(pesan))


@router.post(f"{BASE}/{{event_id}}", response_class=HTMLResponse)
def save(
    request: Request,
    event_id: int,
    actor: Write,
    db: SessionDep,
    title: Short = "",
    description: Text = "",
    place: Short = "",
    start_date: Moment = "",
    start_time: Moment = "",
    end_date: Moment = "",
    end_time: Moment = "",
    all_day: Moment = "",
) -> Response:
    event = _load(db, actor, event_id)
    _require_edit(actor, event)
    values = _typed(title, description, place, start_date, start_time, end_date, end_time, all_day)
    try:
        agenda.save(db, actor.village.id, event_id, _fields(actor, values))
    except ContentError as error:
        db.rollback()
        event = _load(db, actor, event_id)
        return _form(request, actor, event=event, values=values, error=str(error), status=400)
    return redirect(f"{BASE}/{event_id}?pesan=disimpan")


# --- the workflow ----------------------------------------------------------------------------------
def _refused(
    request: Request, db: Session, actor: VillageActor, event_id: int, error: ContentError
) -> HTMLResponse:
    db.rollback()
    event = _load(db, actor, event_id)
    values = agenda.form_values(event, actor.village.code)
    return _form(request, actor, event=event, values=values, error=str(error), status=400)


def _done(event: Event, notice: str) -> Response:
    return redirect(f"{BASE}?status={_tab_of(event)}&pesan={notice}")


@router.post(f"{BASE}/{{event_id}}/terbitkan", response_class=HTMLResponse)
def publish(request: Request, event_id: int, actor: Publish, db: SessionDep) -> Response:
    event = _load(db, actor, event_id)
    try:
        agenda.publish(db, actor.village.id, event_id)
    except ContentError as error:
        return _refused(request, db, actor, event_id, error)
    log_in_village(db, request, actor, "event_published", event.title)
    return _done(event, "terbit")


@router.post(f"{BASE}/{{event_id}}/tarik", response_class=HTMLResponse)
def unpublish(request: Request, event_id: int, actor: Publish, db: SessionDep) -> Response:
    event = _load(db, actor, event_id)
    try:
        agenda.unpublish(db, actor.village.id, event_id)
    except ContentError as error:
        return _refused(request, db, actor, event_id, error)
    log_in_village(db, request, actor, "event_unpublished", event.title)
    return _done(event, "ditarik")


@router.post(f"{BASE}/{{event_id}}/hapus", response_class=HTMLResponse)
def trash(request: Request, event_id: int, actor: Write, db: SessionDep) -> Response:
    event = _load(db, actor, event_id)
    if not _may_trash(actor, event):
        raise Forbidden(_("Anda hanya dapat menghapus draf acara Anda sendiri."))
    agenda.trash(db, actor.village.id, event_id)
    log_in_village(db, request, actor, "event_deleted", event.title)
    return _done(event, "dihapus")


@router.post(f"{BASE}/{{event_id}}/pulihkan", response_class=HTMLResponse)
def restore(request: Request, event_id: int, actor: Publish, db: SessionDep) -> Response:
    event = _load(db, actor, event_id, trashed=True)
    agenda.restore(db, actor.village.id, event_id)
    log_in_village(db, request, actor, "event_restored", event.title)
    return _done(event, "dipulihkan")
