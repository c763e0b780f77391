"""Jinja2 over the themes/ folder.

Template names are ``<folder>/<file>``: ``portal/index.html``, ``base/village.html``,
``klasik/home.html``. A village page asks for its theme's file first and falls back to ``base/``,
so a new theme is a new folder that overrides only what it changes.
"""

from __future__ import annotations

import functools
import logging
import weakref
from datetime import date, datetime
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, Template, select_autoescape
from lokal.rupiah import format_rupiah
from starlette.responses import HTMLResponse

from etalase.platform import i18n
from etalase.platform.accounts.labels import contact, role_label
from etalase.platform.accounts.service import INVITE_DAYS, RESET_MINUTES
from etalase.platform.content.pages import MenuItem, cached_menu
from etalase.platform.content.richtext import render_body
from etalase.platform.media_library.processing import size_text
from etalase.platform.settings import Settings
from etalase.platform.site.seo import seo_for
from etalase.tenants.resolver import VillageSite
from etalase.tenants.timezones import local
from etalase.themes import THEMES_DIR

log = logging.getLogger(__name__)


def tanggal(value: datetime | None, code: str | None = None) -> str:
    """``27 November 2026`` in the current language, on the calendar of the region ``code`` (WIB
    when none): a post published at 23:30 WITA belongs to that day, not to the UTC one."""
    if not value:
        return ""
    return _day_name(local(value, code)[0].date(), i18n.babel_locale())


@functools.lru_cache(maxsize=4096)
def _day_name(day: date, locale: str) -> str:
    # A page shows a dozen dates, mostly the same few days: Babel's formatting costs ~0.1 ms each.
    return format_date(day, format="d MMMM y", locale=locale)


def waktu(value: datetime | None, code: str | None = None) -> str:
    """``27 November 2026, 21.05 WITA`` (Indonesian writes the time with a dot)."""
    if not value:
        return ""
    moment, zone = local(value, code)
    separator = "." if i18n.current_language() == "id" else ":"
    return f"{tanggal(value, code)}, {moment:%H}{separator}{moment:%M} {zone}"


def angka(value: int | float) -> str:
    """``83.762`` (Indonesian digit grouping), ``83,762`` in English."""
    return format_decimal(value, locale=i18n.babel_locale())


def make_templates(settings: Settings) -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(THEMES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=settings.env == "development",
    )
    # {% trans %} blocks collapse their whitespace, as `scripts/i18n extract` does (babel.cfg).
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext, npgettext=i18n.npgettext
    )
    for code in i18n.LANGUAGES:  # compile the catalogs now: a broken .po stops start-up, not a page
        i18n.translations(code)
    env.filters["tanggal"] = tanggal
    env.filters["angka"] = angka
    env.filters["waktu"] = waktu
    env.filters["kontak"] = contact
    env.filters["ukuran"] = size_text  # 4,2 MB
    env.filters["isi"] = render_body  # a stored body: {{ post.body | isi }}
    env.filters["rupiah"] = format_rupiah  # Rp1.500.000 (lokal-id), in both languages
    env.globals["role_name"] = role_label
    env.globals["INVITE_DAYS"] = INVITE_DAYS
    env.globals["RESET_MINUTES"] = RESET_MINUTES
    env.globals["settings"] = settings
    env.globals["current_language"] = i18n.current_language
    env.globals["LANGUAGES"] = i18n.LANGUAGES
    env.globals["portal_url"] = settings.public_url()
    env.globals["village_url"] = settings.village_url
    env.globals["seo_for"] = seo_for  # canonical, Open Graph, JSON-LD of a village page
    return Jinja2Templates(env=env)


_CHOSEN: weakref.WeakKeyDictionary[Environment, dict[tuple[str, str], str]] = weakref.WeakKeyDictionary()


def theme_template(templates: Jinja2Templates, theme: str, name: str) -> Template:
    """The theme's own template, or the shared one of base/. Which of the two is remembered (unless
    templates reload): asking the loader for a template a theme does not have costs a file-system
    look-up and an exception on every page, since Jinja2 caches only templates it found."""
    env = templates.env
    if env.auto_reload:
        return env.select_template([f"{theme}/{name}", f"base/{name}"])
    chosen = _CHOSEN.setdefault(env, {})
    found = chosen.get((theme, name))
    if found is None:
        found = env.select_template([f"{theme}/{name}", f"base/{name}"]).name or f"base/{name}"
        chosen[(theme, name)] = found
    return env.get_template(found)


def _village_menu(request: Request, village: VillageSite) -> list[MenuItem]:
    """The village's published pages as a nested menu (cached on its content version). A menu
    that cannot be read leaves the fixed links only: an error page must still render."""
    if not village.active:
        return []
    try:
        return cached_menu(request.app.state.runtime, village.id)
    except Exception:
        log.exception("menu of village %s could not be read", village.id)
        return []


def render(
    templates: Jinja2Templates,
    request: Request,
    template: str | Template,
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    """A page. With a ``village`` in the context the template may call ``village_menu()``: the
    public menu is loaded only by templates that show it (the team's pages do not), with no work
    for the route."""
    tpl = templates.env.get_template(template) if isinstance(template, str) else template
    full = {"request": request, **context}
    village = context.get("village")
    if isinstance(village, VillageSite) and "village_menu" not in context:
        full["village_menu"] = functools.partial(_village_menu, request, village)
        # The village's appearance (theme options, logo, sidebar), read only by templates that show it.
        from etalase.platform.site.appearance import page_look  # noqa: PLC0415  (site imports web)

        full.setdefault("village_look", functools.partial(page_look, request, village))
    html = tpl.render(full)
    return HTMLResponse(html, status_code=status_code)
