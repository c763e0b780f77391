"""The team's comment moderation (``/admin/komentar`` on the village's own host).

Editors and admins moderate: tabs *menunggu* (held: a first comment, a link, a blocked word),
*terbit* and *spam*, with counts; approve, mark as spam, delete for good. They keep the village's
list of blocked words (held or refused, as chosen). Switching comments off or on is the admin's
(a village setting). A kontributor does not see this screen: it shows readers' e-mail addresses.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col

from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.content.workflow import ContentError
from etalase.platform.discussion import moderation, service
from etalase.platform.discussion.models import Comment
from etalase.platform.i18n import _
from etalase.platform.web.deps import SessionDep
from etalase.platform.web.pages import log_in_village, page, page_number, redirect
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageTeamRoute)

Moderate = Annotated[VillageActor, Depends(village_access(Permission.MODERATE))]
Configure = Annotated[VillageActor, Depends(village_access(Permission.MANAGE_SETTINGS))]

BASE = "/admin/komentar"
PAGE_SIZE = 30
WordsField = Annotated[str, Form(max_length=moderation.MAX_BLOCKLIST * 2)]
ChoiceField = Annotated[str, Form(max_length=20)]
TABS = {"menunggu": "pending", "terbit": "published", "spam": "spam"}


def _tab_names() -> dict[str, str]:
    return {"menunggu": _("Menunggu"), "terbit": _("Terbit"), "spam": _("Spam")}


def _held_reasons() -> dict[str, str]:
    return {
        "first": _("komentar pertama"),
        "link": _("berisi tautan"),
        "word": _("memuat kata terlarang"),
    }


def _notices() -> dict[str, str]:
    return {
        "terbit": _("Komentar sudah tampil di situs desa."),
        "spam": _("Komentar ditandai spam dan tidak tampil di situs."),
        "dihapus": _("Komentar sudah dihapus."),
        "kata": _("Daftar kata terlarang sudah disimpan."),
        "dibuka": _("Komentar dibuka: formulir komentar tampil di bawah setiap berita."),
        "ditutup": _("Komentar ditutup: formulir tidak tampil, komentar yang sudah terbit tetap tampil."),
    }


def _load(db: Session, actor: VillageActor, comment_id: int) -> Comment:
    try:
        return service.get_comment(db, actor.village.id, comment_id)
    except ContentError:
        raise HTTPException(status_code=404) from None


# --- the list --------------------------------------------------------------------------------------
@router.get(BASE, response_class=HTMLResponse, name="admin_comments")
def listing(
    request: Request, actor: Moderate, db: SessionDep, status: str = "", halaman: int = 1, pesan: str = ""
) -> Response:
    tab = status if status in TABS else "menunggu"
    return _listing(request, db, actor, tab=tab, number=page_number(halaman), notice=_notices().get(pesan))


def _listing(
    request: Request,
    db: Session,
    actor: VillageActor,
    *,
    tab: str,
    number: int = 1,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    vid = actor.village.id
    counts = service.counts(db, vid)
    rows = db.exec(
        in_village(Comment, vid)
        .where(col(Comment.status) == TABS[tab])
        .order_by(col(Comment.created_at).desc(), col(Comment.id).desc())
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    shown = list(rows[:PAGE_SIZE])
    context = {
        "actor": actor,
        "tab": tab,
        "tabs": _tab_names(),
        "counts": {name: counts[value] for name, value in TABS.items()},
        "comments": shown,
        "posts": service.post_titles(db, vid, [c.post_id for c in shown]),
        "reasons": _held_reasons(),
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        **extra,
    }
    return page(request, "admin/comments.html", context, status=status)


def _back(tab: str, message: str) -> Response:
    return redirect(f"{BASE}?status={tab}&pesan={message}")


def _tab_of(comment: Comment) -> str:
    return {value: name for name, value in TABS.items()}.get(comment.status, "menunggu")


# --- moderation ------------------------------------------------------------------------------------
@router.post(f"{BASE}/{{comment_id}}/setujui", response_class=HTMLResponse)
def approve(request: Request, comment_id: int, actor: Moderate, db: SessionDep) -> Response:
    comment = _load(db, actor, comment_id)
    tab = _tab_of(comment)
    try:
        service.approve(db, actor.village.id, comment_id)
    except ContentError as error:
        db.rollback()
        return _listing(request, db, actor, tab=tab, error=str(error), status=400)
    log_in_village(db, request, actor, "comment_approved", comment.name)
    return _back(tab, "terbit")


@router.post(f"{BASE}/{{comment_id}}/spam", response_class=HTMLResponse)
def spam(request: Request, comment_id: int, actor: Moderate, db: SessionDep) -> Response:
    comment = _load(db, actor, comment_id)
    tab = _tab_of(comment)
    try:
        service.mark_spam(db, actor.village.id, comment_id)
    except ContentError as error:
        db.rollback()
        return _listing(request, db, actor, tab=tab, error=str(error), status=400)
    log_in_village(db, request, actor, "comment_spam", comment.name)
    return _back(tab, "spam")


@router.post(f"{BASE}/{{comment_id}}/hapus", response_class=HTMLResponse)
def delete(request: Request, comment_id: int, actor: Moderate, db: SessionDep) -> Response:
    comment = _load(db, actor, comment_id)
    tab, name = _tab_of(comment), comment.name
    service.delete(db, actor.village.id, comment_id)
    log_in_village(db, request, actor, "comment_deleted", name)
    return _back(tab, "dihapus")


# --- settings: blocked words (editors), on/off (admin) -------------------------------------------------
def _settings_page(
    request: Request, db: Session, actor: VillageActor, *, status: int = 200, **extra: object
) -> HTMLResponse:
    rules = service.settings_for(db, actor.village.id)
    context: dict[str, object] = {
        "actor": actor,
        "rules": rules,
        "words": extra.pop("words", rules.blocked_words),
        "action": extra.pop("action", rules.word_action),
        "may_switch": actor.can(Permission.MANAGE_SETTINGS),
        "max_words": moderation.MAX_WORDS,
        "max_length": moderation.MAX_BLOCKLIST,
        **extra,
    }
    return page(request, "admin/comments_settings.html", context, status=status)


@router.get(f"{BASE}/pengaturan", response_class=HTMLResponse, name="admin_comment_settings")
def settings_form(request: Request, actor: Moderate, db: SessionDep, pesan: str = "") -> Response:
    return _settings_page(request, db, actor, notice=_notices().get(pesan))


@router.post(f"{BASE}/kata", response_class=HTMLResponse)
def save_words(
    request: Request, actor: Moderate, db: SessionDep, kata: WordsField = "", tindakan: ChoiceField = ""
) -> Response:
    try:
        service.save_blocklist(db, actor.village.id, kata, tindakan)
    except ContentError as error:
        db.rollback()
        return _settings_page(request, db, actor, words=kata, action=tindakan, error=str(error), status=400)
    log_in_village(db, request, actor, "comment_words_saved")
    return redirect(f"{BASE}/pengaturan?pesan=kata")


@router.post(f"{BASE}/pengaturan", response_class=HTMLResponse)
def switch(request: Request, actor: Configure, db: SessionDep, aktif: ChoiceField = "") -> Response:
    enabled = aktif == "1"
    service.switch(db, actor.village.id, enabled)
    log_in_village(db, request, actor, "comments_opened" if enabled else "comments_closed")
    return redirect(f"{BASE}/pengaturan?pesan={'dibuka' if enabled else 'ditutup'}")
