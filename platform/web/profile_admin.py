"""The village team's profile screens (``/admin/profil`` on the village's own host).

One form holds the whole profile (sejarah, visi dan misi, penduduk, wilayah, kantor desa), in
sections a phone scrolls through; a refused save shows every field as it was typed, with the
message next to the field it names. The officials (perangkat desa) and the BPD are two lists with
their own screens: add, change, move up or down, remove; each may carry a photo of the village's
media library (picked like a post's cover: radio buttons, no JavaScript).

Admins and editors change the profile; the whole team (and a covering supervisor) may read it.
Ids of another village's officials are not found (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col
from starlette.datastructures import UploadFile

from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import MediaError, size_text
from etalase.platform.profile import service as profiles
from etalase.platform.profile.models import BODIES, VillageOfficial
from etalase.platform.profile.service import ProfileError
from etalase.platform.web import form_photos
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.gallery_admin import FORM_OVERHEAD, metered_route
from etalase.platform.web.pages import log_in_village, page, redirect
from etalase.platform.web.routing import VillageTeamRoute

router = APIRouter(route_class=VillageTeamRoute)

Read = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
Edit = Annotated[VillageActor, Depends(village_access(Permission.PUBLISH))]

BASE = "/admin/profil"
PHOTO_CHOICES = 24  # the newest photos offered for an official (the chosen one is added if older)
OFFICIAL_FIELDS = ("name", "title", "media_id")
# Longest value kept from a form field: the history is HTML, the rest short text.
LIMITS = {"history": profiles.MAX_HISTORY + 10_000}
DEFAULT_LIMIT = 6_000


def _notices() -> dict[str, str]:
    return {
        "disimpan": _("Profil desa sudah disimpan dan tampil di situs."),
        "ditambah": _("Sudah ditambahkan ke daftar."),
        "diubah": _("Perubahan sudah disimpan."),
        "dipindah": _("Urutan sudah diubah."),
        "dihapus": _("Sudah dihapus dari daftar. Fotonya tetap ada di pustaka media."),
    }


async def _form_values(request: Request) -> dict[str, str]:
    """Every text field of the posted form, each cut at a generous limit (the checks then refuse
    what is still too long, naming the field)."""
    form = await request.form()  # already parsed (and metered) by the CSRF check
    values: dict[str, str] = {}
    for name, raw in form.multi_items():
        if isinstance(raw, str) and name != "csrf_token":
            values[name] = raw[: LIMITS.get(name, DEFAULT_LIMIT)]
    return values


Posted = Annotated[dict[str, str], Depends(_form_values)]


# --- a photo taken with the phone for an official ---------------------------------------------------
PHOTO_FIELD = "foto_baru"


async def _sent_photo(request: Request) -> UploadFile | None:
    form = await request.form()
    files = form_photos.sent_files(form, PHOTO_FIELD)
    return files[0] if files else None


SentPhoto = Annotated[UploadFile | None, Depends(_sent_photo)]


def _official_form_limit(request: Request) -> int:
    return media_service.max_upload_bytes(settings_of(request)) + FORM_OVERHEAD


def _size_error(request: Request) -> str:
    return _(
        "Foto terlalu besar (paling besar {size}), jadi isian belum tersimpan. Isi lagi lalu kirim "
        "dengan foto yang lebih kecil."
    ).format(size=size_text(media_service.max_upload_bytes(settings_of(request))))


def _store_photo(
    request: Request, db: Session, actor: VillageActor, photo: UploadFile | None, values: dict[str, str]
) -> None:
    """The photo sent with the form goes into the media library (committed there) and becomes the
    chosen one, so a form refused for another reason comes back with it."""
    if photo is None:
        return
    alt = f"{values['name']}, {values['title']}" if values["title"].strip() else values["name"]
    try:
        media = form_photos.store_photo(request, db, actor, photo, alt=alt)
    except MediaError as error:
        raise ProfileError(str(error), "media_id") from None
    values["media_id"] = str(media.id)


# The forms that may carry a photo: their body is metered (see gallery_admin.metered_route).
_metered = metered_route(_official_form_limit, lambda r: r.url.path)


# --- the profile ------------------------------------------------------------------------------------
def _profile_page(
    request: Request,
    db: Session,
    actor: VillageActor,
    values: dict[str, str],
    *,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    vid = actor.village.id
    profile = profiles.get_profile(db, vid)
    context: dict[str, object] = {
        "actor": actor,
        "profile": profile,
        "values": values,
        "may_edit": actor.can(Permission.PUBLISH),
        "labels": {name: profiles.label(name) for name in profiles.TEXT_FIELDS},
        "days": [(day, profiles.day_name(day)) for day in profiles.DAYS],
        "counts": {body: len(profiles.officials(db, vid, body)) for body in BODIES},
        "body_names": {body: profiles.body_name(body) for body in BODIES},
        "first_year": profiles.FIRST_YEAR,
        **extra,
    }
    return page(request, "admin/profile_desa.html", context, status=status)


@router.get(BASE, response_class=HTMLResponse, name="admin_profile_desa")
def show(request: Request, actor: Read, db: SessionDep, pesan: str = "") -> Response:
    values = profiles.values_of(profiles.get_profile(db, actor.village.id))
    return _profile_page(request, db, actor, values, notice=_notices().get(pesan))


@router.post(BASE, response_class=HTMLResponse)
def save(request: Request, actor: Edit, db: SessionDep, posted: Posted) -> Response:
    values = {name: posted.get(name, "") for name in profiles.FIELDS}
    try:
        profiles.save_profile(db, actor.village.id, values)
    except ProfileError as error:
        db.rollback()
        return _profile_page(
            request, db, actor, values, status=400, error=str(error), error_field=error.field
        )
    log_in_village(db, request, actor, "profile_saved", actor.village.title)
    return redirect(f"{BASE}?pesan=disimpan")


# --- the officials ----------------------------------------------------------------------------------
def _photo_choices(request: Request, db: Session, actor: VillageActor, chosen: str) -> list[dict[str, str]]:
    """The village's newest photos for the picker (plus the chosen one when it is older)."""
    store = request.app.state.runtime.media
    query = media_service.library(actor.village.id, "image")
    found = list(db.exec(query.order_by(col(MediaFile.id).desc()).limit(PHOTO_CHOICES)).all())
    if chosen.isdecimal() and len(chosen) <= 12 and all(str(p.id) != chosen for p in found):
        older = db.exec(query.where(col(MediaFile.id) == int(chosen))).first()
        if older is not None:
            found.append(older)
    return [
        {
            "id": str(photo.id),
            "alt": photo.alt,
            "name": photo.original_name,
            "thumb": store.url(media_service.thumbnail_key(photo) or photo.key),
        }
        for photo in found
    ]


def _chosen_photo(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdecimal() or len(raw) > 12:
        raise ProfileError(_("Foto tidak ditemukan di pustaka media desa ini."), "media_id")
    return int(raw)


def _thumbs(
    request: Request, db: Session, actor: VillageActor, rows: list[VillageOfficial]
) -> dict[int, str]:
    store = request.app.state.runtime.media
    found = profiles.photos(db, actor.village.id, [row.media_id for row in rows])
    return {
        media_id: store.url(media_service.thumbnail_key(media) or media.key)
        for media_id, media in found.items()
    }


def _list_page(
    request: Request,
    db: Session,
    actor: VillageActor,
    body: str,
    values: dict[str, str],
    *,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    rows = profiles.officials(db, actor.village.id, body)
    may_edit = actor.can(Permission.PUBLISH)
    context: dict[str, object] = {
        "actor": actor,
        "body": body,
        "heading": profiles.body_name(body),
        "rows": rows,
        "thumbs": _thumbs(request, db, actor, rows),
        "values": values,
        "photos": _photo_choices(request, db, actor, values.get("media_id", "")) if may_edit else [],
        "may_edit": may_edit,
        "max_officials": profiles.MAX_OFFICIALS,
        **extra,
    }
    return page(request, "admin/profile_officials.html", context, status=status)


def _list_route(body: str) -> None:
    path = f"{BASE}/{body}"

    def listing(request: Request, actor: Read, db: SessionDep, pesan: str = "", galat: str = "") -> Response:
        empty = dict.fromkeys(OFFICIAL_FIELDS, "")
        error = _size_error(request) if galat == "besar" else None
        return _list_page(request, db, actor, body, empty, notice=_notices().get(pesan), error=error)

    def add(request: Request, actor: Edit, db: SessionDep, posted: Posted, photo: SentPhoto) -> Response:
        values = {name: posted.get(name, "") for name in OFFICIAL_FIELDS}
        try:
            _store_photo(request, db, actor, photo, values)
            official = profiles.add_official(
                db,
                actor.village.id,
                body,
                name=values["name"],
                title=values["title"],
                media_id=_chosen_photo(values["media_id"]),
            )
        except ProfileError as error:
            db.rollback()
            return _list_page(
                request, db, actor, body, values, status=400, error=str(error), error_field=error.field
            )
        log_in_village(db, request, actor, "official_added", f"{official.name} ({official.title})")
        return redirect(f"{path}?pesan=ditambah#pejabat-{official.id}")

    router.add_api_route(
        path, listing, methods=["GET"], response_class=HTMLResponse, name=f"admin_profile_{body}"
    )
    router.add_api_route(
        f"{path}/baru", add, methods=["POST"], response_class=HTMLResponse, route_class_override=_metered
    )


for _body in BODIES:
    _list_route(_body)


def _load(db: Session, actor: VillageActor, official_id: int) -> VillageOfficial:
    try:
        return profiles.get_official(db, actor.village.id, official_id)
    except ProfileError:
        raise HTTPException(status_code=404) from None


def _edit_page(
    request: Request,
    db: Session,
    actor: VillageActor,
    official: VillageOfficial,
    values: dict[str, str],
    *,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    context: dict[str, object] = {
        "actor": actor,
        "official": official,
        "heading": profiles.body_name(official.body),
        "values": values,
        "photos": _photo_choices(request, db, actor, values.get("media_id", "")),
        **extra,
    }
    return page(request, "admin/profile_official_edit.html", context, status=status)


@router.get(f"{BASE}/pejabat/{{official_id}}", response_class=HTMLResponse, name="admin_profile_official")
def edit(request: Request, official_id: int, actor: Edit, db: SessionDep, galat: str = "") -> Response:
    official = _load(db, actor, official_id)
    values = {"name": official.name, "title": official.title, "media_id": str(official.media_id or "")}
    error = _size_error(request) if galat == "besar" else None
    return _edit_page(request, db, actor, official, values, error=error)


def change(
    request: Request, official_id: int, actor: Edit, db: SessionDep, posted: Posted, photo: SentPhoto
) -> Response:
    official = _load(db, actor, official_id)
    values = {name: posted.get(name, "") for name in OFFICIAL_FIELDS}
    try:
        _store_photo(request, db, actor, photo, values)
        profiles.save_official(
            db,
            actor.village.id,
            official_id,
            name=values["name"],
            title=values["title"],
            media_id=_chosen_photo(values["media_id"]),
        )
    except ProfileError as error:
        db.rollback()
        official = _load(db, actor, official_id)
        return _edit_page(
            request, db, actor, official, values, status=400, error=str(error), error_field=error.field
        )
    log_in_village(db, request, actor, "official_changed", f"{official.name} ({official.title})")
    return redirect(f"{BASE}/{official.body}?pesan=diubah#pejabat-{official_id}")


router.add_api_route(
    f"{BASE}/pejabat/{{official_id}}",
    change,
    methods=["POST"],
    response_class=HTMLResponse,
    route_class_override=_metered,
)


@router.post(f"{BASE}/pejabat/{{official_id}}/naik", response_class=HTMLResponse)
def move_up(official_id: int, actor: Edit, db: SessionDep) -> Response:
    official = _load(db, actor, official_id)
    profiles.move_official(db, actor.village.id, official_id, -1)
    return redirect(f"{BASE}/{official.body}?pesan=dipindah#pejabat-{official_id}")


@router.post(f"{BASE}/pejabat/{{official_id}}/turun", response_class=HTMLResponse)
def move_down(official_id: int, actor: Edit, db: SessionDep) -> Response:
    official = _load(db, actor, official_id)
    profiles.move_official(db, actor.village.id, official_id, 1)
    return redirect(f"{BASE}/{official.body}?pesan=dipindah#pejabat-{official_id}")


@router.post(f"{BASE}/pejabat/{{official_id}}/hapus", response_class=HTMLResponse)
def remove(request: Request, official_id: int, actor: Edit, db: SessionDep) -> Response:
    official = _load(db, actor, official_id)
    body, who = official.body, f"{official.name} ({official.title})"
    profiles.remove_official(db, actor.village.id, official_id)
    log_in_village(db, request, actor, "official_removed", who)
    return redirect(f"{BASE}/{body}?pesan=dihapus")
