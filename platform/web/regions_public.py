"""Public region pages on the portal: ``/wilayah/<code>`` for a province, kabupaten/kota or
kecamatan (the directory of its sub-regions or villages, and the latest posts of every village
under it) and the region's feeds, ``/wilayah/<code>/feed.xml`` (RSS) and ``/atom.xml``.

Nothing is copied: the posts are the villages' own rows, read in one query (published, not in the
trash, of an active village whose code starts with the region's), newest first with a LIMIT, each
linking to the post on its village's own site. The portal has no page cache, so a page's posts are
kept in the shared cache for :data:`NEWS_TTL` seconds: a province's newest posts are a join over
thousands of villages, and a news list a minute old is still news. (Not with
``ETALASE_SITE_CACHE_SECONDS=0``, as in the tests: that deployment wants every change seen at once.)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content.models import Post
from etalase.platform.i18n import _
from etalase.platform.runtime import Runtime
from etalase.platform.settings import Settings
from etalase.platform.web import feeds
from etalase.platform.web.deps import CrossVillageSessionDep, RuntimeDep, TemplatesDep, settings_of
from etalase.platform.web.portal import cached_children
from etalase.platform.web.public_agenda import plain_text
from etalase.platform.web.routing import PortalRoute
from etalase.platform.web.templates import render
from etalase.tenants import directory
from etalase.tenants.models import Region, Village, utcnow
from etalase.tenants.resolver import TYPE_TITLE
from etalase.tenants.scope import with_village
from etalase.tenants.service import REGION_CODE, normalize_code

# Public pages: anyone may read them (the declaration every route must make, see accounts.authz).
router = APIRouter(route_class=PortalRoute, dependencies=[Depends(PUBLIC)])

PER_PAGE = 20
MAX_PAGE = 50  # 1,000 posts back: deeper offsets cost more than anyone reads
NEWS_TTL = 60.0
SUMMARY_CHARS = 240


@dataclass(frozen=True)
class NewsItem:
    """A post as a region page lists it (JSON-serialisable for the cache)."""

    title: str
    url: str
    published_at: str  # ISO 8601
    summary: str
    village: str  # "Desa Sidomulyo"
    village_code: str
    village_url: str

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.published_at)


def region_of(session: Session, raw: str) -> tuple[Region, list[Region]]:
    """The region of a province, kabupaten/kota or kecamatan code (dotted or not) and the regions
    above it; anything else is a 404."""
    code = normalize_code(raw)
    if not REGION_CODE.match(code):
        raise HTTPException(status_code=404)
    trail = directory.breadcrumb(session, code)
    if not trail or trail[-1].code != code or trail[-1].level == 4:
        raise HTTPException(status_code=404)
    return trail[-1], trail[:-1]


def region_title(region: Region) -> str:
    if region.type in ("kabupaten", "kota"):
        return region.name
    return f"{TYPE_TITLE.get(region.type, '')} {region.name}".strip()


def posts_under(code: str) -> Any:
    """Published posts of the active villages under a region, newest first: one query over the
    village code prefix (an index scan) joined to each village's published posts."""
    return (
        with_village(select(Post), Post)
        .where(
            col(Village.code).startswith(code + ".", autoescape=True),
            col(Village.status) == "active",
            col(Post.status) == "published",
            col(Post.deleted_at).is_(None),
        )
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
    )


def _summary(post: Post) -> str:
    text = " ".join((post.summary or plain_text(post.body)).split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"


def _aware(value: datetime | None) -> datetime:
    value = value or utcnow()
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def latest(session: Session, settings: Settings, code: str, number: int) -> tuple[list[NewsItem], bool]:
    """Page ``number`` of the region's posts and whether another page follows."""
    found = session.execute(posts_under(code).offset((number - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    # Desa or kelurahan: the types of the page's villages only (a join would hash the whole list).
    codes = {village.code for _post, village in found}
    kinds = dict(session.execute(select(Region.code, Region.type).where(col(Region.code).in_(codes))).all())
    items = [
        NewsItem(
            title=post.title,
            url=settings.village_url(village.slug, f"/berita/{post.slug}"),
            published_at=_aware(post.published_at).isoformat(),
            summary=_summary(post),
            village=f"{TYPE_TITLE.get(kinds.get(village.code, ''), 'Desa')} {village.name}",
            village_code=village.code,
            village_url=settings.village_url(village.slug),
        )
        for post, village in found[:PER_PAGE]
    ]
    return items, len(found) > PER_PAGE


def caching(settings: Settings) -> bool:
    return settings.site_cache_seconds > 0


def cached_latest(
    runtime: Runtime, session: Session, settings: Settings, code: str, number: int
) -> tuple[list[NewsItem], bool]:
    if not caching(settings):
        return latest(session, settings, code, number)
    key = f"portal:news:{code}:{number}"
    raw = runtime.cache.get(key)
    if raw is not None:
        stored = json.loads(raw)
        return [NewsItem(**item) for item in stored["items"]], bool(stored["more"])
    items, more = latest(session, settings, code, number)
    runtime.cache.set(key, json.dumps({"items": [asdict(i) for i in items], "more": more}).encode(), NEWS_TTL)
    return items, more


def _page_number(raw: str) -> int:
    if not raw.isdecimal() or not 1 <= int(raw) <= MAX_PAGE:
        raise HTTPException(status_code=404)
    return int(raw)


@router.get("/wilayah/{code}", response_class=HTMLResponse, name="portal_region")
def region_page(
    request: Request,
    code: str,
    runtime: RuntimeDep,
    session: CrossVillageSessionDep,  # the villages' posts: published ones of active villages only
    templates: TemplatesDep,
    halaman: str = "1",
) -> HTMLResponse:
    here, trail = region_of(session, code)
    number = _page_number(halaman)
    news, more = cached_latest(runtime, session, settings_of(request), here.code, number)
    if number > 1 and not news:
        raise HTTPException(status_code=404)
    context: dict[str, Any] = {
        "region": here,
        "trail": trail,
        "regions": [],
        "villages": [],
        "news": news,
        "news_page": number,
        "news_prev": f"/wilayah/{here.code}" + (f"?halaman={number - 1}" if number > 2 else ""),
        "news_next": f"/wilayah/{here.code}?halaman={number + 1}" if more and number < MAX_PAGE else None,
    }
    if here.level == 3:
        context["villages"] = directory.villages_in(session, here.code)
    else:
        context["regions"] = cached_children(runtime, session, here.code)
    return render(templates, request, "portal/region.html", context)


def _feed(request: Request, runtime: Runtime, session: Session, raw: str, kind: str) -> Response:
    here, _trail = region_of(session, raw)
    settings = settings_of(request)
    key = f"portal:feed:{kind}:{here.code}"
    media_type = feeds.RSS_TYPE if kind == "rss" else feeds.ATOM_TYPE
    cached = runtime.cache.get(key) if caching(settings) else None
    if cached is not None:
        return Response(cached, media_type=media_type)
    rows = session.execute(posts_under(here.code).limit(feeds.FEED_ITEMS)).all()
    posts = [post for post, _village in rows]
    slugs = {post.id: village.slug for post, village in rows}

    def link(post: Post) -> str:
        return settings.village_url(slugs[post.id], f"/berita/{post.slug}")

    def url(path: str) -> str:
        return settings.public_url(path=path)

    title = _("Berita desa di {region}").format(region=region_title(here))
    home, base = url(f"/wilayah/{here.code}"), f"/wilayah/{here.code}"
    if kind == "rss":
        body = feeds.rss(title, home, url(f"{base}/feed.xml"), title, posts, url, "id", link)
    else:
        body = feeds.atom(
            title, home, url(f"{base}/atom.xml"), url(f"{base}/atom.xml"), posts, url, title, link
        )
    if caching(settings):
        runtime.cache.set(key, body, NEWS_TTL)
    return Response(body, media_type=media_type)


@router.get("/wilayah/{code}/feed.xml", name="portal_region_rss")
def region_rss(request: Request, code: str, runtime: RuntimeDep, session: CrossVillageSessionDep) -> Response:
    return _feed(request, runtime, session, code, "rss")


@router.get("/wilayah/{code}/atom.xml", name="portal_region_atom")
def region_atom(
    request: Request, code: str, runtime: RuntimeDep, session: CrossVillageSessionDep
) -> Response:
    return _feed(request, runtime, session, code, "atom")
