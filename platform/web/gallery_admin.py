"""The village team's gallery screens (``/admin/galeri`` on the village's own host).

The whole team makes albums (drafts); a kontributor changes only their own drafts; editors and
admins publish, take down, trash and restore. Photos come from the village's media library (a
picker of checkboxes, no JavaScript) or are uploaded straight into the album, several at once: each
file is judged on its own, a bad one is reported by name and the good ones stay. The village is
always the host's: an album or file id of another village is not found (404), whatever the role.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import case, func
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from etalase.platform.accounts.authz import Forbidden, Permission, VillageActor, may_edit_post, village_access
from etalase.platform.content import gallery
from etalase.platform.content.models import Album, AlbumPhoto
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import size_text
from etalase.platform.runtime import Runtime
from etalase.platform.web import form_photos
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.media import UploadTooLarge, _metered
from etalase.platform.web.pages import log_in_village, page, page_number, redirect
from etalase.platform.web.public_gallery import day
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageTeamRoute)

Read = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
Write = Annotated[VillageActor, Depends(village_access(Permission.WRITE_DRAFTS))]
Publish = Annotated[VillageActor, Depends(village_access(Permission.PUBLISH))]
Short = Annotated[str, Form(max_length=4000)]

BASE = "/admin/galeri"
PAGE_SIZE = 20
PICKER_SIZE = media_service.PAGE_SIZE  # 24 photos of the library at a time
UPLOAD_FIELD = "berkas"
MAX_FILES = 10  # photos per upload request
FORM_OVERHEAD = 64 * 1024
TABS = {"draf": "draft", "terbit": "published", "sampah": "trash"}


def _tab_names() -> dict[str, str]:
    return {"draf": _("Draf"), "terbit": _("Terbit"), "sampah": _("Sampah")}


def _notices() -> dict[str, str]:
    return {
        "dibuat": _("Album sudah dibuat. Tambahkan foto dari pustaka media atau unggah foto baru."),
        "disimpan": _("Album sudah disimpan."),
        "foto": _("Foto album sudah disimpan."),
        "ditambah": _("Foto sudah ditambahkan ke album."),
        "diunggah": _("Foto sudah diunggah dan ditambahkan ke album."),
        "terbit": _("Album sudah terbit di situs desa."),
        "ditarik": _("Album sudah ditarik dari situs desa dan kembali menjadi draf."),
        "dihapus": _("Album sudah dipindahkan ke sampah."),
        "dipulihkan": _("Album sudah dipulihkan dari sampah."),
    }


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


# --- a metered upload route (shared with the documents' screens) -----------------------------------
def metered_route(
    limit_of: Callable[[Request], int], back_of: Callable[[Request], str]
) -> type[VillageTeamRoute]:
    """A team route whose body may be at most ``limit_of(request)`` bytes; over it, the person goes
    back to ``back_of(request)`` with ``galat=besar`` and the rest of the body is never read."""

    class MeteredRoute(VillageTeamRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def metered_handler(request: Request) -> Response:
                metered = Request(
                    request.scope, _metered(request.headers, request.receive, limit_of(request))
                )
                try:
                    return await handler(metered)
                except UploadTooLarge:
                    return redirect(f"{back_of(request)}?galat=besar")
                finally:
                    await metered.close()

            return metered_handler

    return MeteredRoute


def _batch_limit(request: Request) -> int:
    return media_service.max_upload_bytes(settings_of(request)) * 3 + FORM_OVERHEAD


# --- loading and rights ----------------------------------------------------------------------------
def _load(db: Session, actor: VillageActor, album_id: int, *, trashed: bool = False) -> Album:
    try:
        return gallery.get_album(db, actor.village.id, album_id, trashed=trashed)
    except ContentError:
        raise HTTPException(status_code=404) from None


def _require_edit(actor: VillageActor, album: Album) -> None:
    if not may_edit_post(actor, album.author_id, album.status):
        raise Forbidden(_("Anda hanya dapat mengubah draf album Anda sendiri."))


def _editable(db: Session, actor: VillageActor, album_id: int) -> Album:
    album = _load(db, actor, album_id)
    _require_edit(actor, album)
    return album


# --- the list --------------------------------------------------------------------------------------
@router.get(BASE, response_class=HTMLResponse, name="admin_albums")
def listing(
    request: Request, actor: Read, db: SessionDep, status: str = "", halaman: int = 1, pesan: str = ""
) -> Response:
    tab = status if status in TABS else "draf"
    return _listing(request, db, actor, tab=tab, number=page_number(halaman), notice=_notices().get(pesan))


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
    query = in_village(Album, vid)
    bucket = case((col(Album.deleted_at).is_not(None), "trash"), else_=col(Album.status))
    grouped = dict(db.execute(query.with_only_columns(bucket, func.count()).group_by(bucket)).all())
    counts = {name: int(grouped.get(value, 0)) for name, value in TABS.items()}
    if TABS[tab] == "trash":
        query = query.where(col(Album.deleted_at).is_not(None))
    else:
        query = query.where(col(Album.deleted_at).is_(None), col(Album.status) == TABS[tab])
    rows = db.exec(
        query.order_by(col(Album.updated_at).desc(), col(Album.id).desc())
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    albums = list(rows[:PAGE_SIZE])
    store = _runtime(request).media
    covers = gallery.covers(db, vid, albums)
    counts_by_album = gallery.photo_count(db, vid, [a.id for a in albums if a.id is not None])
    items = []
    for album in albums:
        cover = covers.get(album.id or 0)
        thumb = media_service.thumbnail_key(cover) if cover else None
        items.append(
            {
                "album": album,
                "photos": counts_by_album.get(album.id or 0, 0),
                "thumb": store.url(thumb) if thumb else None,
                "editable": album.deleted_at is None and may_edit_post(actor, album.author_id, album.status),
            }
        )
    context = {
        "actor": actor,
        "tab": tab,
        "tabs": _tab_names(),
        "counts": counts,
        "albums": items,
        "day": day,
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        **extra,
    }
    return page(request, "admin/albums.html", context, status=status)


# --- the album form --------------------------------------------------------------------------------
def _taken_on(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ContentError(_("Tanggal kegiatan tidak dapat dibaca. Pilih tanggalnya di kalender.")) from None


def _values_of(album: Album) -> dict[str, str]:
    return {
        "title": album.title,
        "description": album.description,
        "taken_on": album.taken_on.isoformat() if album.taken_on else "",
    }


def _picker(
    request: Request, db: Session, actor: VillageActor, album_id: int, before: int | None
) -> tuple[list[dict[str, object]], int | None]:
    """The village's photos not yet in the album, newest first, a page at a time."""
    in_album = (
        in_village(AlbumPhoto, actor.village.id)
        .where(col(AlbumPhoto.album_id) == album_id)
        .with_only_columns(col(AlbumPhoto.media_id))
    )
    query = media_service.library(actor.village.id, "image").where(col(MediaFile.id).not_in(in_album))
    if before:
        query = query.where(col(MediaFile.id) < before)
    rows = db.exec(query.order_by(col(MediaFile.id).desc()).limit(PICKER_SIZE + 1)).all()
    store = _runtime(request).media
    choices: list[dict[str, object]] = []
    for media in rows[:PICKER_SIZE]:
        thumb = media_service.thumbnail_key(media)
        choices.append(
            {
                "id": media.id,
                "alt": media.alt,
                "name": media.original_name,
                "thumb": store.url(thumb or media.key),
            }
        )
    following = rows[PICKER_SIZE - 1].id if len(rows) > PICKER_SIZE else None
    return choices, following


def _edit_page(
    request: Request,
    db: Session,
    actor: VillageActor,
    album: Album | None,
    *,
    values: dict[str, str] | None = None,
    captions: dict[int, str] | None = None,
    before: int | None = None,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    store = _runtime(request).media
    context: dict[str, object] = {"actor": actor, "album": album, "values": values or {}, **extra}
    if album is not None and album.id is not None:
        cover = gallery.covers(db, actor.village.id, [album]).get(album.id)
        photos = []
        for row, media in gallery.photos(db, actor.village.id, album.id):
            thumb = media_service.thumbnail_key(media)
            photos.append(
                {
                    "id": media.id,
                    "caption": (captions or {}).get(row.media_id, row.caption),
                    "alt": media.alt,
                    "name": media.original_name,
                    "thumb": store.url(thumb or media.key),
                    "cover": cover is not None and cover.id == media.id,
                }
            )
        choices, following = _picker(request, db, actor, album.id, before)
        context.update(
            {
                "values": values or _values_of(album),
                "photos": photos,
                "choices": choices,
                "picker_next": following,
                "picker_from": before,
                "max_files": MAX_FILES,
                "may_publish": actor.can(Permission.PUBLISH),
            }
        )
    return page(request, "admin/album_edit.html", context, status=status)


@router.get(f"{BASE}/baru", response_class=HTMLResponse, name="admin_album_new")
def new(request: Request, actor: Write, db: SessionDep) -> Response:
    return _edit_page(request, db, actor, None, values={"title": "", "description": "", "taken_on": ""})


@router.post(f"{BASE}/baru", response_class=HTMLResponse)
def create(
    request: Request,
    actor: Write,
    db: SessionDep,
    title: Short = "",
    description: Short = "",
    taken_on: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    values = {"title": title, "description": description, "taken_on": taken_on}
    try:
        album = gallery.create_album(
            db,
            actor.village.id,
            actor.user,
            title=title,
            description=description,
            taken_on=_taken_on(taken_on),
        )
    except ContentError as error:
        db.rollback()
        return _edit_page(request, db, actor, None, values=values, error=str(error), status=400)
    log_in_village(db, request, actor, "album_created", album.title)
    return redirect(f"{BASE}/{album.id}?pesan=dibuat")


@router.get(f"{BASE}/{{album_id}}", response_class=HTMLResponse, name="admin_album_edit")
def edit(
    request: Request,
    album_id: int,
    actor: Write,
    db: SessionDep,
    pesan: str = "",
    galat: str = "",
    sebelum: int | None = None,
) -> Response:
    album = _editable(db, actor, album_id)
    error = None
    if galat == "besar":
        error = _(
            "Kiriman terlalu besar: semua foto sekaligus paling besar {limit}. Unggah lebih sedikit foto "
            "sekaligus."
        ).format(limit=size_text(_batch_limit(request) - FORM_OVERHEAD))
    elif galat == "kosong":
        error = _("Pilih minimal satu foto untuk ditambahkan.")
    return _edit_page(request, db, actor, album, before=sebelum, notice=_notices().get(pesan), error=error)


@router.post(f"{BASE}/{{album_id}}", response_class=HTMLResponse)
def save(
    request: Request,
    album_id: int,
    actor: Write,
    db: SessionDep,
    title: Short = "",
    description: Short = "",
    taken_on: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    _editable(db, actor, album_id)
    values = {"title": title, "description": description, "taken_on": taken_on}
    try:
        gallery.save_album(
            db, actor.village.id, album_id, title=title, description=description, taken_on=_taken_on(taken_on)
        )
    except ContentError as error:
        db.rollback()
        album = _load(db, actor, album_id)
        return _edit_page(request, db, actor, album, values=values, error=str(error), status=400)
    return redirect(f"{BASE}/{album_id}?pesan=disimpan")


# --- the album's photos ----------------------------------------------------------------------------
def _media_id(raw: object) -> int | None:
    text = raw if isinstance(raw, str) else ""
    return int(text) if text.isdecimal() and len(text) <= 12 else None


@router.post(f"{BASE}/{{album_id}}/foto", response_class=HTMLResponse)
async def arrange(request: Request, album_id: int, actor: Write, db: SessionDep) -> Response:
    """One form for the album's photos: every caption is saved, then the button pressed (up, down,
    remove, make cover) is applied to its photo."""
    form = await request.form()
    captions: dict[int, str] = {}
    for name, value in form.multi_items():
        if name.startswith("caption-") and isinstance(value, str):
            media_id = _media_id(name.removeprefix("caption-"))
            if media_id is not None:
                captions[media_id] = value
    actions = {key: _media_id(form.get(key)) for key in ("naik", "turun", "lepas", "sampul")}

    def attempt() -> Response:
        _editable(db, actor, album_id)
        vid = actor.village.id
        try:
            gallery.set_captions(db, vid, album_id, captions)
            if actions["naik"] is not None:
                gallery.move_photo(db, vid, album_id, actions["naik"], -1)
            if actions["turun"] is not None:
                gallery.move_photo(db, vid, album_id, actions["turun"], 1)
            if actions["sampul"] is not None:
                gallery.set_cover(db, vid, album_id, actions["sampul"])
            if actions["lepas"] is not None:
                gallery.remove_photo(db, vid, album_id, actions["lepas"])
        except ContentError as error:
            db.rollback()
            album = _load(db, actor, album_id)
            return _edit_page(request, db, actor, album, captions=captions, error=str(error), status=400)
        return redirect(f"{BASE}/{album_id}?pesan=foto#foto")

    return await run_in_threadpool(attempt)


@router.post(f"{BASE}/{{album_id}}/tambah", response_class=HTMLResponse)
def add(
    request: Request,
    album_id: int,
    actor: Write,
    db: SessionDep,
    media: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006  (FastAPI copies the default)
) -> Response:
    album = _editable(db, actor, album_id)
    ids = [int(m) for m in media if m.isdecimal() and len(m) <= 12]
    if not ids:
        return redirect(f"{BASE}/{album_id}?galat=kosong#tambah")
    try:
        added = gallery.add_photos(db, actor.village.id, album_id, ids)
    except ContentError as error:
        db.rollback()
        # Another village's id (or a document): nothing added, and nothing about it shown.
        return _edit_page(request, db, actor, _load(db, actor, album_id), error=str(error), status=400)
    log_in_village(db, request, actor, "album_photos_added", f"{album.title} (+{added})")
    return redirect(f"{BASE}/{album_id}?pesan=ditambah#foto")


async def upload(request: Request, album_id: int, actor: Write, db: SessionDep) -> Response:
    form = await request.form()  # already parsed (and metered) by the CSRF check
    files = [f for f in form.getlist(UPLOAD_FIELD) if isinstance(f, UploadFile) and f.filename]
    caption_field = form.get("keterangan")
    caption = " ".join(caption_field.split()) if isinstance(caption_field, str) else ""
    runtime = _runtime(request)

    def attempt() -> Response:
        album = _editable(db, actor, album_id)
        if not files:
            return _edit_page(
                request, db, actor, album, error=_("Pilih foto yang akan diunggah."), status=400
            )
        if len(files) > MAX_FILES:
            message = _("Terlalu banyak foto sekaligus: paling banyak {n}. Unggah sisanya sesudah ini.")
            return _edit_page(request, db, actor, album, error=message.format(n=MAX_FILES), status=400)
        if len(caption) > gallery.MAX_CAPTION:
            message = _("Keterangan foto terlalu panjang (maksimal 300 karakter).")
            return _edit_page(request, db, actor, album, error=message, status=400)
        alt = f"{album.title} – {caption}" if caption else album.title
        problems: list[tuple[str, str]] = []
        added = 0
        for uploaded in files:
            name = uploaded.filename or ""
            if form_photos.is_document(uploaded):  # an album holds photos only
                problems.append((name, _("ini dokumen, bukan foto. Unggah dokumen di menu Dokumen.")))
                continue
            try:
                media = form_photos.store_photo(request, db, actor, uploaded, alt=alt)
            except form_photos.PhotoRefusedError as refused:
                problems.append((name, refused.reason))
                continue
            assert media.id is not None
            try:
                gallery.add_photos(db, actor.village.id, album_id, [media.id])
                if caption:
                    gallery.set_captions(db, actor.village.id, album_id, {media.id: caption})
                db.commit()  # this photo is in the album now, whatever the next file does
            except Exception:
                db.rollback()
                media_service.delete(db, runtime.media, actor.village.id, media.id, force=True)
                raise
            added += 1
        if added:
            log_in_village(db, request, actor, "album_photos_added", f"{album.title} (+{added})")
        if not problems:
            return redirect(f"{BASE}/{album_id}?pesan=diunggah#foto")
        notice = _("{n} foto sudah diunggah dan ditambahkan ke album.").format(n=added) if added else None
        return _edit_page(
            request, db, actor, _load(db, actor, album_id), notice=notice, problems=problems, status=400
        )

    return await run_in_threadpool(attempt)


router.add_api_route(
    f"{BASE}/{{album_id}}/unggah",
    upload,
    methods=["POST"],
    response_class=HTMLResponse,
    route_class_override=metered_route(_batch_limit, lambda r: r.url.path.rsplit("/", 1)[0]),
)


# --- the workflow ----------------------------------------------------------------------------------
def _refused(request: Request, db: Session, actor: VillageActor, error: ContentError) -> HTMLResponse:
    db.rollback()
    return _listing(request, db, actor, tab="draf", number=1, error=str(error), status=400)


def _tab_of(album: Album) -> str:
    if album.deleted_at is not None:
        return "sampah"
    return "terbit" if album.status == "published" else "draf"


@router.post(f"{BASE}/{{album_id}}/terbitkan", response_class=HTMLResponse)
def publish(request: Request, album_id: int, actor: Publish, db: SessionDep) -> Response:
    album = _load(db, actor, album_id)
    try:
        gallery.publish(db, actor.village.id, album_id)
    except ContentError as error:
        db.rollback()
        return _edit_page(request, db, actor, _load(db, actor, album_id), error=str(error), status=400)
    log_in_village(db, request, actor, "album_published", album.title)
    return redirect(f"{BASE}?status=terbit&pesan=terbit")


@router.post(f"{BASE}/{{album_id}}/tarik", response_class=HTMLResponse)
def unpublish(request: Request, album_id: int, actor: Publish, db: SessionDep) -> Response:
    album = _load(db, actor, album_id)
    try:
        gallery.unpublish(db, actor.village.id, album_id)
    except ContentError as error:
        return _refused(request, db, actor, error)
    log_in_village(db, request, actor, "album_unpublished", album.title)
    return redirect(f"{BASE}?status=draf&pesan=ditarik")


@router.post(f"{BASE}/{{album_id}}/hapus", response_class=HTMLResponse)
def trash(request: Request, album_id: int, actor: Publish, db: SessionDep) -> Response:
    album = _load(db, actor, album_id)
    gallery.trash(db, actor.village.id, album_id)
    log_in_village(db, request, actor, "album_deleted", album.title)
    return redirect(f"{BASE}?status=sampah&pesan=dihapus")


@router.post(f"{BASE}/{{album_id}}/pulihkan", response_class=HTMLResponse)
def restore(request: Request, album_id: int, actor: Publish, db: SessionDep) -> Response:
    album = _load(db, actor, album_id, trashed=True)
    gallery.restore(db, actor.village.id, album_id)
    log_in_village(db, request, actor, "album_restored", album.title)
    return redirect(f"{BASE}?status={_tab_of(album)}&pesan=dipulihkan")
