"""The public side of aspirations on a village host: the form (``/aspirasi``), the status lookup
(``/aspirasi/lacak``), the published exchanges (``/aspirasi/terbit``) and their JSON
(``/api/v1/aspirasi``).

The page cache: the form and the lookup carry a personal CSRF token and a signed stamp, so they
are never stored (the cache refuses any page with a form token) and say ``Cache-Control:
no-store`` for browsers and CDNs too; the answers to the POSTs are never cached either. The
published list carries no form and is cached like every public page (a change bumps the content
version). The tracking code travels only in POST bodies and in the answer to them, never in a URL
(logs, Referer, the page cache's keys).

A refused message always comes back with what was typed and a sentence saying why, except when the
honeypot field was filled: then the answer looks exactly like success (a bot learns nothing), and
the message is kept, flagged as spam, in the team's "Spam" tab, so a person caught by mistake is
not lost either. Only a body past twice the photo limit is cut off unread; that page says plainly
that nothing was sent.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import col
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from etalase.platform.accounts import csrf, ratelimit
from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.aspirations import codes, spam
from etalase.platform.aspirations import service as aspirations
from etalase.platform.aspirations.models import CATEGORIES, Aspiration, AspirationReply
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import MB, MediaError, photo_reason, size_text, too_large
from etalase.platform.runtime import Runtime
from etalase.platform.web import form_photos
from etalase.platform.web.deps import CurrentVillage, RuntimeDep, SessionDep, TemplatesDep, settings_of
from etalase.platform.web.media import UploadTooLarge, _metered
from etalase.platform.web.pages import ONE_YEAR, client_ip, page_number
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import render, theme_template
from etalase.tenants.resolver import VillageSite

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

PER_PAGE = 20
API_PER_PAGE = 50
PHOTO_FIELD = "foto"
FORM_OVERHEAD = 256 * 1024
KEEP_CHARS = 20_000  # what a refused form gives back (the message itself is limited far below)
FIELDS = ("kategori", "pesan", "nama", "hp")
# The first bytes of PDF and office files: refused before anything is stored (a photo is asked).


def photo_limit(request: Request) -> int:
    """The largest photo a resident may attach: ours, or the media library's when smaller."""
    return min(aspirations.PHOTO_MAX_MB * MB, media_service.max_upload_bytes(settings_of(request)))


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _private(request: Request, response: HTMLResponse) -> HTMLResponse:
    """A page with a personal token or a tracking code: never stored by any cache, and the
    anonymous CSRF cookie set when the token was just made for it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    new_cookie = getattr(request.state, "new_csrf_cookie", None)
    if new_cookie:
        settings = settings_of(request)
        response.set_cookie(
            csrf.anon_cookie_name(settings),
            new_cookie,
            max_age=ONE_YEAR,
            httponly=True,
            samesite="lax",
            secure=settings.public_scheme == "https",
            path="/",
        )
    return response


def _show(
    request: Request, village: VillageSite, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    templates = request.app.state.templates
    full = {
        "village": village,
        "csrf_token": csrf.token_for(request),
        "categories": aspirations.category_labels(),
        "category_names": aspirations.category_short(),
        "status_names": aspirations.status_labels(),
        "display_code": codes.display,
        **context,
    }
    response = render(templates, request, theme_template(templates, village.theme, name), full, status)
    return _private(request, response)


# --- the form --------------------------------------------------------------------------------------
def _form(
    request: Request,
    village: VillageSite,
    values: dict[str, str],
    *,
    consent: bool = False,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "values": values,
        "consent": consent,
        "error": error,
        "stamp": spam.make_stamp(settings_of(request).effective_secret_key, village.id),
        "honeypot": spam.HONEYPOT_FIELD,
        "stamp_field": spam.STAMP_FIELD,
        "photo_field": PHOTO_FIELD,
        "max_photo": size_text(photo_limit(request)),
        "message_max": aspirations.MESSAGE_MAX,
        "message_min": aspirations.MESSAGE_MIN,
    }
    return _show(request, village, "aspirasi.html", context, status)


def _too_large_message(request: Request) -> str:
    return _(
        "Foto terlalu besar (paling besar {limit}), jadi aspirasi Anda belum terkirim. Tulis lagi "
        "pesan Anda, lalu pilih foto yang lebih kecil atau kirim tanpa foto."
    ).format(limit=size_text(photo_limit(request)))


@router.get("/aspirasi", response_class=HTMLResponse, name="village_aspiration_form")
def form_page(request: Request, village: CurrentVillage, galat: str = "") -> HTMLResponse:
    error = _too_large_message(request) if galat == "besar" else None
    return _form(request, village, dict.fromkeys(FIELDS, ""), error=error, status=413 if error else 200)


def _values_from(form: FormData) -> dict[str, str]:
    values = {}
    for name in FIELDS:
        raw = form.get(name)
        values[name] = raw[:KEEP_CHARS] if isinstance(raw, str) else ""
    return values


def _given_photo(form: FormData) -> UploadFile | None:
    uploaded = form.get(PHOTO_FIELD)
    return uploaded if isinstance(uploaded, UploadFile) and uploaded.filename else None


def _photo_refusal(reason: str) -> str:
    return _(
        "Foto belum terkirim: {reason} Tulisan Anda masih ada di bawah; pilih foto lain atau kirim "
        "tanpa foto."
    ).format(reason=reason)


def _not_a_photo(name: str) -> str:
    return _("“{name}” bukan foto. Pilih foto JPG, PNG, WebP atau GIF.").format(name=name)


def _sent(request: Request, village: VillageSite, aspiration: Aspiration) -> HTMLResponse:
    return _show(request, village, "aspirasi_terkirim.html", {"aspiration": aspiration})


class Refused(Exception):  # noqa: N818  (a control-flow signal: the form comes back with this)
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _admitted(
    request: Request, village: VillageSite, raw_stamp: object, limiter: ratelimit.Limiter
) -> spam.Stamp:
    """The form's stamp when the sender is within the limits and took a human's time, else
    :class:`Refused` with the reason."""
    checks = _submit_checks(request, village)
    wait = limiter.longest_wait(*checks)
    if wait:
        raise Refused(
            _(
                "Sudah terlalu banyak aspirasi yang masuk dari jaringan Anda atau ke desa ini dalam "
                "waktu singkat. Tulisan Anda masih ada di bawah; coba kirim lagi dalam {minutes} menit."
            ).format(minutes=wait),
            429,
        )
    secret = settings_of(request).effective_secret_key
    stamp = spam.read_stamp(secret, village.id, raw_stamp if isinstance(raw_stamp, str) else "")
    if stamp is None:
        raise Refused(_("Formulir ini tidak lengkap atau sudah tidak berlaku. Periksa lagi, lalu kirim."))
    age = spam.now() - stamp.issued
    if age < spam.MIN_FILL_SECONDS:
        limiter.hit_all(*checks)  # a bot hammering the form is limited too
        raise Refused(_("Formulir terkirim terlalu cepat. Periksa lagi tulisan Anda, lalu kirim."))
    if age > spam.MAX_FORM_AGE:
        raise Refused(_("Formulir ini sudah terlalu lama dibuka. Tulisan Anda masih ada; kirim sekali lagi."))
    return stamp


def _submit_checks(request: Request, village: VillageSite) -> tuple[ratelimit.Check, ratelimit.Check]:
    return (spam.SUBMIT_ADDRESS, client_ip(request)), (spam.SUBMIT_VILLAGE, str(village.id))


def _store_photo(
    request: Request, db: Any, runtime: Runtime, village: VillageSite, photo: UploadFile
) -> MediaFile:
    """The photo in the village's media library (committed there: checked by its bytes, EXIF
    stripped, WebP variants made), or :class:`Refused` with nothing stored."""
    problem, status = _check_photo(request, photo)
    if problem:
        raise Refused(_photo_refusal(problem), status)
    try:
        stored = media_service.upload(
            db,
            runtime.media,
            village.id,
            filename=photo.filename,
            stream=photo.file,
            alt=_("Foto kiriman warga"),
            user=None,
            settings=settings_of(request),
            private=True,
        )
    except MediaError as error:
        raise Refused(_photo_refusal(photo_reason(error)), error.status) from None
    if stored.kind != "image":
        _drop(db, runtime, village.id, stored)
        raise Refused(_photo_refusal(_not_a_photo(photo.filename or "")), 415)
    return stored


async def submit(request: Request, village: CurrentVillage, db: SessionDep, runtime: RuntimeDep) -> Response:
    form = await request.form()  # already parsed (and metered) by the CSRF check
    values = _values_from(form)
    consent = form.get("boleh_publikasi") == "ya"
    honeypot = form.get(spam.HONEYPOT_FIELD)
    trapped = isinstance(honeypot, str) and honeypot.strip() != ""
    raw_stamp = form.get(spam.STAMP_FIELD)
    photo = _given_photo(form)

    def attempt() -> Response:
        limiter = ratelimit.Limiter(runtime.cache)
        try:
            stamp = _admitted(request, village, raw_stamp, limiter)
            earlier = aspirations.find_by_nonce(db, village.id, stamp.nonce)
            if earlier is not None:  # the same form sent again (a reload): the same message
                return _sent(request, village, earlier)
            try:
                submission = aspirations.check_submission(
                    values["kategori"], values["pesan"], values["nama"], values["hp"], consent
                )
            except aspirations.AspirationError as error:
                raise Refused(
                    str(error), 413 if len(values["pesan"]) > aspirations.MESSAGE_MAX else 400
                ) from None
            # Caught by the honeypot: looks like success, kept out of the inbox (see the docstring).
            stored = _store_photo(request, db, runtime, village, photo) if photo and not trapped else None
        except Refused as refusal:
            db.rollback()
            return _form(request, village, values, consent=consent, error=str(refusal), status=refusal.status)
        try:
            aspiration = aspirations.submit(
                db,
                village.id,
                submission,
                photo_media_id=stored.id if stored else None,
                spam=trapped,
                nonce=stamp.nonce,
            )
            db.commit()
        except Exception:
            db.rollback()
            if stored is not None:  # no message: no photo uploaded for it
                _drop(db, runtime, village.id, stored)
            raise
        limiter.hit_all(*_submit_checks(request, village))
        return _sent(request, village, aspiration)

    return await run_in_threadpool(attempt)


def _check_photo(request: Request, photo: UploadFile) -> tuple[str | None, int]:
    """A first look before anything is stored: the size, and not a document (the media library then
    judges the bytes themselves, strips EXIF and makes the WebP variants)."""
    limit = photo_limit(request)
    size = photo.size
    if size is None:
        photo.file.seek(0, 2)
        size = photo.file.tell()
    photo.file.seek(0)
    if size > limit:
        return str(too_large(limit)), 413
    if form_photos.is_document(photo):
        return _not_a_photo(photo.filename or ""), 415
    return None, 200


def _drop(db: Any, runtime: Runtime, village_id: int, media: MediaFile) -> None:
    if media.id is not None:
        media_service.delete(db, runtime.media, village_id, media.id, force=True, private=True)


class SubmitRoute(VillageRoute):
    """The form's POST: a body past twice the photo limit is cut off unread (the form page then
    says so); anything smaller is parsed, so a too-large photo comes back with the text kept."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def metered_handler(request: Request) -> Response:
            limit = 2 * photo_limit(request) + FORM_OVERHEAD
            metered = Request(request.scope, _metered(request.headers, request.receive, limit))
            try:
                return await handler(metered)
            except UploadTooLarge:
                village = request.state.site.village
                return _form(
                    request, village, dict.fromkeys(FIELDS, ""), error=_too_large_message(request), status=413
                )
            finally:
                await metered.close()

        return metered_handler


router.add_api_route(
    "/aspirasi",
    submit,
    methods=["POST"],
    response_class=HTMLResponse,
    route_class_override=SubmitRoute,
    name="village_aspiration_submit",
)


# --- the lookup -----------------------------------------------------------------------------------
def _timeline(replies: list[AspirationReply]) -> list[dict[str, Any]]:
    """What a reader sees of the team's work: public replies and status changes, oldest first."""
    return [
        {"kind": r.kind, "body": r.body, "at": r.created_at}
        for r in replies
        if r.kind in ("public", "status")
    ]


@router.get("/aspirasi/lacak", response_class=HTMLResponse, name="village_aspiration_lookup")
def lookup_page(request: Request, village: CurrentVillage) -> HTMLResponse:
    return _show(request, village, "aspirasi_lacak.html", {"typed": "", "found": None})


@router.post("/aspirasi/lacak", response_class=HTMLResponse)
async def lookup(request: Request, village: CurrentVillage, db: SessionDep, runtime: RuntimeDep) -> Response:
    form = await request.form()
    raw = form.get("kode")
    typed = raw[:40] if isinstance(raw, str) else ""

    def attempt() -> HTMLResponse:
        limiter = ratelimit.Limiter(runtime.cache)
        checks = ((spam.LOOKUP_ADDRESS, client_ip(request)), (spam.LOOKUP_VILLAGE, str(village.id)))
        context: dict[str, Any] = {"typed": typed, "found": None}
        wait = limiter.longest_wait(*checks)
        if wait:
            context["error"] = _(
                "Terlalu banyak kode yang tidak ditemukan. Coba lagi dalam {minutes} menit."
            ).format(minutes=wait)
            return _show(request, village, "aspirasi_lacak.html", context, 429)
        found = aspirations.find_by_code(db, village.id, typed)
        if found is None or found.id is None:
            limiter.hit_all(*checks)
            context["error"] = _(
                "Kode “{code}” tidak ditemukan di desa ini. Periksa lagi kodenya, contohnya ASP-7K3M-Q9XW."
            ).format(code=typed.strip())
            return _show(request, village, "aspirasi_lacak.html", context, 404)
        steps = aspirations.replies(db, village.id, [found.id], public_only=True)[found.id]
        context.update({"found": found, "timeline": _timeline(steps)})
        return _show(request, village, "aspirasi_lacak.html", context)

    return await run_in_threadpool(attempt)


# --- the published exchanges ----------------------------------------------------------------------
def _published_items(db: Any, village_id: int, rows: list[Aspiration]) -> list[dict[str, Any]]:
    ids = [r.id for r in rows if r.id is not None]
    steps = aspirations.replies(db, village_id, ids, public_only=True)
    return [{"aspiration": r, "timeline": _timeline(steps.get(r.id or 0, []))} for r in rows]


@router.get("/aspirasi/terbit", response_class=HTMLResponse, name="village_aspirations_published")
def published(
    request: Request, village: CurrentVillage, db: SessionDep, templates: TemplatesDep, halaman: int = 1
) -> HTMLResponse:
    number = page_number(halaman)
    rows, has_next = aspirations.published_page(db, village.id, number, PER_PAGE)
    context = {
        "village": village,
        "items": _published_items(db, village.id, rows),
        "number": number,
        "has_next": has_next,
        "category_names": aspirations.category_short(),
        "status_names": aspirations.status_labels(),
    }
    return render(
        templates, request, theme_template(templates, village.theme, "aspirasi_terbit.html"), context
    )


@router.get("/aspirasi/terbit/{aspiration_id}", response_class=HTMLResponse, name="village_aspiration")
def published_one(
    request: Request, aspiration_id: int, village: CurrentVillage, db: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    found = db.exec(
        aspirations.published_query(village.id).where(col(Aspiration.id) == aspiration_id)
    ).first()
    if found is None:
        raise HTTPException(status_code=404)
    context = {
        "village": village,
        "item": _published_items(db, village.id, [found])[0],
        "category_names": aspirations.category_short(),
        "status_names": aspirations.status_labels(),
    }
    template = theme_template(templates, village.theme, "aspirasi_terbit_satu.html")
    return render(templates, request, template, context)


def as_json(item: dict[str, Any]) -> dict[str, Any]:
    """One published exchange for the API: never the sender, the photo, the code or a team note."""
    row: Aspiration = item["aspiration"]
    return {
        "id": row.id,
        "category": row.category,
        "message": row.message,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "updated_at": row.updated_at.isoformat(),
        "replies": [
            {"kind": step["kind"], "body": step["body"], "created_at": step["at"].isoformat()}
            for step in item["timeline"]
        ],
    }


@router.get("/api/v1/aspirasi", name="api_aspirations")
def api_published(village: CurrentVillage, db: SessionDep, halaman: int = 1) -> JSONResponse:
    """Published exchanges, newest first, ``halaman=<n>`` for the next page."""
    number = page_number(halaman)
    rows, has_next = aspirations.published_page(db, village.id, number, API_PER_PAGE)
    items = _published_items(db, village.id, rows)
    return JSONResponse(
        {
            "village": village.code,
            "page": number,
            "has_next": has_next,
            "categories": list(CATEGORIES),
            "aspirations": [as_json(item) for item in items],
        }
    )
