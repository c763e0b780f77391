"""The village team's screens for potensi desa (``/admin/potensi``) and products (``/admin/produk``).

Both follow one workflow: a kontributor (kader) writes a draft or submits it, and it waits as
"menunggu" until an editor or admin publishes it or sends it back with a note; editors and admins
publish directly. A kontributor changes only their own drafts. Photos are chosen among the images
of the village's media library (checkboxes and an order number: no JavaScript needed). A form that
cannot be saved comes back with everything typed and the reason, never half saved. Ids in the URL
are looked up in the host's village only: another village's row is not found (404).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import case, func
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from etalase.platform.accounts.authz import Forbidden, Permission, VillageActor, may_edit_post, village_access
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import MediaError, size_text
from etalase.platform.potensi import places, products, service
from etalase.platform.potensi.models import KINDS, Potensi, Product
from etalase.platform.potensi.service import first
from etalase.platform.runtime import Runtime
from etalase.platform.web import form_photos
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.gallery_admin import FORM_OVERHEAD, metered_route
from etalase.platform.web.pages import log_in_village, page, page_number, redirect
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageTeamRoute)

Read = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]
Write = Annotated[VillageActor, Depends(village_access(Permission.WRITE_DRAFTS))]
Publish = Annotated[VillageActor, Depends(village_access(Permission.PUBLISH))]

PAGE_SIZE = 30
PICKER_SIZE = media_service.PAGE_SIZE  # the newest images of the library offered in the form
MAX_FIELD = 25_000  # characters of one form field (the description is checked to 20,000 after)
TABS = {"menunggu": "review", "terbit": "published", "draf": "draft", "sampah": "trash"}
POTENSI_FIELDS = ("kind", "name", "description", "location", "whatsapp")
PRODUCT_FIELDS = (
    "name",
    "description",
    "price",
    "unit",
    "category",
    "stock",
    "seller",
    "seller_name",
    "whatsapp",
)


@dataclass(frozen=True)
class Screen:
    """What differs between the two screens."""

    model: type[Potensi] | type[Product]
    base: str  # /admin/potensi, /admin/produk
    noun: str  # in audit actions: potensi_created, product_published…
    list_template: str
    edit_template: str
    fields: tuple[str, ...]
    param: str  # the id's name in the path: {potensi_id}, {product_id}


POTENSI = Screen(
    Potensi,
    "/admin/potensi",
    "potensi",
    "admin/potensi.html",
    "admin/potensi_edit.html",
    POTENSI_FIELDS,
    "potensi_id",
)
PRODUCTS = Screen(
    Product,
    "/admin/produk",
    "product",
    "admin/products.html",
    "admin/product_edit.html",
    PRODUCT_FIELDS,
    "product_id",
)


def _tab_names() -> dict[str, str]:
    return {"menunggu": _("Menunggu"), "terbit": _("Terbit"), "draf": _("Draf"), "sampah": _("Sampah")}


def _notices() -> dict[str, str]:
    return {
        "disimpan": _("Sudah disimpan sebagai draf."),
        "diajukan": _("Sudah dikirim. Editor atau admin desa akan memeriksanya sebelum terbit."),
        "terbit": _("Sudah terbit di situs desa."),
        "diperbarui": _("Perubahan sudah disimpan."),
        "dikembalikan": _("Sudah dikembalikan ke pengirimnya dengan catatan Anda."),
        "ditarik": _("Sudah ditarik dari situs desa dan kembali menjadi draf."),
        "dihapus": _("Sudah dipindahkan ke sampah."),
        "dipulihkan": _("Sudah dipulihkan dari sampah."),
    }


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _load(db: Session, screen: Screen, actor: VillageActor, row_id: int, *, trashed: bool = False) -> Any:
    try:
        if screen.model is Product:
            return products.get_product(db, actor.village.id, row_id, trashed=trashed)
        return places.get_potensi(db, actor.village.id, row_id, trashed=trashed)
    except ContentError:
        raise HTTPException(status_code=404) from None


def _editable(db: Session, screen: Screen, actor: VillageActor, row_id: int) -> Any:
    row = _load(db, screen, actor, row_id)
    if not may_edit_post(actor, row.author_id, row.status):
        raise Forbidden(
            _("Anda hanya dapat mengubah draf Anda sendiri. Yang sudah dikirim diperiksa editor.")
        )
    return row


# --- the list --------------------------------------------------------------------------------------
def _listing(
    request: Request,
    db: Session,
    screen: Screen,
    actor: VillageActor,
    *,
    tab: str,
    choice: str = "",
    number: int = 1,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    vid, model = actor.village.id, screen.model
    deleted: Any = col(model.deleted_at)
    state: Any = col(model.status)
    query: Any = in_village(model, vid)
    bucket = case((deleted.is_not(None), "trash"), else_=state)
    grouped = dict(db.execute(query.with_only_columns(bucket, func.count()).group_by(bucket)).all())
    counts = {name: int(grouped.get(value, 0)) for name, value in TABS.items()}
    if TABS[tab] == "trash":
        query = query.where(deleted.is_not(None))
    else:
        query = query.where(deleted.is_(None), state == TABS[tab])
    # The filter: a kind of potensi, or a product category.
    choice = " ".join(choice.split())[:40].lower()
    if choice and model is Potensi:
        query = query.where(col(Potensi.kind) == choice)
    elif choice:
        query = query.where(col(Product.category) == choice)
    rows = list(
        db.exec(
            query.order_by(col(model.updated_at).desc(), col(model.id).desc())
            .offset((number - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        ).all()
    )
    shown = rows[:PAGE_SIZE]
    covers = service.photos(db, vid, model, [r.id for r in shown if r.id is not None])
    store = _runtime(request).media
    items = []
    for row in shown:
        cover = first(covers.get(row.id, []))
        thumb = media_service.thumbnail_key(cover) if cover else None
        items.append(
            {
                "row": row,
                "thumb": store.url(thumb or cover.key) if cover else None,
                "editable": row.deleted_at is None and may_edit_post(actor, row.author_id, row.status),
            }
        )
    context = {
        "actor": actor,
        "tab": tab,
        "tabs": _tab_names(),
        "counts": counts,
        "items": items,
        "choice": choice,
        "kinds": places.kind_labels(),
        "categories": products.categories(db, vid) if model is Product else [],
        "category_label": products.category_label,
        "stock_labels": products.stock_labels(),
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        **extra,
    }
    return page(request, screen.list_template, context, status=status)


# --- the form --------------------------------------------------------------------------------------
def _values_of(screen: Screen, row: Any, chosen: list[int]) -> dict[str, Any]:
    if screen.model is Product:
        values: dict[str, Any] = {
            "name": row.name,
            "description": row.description,
            "price": str(row.price),
            "unit": row.unit,
            "category": row.category,
            "stock": row.stock,
            "seller": str(row.potensi_id or ""),
            "seller_name": row.seller_name,
            "whatsapp": row.whatsapp,
        }
    else:
        values = {
            "kind": row.kind,
            "name": row.name,
            "description": row.description,
            "location": row.location,
            "whatsapp": row.whatsapp,
        }
    values["photos"] = chosen
    return values


def _empty(screen: Screen, kind: str = "") -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(screen.fields, "")
    if screen.model is Product:
        values["stock"] = "tersedia"
    else:
        values["kind"] = kind if kind in KINDS else "umkm"
    values["photos"] = []
    return values


def _values_from(screen: Screen, form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in screen.fields:
        raw = form.get(name)
        values[name] = raw[:MAX_FIELD] if isinstance(raw, str) else ""
    picked = [v for v in form.getlist("foto") if isinstance(v, str)][: service.MAX_PHOTOS * 4]
    ids = service.photo_ids(picked)

    def order(pair: tuple[int, int]) -> tuple[int, int]:
        index, media_id = pair
        raw = form.get(f"urutan-{media_id}")
        text = raw.strip() if isinstance(raw, str) else ""
        return (int(text) if text.isdecimal() and len(text) <= 3 else 999, index)

    values["photos"] = [media_id for _index, media_id in sorted(enumerate(ids), key=order)]
    return values


def _picker(request: Request, db: Session, actor: VillageActor, chosen: list[int]) -> list[dict[str, Any]]:
    """The chosen photos first (in their order), then the newest images of the library."""
    vid = actor.village.id
    images = media_service.library(vid, "image")
    picked = {m.id: m for m in db.exec(images.where(col(MediaFile.id).in_(chosen))).all()} if chosen else {}
    newest = db.exec(images.order_by(col(MediaFile.id).desc()).limit(PICKER_SIZE)).all()
    store = _runtime(request).media
    found: list[dict[str, Any]] = []
    ordered = [picked[i] for i in chosen if i in picked] + [m for m in newest if m.id not in picked]
    for media in ordered:
        thumb = media_service.thumbnail_key(media)
        position = chosen.index(media.id) + 1 if media.id in picked and media.id is not None else None
        found.append(
            {
                "id": media.id,
                "alt": media.alt or media.original_name,
                "thumb": store.url(thumb or media.key),
                "position": position,
            }
        )
    return found


def _form(
    request: Request,
    db: Session,
    screen: Screen,
    actor: VillageActor,
    row: Any,
    values: dict[str, Any],
    *,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    vid = actor.village.id
    context: dict[str, object] = {
        "actor": actor,
        "row": row,
        "values": values,
        "choices": _picker(request, db, actor, values.get("photos", [])),
        "max_photos": service.MAX_PHOTOS,
        "kinds": places.kind_labels(),
        "categories": products.categories(db, vid) if screen.model is Product else [],
        "category_label": products.category_label,
        "stock_labels": products.stock_labels(),
        "sellers": places.sellers(db, vid) if screen.model is Product else [],
        "may_publish": actor.can(Permission.PUBLISH),
        "base": screen.base,
        **extra,
    }
    return page(request, screen.edit_template, context, status=status)


def _chosen_photos(db: Session, screen: Screen, vid: int, row_id: int) -> list[int]:
    found = service.photos(db, vid, screen.model, [row_id]).get(row_id, [])
    return [m.id for m in found if m.id is not None]


def _check(db: Session, screen: Screen, vid: int, values: dict[str, Any]) -> Any:
    if screen.model is Product:
        return products.check_fields(
            db,
            vid,
            name=values["name"],
            description=values["description"],
            price=values["price"],
            unit=values["unit"],
            category=values["category"],
            stock=values["stock"],
            seller=values["seller"],
            seller_name=values["seller_name"],
            whatsapp=values["whatsapp"],
            photos=values["photos"],
        )
    return places.check_fields(
        db,
        vid,
        kind=values["kind"],
        name=values["name"],
        description=values["description"],
        location=values["location"],
        whatsapp=values["whatsapp"],
        photos=values["photos"],
    )


def _unorderable(db: Session, screen: Screen, vid: int, fields: Any, status: str) -> str | None:
    """Why a product cannot be published as it is (no number to order through), or None.
    ``fields``: the checked form, or the stored row (both have ``potensi_id`` and ``whatsapp``)."""
    if screen.model is not Product or status != "published":
        return None
    try:
        products.require_orderable(db, vid, potensi_id=fields.potensi_id, whatsapp=fields.whatsapp)
    except ContentError as error:
        return str(error)
    return None


def _action(form: FormData) -> str:
    raw = form.get("aksi")
    return raw if isinstance(raw, str) and raw in service.ACTIONS else "draf"


def _after_save(screen: Screen, row: Any) -> str:
    if row.status == "review":  # the kader's part is done: the row is the editor's now
        return f"{screen.base}?status=menunggu&pesan=diajukan"
    notice = "terbit" if row.status == "published" else "disimpan"
    return f"{screen.base}/{row.id}?pesan={notice}"


def _audit(db: Session, request: Request, actor: VillageActor, screen: Screen, what: str, row: Any) -> None:
    log_in_village(db, request, actor, f"{screen.noun}_{what}", row.name)


# --- photos sent with the form ----------------------------------------------------------------------
UPLOAD_FIELD = "foto_baru"


def _upload_limit(request: Request) -> int:
    return media_service.max_upload_bytes(settings_of(request)) * service.MAX_PHOTOS + FORM_OVERHEAD


def _size_error(request: Request) -> str:
    """What a form cut off by the metered route (``?galat=besar``) says: its body was never read."""
    return _(
        "Foto yang dikirim terlalu besar. Kirim paling banyak {n} foto sekaligus, tiap foto paling "
        "besar {size}; isian Anda belum tersimpan, isi lagi lalu kirim."
    ).format(n=service.MAX_PHOTOS, size=size_text(media_service.max_upload_bytes(settings_of(request))))


def _store_new_photos(
    request: Request, db: Session, actor: VillageActor, form: FormData, values: dict[str, Any]
) -> str | None:
    """The photos taken with the phone and sent with the form: into the media library and chosen
    for the row after the ones already chosen. Returns what went wrong, or None; the photos
    stored before a problem stay chosen in the form that comes back."""
    files = form_photos.sent_files(form, UPLOAD_FIELD)
    if not files:
        return None
    room = service.MAX_PHOTOS - len(values["photos"])
    if len(files) > room:
        return _("Terlalu banyak foto: paling banyak {n} foto, {m} sudah dipilih.").format(
            n=service.MAX_PHOTOS, m=len(values["photos"])
        )
    problems: list[str] = []
    for uploaded in files:
        try:
            media = form_photos.store_photo(request, db, actor, uploaded, alt=str(values.get("name", "")))
        except MediaError as error:
            problems.append(str(error))
            continue
        values["photos"].append(media.id)
    return " ".join(problems) or None


def _routes(screen: Screen) -> None:  # noqa: PLR0915 (one screen's ten routes, read top to bottom)
    base = screen.base
    name = screen.noun
    # The id under its own name in the path (the tenant-wall matrix fills {product_id}…).
    RowId = Annotated[int, Path(alias=screen.param)]  # noqa: N806

    def listing(
        request: Request,
        actor: Read,
        db: SessionDep,
        status: str = "",
        jenis: str = "",
        kategori: str = "",
        halaman: int = 1,
        pesan: str = "",
    ) -> Response:
        tab = status if status in TABS else "menunggu"
        choice = jenis if screen.model is Potensi else kategori
        notice = _notices().get(pesan)
        return _listing(
            request, db, screen, actor, tab=tab, choice=choice, number=page_number(halaman), notice=notice
        )

    def new(request: Request, actor: Write, db: SessionDep, jenis: str = "", galat: str = "") -> Response:
        error = _size_error(request) if galat == "besar" else None
        return _form(request, db, screen, actor, None, _empty(screen, jenis), error=error)

    async def create(request: Request, actor: Write, db: SessionDep) -> Response:
        form = await request.form()  # already parsed (and metered) by the CSRF check
        values = _values_from(screen, form)
        action = _action(form)
        vid = actor.village.id
        problem = await run_in_threadpool(_store_new_photos, request, db, actor, form, values)
        if problem:
            return _form(request, db, screen, actor, None, values, error=problem, status=400)
        try:
            fields = _check(db, screen, vid, values)
        except ContentError as error:
            db.rollback()
            return _form(request, db, screen, actor, None, values, error=str(error), status=400)
        status = service.status_for(action, may_publish=actor.can(Permission.PUBLISH), current=None)
        problem = _unorderable(db, screen, vid, fields, status)
        if problem:
            return _form(request, db, screen, actor, None, values, error=problem, status=400)
        row: Any = (products if screen.model is Product else places).create(
            db, vid, actor.user, fields, status
        )
        _audit(db, request, actor, screen, "created", row)
        if status == "review":
            _audit(db, request, actor, screen, "submitted", row)
        elif status == "published":
            _audit(db, request, actor, screen, "published", row)
        return redirect(_after_save(screen, row))

    def edit(
        request: Request, row_id: RowId, actor: Write, db: SessionDep, pesan: str = "", galat: str = ""
    ) -> Response:
        row = _editable(db, screen, actor, row_id)
        values = _values_of(screen, row, _chosen_photos(db, screen, actor.village.id, row_id))
        error = _size_error(request) if galat == "besar" else None
        return _form(request, db, screen, actor, row, values, notice=_notices().get(pesan), error=error)

    async def save(request: Request, row_id: RowId, actor: Write, db: SessionDep) -> Response:
        form = await request.form()
        values = _values_from(screen, form)
        action = _action(form)
        vid = actor.village.id
        row = _editable(db, screen, actor, row_id)
        problem = await run_in_threadpool(_store_new_photos, request, db, actor, form, values)
        if problem:
            return _form(request, db, screen, actor, row, values, error=problem, status=400)
        try:
            fields = _check(db, screen, vid, values)
        except ContentError as error:
            db.rollback()
            row = _load(db, screen, actor, row_id)
            return _form(request, db, screen, actor, row, values, error=str(error), status=400)
        before = row.status
        status = service.status_for(action, may_publish=actor.can(Permission.PUBLISH), current=before)
        problem = _unorderable(db, screen, vid, fields, status)
        if problem:
            return _form(request, db, screen, actor, row, values, error=problem, status=400)
        (products if screen.model is Product else places).save(db, row, fields, status)
        if status != before:
            what = {"review": "submitted", "published": "published", "draft": "unpublished"}[status]
            if not (before == "review" and status == "draft"):
                _audit(db, request, actor, screen, what, row)
        return redirect(_after_save(screen, row) if status != before else f"{base}/{row_id}?pesan=diperbarui")

    def _refused(request: Request, db: Session, actor: VillageActor, error: ContentError) -> HTMLResponse:
        db.rollback()
        return _listing(request, db, screen, actor, tab="menunggu", error=str(error), status=400)

    def publish(request: Request, row_id: RowId, actor: Publish, db: SessionDep) -> Response:
        row = _load(db, screen, actor, row_id)
        if row.status == "published":
            return _refused(request, db, actor, ContentError(_("Ini sudah terbit.")))
        problem = _unorderable(db, screen, row.village_id, row, "published")
        if problem:
            return _refused(request, db, actor, ContentError(problem))
        service.move(db, row, "published")
        _audit(db, request, actor, screen, "published", row)
        return redirect(f"{base}?status=terbit&pesan=terbit")

    async def send_back(request: Request, row_id: RowId, actor: Publish, db: SessionDep) -> Response:
        form = await request.form()
        raw = form.get("catatan")
        note = raw[:MAX_FIELD] if isinstance(raw, str) else ""
        row = _load(db, screen, actor, row_id)
        try:
            service.send_back(db, row, note)
        except ContentError as error:
            return _refused(request, db, actor, error)
        _audit(db, request, actor, screen, "returned", row)
        return redirect(f"{base}?status=draf&pesan=dikembalikan")

    def unpublish(request: Request, row_id: RowId, actor: Publish, db: SessionDep) -> Response:
        row = _load(db, screen, actor, row_id)
        if row.status != "published":
            return _refused(request, db, actor, ContentError(_("Ini belum terbit.")))
        service.move(db, row, "draft")
        _audit(db, request, actor, screen, "unpublished", row)
        return redirect(f"{base}?status=draf&pesan=ditarik")

    def trash(request: Request, row_id: RowId, actor: Publish, db: SessionDep) -> Response:
        row = _load(db, screen, actor, row_id)
        service.trash(db, row)
        _audit(db, request, actor, screen, "deleted", row)
        return redirect(f"{base}?status=sampah&pesan=dihapus")

    def restore(request: Request, row_id: RowId, actor: Publish, db: SessionDep) -> Response:
        row = _load(db, screen, actor, row_id, trashed=True)
        service.restore(db, row)
        _audit(db, request, actor, screen, "restored", row)
        tab = {"published": "terbit", "review": "menunggu"}.get(row.status, "draf")
        return redirect(f"{base}?status={tab}&pesan=dipulihkan")

    post: Callable[..., Any] = router.post
    get: Callable[..., Any] = router.get
    get(base, response_class=HTMLResponse, name=f"admin_{name}_list")(listing)
    get(f"{base}/baru", response_class=HTMLResponse, name=f"admin_{name}_new")(new)
    # The two forms that may carry photos: their body is metered (see gallery_admin.metered_route).
    metered = metered_route(_upload_limit, lambda r: r.url.path)
    router.add_api_route(
        f"{base}/baru", create, methods=["POST"], response_class=HTMLResponse, route_class_override=metered
    )
    get(f"{base}/{{{screen.param}}}", response_class=HTMLResponse, name=f"admin_{name}_edit")(edit)
    router.add_api_route(
        f"{base}/{{{screen.param}}}",
        save,
        methods=["POST"],
        response_class=HTMLResponse,
        route_class_override=metered,
    )
    post(f"{base}/{{{screen.param}}}/terbitkan", response_class=HTMLResponse)(publish)
    post(f"{base}/{{{screen.param}}}/kembalikan", response_class=HTMLResponse)(send_back)
    post(f"{base}/{{{screen.param}}}/tarik", response_class=HTMLResponse)(unpublish)
    post(f"{base}/{{{screen.param}}}/hapus", response_class=HTMLResponse)(trash)
    post(f"{base}/{{{screen.param}}}/pulihkan", response_class=HTMLResponse)(restore)


_routes(POTENSI)
_routes(PRODUCTS)
