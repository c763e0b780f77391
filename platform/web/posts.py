"""The village team's news screens (``/admin/berita`` on the village's own host).

A kontributor writes drafts and submits them; an editor or admin sends them back with a comment,
schedules or publishes them, takes them down, trashes and restores them. The rules of the post's
life are in :mod:`etalase.platform.content.workflow`; who may do what is decided by the route's
permission (``village_access``) plus :func:`may_edit_post` for one post. The village is always the
one of the host: a post id of another village is not found (404), whatever the role.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import case, func, or_
from sqlmodel import Session, col

from etalase.platform.accounts.authz import (
    Forbidden,
    Permission,
    VillageActor,
    may_edit_post,
    village_access,
)
from etalase.platform.content import quality, workflow
from etalase.platform.content.models import Post, Revision
from etalase.platform.content.richtext import MAX_BODY, to_safe_html
from etalase.platform.content.service import terms_of
from etalase.platform.content.workflow import ConflictError, ContentError
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import MediaError, size_text
from etalase.platform.site import redirects
from etalase.platform.web import form_photos
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.gallery_admin import FORM_OVERHEAD, metered_route
from etalase.platform.web.pages import log_in_village, page, page_number, redirect
from etalase.platform.web.routing import VillageTeamRoute
from etalase.platform.web.templates import waktu
from etalase.tenants.scope import in_village
from etalase.tenants.timezones import parse_local

router = APIRouter(route_class=VillageTeamRoute)

ReadPosts = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
Write = Annotated[VillageActor, Depends(village_access(Permission.WRITE_DRAFTS))]
Publish = Annotated[VillageActor, Depends(village_access(Permission.PUBLISH))]

BASE = "/admin/berita"
PAGE_SIZE = 20
COVER_CHOICES = 24  # the newest photos offered as a cover (the library has the rest)
# The list's tabs: the word in the URL -> the status (or the trash).
TABS = {
    "draf": "draft",
    "tinjauan": "review",
    "terjadwal": "scheduled",
    "terbit": "published",
    "sampah": "trash",
}
TAB_OF_STATUS = {status: tab for tab, status in TABS.items()}

Text = Annotated[str, Form(max_length=workflow.MAX_BODY + 1000)]
Short = Annotated[str, Form(max_length=2000)]
# A cover photo taken with the phone, sent with the form (multipart); empty when none was chosen.
NewCover = Annotated[UploadFile | None, File()]


def _form_limit(request: Request) -> int:
    """The most a post form may weigh: one photo and the longest text (4 bytes a character at
    worst). Past it the body is not read (see gallery_admin.metered_route)."""
    text = 4 * (MAX_BODY + 1000 + 6 * 2000)
    return media_service.max_upload_bytes(settings_of(request)) + text + FORM_OVERHEAD


def _size_error(request: Request) -> str:
    return _(
        "Foto sampul terlalu besar (paling besar {size}), jadi formulir tidak dapat dibaca dan "
        "tulisan belum tersimpan. Kirim lagi dengan foto yang lebih kecil."
    ).format(size=size_text(media_service.max_upload_bytes(settings_of(request))))


def _store_cover(
    request: Request, db: Session, actor: VillageActor, uploaded: UploadFile | None, values: dict[str, str]
) -> None:
    """A cover photo sent with the form goes into the media library (committed there, with the
    title as its alt text) and becomes the chosen cover, so a form refused for another reason
    comes back with it. Raises ContentError with the sentence when the file is refused."""
    if uploaded is None or not uploaded.filename:
        return
    try:
        media = form_photos.store_photo(request, db, actor, uploaded, alt=values["title"])
    except MediaError as error:
        raise ContentError(str(error)) from None
    values["cover"] = str(media.id)


def _tab_names() -> dict[str, str]:
    return {
        "draf": _("Draf"),
        "tinjauan": _("Menunggu tinjauan"),
        "terjadwal": _("Terjadwal"),
        "terbit": _("Terbit"),
        "sampah": _("Sampah"),
    }


def _notices() -> dict[str, str]:
    return {
        "dibuat": _("Draf sudah dibuat."),
        "disimpan": _("Tulisan sudah disimpan."),
        "diajukan": _("Tulisan sudah dikirim untuk ditinjau."),
        "dikembalikan": _("Tulisan sudah dikembalikan kepada penulisnya dengan catatan."),
        "terbit": _("Tulisan sudah terbit di situs desa."),
        "terjadwal": _("Tulisan sudah dijadwalkan terbit."),
        "ditarik": _("Tulisan sudah ditarik dari situs desa dan kembali menjadi draf."),
        "dihapus": _("Tulisan sudah dipindahkan ke sampah. Dapat dipulihkan selama 30 hari."),
        "dipulihkan": _("Tulisan sudah dipulihkan dari sampah."),
        "revisi": _("Revisi sudah dipulihkan."),
    }


def _tab_of(post: Post) -> str:
    return "sampah" if post.deleted_at is not None else TAB_OF_STATUS.get(post.status, "draf")


def _load(db: Session, actor: VillageActor, post_id: int, *, trashed: bool = False) -> Post:
    """The post of this village, or 404 (also for another village's id)."""
    try:
        return workflow.get_post(db, actor.village.id, post_id, trashed=trashed)
    except ContentError:
        raise HTTPException(status_code=404) from None


def _is_author(actor: VillageActor, post: Post) -> bool:
    return post.author_id is not None and post.author_id == actor.user.id


def _require_edit(actor: VillageActor, post: Post) -> None:
    if not may_edit_post(actor, post.author_id, post.status):
        if actor.can(Permission.WRITE_DRAFTS) and _is_author(actor, post):
            raise Forbidden(
                _(
                    "Tulisan ini sudah dikirim untuk ditinjau; sekarang editor atau admin yang "
                    "dapat mengubahnya."
                )
            )
        raise Forbidden(_("Anda hanya dapat mengubah draf tulisan Anda sendiri."))


def _term_names(db: Session, actor: VillageActor, post_id: int) -> tuple[str, str]:
    categories, tags = terms_of(db, actor.village.id, post_id)
    return ", ".join(c.name for c in categories), ", ".join(t.name for t in tags)


def _split(text: str) -> list[str]:
    return [part for part in (p.strip() for p in text.split(",")) if part][:30]


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
    vid = actor.village.id
    query = in_village(Post, vid)
    if not actor.can(Permission.PUBLISH):  # a kontributor (or a supervisor): own posts and what is public
        query = query.where(or_(col(Post.status) == "published", col(Post.author_id) == actor.user.id))
    # Every tab's count in one query: a trashed post counts as "trash" whatever its status.
    bucket = case((col(Post.deleted_at).is_not(None), "trash"), else_=col(Post.status))
    grouped = dict(db.execute(query.with_only_columns(bucket, func.count()).group_by(bucket)).all())
    counts = {name: int(grouped.get(post_status, 0)) for name, post_status in TABS.items()}
    chosen = TABS[tab]
    if chosen == "trash":
        query = query.where(col(Post.deleted_at).is_not(None)).order_by(col(Post.deleted_at).desc())
    elif chosen in ("published", "scheduled"):
        query = query.where(col(Post.deleted_at).is_(None), col(Post.status) == chosen).order_by(
            col(Post.published_at).desc()
        )
    else:
        query = query.where(col(Post.deleted_at).is_(None), col(Post.status) == chosen).order_by(
            col(Post.updated_at).desc()
        )
    rows = db.exec(
        query.order_by(col(Post.id).desc()).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).all()
    posts = [
        {
            "post": p,
            "editable": may_edit_post(actor, p.author_id, p.status) and p.deleted_at is None,
            "when": p.deleted_at
            or (p.published_at if p.status in ("published", "scheduled") else p.updated_at),
        }
        for p in rows[:PAGE_SIZE]
    ]
    context = {
        "actor": actor,
        "tab": tab,
        "tabs": _tab_names(),
        "counts": counts,
        "posts": posts,
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        **extra,
    }
    return page(request, "admin/posts.html", context, status=status)


@router.get(BASE, response_class=HTMLResponse, name="admin_posts")
def listing(
    request: Request, actor: ReadPosts, db: SessionDep, status: str = "", halaman: int = 1, pesan: str = ""
) -> Response:
    tab = status if status in TABS else "draf"
    return _listing(request, db, actor, tab=tab, number=page_number(halaman), notice=_notices().get(pesan))


# --- writing ---------------------------------------------------------------------------------------
def _cover_choices(
    request: Request, db: Session, actor: VillageActor, chosen: str
) -> list[dict[str, object]]:
    """The village's newest photos for the cover picker (plus the chosen one when it is older)."""
    store = request.app.state.runtime.media
    query = media_service.library(actor.village.id, "image")
    photos = list(db.exec(query.order_by(col(MediaFile.id).desc()).limit(COVER_CHOICES)).all())
    if chosen.isdecimal() and all(str(p.id) != chosen for p in photos):
        older = db.exec(query.where(col(MediaFile.id) == int(chosen))).first()
        if older is not None:
            photos.append(older)
    choices: list[dict[str, object]] = []
    for photo in photos:
        thumb = media_service.thumbnail_key(photo)
        choices.append(
            {
                "id": str(photo.id),
                "alt": photo.alt,
                "name": photo.original_name,
                "thumb": store.url(thumb or photo.key),
            }
        )
    return choices


def _cover_id(raw: str) -> int | None:
    """The picker's value: empty for no cover, else a file id (checked by ``set_cover``)."""
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdecimal() or len(raw) > 12:
        raise ContentError(_("Foto sampul tidak ditemukan di pustaka media desa ini."))
    return int(raw)


def _form(
    request: Request,
    db: Session,
    actor: VillageActor,
    *,
    post: Post | None,
    values: dict[str, str],
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    covers = _cover_choices(request, db, actor, values.get("cover", ""))
    context = {"actor": actor, "post": post, "values": values, "covers": covers, **extra}
    # With JavaScript, "Foto lainnya" pages on through the library from the last of the newest.
    context["covers_before"] = covers[COVER_CHOICES - 1]["id"] if len(covers) >= COVER_CHOICES else ""
    # editor.js refuses a photo over the limit as soon as it is chosen: sent, it would cut the
    # form off before its text is read.
    largest = media_service.max_upload_bytes(settings_of(request))
    context["max_upload_bytes"] = largest
    context["too_big"] = _("Foto ini terlalu besar: paling besar {size}. Pilih foto lain.").format(
        size=size_text(largest)
    )
    context["quality_threshold"] = quality.THRESHOLD
    if post is not None:
        context.update(
            {
                # The checklist of the text as saved ("Konten berkualitas"), shown after each save.
                "quality": workflow.assess(db, post),
                "may_submit": post.status == "draft"
                and (_is_author(actor, post) or actor.can(Permission.PUBLISH)),
                "may_publish": actor.can(Permission.PUBLISH),
                "may_trash": actor.can(Permission.PUBLISH)
                or (_is_author(actor, post) and post.status == "draft"),
            }
        )
    return page(request, "admin/post_edit.html", context, status=status)


def _values_of(db: Session, actor: VillageActor, post: Post) -> dict[str, str]:
    assert post.id is not None
    categories, tags = _term_names(db, actor, post.id)
    return {
        "title": post.title,
        "summary": post.summary,
        "body": post.body,
        "categories": categories,
        "tags": tags,
        "version": str(post.version),
        "cover": str(post.cover_media_id or ""),
        "slug": post.slug,
    }


def _edit_page(
    request: Request, db: Session, actor: VillageActor, post: Post, *, status: int = 200, **extra: object
) -> HTMLResponse:
    return _form(request, db, actor, post=post, values=_values_of(db, actor, post), status=status, **extra)


@router.get(f"{BASE}/baru", response_class=HTMLResponse, name="admin_post_new")
def new(request: Request, actor: Write, db: SessionDep, galat: str = "") -> Response:
    empty = {"title": "", "summary": "", "body": "", "categories": "", "tags": "", "version": "", "cover": ""}
    error = _size_error(request) if galat == "besar" else None
    return _form(request, db, actor, post=None, values=empty, error=error)


# The two forms that may carry a photo: their body is metered.
_metered = metered_route(_form_limit, lambda r: r.url.path)


def create(
    request: Request,
    actor: Write,
    db: SessionDep,
    title: Short = "",
    summary: Short = "",
    body: Text = "",
    categories: Short = "",
    tags: Short = "",
    cover_media_id: Annotated[str, Form(max_length=20)] = "",
    sampul_baru: NewCover = None,
) -> Response:
    values = {
        "title": title,
        "summary": summary,
        "body": body,
        "categories": categories,
        "tags": tags,
        "version": "",
        "cover": cover_media_id,
    }
    try:
        _store_cover(request, db, actor, sampul_baru, values)
        cover = _cover_id(values["cover"])
        post = workflow.create_draft(
            db, actor.village.id, actor.user, title=title, summary=summary, body=body
        )
        assert post.id is not None
        workflow.set_terms(db, actor.village.id, post.id, categories=_split(categories), tags=_split(tags))
        workflow.set_cover(db, actor.village.id, post.id, cover)
    except ContentError as error:
        db.rollback()
        return _form(request, db, actor, post=None, values=values, error=str(error), status=400)
    return redirect(f"{BASE}/{post.id}?pesan=dibuat")


router.add_api_route(
    f"{BASE}/baru", create, methods=["POST"], response_class=HTMLResponse, route_class_override=_metered
)


@router.get(f"{BASE}/{{post_id}}", response_class=HTMLResponse, name="admin_post_edit")
def edit(
    request: Request, post_id: int, actor: Write, db: SessionDep, pesan: str = "", galat: str = ""
) -> Response:
    post = _load(db, actor, post_id)
    _require_edit(actor, post)
    autosaved = workflow.pending_autosave(db, actor.village.id, post, actor.user)
    error = _size_error(request) if galat == "besar" else None
    return _edit_page(
        request, db, actor, post, notice=_notices().get(pesan), autosaved=autosaved, error=error
    )


@router.post("/api/v1/berita/{post_id}/autosimpan", name="api_post_autosave")
def autosave(
    post_id: int,
    actor: Write,
    db: SessionDep,
    title: Short = "",
    summary: Short = "",
    body: Text = "",
) -> JSONResponse:
    """The editor's autosave (every 20 seconds while the form changes): the person's one autosave
    revision is replaced; the post itself is untouched, so nobody gets a conflict from it."""
    post = _load(db, actor, post_id)
    _require_edit(actor, post)
    try:
        kept = workflow.autosave(
            db, actor.village.id, post_id, actor.user, title=title, summary=summary, body=body
        )
    except ContentError as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    return JSONResponse({"revision": kept.id, "saved_at": kept.created_at.isoformat()})


@router.post("/api/v1/berita/kualitas", name="api_post_quality")
def check_quality(
    actor: Write,
    db: SessionDep,
    title: Short = "",
    body: Text = "",
    cover: Annotated[str, Form(max_length=20)] = "",
    cover_media_id: Annotated[str, Form(max_length=20)] = "",
) -> JSONResponse:
    """The checklist of the text being written, on demand (the editor's "Periksa lagi" button):
    nothing is stored; the same score is stored with the post when it is saved. ``cover=baru``:
    a photo chosen on the phone, which will be stored with the title as its description."""
    if len(body) > MAX_BODY:
        return JSONResponse(
            {"error": _("Isi tulisan terlalu panjang. Bagi menjadi beberapa tulisan.")}, status_code=400
        )
    title = " ".join(title.split())
    chosen = (cover or cover_media_id).strip()
    cover_alt: str | None = None  # None: no cover (nothing chosen, or not a photo of this village)
    if chosen == "baru":
        cover_alt = title
    elif chosen.isdecimal() and len(chosen) <= 9:
        media = media_service.find(db, actor.village.id, int(chosen))
        cover_alt = media.alt if media is not None and media.is_image else None
    found = quality.assess(title, to_safe_html(body), has_cover=cover_alt is not None, cover_alt=cover_alt)
    return JSONResponse(
        {
            "score": found.score,
            "good": found.good,
            "threshold": quality.THRESHOLD,
            "checks": [
                {"key": c.key, "passed": c.passed, "weight": c.weight, "reason": c.reason}
                for c in found.checks
            ],
        }
    )


def save(
    request: Request,
    post_id: int,
    actor: Write,
    db: SessionDep,
    version: Annotated[int, Form()] = 0,
    title: Short = "",
    summary: Short = "",
    body: Text = "",
    categories: Short = "",
    tags: Short = "",
    cover_media_id: Annotated[str, Form(max_length=20)] = "",
    slug: Annotated[str, Form(max_length=300)] = "",
    sampul_baru: NewCover = None,
) -> Response:
    post = _load(db, actor, post_id)
    _require_edit(actor, post)
    values = {
        "slug": slug or post.slug,
        "title": title,
        "summary": summary,
        "body": body,
        "categories": categories,
        "tags": tags,
        "version": str(version),
        "cover": cover_media_id,
    }
    try:
        _store_cover(request, db, actor, sampul_baru, values)
        cover = _cover_id(values["cover"])
        workflow.save(
            db,
            actor.village.id,
            post_id,
            actor.user,
            expected_version=version,
            title=title,
            summary=summary,
            body=body,
        )
        workflow.set_terms(db, actor.village.id, post_id, categories=_split(categories), tags=_split(tags))
        workflow.set_cover(db, actor.village.id, post_id, cover)
        if slug.strip() and actor.can(Permission.PUBLISH):  # the address: editors and admins only
            redirects.change_post_slug(db, actor.village.id, post, slug)  # the old one answers 301
    except ConflictError as conflict:
        # The refused text is already kept as a revision (committed with this response): the form
        # shows it again, now over the saved version, next to what the other person saved.
        values["version"] = str(conflict.theirs.version)
        return _form(request, db, actor, post=conflict.theirs, values=values, conflict=conflict, status=409)
    except ContentError as error:
        db.rollback()
        post = _load(db, actor, post_id)
        return _form(request, db, actor, post=post, values=values, error=str(error), status=400)
    return redirect(f"{BASE}/{post_id}?pesan=disimpan")


router.add_api_route(
    f"{BASE}/{{post_id}}", save, methods=["POST"], response_class=HTMLResponse, route_class_override=_metered
)


# --- the workflow ----------------------------------------------------------------------------------
def _refused(
    request: Request, db: Session, actor: VillageActor, post_id: int, error: ContentError
) -> HTMLResponse:
    db.rollback()
    post = workflow.get_post(db, actor.village.id, post_id) if _exists(db, actor, post_id) else None
    if post is not None and may_edit_post(actor, post.author_id, post.status):
        return _edit_page(request, db, actor, post, error=str(error), status=400)
    return _listing(request, db, actor, tab="draf", number=1, error=str(error), status=400)


def _exists(db: Session, actor: VillageActor, post_id: int) -> bool:
    found = db.exec(in_village(Post, actor.village.id).where(col(Post.id) == post_id)).first()
    return found is not None and found.deleted_at is None


def _done(post: Post, notice: str) -> Response:
    return redirect(f"{BASE}?status={_tab_of(post)}&pesan={notice}")


@router.post(f"{BASE}/{{post_id}}/ajukan", response_class=HTMLResponse)
def submit(request: Request, post_id: int, actor: Write, db: SessionDep) -> Response:
    post = _load(db, actor, post_id)
    if not (_is_author(actor, post) or actor.can(Permission.PUBLISH)):
        raise Forbidden(
            _("Hanya penulisnya, editor, atau admin yang dapat mengirim tulisan ini untuk ditinjau.")
        )
    try:
        workflow.submit(db, actor.village.id, post_id)
    except ContentError as error:
        return _refused(request, db, actor, post_id, error)
    log_in_village(db, request, actor, "post_submitted", post.title)
    return _done(post, "diajukan")


@router.post(f"{BASE}/{{post_id}}/kembalikan", response_class=HTMLResponse)
def send_back(
    request: Request, post_id: int, actor: Publish, db: SessionDep, comment: Short = ""
) -> Response:
    post = _load(db, actor, post_id)
    try:
        workflow.send_back(db, actor.village.id, post_id, comment)
    except ContentError as error:
        return _refused(request, db, actor, post_id, error)
    log_in_village(db, request, actor, "post_sent_back", post.title)
    return _done(post, "dikembalikan")


def _schedule_time(jadwal: str, village_code: str) -> datetime | None:
    """The datetime-local field (``2026-11-28T09:30``), in the village's time zone."""
    if not jadwal.strip():
        return None
    try:
        return parse_local(jadwal, village_code)
    except ValueError:
        raise ContentError(_("Waktu terbit tidak dapat dibaca. Pilih tanggal dan jam.")) from None


@router.post(f"{BASE}/{{post_id}}/terbitkan", response_class=HTMLResponse)
def publish(
    request: Request,
    post_id: int,
    actor: Publish,
    db: SessionDep,
    jadwal: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    post = _load(db, actor, post_id)
    try:
        at = _schedule_time(jadwal, actor.village.code)
        workflow.publish(db, actor.village.id, post_id, at=at)
    except ContentError as error:
        return _refused(request, db, actor, post_id, error)
    if post.status == "scheduled":
        when = post.published_at
        assert when is not None
        log_in_village(
            db, request, actor, "post_scheduled", f"{post.title} ({waktu(when, actor.village.code)})"
        )
        return _done(post, "terjadwal")
    log_in_village(db, request, actor, "post_published", post.title)
    return _done(post, "terbit")


@router.post(f"{BASE}/{{post_id}}/tarik", response_class=HTMLResponse)
def unpublish(request: Request, post_id: int, actor: Publish, db: SessionDep) -> Response:
    post = _load(db, actor, post_id)
    try:
        workflow.unpublish(db, actor.village.id, post_id)
    except ContentError as error:
        return _refused(request, db, actor, post_id, error)
    log_in_village(db, request, actor, "post_unpublished", post.title)
    return _done(post, "ditarik")


@router.post(f"{BASE}/{{post_id}}/hapus", response_class=HTMLResponse)
def trash(request: Request, post_id: int, actor: Write, db: SessionDep) -> Response:
    post = _load(db, actor, post_id)
    if not (actor.can(Permission.PUBLISH) or (_is_author(actor, post) and post.status == "draft")):
        raise Forbidden(_("Anda hanya dapat menghapus draf tulisan Anda sendiri."))
    workflow.trash(db, actor.village.id, post_id)
    log_in_village(db, request, actor, "post_deleted", post.title)
    return _done(post, "dihapus")


@router.post(f"{BASE}/{{post_id}}/pulihkan", response_class=HTMLResponse)
def restore(request: Request, post_id: int, actor: Publish, db: SessionDep) -> Response:
    post = _load(db, actor, post_id, trashed=True)
    workflow.restore(db, actor.village.id, post_id)
    log_in_village(db, request, actor, "post_restored", post.title)
    return _done(post, "dipulihkan")


# --- revisions -------------------------------------------------------------------------------------
_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|ul|ol|blockquote|table|tr|figure|pre)>|<br\s*/?>)", re.I)


def _lines(html: str) -> str:
    """The body with one block per line, so the comparison shows the paragraphs that changed (the
    sanitised HTML is often a single line)."""
    return "\n".join(line.strip() for line in _BLOCK_END.sub("\\1\n", html).splitlines() if line.strip())


def _revisions_page(
    request: Request,
    db: Session,
    actor: VillageActor,
    post: Post,
    chosen_id: int | None,
    *,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    assert post.id is not None
    rows = workflow.revisions(db, actor.village.id, post.id)
    chosen: Revision | None = next((r for r in rows if r.id == chosen_id), rows[0] if rows else None)
    diff = None
    if chosen is not None:
        diff = {
            "title": workflow.compare(chosen.title, post.title),
            "summary": workflow.compare(chosen.summary, post.summary),
            "body": workflow.compare(_lines(chosen.body), _lines(post.body)),
        }
    context = {
        "actor": actor,
        "post": post,
        "revisions": rows,
        "chosen": chosen,
        "diff": diff,
        "may_restore": may_edit_post(actor, post.author_id, post.status),
        **extra,
    }
    return page(request, "admin/post_revisions.html", context, status=status)


@router.get(f"{BASE}/{{post_id}}/revisi", response_class=HTMLResponse, name="admin_post_revisions")
def revisions(
    request: Request, post_id: int, actor: Write, db: SessionDep, revisi: int | None = None
) -> Response:
    post = _load(db, actor, post_id)
    if not (actor.can(Permission.PUBLISH) or _is_author(actor, post)):
        raise Forbidden(_("Anda hanya dapat melihat revisi tulisan Anda sendiri."))
    return _revisions_page(request, db, actor, post, revisi)


@router.post(f"{BASE}/{{post_id}}/revisi/{{rev_id}}/pulihkan", response_class=HTMLResponse)
def restore_revision(
    request: Request,
    post_id: int,
    rev_id: int,
    actor: Write,
    db: SessionDep,
    version: Annotated[int, Form()] = 0,
) -> Response:
    post = _load(db, actor, post_id)
    _require_edit(actor, post)
    try:
        workflow.restore_revision(db, actor.village.id, post_id, rev_id, actor.user, expected_version=version)
    except ConflictError as conflict:
        return _revisions_page(request, db, actor, conflict.theirs, rev_id, error=str(conflict), status=409)
    except ContentError:
        raise HTTPException(status_code=404) from None
    return redirect(f"{BASE}/{post_id}?pesan=revisi")
