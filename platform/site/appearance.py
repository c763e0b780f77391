"""A village's appearance: read (cached on the content version), applied, and shown.

:func:`page_look` is what a public page's template gets (``village_look()``): the theme, the
effective options, logo and header image with their ``srcset``, and the ``/tema.css`` address.
It costs nothing on a warm cache and one query for the row plus one for its pictures when cold;
the sidebar's data (:func:`sidebar`) is one small query per widget, cached the same way for a few
minutes (agenda and announcements move with the clock).

Every change goes through :func:`apply`, which bumps the content version (cached pages and
``/tema.css?v=`` move on) and, for a new theme, the site generation (the host cache carries it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import extract, func
from sqlmodel import Session, col

from etalase.platform import i18n
from etalase.platform.analytics import rollup
from etalase.platform.content import agenda, announcements, pages, workflow
from etalase.platform.content.models import Category, Post, PostCategory
from etalase.platform.i18n import _
from etalase.platform.media import MediaStore
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.runtime import Runtime
from etalase.platform.site import themes
from etalase.platform.site.models import Appearance
from etalase.platform.site.versions import version_book
from etalase.tenants.models import Village, utcnow
from etalase.tenants.resolver import VillageSite
from etalase.tenants.scope import in_village
from etalase.tenants.service import bump_generation

log = logging.getLogger(__name__)

LOOK_TTL = 24 * 3600.0  # keyed by the content version: only memory is at stake
SIDEBAR_TTL = 300.0  # upcoming events and notices in force change with the clock
SIDEBAR_POSTS = 5
SIDEBAR_EVENTS = 3
SIDEBAR_NOTICES = 3
SIDEBAR_MONTHS = 12
SIDEBAR_CATEGORIES = 20


@dataclass
class Picture:
    src: str
    srcset: str
    alt: str
    width: int | None
    height: int | None


@dataclass
class Look:
    """What a public page needs to dress itself."""

    theme: themes.Theme
    options: themes.Options
    version: int
    logo: Picture | None = None
    header: Picture | None = None
    preview: dict[str, Any] | None = None  # set on the admin's preview: banner, back link, apply form
    _sidebar: Any = field(default=None, repr=False)

    @property
    def layout(self) -> str:
        return self.options.layout or self.theme.manifest.default_layout

    @property
    def has_sidebar(self) -> bool:
        return self.layout != "tanpa-sidebar" and bool(self.options.widgets)

    @property
    def css_url(self) -> str:
        if self.preview is not None:
            return str(self.preview["css_url"])
        return f"/tema.css?v={self.version}"

    @property
    def social(self) -> list[tuple[str, str, str]]:
        """(network, name, url) in the fixed order."""
        return [
            (n, themes.SOCIAL_NAMES[n], self.options.social[n])
            for n in themes.SOCIAL
            if n in self.options.social
        ]

    def sidebar(self) -> list[dict[str, Any]]:
        """The widgets with their data (loaded on the first call only)."""
        if self._sidebar is None:
            loader = self._sidebar_loader
            self._sidebar = loader() if loader is not None else []
        return list(self._sidebar)

    _sidebar_loader: Any = field(default=None, repr=False)


# --- reading ---------------------------------------------------------------------------------------
def stored(db: Session, village_id: int) -> Appearance | None:
    return db.exec(in_village(Appearance, village_id)).first()


def raw_options(row: Appearance | None) -> dict[str, Any]:
    if row is None:
        return {}
    try:
        value = json.loads(row.options or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def picture(media: MediaFile | None, store: MediaStore) -> Picture | None:
    if media is None or media.kind != "image":
        return None
    return Picture(
        src=store.url(media.key),
        srcset=media_service.srcset(media, store),
        alt=media.alt,
        width=media.width,
        height=media.height,
    )


def pictures(db: Session, store: MediaStore, village_id: int, ids: list[int | None]) -> dict[int, Picture]:
    """The village's images among ``ids``, in one query (another village's id finds nothing)."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = db.exec(media_service.library(village_id, "image").where(col(MediaFile.id).in_(wanted))).all()
    found = {}
    for row in rows:
        shown = picture(row, store)
        if row.id is not None and shown is not None:
            found[row.id] = shown
    return found


def _cached_state(runtime: Runtime, village_id: int) -> tuple[int, dict[str, Any]]:
    """(content version, {"options", "logo", "header"}) from the cache, or from two queries."""
    book = version_book(runtime)
    version = book.fresh(village_id)
    if version is None:
        version = book.read(village_id)
    memo_key = ("look", village_id, version)
    known = runtime.derived.get(memo_key)
    if known is not None:  # no Redis round trip and no JSON for a page that renders again
        return version, known
    key = f"look:{village_id}:{version}"
    raw = runtime.cache.get(key)
    if raw is not None:
        state = json.loads(raw)
        runtime.remember(memo_key, state)
        return version, state
    with runtime.session(village_id) as db:
        row = stored(db, village_id)
        found = pictures(
            db, runtime.media, village_id, [row.logo_media_id, row.header_media_id] if row else []
        )
    state = {
        "options": raw_options(row),
        "logo": found[row.logo_media_id].__dict__ if row and row.logo_media_id in found else None,
        "header": found[row.header_media_id].__dict__ if row and row.header_media_id in found else None,
    }
    runtime.cache.set(key, json.dumps(state, separators=(",", ":")).encode(), LOOK_TTL)
    runtime.remember(memo_key, state)
    return version, state


def look_for(runtime: Runtime, village: VillageSite) -> Look:
    version, state = _cached_state(runtime, village.id)
    theme = themes.theme_or_default(village.theme)
    options = themes.lenient_options(theme, state["options"])
    look = Look(
        theme=theme,
        options=options,
        version=version,
        logo=Picture(**state["logo"]) if state.get("logo") else None,
        header=Picture(**state["header"]) if state.get("header") else None,
    )
    look._sidebar_loader = lambda: sidebar(runtime, village, look)
    return look


def page_look(request: Any, village: VillageSite) -> Look | None:
    """The look of a public page (the preview's when the admin is previewing). None when it cannot
    be read: the page still renders, with the theme's own stylesheet."""
    preview = getattr(request.state, "preview_look", None)
    if isinstance(preview, Look):
        return preview
    if not village.active:
        return None
    known = getattr(request.state, "village_look", None)
    if isinstance(known, Look):
        return known  # a page asks once per block: read once per request
    try:
        look = look_for(request.app.state.runtime, village)
    except Exception:
        log.exception("appearance of village %s could not be read", village.id)
        return None
    request.state.village_look = look
    return look


# --- the sidebar -------------------------------------------------------------------------------------
# Each data widget's rows: one small query, JSON-ready (the lot is cached under the version).
WidgetRows = list[dict[str, Any]]
WidgetLoader = Callable[[Session, int, datetime], WidgetRows]


def _latest_posts(db: Session, vid: int, now: datetime) -> WidgetRows:
    posts = db.exec(
        in_village(Post, vid)
        .where(col(Post.status) == "published", col(Post.deleted_at).is_(None))
        .order_by(col(Post.published_at).desc())
        .limit(SIDEBAR_POSTS)
    ).all()
    return [
        {
            "title": p.title,
            "url": f"/berita/{p.slug}",
            "at": agenda.aware(p.published_at).isoformat() if p.published_at else "",
        }
        for p in posts
    ]


def _categories(db: Session, vid: int, now: datetime) -> WidgetRows:
    rows = db.execute(
        in_village(Category, vid)
        .join(PostCategory, col(PostCategory.category_id) == col(Category.id))
        .join(Post, col(Post.id) == col(PostCategory.post_id))
        .where(col(Post.status) == "published", col(Post.deleted_at).is_(None))
        .with_only_columns(col(Category.name), col(Category.slug), func.count())
        .group_by(col(Category.id), col(Category.name), col(Category.slug))
        .order_by(col(Category.name))
        .limit(SIDEBAR_CATEGORIES)
    ).all()
    return [{"title": name, "url": f"/kategori/{slug}", "count": int(n)} for name, slug, n in rows]


def _events(db: Session, vid: int, now: datetime) -> WidgetRows:
    return [
        {"title": e.title, "url": f"/agenda/{e.slug}", "at": agenda.aware(e.starts_at).isoformat()}
        for e in agenda.upcoming(db, vid, now, SIDEBAR_EVENTS)
    ]


def _notices(db: Session, vid: int, now: datetime) -> WidgetRows:
    return [
        {"title": a.title, "url": f"/pengumuman/{a.id}", "pinned": a.pinned}
        for a in announcements.active(db, vid, now, SIDEBAR_NOTICES)
    ]


def _months(db: Session, vid: int, now: datetime) -> WidgetRows:
    year = extract("year", col(Post.published_at))
    month = extract("month", col(Post.published_at))
    rows = db.execute(
        in_village(Post, vid)
        .where(col(Post.status) == "published", col(Post.deleted_at).is_(None))
        .with_only_columns(year, month, func.count())
        .group_by(year, month)
        .order_by(year.desc(), month.desc())
        .limit(SIDEBAR_MONTHS)
    ).all()
    return [
        {"year": int(y), "month": int(m), "url": f"/arsip/{int(y):04d}/{int(m):02d}", "count": int(n)}
        for y, m, n in rows
        if y is not None and m is not None
    ]


def _visits(db: Session, vid: int, now: datetime) -> WidgetRows:
    # From the analytics rollups (counted on cached pages too), not from rendering.
    return [{"count": rollup.visits_so_far(db, vid)}]


def _products(db: Session, vid: int, now: datetime) -> WidgetRows:
    """Produk desa: the latest published products with their price (never the seller's number)."""
    from etalase.platform.potensi import products  # noqa: PLC0415 (a feature the sidebar only reads)
    from etalase.platform.potensi.models import Product  # noqa: PLC0415

    rows = db.exec(
        products.published(vid)
        .order_by(col(Product.published_at).desc(), col(Product.id).desc())
        .limit(SIDEBAR_POSTS)
    ).all()
    return [{"title": p.name, "url": f"/produk/{p.slug}", "price": products.price_text(p)} for p in rows]


def _potensi(db: Session, vid: int, now: datetime) -> WidgetRows:
    """Potensi desa: the latest published tourism spots, BUMDes units and UMKM, with their kind."""
    from etalase.platform.potensi import places  # noqa: PLC0415 (a feature the sidebar only reads)
    from etalase.platform.potensi.models import Potensi  # noqa: PLC0415

    newest = places.published(vid).order_by(col(Potensi.published_at).desc(), col(Potensi.id).desc())
    rows = db.exec(newest.limit(SIDEBAR_POSTS)).all()
    # The kind's key: its name is translated when shown (the cache is shared by languages).
    return [{"title": p.name, "url": f"/potensi/{p.slug}", "kind": p.kind} for p in rows]


def _contact(db: Session, vid: int, now: datetime) -> WidgetRows:
    """Kontak desa: the office's address, phone and hours from the profile (all public)."""
    from etalase.platform.profile import service as profiles  # noqa: PLC0415 (the sidebar only reads it)

    found = profiles.contact(db, vid)
    if found is None or found.empty:
        return []
    return [
        {
            "address": found.address,
            "phone": found.phone,
            "tel": found.phone_e164,
            "email": found.email,
            # The day's Indonesian name, translated when shown (the cache is shared by languages).
            "hours": [[profiles.DAY_NAMES[d["day"]], d["open"], d["close"]] for d in found.open_days],
            "note": found.hours_note,
        }
    ]


def _apbdes(db: Session, vid: int, now: datetime) -> WidgetRows:
    """APBDes: pendapatan against belanja of the latest published year (etalase.platform.budget)."""
    from etalase.platform.budget import apbdes  # noqa: PLC0415 (a feature the sidebar only reads)

    published = apbdes.years(db, vid, published_only=True)
    if not published:
        return []
    summary = apbdes.summary_of(db, vid, published[0])
    income, spending = summary.groups["pendapatan"], summary.groups["belanja"]
    largest = max(income.anggaran, spending.anggaran, 1)
    return [
        {
            "year": summary.year,
            "url": f"/apbdes/{summary.year}",
            # Indonesian keys of the groups: the names are translated when shown (shared cache).
            "rows": [
                [key, group.anggaran, group.realisasi, round(100 * group.anggaran / largest, 1)]
                for key, group in (("pendapatan", income), ("belanja", spending))
            ],
        }
    ]


WIDGET_LOADERS: dict[str, WidgetLoader] = {
    "terbaru": _latest_posts,
    "kategori": _categories,
    "agenda": _events,
    "pengumuman": _notices,
    "arsip": _months,
    "pengunjung": _visits,
    "produk": _products,
    "potensi": _potensi,
    "kontak": _contact,
    "apbdes": _apbdes,
}
DATA_WIDGETS = tuple(WIDGET_LOADERS)


def _widget_data(db: Session, village: VillageSite, kind: str, now: datetime) -> WidgetRows:
    loader = WIDGET_LOADERS.get(kind)
    return loader(db, village.id, now) if loader else []


def sidebar(runtime: Runtime, village: VillageSite, look: Look) -> list[dict[str, Any]]:
    """The widgets of the look, each with its data: one query per data widget, the lot cached
    under the content version for a few minutes."""
    if not look.has_sidebar:
        return []
    kinds = sorted({w["type"] for w in look.options.widgets if w["type"] in DATA_WIDGETS})
    key = f"side:{village.id}:{look.version}:{','.join(kinds)}"
    raw = runtime.cache.get(key) if look.preview is None else None
    if raw is not None:
        data: dict[str, list[dict[str, Any]]] = json.loads(raw)
    else:
        now = utcnow()
        with runtime.session(village.id) as db:
            data = {kind: _widget_data(db, village, kind, now) for kind in kinds}
        runtime.cache.set(key, json.dumps(data, separators=(",", ":")).encode(), SIDEBAR_TTL)
    shown: list[dict[str, Any]] = []
    for widget in look.options.widgets:
        kind = widget["type"]
        item: dict[str, Any] = {
            "type": kind,
            "title": widget.get("title") or themes.widget_label(kind),
            "items": [_dated(row) for row in data.get(kind, [])],
        }
        if kind == "teks":
            item["text"] = widget.get("text", "")
        elif kind == "sosial":
            item["links"] = look.social
        elif kind == "pengunjung":
            item["count"] = data.get(kind, [{"count": 0}])[0]["count"]
            item["items"] = []
        shown.append(item)
    return shown


def _dated(row: dict[str, Any]) -> dict[str, Any]:
    """A cached row as the template wants it: a moment as a datetime, a month by its name."""
    if row.get("at"):
        return {**row, "at": datetime.fromisoformat(row["at"])}
    if "month" in row:
        return {**row, "label": f"{month_name(row['month'])} {row['year']}"}
    return row


def month_name(month: int) -> str:
    from babel.dates import get_month_names  # noqa: PLC0415  (only the archive widget needs it)

    return str(get_month_names("wide", locale=i18n.babel_locale())[month])


# --- writing -----------------------------------------------------------------------------------------
def check_media(db: Session, village_id: int, options: themes.Options) -> None:
    """The logo and header must be images of this village's library."""
    for media_id in (options.logo, options.header):
        if media_id is None:
            continue
        media = media_service.find(db, village_id, media_id)
        if media is None or media.kind != "image":
            raise themes.AppearanceError(_("Gambar itu tidak ditemukan di pustaka media desa ini."))


def apply(db: Session, village_id: int, theme: themes.Theme, options: themes.Options) -> bool:
    """Save the village's theme and options; returns whether the theme changed. The caller commits."""
    check_media(db, village_id, options)
    row = stored(db, village_id) or Appearance(village_id=village_id)
    row.options = json.dumps(options.as_json(), ensure_ascii=False, separators=(",", ":"))
    row.logo_media_id = options.logo
    row.header_media_id = options.header
    row.updated_at = utcnow()
    db.add(row)
    village = db.get(Village, village_id)
    assert village is not None
    changed = village.theme != theme.key
    if changed:
        village.theme = theme.key
        village.updated_at = utcnow()
        db.add(village)
        bump_generation(db)  # the host cache carries the theme: every process re-reads it
    workflow.bump_content_version(db, village_id)
    db.flush()
    return changed


def after_apply(runtime: Runtime, village_id: int, theme_changed: bool) -> None:
    """This process shows the change at once (others within the host cache's window)."""
    pages.forget_menu(runtime, village_id)
    if theme_changed:
        runtime.resolver.forget()


# --- where a file is used ---------------------------------------------------------------------------------
@media_service.usage_finder
def _logo_and_header(db: Session, village_id: int, media: MediaFile) -> list[media_service.Usage]:
    row = stored(db, village_id)
    if row is None:
        return []
    used = []
    if row.logo_media_id == media.id:
        used.append(media_service.Usage(_("Tampilan situs"), _("Logo desa"), "/admin/tampilan"))
    if row.header_media_id == media.id:
        used.append(media_service.Usage(_("Tampilan situs"), _("Gambar kepala situs"), "/admin/tampilan"))
    return used
