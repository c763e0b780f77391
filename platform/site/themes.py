"""The theme registry: manifests (``themes/<name>/theme.json``) and what a village may choose.

A theme is a folder with a manifest, ``static/style.css`` and only the templates it overrides. A
village never uploads code: it picks a theme and sets options the manifest allows (colours,
layout, sidebar widgets, social profiles, logo, header image). Every option is checked here:
colours must be ``#rrggbb`` and readable (WCAG AA, 4.5:1, for every text/background pair the
theme declares), a layout must be one the theme supports, widgets come from a fixed list, social
profiles are https links on the networks' own hosts.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlmodel import Session, col, select

from etalase.platform import i18n
from etalase.platform.content.richtext import to_safe_html
from etalase.platform.i18n import N_, _
from etalase.platform.site.models import ThemeDefault
from etalase.themes import THEMES_DIR

Layout = Literal["sidebar-kiri", "sidebar-kanan", "tanpa-sidebar"]
LAYOUTS: tuple[str, ...] = ("sidebar-kiri", "sidebar-kanan", "tanpa-sidebar")
WIDGETS: tuple[str, ...] = (
    "terbaru",
    "kategori",
    "agenda",
    "pengumuman",
    "arsip",
    "cari",
    "sosial",
    "pengunjung",
    "teks",
    "produk",
    "potensi",
    "kontak",
    "apbdes",
    "aspirasi",
)
COLOR_TOKENS: tuple[str, ...] = ("primary", "accent", "text", "background")
SOCIAL: tuple[str, ...] = ("facebook", "instagram", "tiktok", "youtube", "x", "whatsapp")
# The only hosts a profile link may point to (https only): a village's sidebar never links to a
# look-alike or a tracker.
SOCIAL_HOSTS: dict[str, frozenset[str]] = {
    "facebook": frozenset(
        {"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com", "fb.com"}
    ),
    "instagram": frozenset({"instagram.com", "www.instagram.com"}),
    "tiktok": frozenset({"tiktok.com", "www.tiktok.com"}),
    "youtube": frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}),
    "x": frozenset({"x.com", "www.x.com", "twitter.com", "www.twitter.com"}),
    "whatsapp": frozenset({"whatsapp.com", "www.whatsapp.com", "chat.whatsapp.com"}),
}
EXAMPLE_HOSTS = {  # the host a refusal's example shows: the one people know
    "facebook": "www.facebook.com",
    "instagram": "www.instagram.com",
    "tiktok": "www.tiktok.com",
    "youtube": "www.youtube.com",
    "x": "x.com",
    "whatsapp": "chat.whatsapp.com",
}
SOCIAL_NAMES = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "x": "X",
    "whatsapp": "WhatsApp",
}
MIN_CONTRAST = 4.5  # WCAG 2.x AA for body text
MAX_WIDGETS = 12
MAX_WIDGET_TITLE = 80
MAX_WIDGET_TEXT = 5000
MAX_TAGLINE = 160
MAX_URL = 300
HEX = re.compile(r"^#[0-9a-f]{6}$")
NAME = re.compile(r"^[a-z][a-z0-9-]{1,39}$")

_TOKEN_LABELS = {
    "primary": N_("warna utama"),
    "accent": N_("warna aksen"),
    "text": N_("warna teks"),
    "background": N_("warna latar"),
}
_WIDGET_LABELS = {
    "terbaru": N_("Berita terbaru"),
    "kategori": N_("Kategori"),
    "agenda": N_("Agenda mendatang"),
    "pengumuman": N_("Pengumuman"),
    "arsip": N_("Arsip bulanan"),
    "cari": N_("Cari di situs ini"),
    "sosial": N_("Media sosial desa"),
    "pengunjung": N_("Jumlah kunjungan"),
    "teks": N_("Teks bebas"),
    "produk": N_("Produk desa"),
    "potensi": N_("Potensi desa"),
    "kontak": N_("Kontak desa"),
    "apbdes": N_("APBDes desa"),
    "aspirasi": N_("Aspirasi warga"),
}
_LAYOUT_LABELS = {
    "sidebar-kiri": N_("Kolom samping di kiri"),
    "sidebar-kanan": N_("Kolom samping di kanan"),
    "tanpa-sidebar": N_("Tanpa kolom samping"),
}


def token_label(token: str) -> str:
    return _(_TOKEN_LABELS.get(token, token))


def widget_label(kind: str) -> str:
    return _(_WIDGET_LABELS.get(kind, kind))


def layout_label(layout: str) -> str:
    return _(_LAYOUT_LABELS.get(layout, layout))


class AppearanceError(ValueError):
    """A choice refused, worded for the village admin (Indonesian, names the field)."""


# --- colour arithmetic (WCAG 2.x) ------------------------------------------------------------------
def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def luminance(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = luminance(a), luminance(b)
    high, low = max(la, lb), min(la, lb)
    return (high + 0.05) / (low + 0.05)


def mix(a: str, b: str, weight: float) -> str:
    """``weight`` of ``a`` and the rest of ``b``."""
    ra, rb = _rgb(a), _rgb(b)
    return _hex(tuple(x * weight + y * (1 - weight) for x, y in zip(ra, rb, strict=True)))  # type: ignore[arg-type]


def readable_variant(color: str, against: str) -> str:
    """The closest colour to ``color`` (towards black or white, whichever the background allows)
    that reaches 4.5:1 on ``against``: the suggestion shown with a refusal."""
    target = "#000000" if luminance(against) > 0.18 else "#ffffff"
    for step in range(1, 101):
        candidate = mix(target, color, step / 100)
        if contrast(candidate, against) >= MIN_CONTRAST + 0.01:
            return candidate
    return target


def normalize_color(raw: str) -> str | None:
    value = raw.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value if HEX.match(value) else None


def _ratio_text(ratio: float) -> str:
    return format_decimal(round(ratio, 2), format="0.##", locale=i18n.babel_locale())


# --- manifests ---------------------------------------------------------------------------------------
class Manifest(BaseModel):
    """``theme.json``: what a theme is and what a village may set in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=2, max_length=40)
    description: str = Field(min_length=10, max_length=300)
    preview: str = Field(pattern=r"^static/[a-z0-9-]+\.png$")
    layouts: tuple[Layout, ...] = Field(min_length=1)
    default_layout: Layout
    widget_areas: tuple[Literal["sidebar"], ...] = ()
    default_widgets: tuple[str, ...] = ()
    colors: dict[str, str]
    # Text/background pairs that must stay readable: token names, or a fixed "#rrggbb" (the white
    # of a header's text on the primary colour).
    contrast: tuple[tuple[str, str], ...] = Field(min_length=1)

    @field_validator("colors")
    @classmethod
    def _colors(cls, value: dict[str, str]) -> dict[str, str]:
        if set(value) != set(COLOR_TOKENS):
            raise ValueError(f"colors must set exactly {', '.join(COLOR_TOKENS)}")
        for token, color in value.items():
            if not HEX.match(color):
                raise ValueError(f"colour {token} must be #rrggbb in lowercase, not {color!r}")
        return value

    @field_validator("default_widgets")
    @classmethod
    def _widgets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [w for w in value if w not in WIDGETS]
        if unknown:
            raise ValueError(f"unknown widgets {unknown}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        if len(set(self.layouts)) != len(self.layouts):
            raise ValueError("a layout is listed twice")
        if self.default_layout not in self.layouts:
            raise ValueError("default_layout must be one of layouts")
        if any(layout != "tanpa-sidebar" for layout in self.layouts) and "sidebar" not in self.widget_areas:
            raise ValueError("a theme with a sidebar layout must declare the 'sidebar' widget area")
        for fg, bg in self.contrast:
            for side in (fg, bg):
                if side not in COLOR_TOKENS and not HEX.match(side):
                    raise ValueError(f"contrast pair names {side!r}, neither a colour token nor #rrggbb")
        failures = contrast_failures(self, self.colors)
        if failures:
            raise ValueError(f"default colours fail contrast: {failures}")
        return self


def contrast_failures(manifest: Manifest, colors: dict[str, str]) -> list[tuple[str, str, float]]:
    """The declared pairs below 4.5:1 with these colours, as (foreground, background, ratio)."""
    found = []
    for fg, bg in manifest.contrast:
        a, b = colors.get(fg, fg), colors.get(bg, bg)
        ratio = contrast(a, b)
        if ratio < MIN_CONTRAST:
            found.append((fg, bg, ratio))
    return found


@dataclass(frozen=True)
class Theme:
    key: str  # the folder name, stored in village.theme
    manifest: Manifest

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def preview_url(self) -> str:
        return f"/static/{self.key}/{self.manifest.preview.removeprefix('static/')}"

    def supports_sidebar(self) -> bool:
        return "sidebar" in self.manifest.widget_areas


class ManifestError(Exception):
    """A theme folder whose manifest is missing or invalid (a bug in the repository, not a user's)."""


def load_manifest(key: str) -> Manifest:
    folder = THEMES_DIR / key
    path = folder / "theme.json"
    try:
        manifest = Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as error:
        raise ManifestError(f"themes/{key}/theme.json: {error}") from error
    if not (folder / manifest.preview).is_file():
        raise ManifestError(f"themes/{key}: preview image {manifest.preview} is missing")
    if not (folder / "static" / "style.css").is_file():
        raise ManifestError(f"themes/{key}: static/style.css is missing")
    return manifest


@functools.cache
def registry() -> dict[str, Theme]:
    """Every theme folder (one with a ``theme.json``), by key, in name order."""
    found = {}
    for folder in sorted(THEMES_DIR.iterdir()):
        if folder.is_dir() and (folder / "theme.json").is_file() and NAME.match(folder.name):
            found[folder.name] = Theme(folder.name, load_manifest(folder.name))
    return dict(sorted(found.items(), key=lambda item: item[1].name))


def all_themes() -> list[Theme]:
    return list(registry().values())


def get_theme(key: str) -> Theme | None:
    return registry().get(key)


def theme_or_default(key: str) -> Theme:
    """The village's theme; klasik when the folder disappeared (a removed theme never breaks a site)."""
    return registry().get(key) or registry()["klasik"]


# --- a village's options -------------------------------------------------------------------------------
@dataclass
class Options:
    """What a village chose, checked against one theme. Empty colours mean the theme's defaults."""

    colors: dict[str, str] = field(default_factory=dict)
    layout: str = ""
    widgets: list[dict[str, str]] = field(default_factory=list)
    social: dict[str, str] = field(default_factory=dict)
    tagline: str = ""
    logo: int | None = None
    header: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "colors": self.colors,
            "layout": self.layout,
            "widgets": self.widgets,
            "social": self.social,
            "tagline": self.tagline,
        }

    def with_media(self) -> dict[str, Any]:
        """The options plus the picked logo and header (the preview's and the form's round trip)."""
        return {**self.as_json(), "logo": self.logo, "header": self.header}


def check_colors(theme: Theme, raw: dict[str, str]) -> dict[str, str]:
    """The overriding colours, normalised; refuses a malformed one or an unreadable pair with a
    message naming the pair, the ratio and a readable suggestion."""
    chosen: dict[str, str] = {}
    for token, value in raw.items():
        if token not in COLOR_TOKENS:
            continue
        if not value:
            continue
        color = normalize_color(value)
        if color is None:
            raise AppearanceError(
                _("{label} harus berupa kode warna seperti #1f6f43, bukan “{value}”.").format(
                    label=token_label(token).capitalize(), value=value[:20]
                )
            )
        if color != theme.manifest.colors[token]:
            chosen[token] = color
    effective = {**theme.manifest.colors, **chosen}
    failures = contrast_failures(theme.manifest, effective)
    if failures:
        fg, bg, ratio = failures[0]
        # Suggest a change of the colour the admin changed (the other side of the pair stays).
        change_fg = fg in chosen or bg not in chosen
        mover, other = (fg, bg) if change_fg else (bg, fg)
        moving, fixed = effective.get(mover, mover), effective.get(other, other)
        suggestion = readable_variant(moving, fixed)
        raise AppearanceError(
            _(
                "{fg} {fg_value} di atas {bg} {bg_value} kontrasnya hanya {ratio}:1, padahal minimal "
                "4,5:1 agar tulisan mudah dibaca semua orang. Coba {suggestion} untuk {mover}."
            ).format(
                fg=_pair_name(fg).capitalize(),
                fg_value=effective.get(fg, fg),
                bg=_pair_name(bg),
                bg_value=effective.get(bg, bg),
                ratio=_ratio_text(ratio),
                suggestion=suggestion,
                mover=_pair_name(mover),
            )
        )
    return chosen


def _pair_name(side: str) -> str:
    if side in COLOR_TOKENS:
        return token_label(side)
    return _("tulisan putih") if side == "#ffffff" else _("warna {value}").format(value=side)


def check_layout(theme: Theme, layout: str) -> str:
    if not layout:
        return theme.manifest.default_layout
    if layout not in theme.manifest.layouts:
        supported = ", ".join(layout_label(item).lower() for item in theme.manifest.layouts)
        raise AppearanceError(
            _("Tema {theme} tidak mendukung tata letak itu. Pilih salah satu: {supported}.").format(
                theme=theme.name, supported=supported
            )
        )
    return layout


def check_widgets(raw: list[dict[str, str]]) -> list[dict[str, str]]:
    if len(raw) > MAX_WIDGETS:
        raise AppearanceError(_("Paling banyak {n} widget di kolom samping.").format(n=MAX_WIDGETS))
    widgets: list[dict[str, str]] = []
    for item in raw:
        kind = str(item.get("type", ""))
        if kind not in WIDGETS:
            raise AppearanceError(_("Jenis widget itu tidak dikenal."))
        title = " ".join(str(item.get("title", "")).split())
        if len(title) > MAX_WIDGET_TITLE:
            raise AppearanceError(
                _("Judul widget terlalu panjang (maksimal {n} karakter).").format(n=MAX_WIDGET_TITLE)
            )
        widget = {"type": kind, "title": title}
        if kind == "teks":
            text = str(item.get("text", ""))
            if len(text) > MAX_WIDGET_TEXT:
                raise AppearanceError(
                    _("Isi widget teks terlalu panjang (maksimal {n} karakter).").format(n=MAX_WIDGET_TEXT)
                )
            widget["text"] = to_safe_html(text) if text.strip() else ""
        widgets.append(widget)
    return widgets


def check_social(raw: dict[str, str]) -> dict[str, str]:
    links: dict[str, str] = {}
    for network in SOCIAL:
        value = str(raw.get(network, "")).strip()
        if not value:
            continue
        name = SOCIAL_NAMES[network]
        if len(value) > MAX_URL or any(ch.isspace() for ch in value):
            raise AppearanceError(_("Alamat {name} tidak valid.").format(name=name))
        # What people copy from the app's address bar or type: "facebook.com/desaku" or http.
        if "://" not in value:
            value = f"https://{value.removeprefix('//')}"
        elif value.lower().startswith("http://"):
            value = f"https://{value[len('http://') :]}"
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        if (
            parts.scheme != "https"
            or host not in SOCIAL_HOSTS[network]
            or parts.username
            or parts.password
            or parts.port
        ):
            raise AppearanceError(
                _(
                    "Alamat {name} harus berupa tautan https ke {host}, misalnya https://{host}/desaanda."
                ).format(name=name, host=EXAMPLE_HOSTS[network])
            )
        if parts.path in ("", "/"):
            raise AppearanceError(
                _("Alamat {name} harus menunjuk ke halaman desa, bukan halaman depan {name}.").format(
                    name=name
                )
            )
        links[network] = value
    return links


def check_options(theme: Theme, raw: dict[str, Any]) -> Options:
    """Every option against ``theme``; the first refusal raises :class:`AppearanceError`."""
    colors = raw.get("colors") or {}
    widgets = raw.get("widgets") or []
    social = raw.get("social") or {}
    if not isinstance(colors, dict) or not isinstance(widgets, list) or not isinstance(social, dict):
        raise AppearanceError(_("Pengaturan tampilan tidak terbaca. Muat ulang halaman, lalu coba lagi."))
    tagline = " ".join(str(raw.get("tagline") or "").split())
    if len(tagline) > MAX_TAGLINE:
        raise AppearanceError(_("Slogan terlalu panjang (maksimal {n} karakter).").format(n=MAX_TAGLINE))
    layout = check_layout(theme, str(raw.get("layout") or ""))
    return Options(
        colors=check_colors(theme, {str(k): str(v) for k, v in colors.items()}),
        layout=layout,
        widgets=check_widgets([w for w in widgets if isinstance(w, dict)]),
        social=check_social({str(k): str(v) for k, v in social.items()}),
        tagline=tagline,
        logo=_media_id(raw.get("logo")),
        header=_media_id(raw.get("header")),
    )


def _media_id(value: object) -> int | None:
    if value in (None, ""):
        return None
    text = str(value)
    if not text.isdecimal() or len(text) > 12:
        raise AppearanceError(_("Gambar itu tidak ditemukan di pustaka media desa ini."))
    return int(text)


def lenient_options(theme: Theme, raw: dict[str, Any]) -> Options:
    """Stored options as they apply to ``theme`` now: what no longer passes (a layout the theme
    dropped, colours another theme's pairs refuse) falls back to the theme's defaults, so a
    stored choice never breaks a page."""
    options = Options()
    try:
        options.layout = check_layout(theme, str(raw.get("layout") or ""))
    except AppearanceError:
        options.layout = theme.manifest.default_layout
    colors = raw.get("colors")
    try:
        options.colors = check_colors(theme, dict(colors) if isinstance(colors, dict) else {})
    except AppearanceError:
        options.colors = {}
    widgets, social = raw.get("widgets"), raw.get("social")
    with contextlib.suppress(AppearanceError, TypeError, AttributeError):
        options.widgets = check_widgets(widgets if isinstance(widgets, list) else [])
    with contextlib.suppress(AppearanceError, TypeError, AttributeError):
        options.social = check_social(social if isinstance(social, dict) else {})
    options.tagline = " ".join(str(raw.get("tagline") or "").split())[:MAX_TAGLINE]
    if "widgets" not in raw:
        options.widgets = [{"type": w, "title": ""} for w in theme.manifest.default_widgets]
    return options


# --- what the stylesheet sets ---------------------------------------------------------------------
def css_variables(theme: Theme, chosen: dict[str, str]) -> dict[str, str]:
    """The custom properties of ``/tema.css``: the four colours plus a card colour and a muted text
    colour derived from them, both kept readable whatever the village picked."""
    c = {**theme.manifest.colors, **chosen}
    text, background, primary = c["text"], c["background"], c["primary"]
    light = luminance(background) > 0.18
    card = mix("#ffffff", background, 0.7) if light else mix("#ffffff", background, 0.06)
    if min(contrast(text, card), contrast(primary, card)) < MIN_CONTRAST:
        card = background
    # Muted: as far from the text towards the background as readability on both allows.
    muted = text
    for weight in (0.62, 0.7, 0.78, 0.86, 0.94):
        candidate = mix(text, background, weight)
        if min(contrast(candidate, background), contrast(candidate, card)) >= MIN_CONTRAST + 0.1:
            muted = candidate
            break
    line = mix(text, background, 0.15)
    on_primary = "#ffffff" if contrast("#ffffff", primary) >= contrast("#1b1b1b", primary) else "#1b1b1b"
    return {
        "primary": primary,
        "on-primary": on_primary,
        "accent": c["accent"],
        "text": text,
        "bg": background,
        "card": card,
        "muted": muted,
        "line": line,
    }


def stylesheet(theme: Theme, chosen: dict[str, str]) -> str:
    props = ";".join(f"--{name}:{value}" for name, value in css_variables(theme, chosen).items())
    return f":root{{{props}}}\n"


# --- the default theme of a region ---------------------------------------------------------------------
def region_defaults(db: Session) -> dict[str, str]:
    """Every supervisor's default, ``{scope code: theme}`` (a few hundred rows at most)."""
    return {row.scope_code: row.theme for row in db.exec(select(ThemeDefault)).all()}


def pick_default(defaults: dict[str, str], code: str) -> str | None:
    """The default of the longest scope covering ``code`` whose theme still exists."""
    parts = code.split(".")
    for i in range(len(parts), -1, -1):
        theme = defaults.get(".".join(parts[:i]))
        if theme is not None and get_theme(theme) is not None:
            return theme
    return None


def default_theme_for(db: Session, code: str) -> str | None:
    """The theme of the longest region prefix of ``code`` with a supervisor's default (``""`` is
    the national one), when that theme still exists."""
    parts = code.split(".")
    prefixes = ["", *(".".join(parts[:i]) for i in range(1, len(parts) + 1))]
    rows = db.exec(select(ThemeDefault).where(col(ThemeDefault.scope_code).in_(prefixes))).all()
    return pick_default({row.scope_code: row.theme for row in rows}, code)
