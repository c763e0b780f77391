"""The village team's page screens (``/admin/halaman``): the nested menu of pages, writing a page,
publishing, ordering, the trash, and the usual pages of a Website Desa in one click.

The whole team (and a covering supervisor) sees the list; pages are the village's official
profile, so only editors and admins create, change, publish, order and trash them. The rules are
in :mod:`etalase.platform.content.pages`. The village is always the one of the host: a page id of
another village is not found (404).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.content import pages
from etalase.platform.content.models import Page
from etalase.platform.content.pages import PageConflictError
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import _
from etalase.platform.runtime import Runtime
from etalase.platform.web.deps import RuntimeDep, SessionDep
from etalase.platform.web.pages import log_in_village, page, redirect
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.resolver import TYPE_TITLE

router = APIRouter(route_class=VillageTeamRoute)

Read = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
Publish = Annotated[VillageActor, Depends(village_access(Permission.PUBLISH))]

BASE = "/admin/halaman"
Text = Annotated[str, Form(max_length=pages.MAX_BODY + 1000)]
Short = Annotated[str, Form(max_length=2000)]
ParentField = Annotated[str, Form(max_length=20)]


def _notices() -> dict[str, str]:
    return {
        "dibuat": _("Draf halaman sudah dibuat."),
        "disimpan": _("Halaman sudah disimpan."),
        "terbit": _("Halaman sudah terbit dan tampil di menu situs desa."),
        "ditarik": _("Halaman sudah ditarik dari situs desa dan kembali menjadi draf."),
        "dihapus": _(
            "Halaman sudah dipindahkan ke sampah. Sub-halamannya naik satu tingkat. Dapat dipulihkan "
            "dari tab Sampah."
        ),
        "dipulihkan": _("Halaman sudah dipulihkan dari sampah."),
        "naik": _("Urutan menu sudah diubah."),
        "turun": _("Urutan menu sudah diubah."),
        "ujung": _("Halaman itu sudah di ujung urutannya."),
        "baku": _("Halaman baku sudah dibuat sebagai draf. Isi masing-masing, lalu terbitkan."),
        "lengkap": _("Semua halaman baku sudah ada."),
    }


def _place(actor: VillageActor) -> str:
    """Desa, Kelurahan, Desa Adat: the word the usual pages' titles use."""
    return TYPE_TITLE.get(actor.village.type, "Desa")


def _load(db: Session, actor: VillageActor, page_id: int, *, trashed: bool = False) -> Page:
    """The page of this village, or 404 (also for another village's id)."""
    try:
        return pages.get_page(db, actor.village.id, page_id, trashed=trashed)
    except ContentError:
        raise HTTPException(status_code=404) from None


def _parent_id(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdecimal() or len(raw) > 12:
        raise ContentError(_("Halaman induk tidak ditemukan. Pilih halaman lain."))
    return int(raw)


# --- the list --------------------------------------------------------------------------------------
def _listing(
    request: Request, db: Session, actor: VillageActor, *, tab: str, status: int = 200, **extra: object
) -> HTMLResponse:
    vid = actor.village.id
    live = pages.live_pages(db, vid)
    by_id = {p.id: p for p in live}
    children = pages.children_of(live)
    rows = []
    for item, level in pages.flatten(live):
        siblings = children.get(item.parent_id, [])
        # A published page under a draft is not in the public menu: say so beside it.
        hidden = False
        parent = by_id.get(item.parent_id)
        while parent is not None:
            if parent.status != "published":
                hidden = True
                break
            parent = by_id.get(parent.parent_id)
        rows.append(
            {
                "page": item,
                "level": min(level, pages.MAX_DEPTH - 1),
                "first": bool(siblings) and siblings[0].id == item.id,
                "last": bool(siblings) and siblings[-1].id == item.id,
                "hidden": hidden and item.status == "published",
            }
        )
    trashed = pages.trashed_pages(db, vid)
    context = {
        "actor": actor,
        "tab": tab,
        "rows": rows,
        "trashed": trashed,
        "missing": pages.missing_standard_pages(db, vid, _place(actor)),
        "may_write": actor.can(Permission.PUBLISH),
        **extra,
    }
    return page(request, "admin/pages.html", context, status=status)


@router.get(BASE, response_class=HTMLResponse, name="admin_pages")
def listing(request: Request, actor: Read, db: SessionDep, tab: str = "", pesan: str = "") -> Response:
    chosen = "sampah" if tab == "sampah" else "menu"
    return _listing(request, db, actor, tab=chosen, notice=_notices().get(pesan))


# --- writing ---------------------------------------------------------------------------------------
def _form(
    request: Request,
    db: Session,
    actor: VillageActor,
    *,
    item: Page | None,
    values: dict[str, str],
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    context = {
        "actor": actor,
        "item": item,
        "values": values,
        "parents": pages.parent_choices(db, actor.village.id, item),
        "max_depth": pages.MAX_DEPTH,
        **extra,
    }
    return page(request, "admin/page_edit.html", context, status=status)


def _values_of(item: Page) -> dict[str, str]:
    return {
        "title": item.title,
        "body": item.body,
        "parent_id": str(item.parent_id or ""),
        "version": str(item.version),
    }


@router.get(f"{BASE}/baru", response_class=HTMLResponse, name="admin_page_new")
def new(request: Request, actor: Publish, db: SessionDep, induk: str = "") -> Response:
    values = {"title": "", "body": "", "parent_id": induk if induk.isdecimal() else "", "version": ""}
    return _form(request, db, actor, item=None, values=values)


@router.post(f"{BASE}/baru", response_class=HTMLResponse)
def create(
    request: Request,
    actor: Publish,
    db: SessionDep,
    title: Short = "",
    body: Text = "",
    parent_id: ParentField = "",
) -> Response:
    values = {"title": title, "body": body, "parent_id": parent_id, "version": ""}
    try:
        item = pages.create(db, actor.village.id, title=title, body=body, parent_id=_parent_id(parent_id))
    except ContentError as error:
        db.rollback()
        return _form(request, db, actor, item=None, values=values, error=str(error), status=400)
    log_in_village(db, request, actor, "page_created", item.title)
    return redirect(f"{BASE}/{item.id}?pesan=dibuat")


@router.post(f"{BASE}/baku", response_class=HTMLResponse)
def standard(request: Request, actor: Publish, db: SessionDep) -> Response:
    created = pages.standard_pages(db, actor.village.id, _place(actor))
    for item in created:
        log_in_village(db, request, actor, "page_created", item.title)
    return redirect(f"{BASE}?pesan={'baku' if created else 'lengkap'}")


@router.get(f"{BASE}/{{page_id}}", response_class=HTMLResponse, name="admin_page_edit")
def edit(request: Request, page_id: int, actor: Publish, db: SessionDep, pesan: str = "") -> Response:
    item = _load(db, actor, page_id)
    return _form(request, db, actor, item=item, values=_values_of(item), notice=_notices().get(pesan))


@router.post(f"{BASE}/{{page_id}}", response_class=HTMLResponse)
def save(
    request: Request,
    page_id: int,
    actor: Publish,
    runtime: RuntimeDep,
    db: SessionDep,
    version: Annotated[int, Form()] = 0,
    title: Short = "",
    body: Text = "",
    parent_id: ParentField = "",
) -> Response:
    item = _load(db, actor, page_id)
    values = {"title": title, "body": body, "parent_id": parent_id, "version": str(version)}
    try:
        pages.save(
            db,
            actor.village.id,
            page_id,
            expected_version=version,
            title=title,
            body=body,
            parent_id=_parent_id(parent_id),
        )
    except PageConflictError as conflict:
        # Nothing was written. The typed text stays in the form, now over the saved version: a
        # second "Simpan" keeps it, after a look at what the other person saved.
        values["version"] = str(conflict.theirs.version)
        return _form(request, db, actor, item=conflict.theirs, values=values, conflict=conflict, status=409)
    except ContentError as error:
        db.rollback()
        item = _load(db, actor, page_id)
        return _form(request, db, actor, item=item, values=values, error=str(error), status=400)
    pages.forget_menu(runtime, actor.village.id)
    return redirect(f"{BASE}/{item.id}?pesan=disimpan")


# --- publishing, order, trash ------------------------------------------------------------------------
def _refused(request: Request, db: Session, actor: VillageActor, error: ContentError) -> HTMLResponse:
    db.rollback()
    return _listing(request, db, actor, tab="menu", error=str(error), status=400)


@router.post(f"{BASE}/{{page_id}}/terbitkan", response_class=HTMLResponse)
def publish(request: Request, page_id: int, actor: Publish, runtime: RuntimeDep, db: SessionDep) -> Response:
    item = _load(db, actor, page_id)
    try:
        pages.publish(db, actor.village.id, page_id)
    except ContentError as error:
        return _refused(request, db, actor, error)
    log_in_village(db, request, actor, "page_published", item.title)
    pages.forget_menu(runtime, actor.village.id)
    return redirect(f"{BASE}?pesan=terbit")


@router.post(f"{BASE}/{{page_id}}/tarik", response_class=HTMLResponse)
def unpublish(
    request: Request, page_id: int, actor: Publish, runtime: RuntimeDep, db: SessionDep
) -> Response:
    item = _load(db, actor, page_id)
    try:
        pages.unpublish(db, actor.village.id, page_id)
    except ContentError as error:
        return _refused(request, db, actor, error)
    log_in_village(db, request, actor, "page_unpublished", item.title)
    pages.forget_menu(runtime, actor.village.id)
    return redirect(f"{BASE}?pesan=ditarik")


def _move(
    actor: VillageActor, runtime: Runtime, db: Session, page_id: int, way: Literal["up", "down"]
) -> Response:
    _load(db, actor, page_id)
    moved = pages.move(db, actor.village.id, page_id, way)
    pages.forget_menu(runtime, actor.village.id)
    notice = ("naik" if way == "up" else "turun") if moved else "ujung"
    return redirect(f"{BASE}?pesan={notice}#halaman-{page_id}")


@router.post(f"{BASE}/{{page_id}}/naik", response_class=HTMLResponse)
def move_up(page_id: int, actor: Publish, runtime: RuntimeDep, db: SessionDep) -> Response:
    return _move(actor, runtime, db, page_id, "up")


@router.post(f"{BASE}/{{page_id}}/turun", response_class=HTMLResponse)
def move_down(page_id: int, actor: Publish, runtime: RuntimeDep, db: SessionDep) -> Response:
    return _move(actor, runtime, db, page_id, "down")


@router.post(f"{BASE}/{{page_id}}/hapus", response_class=HTMLResponse)
def trash(request: Request, page_id: int, actor: Publish, runtime: RuntimeDep, db: SessionDep) -> Response:
    item = _load(db, actor, page_id)
    pages.trash(db, actor.village.id, page_id)
    log_in_village(db, request, actor, "page_deleted", item.title)
    pages.forget_menu(runtime, actor.village.id)
    return redirect(f"{BASE}?tab=sampah&pesan=dihapus")


@router.post(f"{BASE}/{{page_id}}/pulihkan", response_class=HTMLResponse)
def restore(request: Request, page_id: int, actor: Publish, runtime: RuntimeDep, db: SessionDep) -> Response:
    item = _load(db, actor, page_id, trashed=True)
    pages.restore(db, actor.village.id, page_id)
    log_in_village(db, request, actor, "page_restored", item.title)
    pages.forget_menu(runtime, actor.village.id)
    return redirect(f"{BASE}?pesan=dipulihkan#halaman-{page_id}")
