"""What a public village page tells search engines and chat apps about itself: the canonical URL,
Open Graph and Twitter Card tags, JSON-LD (NewsArticle, GovernmentOrganization + Place,
BreadcrumbList) and the share links under a post.

Templates call ``seo_for()`` (a Jinja global that sees the page's context: ``village``, ``post``,
``cover``, ``page``, ``trail``, ``request``…) and get a plain dict; ``themes/base/_meta.html``
prints it in the head, ``themes/base/_share.html`` under a post. Every URL in it is absolute and on
the village's primary host (its own domain when it has one), never on whatever host the request
used, so a page reached two ways is one page to a search engine.

The village-wide facts (primary colour, logo, social profiles) come from the village's appearance,
which :mod:`etalase.platform.site.appearance` caches under the content version: no extra query.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request

from etalase.platform import i18n
from etalase.platform.content.models import Page, Post
from etalase.platform.i18n import _
from etalase.platform.runtime import Runtime
from etalase.platform.settings import Settings
from etalase.platform.site import appearance, themes
from etalase.platform.site.appearance import Look
from etalase.platform.site.cards import DEFAULT_COLOR, CardText, card_key, clean_color
from etalase.tenants.resolver import VillageSite

log = logging.getLogger(__name__)

LOCALES = {"id": "id_ID", "en": "en_US"}
DESCRIPTION_CHARS = 160
PAGE_PARAM = "halaman"  # the only query parameter a canonical URL keeps (page 2 is its own page)
MIN_SHARE_WIDTH = 600  # WhatsApp and Facebook show a large preview from this width
SOCIAL_NETWORKS = ("facebook", "instagram", "tiktok", "youtube", "x", "whatsapp")
_TAG = re.compile(r"<[^>]*>")
_EXTENSION_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Objects other public pages put in their context (agenda, gallery, announcements, categories…):
# the first one with a title names the page.
_NAMED_OBJECTS = ("event", "album", "item", "category", "tag", "author")


# --- the village ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Facts:
    """The village-wide part of every page's meta: from its appearance (cached there)."""

    color: str = DEFAULT_COLOR
    logo_url: str | None = None  # the logo's stored JPEG/PNG, as the media store serves it
    logo_width: int | None = None
    logo_height: int | None = None
    social: dict[str, str] = field(default_factory=dict)


def village_base(settings: Settings, village: VillageSite) -> str:
    """``https://sidomulyo.etalase.id`` (or the village's own domain), without a trailing slash."""
    host = village.domain or f"{village.slug}.{settings.base_domain}"
    return settings.public_url(host, "")


def absolute(base: str, url: str) -> str:
    """A media URL (``/media/v/3/…`` on local disk, already absolute on S3) made absolute."""
    return urljoin(base + "/", url)


def facts_of(look: Look) -> Facts:
    color = clean_color(look.options.colors.get("primary") or look.theme.manifest.colors.get("primary"))
    given = look.options.social
    social = {
        name: url
        for name in SOCIAL_NETWORKS
        if isinstance(url := given.get(name), str) and url.startswith(("https://", "http://"))
    }
    logo = look.logo
    return Facts(
        color=color,
        logo_url=logo.src if logo else None,
        logo_width=logo.width if logo else None,
        logo_height=logo.height if logo else None,
        social=social,
    )


def village_facts(runtime: Runtime, village: VillageSite, request: Request | None = None) -> Facts:
    """The colour, logo and profiles of the village's appearance (the previewed one on the team's
    theme preview). Read through :mod:`etalase.platform.site.appearance`, which caches it under
    the content version; a failure gives the theme's defaults, never an error page."""
    try:
        look = appearance.page_look(request, village) if request is not None else None
        if look is None:
            look = appearance.look_for(runtime, village)
        return facts_of(look)
    except Exception:
        log.exception("share facts of village %s could not be read", village.id)
        return Facts(color=theme_color(village.theme))


@functools.lru_cache(maxsize=64)
def theme_color(theme: str) -> str:
    try:
        return clean_color(themes.theme_or_default(theme).manifest.colors.get("primary"))
    except Exception:
        return DEFAULT_COLOR


# --- share cards ----------------------------------------------------------------------------------
def region_line(village: VillageSite) -> str:
    """``Kecamatan Godean, Kabupaten Sleman, Provinsi Daerah Istimewa Yogyakarta``."""
    return village.region_path.split(", ", 1)[-1]


def home_card(village: VillageSite, facts: Facts) -> CardText:
    return CardText(_("Situs resmi"), village.title, region_line(village), facts.color)


def post_card(village: VillageSite, title: str, facts: Facts) -> CardText:
    return CardText(village.title, title, region_line(village), facts.color)


def card_image(url: str, alt: str) -> dict[str, Any]:
    return {"url": url, "type": "image/png", "width": 1200, "height": 630, "alt": alt}


# --- text -----------------------------------------------------------------------------------------
def body_text(body: str) -> str:
    """The words of a stored (already sanitised) body, tags gone, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", body or "")).split())


def excerpt(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """At most ``limit`` characters, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` escaped as
    ``\\u003c``…, so no title can close the script element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 (escaped above for the script context)


SHARE_NETWORKS = (("whatsapp", "WhatsApp"), ("facebook", "Facebook"), ("x", "X"), ("telegram", "Telegram"))


def share_links(url: str, title: str) -> list[dict[str, str]]:
    """Plain links to each network's share page (no script of theirs on ours)."""

    def q(value: str) -> str:
        return quote(value, safe="")

    return [
        {"key": "whatsapp", "name": "WhatsApp", "url": f"https://wa.me/?text={q(f'{title} {url}')}"},
        {
            "key": "facebook",
            "name": "Facebook",
            "url": f"https://www.facebook.com/sharer/sharer.php?u={q(url)}",
        },
        {"key": "x", "name": "X", "url": f"https://x.com/intent/post?text={q(title)}&url={q(url)}"},
        {
            "key": "telegram",
            "name": "Telegram",
            "url": f"https://t.me/share/url?url={q(url)}&text={q(title)}",
        },
    ]


def counted_share_links(slug: str) -> list[dict[str, str]]:
    """The share buttons of a post: each goes through ``/bagikan/<network>/<slug>`` on the site,
    which counts the share (issue 7) and sends the reader on to the network's share page built by
    :func:`share_links`. A plain link still: no script of the networks' on the page."""
    return [{"key": key, "name": name, "url": f"/bagikan/{key}/{slug}"} for key, name in SHARE_NETWORKS]


# --- the page -------------------------------------------------------------------------------------
def _page_number(request: Request) -> int:
    raw = request.query_params.get(PAGE_PARAM, "")
    return int(raw) if raw.isdecimal() and 1 < int(raw) < 100_000 else 1


def _canonical(base: str, path: str, request: Request) -> str:
    url = base + quote(path, safe="/-._~")
    number = _page_number(request)
    return f"{url}?{PAGE_PARAM}={number}" if number > 1 else url


def _has_path(request: Request, path: str) -> bool:
    return any(getattr(route, "path", None) == path for route in request.app.router.routes)


def _organization(village: VillageSite, base: str, facts: Facts) -> dict[str, Any]:
    org: dict[str, Any] = {
        "@type": "GovernmentOrganization",
        "@id": f"{base}/#desa",
        "name": village.title,
        "url": f"{base}/",
    }
    if facts.logo_url:
        logo: dict[str, Any] = {"@type": "ImageObject", "url": absolute(base, facts.logo_url)}
        if facts.logo_width and facts.logo_height:
            logo.update(width=facts.logo_width, height=facts.logo_height)
        org["logo"] = logo
    return org


def _place(village: VillageSite) -> dict[str, Any]:
    parts = village.region_path.split(", ")
    return {
        "@type": "Place",
        "name": village.region_path,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": ", ".join(parts[:3]),
            "addressRegion": village.provinsi,
            "addressCountry": "ID",
        },
    }


def _identifier(village: VillageSite) -> dict[str, Any]:
    return {"@type": "PropertyValue", "propertyID": "Kode Wilayah Kemendagri", "value": village.code}


def _breadcrumbs(steps: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(steps, start=1)
        ],
    }


def _cover_images(base: str, cover: object, alt: str) -> list[dict[str, Any]]:
    """The stored JPEG (or PNG) fallback of a post's cover (what chat apps read best: the og:image),
    then its 1024-pixel WebP (for JSON-LD); nothing when the photo is narrower than a large
    preview needs."""
    if not isinstance(cover, dict) or not cover.get("src"):
        return []
    width, height = cover.get("width"), cover.get("height")
    if not isinstance(width, int) or not isinstance(height, int) or width < MIN_SHARE_WIDTH:
        return []
    src = str(cover["src"])
    kind = _EXTENSION_TYPES.get(src.rsplit(".", 1)[-1].lower(), "image/jpeg")
    alt = str(cover.get("alt") or alt)
    images = [{"url": absolute(base, src), "type": kind, "width": width, "height": height, "alt": alt}]
    for candidate in str(cover.get("srcset") or "").split(","):
        url, _sep, descriptor = candidate.strip().rpartition(" ")
        if descriptor == "1024w" and url:
            images.append(
                {
                    "url": absolute(base, url),
                    "type": "image/webp",
                    "width": 1024,
                    "height": round(height * 1024 / width),
                    "alt": alt,
                }
            )
    return images


@dataclass
class _Page:
    """What differs between kinds of page; :func:`build` adds what every page shares."""

    canonical: str
    title: str
    description: str
    images: list[dict[str, Any]]
    graph: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Site:
    request: Request
    village: VillageSite
    base: str
    facts: Facts
    org: dict[str, Any]
    default_description: str
    home_image: dict[str, Any]

    @property
    def home(self) -> str:
        return f"{self.base}/"


def _slug_url(base: str, prefix: str, slug: str) -> str:
    return f"{base}/{prefix}/{quote(slug, safe='-._~')}"


def _post_page(site: _Site, post: Post, cover: object) -> _Page:
    village, base = site.village, site.base
    canonical = _slug_url(base, "berita", post.slug)
    description = excerpt(post.summary) or excerpt(body_text(post.body)) or site.default_description
    images = _cover_images(base, cover, post.title)
    if not images:
        key = card_key(post_card(village, post.title, site.facts))[:12]
        images = [card_image(f"{_slug_url(base, 'kartu/berita', post.slug)}.png?v={key}", post.title)]
    published = post.published_at.isoformat() if post.published_at else None
    modified = post.updated_at.isoformat() if post.updated_at else published
    author: dict[str, Any] = (
        {"@type": "Person", "name": post.author_name}
        if post.author_name
        else {"@type": "GovernmentOrganization", "@id": site.org["@id"], "name": village.title}
    )
    article: dict[str, Any] = {
        "@type": "NewsArticle",
        "@id": f"{canonical}#berita",
        "mainEntityOfPage": canonical,
        "url": canonical,
        "headline": post.title,
        "description": description,
        "image": [image["url"] for image in images],
        "author": [author],
        "publisher": site.org,
    }
    if published:
        article.update(datePublished=published, dateModified=modified)
    news = f"{base}/berita" if _has_path(site.request, "/berita") else f"{base}/#berita"
    crumbs = _breadcrumbs([(_("Beranda"), site.home), (_("Berita"), news), (post.title, canonical)])
    extra = {
        "og_type": "article",
        "published": published,
        "modified": modified,
        "share": counted_share_links(post.slug),
    }
    # One og:image, the JPEG: a scraper that reads the last tag, or prefers WebP, still gets it.
    return _Page(canonical, post.title, description, images[:1], [article, crumbs], extra)


def _page_page(site: _Site, page: Page, trail: object) -> _Page:
    canonical = _slug_url(site.base, "halaman", page.slug)
    steps = [(_("Beranda"), site.home)]
    for step in trail if isinstance(trail, list) else []:
        if isinstance(step, dict) and step.get("slug"):
            steps.append((str(step["title"]), _slug_url(site.base, "halaman", str(step["slug"]))))
    steps.append((page.title, canonical))
    description = excerpt(body_text(page.body)) or site.default_description
    return _Page(canonical, page.title, description, [site.home_image], [_breadcrumbs(steps)])


def _home_page(site: _Site) -> _Page:
    village = site.village
    identifier = _identifier(village)
    organization = {
        **site.org,
        "alternateName": village.region_path,
        "identifier": identifier,
        "address": _place(village)["address"],
        "location": {**_place(village), "identifier": identifier},
    }
    if site.facts.social:
        organization["sameAs"] = list(site.facts.social.values())
    website = {"@type": "WebSite", "@id": f"{site.base}/#situs", "url": site.home, "name": village.title}
    canonical = _canonical(site.base, "/", site.request)
    return _Page(
        canonical, village.title, site.default_description, [site.home_image], [organization, website]
    )


def _other_page(site: _Site, context: dict[str, Any]) -> _Page:
    """Agenda, gallery, documents, announcements, categories…: named after their object if any."""
    canonical = _canonical(site.base, site.request.url.path, site.request)
    named: Any = None
    title = ""
    for key in _NAMED_OBJECTS:
        candidate = context.get(key)
        found = getattr(candidate, "title", None)
        if isinstance(found, str) and found:
            named, title = candidate, found
            break
    heading = context.get("heading")  # the lists of posts (category, tag, author, month) name themselves
    if named is None and isinstance(heading, str) and heading:
        crumbs = _breadcrumbs([(_("Beranda"), site.home), (heading, canonical)])
        return _Page(canonical, heading, site.default_description, [site.home_image], [crumbs])
    if named is None:
        return _Page(canonical, site.village.title, site.default_description, [site.home_image], [])
    summary = ""
    for attr in ("summary", "description", "body"):
        value = getattr(named, attr, None)
        if isinstance(value, str) and value.strip():
            summary = excerpt(body_text(value))
            break
    crumbs = _breadcrumbs([(_("Beranda"), site.home), (title, canonical)])
    return _Page(canonical, title, summary or site.default_description, [site.home_image], [crumbs])


def build(request: Request, village: VillageSite, context: dict[str, Any]) -> dict[str, Any]:
    """The meta of one page, from what its template was given."""
    settings: Settings = request.app.state.settings
    runtime: Runtime = request.app.state.runtime
    base = village_base(settings, village)
    facts = village_facts(runtime, village, request)
    home_key = card_key(home_card(village, facts))[:12]
    site = _Site(
        request=request,
        village=village,
        base=base,
        facts=facts,
        org=_organization(village, base, facts),
        default_description=_("Situs resmi %(path)s.") % {"path": village.region_path},
        home_image=card_image(f"{base}/kartu/desa.png?v={home_key}", village.title),
    )
    post, page = context.get("post"), context.get("page")
    if isinstance(post, Post):
        found = _post_page(site, post, context.get("cover"))
    elif isinstance(page, Page):
        found = _page_page(site, page, context.get("trail"))
    elif request.url.path == "/":
        found = _home_page(site)
    else:
        found = _other_page(site, context)
    graph = found.graph
    return {
        "site_name": village.title,
        "locale": LOCALES.get(i18n.current_language(), "id_ID"),
        "og_type": "website",
        "published": None,
        "modified": None,
        "share": [],
        **found.extra,
        "canonical": found.canonical,
        "title": found.title,
        "full_title": found.title if found.title == village.title else f"{found.title} · {village.title}",
        "description": found.description,
        "images": found.images,
        "image": found.images[0],
        "json_ld": json_ld({"@context": "https://schema.org", "@graph": graph}) if graph else None,
    }


@pass_context
def seo_for(context: Context) -> dict[str, Any]:
    """The Jinja global: ``{% set m = seo_for() %}`` in any template of a village page. Empty on
    error pages and outside a village. Built once per request (the head and the share links ask)."""
    request, village = context.get("request"), context.get("village")
    if not isinstance(request, Request) or not isinstance(village, VillageSite):
        return {}
    status = context.get("status")
    if isinstance(status, int) and status >= 400:
        return {}
    memo_key = (request.url.path, id(context.get("post")), id(context.get("page")), village.id)
    memo = getattr(request.state, "seo_memo", None)
    if memo is not None and memo[0] == memo_key:
        result: dict[str, Any] = memo[1]
        return result
    result = build(request, village, dict(context.get_all()))
    request.state.seo_memo = (memo_key, result)
    return result
