"""The village's appearance (``/admin/tampilan``): theme, colours, layout, sidebar widgets, social
profiles, logo and header image. Village admins only (MANAGE_SETTINGS).

Everything works without JavaScript: the widget list is edited with submit buttons (add, remove,
up, down) that re-show the form with the change, nothing saved until "Terapkan". "Pratinjau"
shows the village's real home page with the chosen look and a bar to go back or apply: the
choice travels in the address (``?tema=…&opsi=…``), never in the database, until it is applied.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col

from etalase.platform.accounts import csrf
from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.runtime import Runtime
from etalase.platform.site import appearance, themes
from etalase.platform.web import village as village_pages
from etalase.platform.web.deps import RuntimeDep, SessionDep, TemplatesDep, settings_of
from etalase.platform.web.pages import log_in_village, page, redirect, team_pages_csp
from etalase.platform.web.routing import VillageTeamRoute

router = APIRouter(route_class=VillageTeamRoute)

Manage = Annotated[VillageActor, Depends(village_access(Permission.MANAGE_SETTINGS))]

BASE = "/admin/tampilan"
PICTURE_CHOICES = 24
MAX_OPTIONS_JSON = 12_000


async def _form_fields(request: Request) -> dict[str, str]:
    """The submitted form as text fields (the widget rows have numbered names)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


def _notices() -> dict[str, str]:
    return {"diterapkan": _("Tampilan baru sudah diterapkan di situs desa.")}


# --- the form <-> options ---------------------------------------------------------------------------
def _parse_form(fields: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """(theme key, raw options) from the submitted form, not yet checked."""
    colors: dict[str, str] = {}
    if fields.get("warna_bawaan") != "1":
        for token in themes.COLOR_TOKENS:
            typed = fields.get(f"warna_{token}_teks", "").strip()
            before = fields.get(f"warna_{token}_awal", "")
            picked = fields.get(f"warna_{token}", "")
            colors[token] = typed if typed and typed.lower() != before.lower() else (picked or typed)
    widgets = []
    count = fields.get("w_count", "0")
    for i in range(min(int(count) if count.isdecimal() else 0, themes.MAX_WIDGETS + 1)):
        kind = fields.get(f"w{i}_type", "")
        if kind:
            widgets.append(
                {"type": kind, "title": fields.get(f"w{i}_title", ""), "text": fields.get(f"w{i}_text", "")}
            )
    raw = {
        "colors": colors,
        "layout": fields.get("tata", ""),
        "widgets": widgets,
        "social": {n: fields.get(f"sosial_{n}", "") for n in themes.SOCIAL},
        "tagline": fields.get("tagline", ""),
        "logo": fields.get("logo", ""),
        "header": fields.get("header", ""),
    }
    return fields.get("tema", ""), raw


def _edit_widgets(raw: dict[str, Any], action: str, new_kind: str) -> bool:
    """Apply an add/remove/up/down button to the widget list; whether the action was one."""
    widgets: list[dict[str, str]] = raw["widgets"]
    verb, _sep, where = action.partition(":")
    if verb == "tambah":
        if new_kind in themes.WIDGETS and len(widgets) < themes.MAX_WIDGETS:
            widgets.append({"type": new_kind, "title": "", "text": ""})
        return True
    if verb not in ("hapus", "naik", "turun") or not where.isdecimal():
        return False
    i = int(where)
    if not 0 <= i < len(widgets):
        return True
    if verb == "hapus":
        widgets.pop(i)
    elif verb == "naik" and i > 0:
        widgets[i - 1], widgets[i] = widgets[i], widgets[i - 1]
    elif verb == "turun" and i < len(widgets) - 1:
        widgets[i + 1], widgets[i] = widgets[i], widgets[i + 1]
    return True


def _values(theme: themes.Theme, raw: dict[str, Any]) -> dict[str, Any]:
    """What the form shows: the raw choice, with the theme's colours where none is chosen."""
    chosen = raw.get("colors") or {}
    colors = {
        t: (
            themes.normalize_color(str(chosen.get(t, "")))
            or str(chosen.get(t, ""))
            or theme.manifest.colors[t]
        )
        for t in themes.COLOR_TOKENS
    }
    own = any(
        str(chosen.get(t) or "").strip()
        and themes.normalize_color(str(chosen[t])) != theme.manifest.colors[t]
        for t in themes.COLOR_TOKENS
    )
    return {
        "theme": theme.key,
        "colors": colors,
        "own_colors": own,
        "layout": raw.get("layout") or theme.manifest.default_layout,
        "widgets": list(raw.get("widgets") or []),
        "social": {n: str((raw.get("social") or {}).get(n, "")) for n in themes.SOCIAL},
        "tagline": str(raw.get("tagline") or ""),
        "logo": str(raw.get("logo") or ""),
        "header": str(raw.get("header") or ""),
    }


def _current(db: Session, actor: VillageActor) -> tuple[themes.Theme, dict[str, Any]]:
    """The village's theme and its stored options as they apply now (with the picked pictures)."""
    theme = themes.theme_or_default(actor.village.theme)
    row = appearance.stored(db, actor.village.id)
    raw = appearance.raw_options(row)
    options = themes.lenient_options(theme, raw)
    return theme, {
        **options.as_json(),
        "logo": row.logo_media_id if row else None,
        "header": row.header_media_id if row else None,
    }


def _pictures(request: Request, db: Session, actor: VillageActor, chosen: list[str]) -> list[dict[str, str]]:
    """The village's newest photos for the logo and header pickers (plus older chosen ones)."""
    store = request.app.state.runtime.media
    query = media_service.library(actor.village.id, "image")
    photos = list(db.exec(query.order_by(col(MediaFile.id).desc()).limit(PICTURE_CHOICES)).all())
    have = {str(p.id) for p in photos}
    older = [int(c) for c in chosen if c.isdecimal() and len(c) <= 12 and c not in have]
    if older:
        photos.extend(db.exec(query.where(col(MediaFile.id).in_(older))).all())
    return [
        {
            "id": str(p.id),
            "alt": p.alt,
            "name": p.original_name,
            "thumb": store.url(media_service.thumbnail_key(p) or p.key),
        }
        for p in photos
    ]


def _form_page(
    request: Request,
    db: Session,
    actor: VillageActor,
    theme: themes.Theme,
    raw: dict[str, Any],
    *,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    values = _values(theme, raw)
    context = {
        "actor": actor,
        "themes": themes.all_themes(),
        "theme": theme,
        "values": values,
        "layouts": [(layout, themes.layout_label(layout)) for layout in themes.LAYOUTS],
        "widget_kinds": [(kind, themes.widget_label(kind)) for kind in themes.WIDGETS],
        "widget_label": themes.widget_label,
        "tokens": [(t, themes.token_label(t)) for t in themes.COLOR_TOKENS],
        "social_names": themes.SOCIAL_NAMES,
        "pictures": _pictures(request, db, actor, [values["logo"], values["header"]]),
        "max_widgets": themes.MAX_WIDGETS,
        **extra,
    }
    return page(request, "admin/appearance.html", context, status=status)


def _encoded(raw: dict[str, Any]) -> str:
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))


def _address(path: str, theme: themes.Theme, options: themes.Options) -> str:
    return f"{path}?{urlencode({'tema': theme.key, 'opsi': _encoded(options.with_media())})}"


def _checked(
    db: Session, actor: VillageActor, key: str, raw: dict[str, Any]
) -> tuple[themes.Theme, themes.Options]:
    theme = themes.get_theme(key)
    if theme is None:
        raise themes.AppearanceError(_("Pilih salah satu tema yang tersedia."))
    options = themes.check_options(theme, raw)
    appearance.check_media(db, actor.village.id, options)
    return theme, options


def _from_query(opsi: str) -> dict[str, Any]:
    if len(opsi) > MAX_OPTIONS_JSON:
        raise themes.AppearanceError(_("Pengaturan tampilan terlalu panjang."))
    try:
        value = json.loads(opsi)
    except ValueError:
        raise themes.AppearanceError(
            _("Pengaturan tampilan tidak terbaca. Muat ulang halaman, lalu coba lagi.")
        ) from None
    if not isinstance(value, dict):
        raise themes.AppearanceError(
            _("Pengaturan tampilan tidak terbaca. Muat ulang halaman, lalu coba lagi.")
        )
    return value


def _apply(
    request: Request,
    db: Session,
    runtime: Runtime,
    actor: VillageActor,
    theme: themes.Theme,
    options: themes.Options,
) -> Response:
    changed = appearance.apply(db, actor.village.id, theme, options)
    log_in_village(db, request, actor, "appearance_changed", theme.name)
    db.commit()
    appearance.after_apply(runtime, actor.village.id, changed)
    return redirect(f"{BASE}?pesan=diterapkan")


# --- routes -------------------------------------------------------------------------------------------
@router.get(BASE, response_class=HTMLResponse, name="admin_appearance")
def form(
    request: Request, actor: Manage, db: SessionDep, tema: str = "", opsi: str = "", pesan: str = ""
) -> Response:
    theme, raw = _current(db, actor)
    if tema and themes.get_theme(tema) is not None:
        theme = themes.get_theme(tema) or theme
        if opsi:  # back from the preview: the choice as it was
            with contextlib.suppress(themes.AppearanceError):
                raw = _from_query(opsi)
    return _form_page(request, db, actor, theme, raw, notice=_notices().get(pesan))


@router.post(BASE, response_class=HTMLResponse)
def submit(
    request: Request, actor: Manage, db: SessionDep, runtime: RuntimeDep, fields: FormFields
) -> Response:
    key, raw = _parse_form(fields)
    action = fields.get("aksi", "terapkan")
    shown = themes.get_theme(key) or themes.theme_or_default(actor.village.theme)
    if _edit_widgets(raw, action, fields.get("widget_baru", "")):
        return _form_page(request, db, actor, shown, raw)
    try:
        theme, options = _checked(db, actor, key, raw)
    except themes.AppearanceError as error:
        return _form_page(request, db, actor, shown, raw, error=str(error), status=400)
    if action == "pratinjau":
        return redirect(_address(f"{BASE}/pratinjau", theme, options))
    return _apply(request, db, runtime, actor, theme, options)


@router.post(f"{BASE}/terapkan", response_class=HTMLResponse)
def apply_previewed(
    request: Request, actor: Manage, db: SessionDep, runtime: RuntimeDep, fields: FormFields
) -> Response:
    """The preview bar's button: the previewed choice, checked again, saved."""
    key = fields.get("tema", "")
    try:
        theme, options = _checked(db, actor, key, _from_query(fields.get("opsi", "")))
    except themes.AppearanceError as error:
        shown = themes.get_theme(key) or themes.theme_or_default(actor.village.theme)
        return _form_page(request, db, actor, shown, _current(db, actor)[1], error=str(error), status=400)
    return _apply(request, db, runtime, actor, theme, options)


def _preview_choice(
    db: Session, actor: VillageActor, tema: str, opsi: str
) -> tuple[themes.Theme, themes.Options]:
    if not opsi:  # a theme card's "Pratinjau": the village's own options as they fit that theme
        theme = themes.get_theme(tema)
        if theme is None:
            raise themes.AppearanceError(_("Pilih salah satu tema yang tersedia."))
        row = appearance.stored(db, actor.village.id)
        options = themes.lenient_options(theme, appearance.raw_options(row))
        options.logo = row.logo_media_id if row else None
        options.header = row.header_media_id if row else None
        return theme, options
    return _checked(db, actor, tema, _from_query(opsi))


@router.get(f"{BASE}/pratinjau", response_class=HTMLResponse, name="admin_appearance_preview")
def preview(
    request: Request,
    actor: Manage,
    db: SessionDep,
    runtime: RuntimeDep,
    templates: TemplatesDep,
    tema: str = "",
    opsi: str = "",
) -> Response:
    """The village's real home page in the chosen look, with a bar to go back or apply. Saves nothing."""
    try:
        theme, options = _preview_choice(db, actor, tema or actor.village.theme, opsi)
    except themes.AppearanceError as error:
        shown, raw = _current(db, actor)
        return _form_page(request, db, actor, shown, raw, error=str(error), status=400)
    village = dataclasses.replace(actor.village, theme=theme.key, status="active")
    found = appearance.pictures(db, runtime.media, village.id, [options.logo, options.header])
    encoded = _encoded(options.with_media())
    query = urlencode({"tema": theme.key, "opsi": encoded})
    look = appearance.Look(
        theme=theme,
        options=options,
        version=0,
        logo=found.get(options.logo) if options.logo is not None else None,
        header=found.get(options.header) if options.header is not None else None,
        preview={
            "css_url": f"{BASE}/pratinjau.css?{query}",
            "back_url": f"{BASE}?{query}",
            "csrf_token": csrf.token_for(request),
            "options_json": encoded,
        },
    )
    look._sidebar_loader = lambda: appearance.sidebar(runtime, village, look)
    request.state.preview_look = look
    response = village_pages.home(
        request=request, village=village, session=db, templates=templates, runtime=runtime
    )
    # A team page: never stored by a shared cache, never framed, not indexed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = team_pages_csp(settings_of(request))
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@router.get(f"{BASE}/pratinjau.css", name="admin_appearance_preview_css", include_in_schema=False)
def preview_css(actor: Manage, db: SessionDep, tema: str = "", opsi: str = "") -> Response:
    try:
        theme, options = _preview_choice(db, actor, tema or actor.village.theme, opsi)
    except themes.AppearanceError:
        theme, options = themes.theme_or_default(actor.village.theme), themes.Options()
    return Response(
        themes.stylesheet(theme, options.colors),
        media_type="text/css",
        headers={"Cache-Control": "no-store"},
    )
