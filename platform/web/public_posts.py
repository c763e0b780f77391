"""The news of a village site beyond its home page: every post (``/berita``), by category, tag,
author and month (``/arsip/2026/11``, in the village's own time zone), the search (``/cari``), and
what a missing address answers (301 to where it went, 410 for a removed post, else 404).

Lists show 10 posts a page (``?halaman=2``, with ``rel=prev/next``); a page past the end is a 404.
Only published posts outside the trash show, read through the scoped path of the request's village.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from etalase.platform import i18n
from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content.models import Category, Post, PostCategory, PostTag, Tag
from etalase.platform.i18n import _
from etalase.platform.site import redirects, search
from etalase.platform.web import errors
from etalase.platform.web.deps import CurrentVillage, RuntimeDep, SessionDep, TemplatesDep
from etalase.platform.web.pages import MAX_PAGE
from etalase.platform.web.routing import VillageRoute, site_of
from etalase.platform.web.templates import render, theme_template
from etalase.platform.web.village import covers
from etalase.tenants.resolver import VillageSite
from etalase.tenants.scope import in_village
from etalase.tenants.timezones import local, zone_for

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

PER_PAGE = 10


def published(village_id: int) -> Any:
    """The village's public posts (a select to narrow and order)."""
    return in_village(Post, village_id).where(col(Post.status) == "published", col(Post.deleted_at).is_(None))


def newest_first(query: Any) -> Any:
    return query.order_by(col(Post.published_at).desc(), col(Post.id).desc())


def _number(halaman: int) -> int:
    if not 1 <= halaman <= MAX_PAGE:
        raise HTTPException(status_code=404)
    return halaman


def pager(request: Request, number: int, has_next: bool) -> dict[str, str | int | None]:
    """Links to the neighbouring pages, keeping the other parameters (the search words)."""
    params = {k: v for k, v in request.query_params.items() if k != "halaman"}

    def url(n: int) -> str:
        query = urlencode({**params, **({"halaman": n} if n > 1 else {})})
        return request.url.path + (f"?{query}" if query else "")

    return {
        "number": number,
        "prev": url(number - 1) if number > 1 else None,
        "next": url(number + 1) if has_next else None,
    }


def _page_of(session: Session, query: Any, number: int) -> tuple[Sequence[Post], bool]:
    rows = session.exec(newest_first(query).offset((number - 1) * PER_PAGE).limit(PER_PAGE + 1)).all()
    if number > 1 and not rows:
        raise HTTPException(status_code=404)
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def _list_page(
    request: Request,
    village: VillageSite,
    session: Session,
    templates: Any,
    runtime: Any,
    query: Any,
    number: int,
    **context: Any,
) -> HTMLResponse:
    posts, has_next = _page_of(session, query, number)
    full = {
        "village": village,
        "posts": posts,
        "covers": covers(session, runtime.media, village.id, posts),
        "pager": pager(request, number, has_next),
        "feeds": context.pop("feeds", None) or village_feeds(village),
        **context,
    }
    return render(templates, request, theme_template(templates, village.theme, "posts_list.html"), full)


def feed_links(base: str, title: str) -> list[dict[str, str]]:
    """The RSS and Atom feeds under ``base``, for ``<link rel="alternate">``."""
    return [
        {"type": "application/rss+xml", "href": f"{base}/feed.xml", "title": f"{title} (RSS)"},
        {"type": "application/atom+xml", "href": f"{base}/atom.xml", "title": f"{title} (Atom)"},
    ]


def village_feeds(village: VillageSite) -> list[dict[str, str]]:
    return feed_links("", _("Berita {village}").format(village=village.title))


@router.get("/berita", response_class=HTMLResponse, name="village_posts")
def all_posts(
    request: Request,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    halaman: int = 1,
) -> HTMLResponse:
    return _list_page(
        request, village, session, templates, runtime, published(village.id), _number(halaman),
        heading=_("Semua berita"),
    )  # fmt: skip


def _term(session: Session, village_id: int, model: type[Category] | type[Tag], slug: str) -> Category | Tag:
    term = session.exec(in_village(model, village_id).where(col(model.slug) == slug)).first()
    if term is None:
        raise HTTPException(status_code=404)
    return term


@router.get("/kategori/{slug}", response_class=HTMLResponse, name="village_category")
def category(
    request: Request,
    slug: str,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    halaman: int = 1,
) -> HTMLResponse:
    term = _term(session, village.id, Category, slug)
    query = published(village.id).join(PostCategory, col(PostCategory.post_id) == col(Post.id))
    query = query.where(col(PostCategory.category_id) == term.id)
    feeds = feed_links(f"/kategori/{term.slug}", _("Kategori {name}").format(name=term.name))
    return _list_page(
        request, village, session, templates, runtime, query, _number(halaman),
        heading=_("Kategori: {name}").format(name=term.name), feeds=feeds,
    )  # fmt: skip


@router.get("/tag/{slug}", response_class=HTMLResponse, name="village_tag")
def tag(
    request: Request,
    slug: str,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    halaman: int = 1,
) -> HTMLResponse:
    term = _term(session, village.id, Tag, slug)
    query = published(village.id).join(PostTag, col(PostTag.post_id) == col(Post.id))
    query = query.where(col(PostTag.tag_id) == term.id)
    return _list_page(
        request, village, session, templates, runtime, query, _number(halaman),
        heading=_("Tag: {name}").format(name=term.name),
    )  # fmt: skip


@router.get("/penulis/{who}", response_class=HTMLResponse, name="village_author")
def author(
    request: Request,
    who: str,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    halaman: int = 1,
) -> HTMLResponse:
    """``/penulis/12`` or ``/penulis/12-budi-santoso``: the posts of member 12 in this village.
    Only the name printed on their posts shows (never an e-mail address or phone number), and
    someone with no public post here is not found."""
    digits = who.split("-", 1)[0]
    if not digits.isdecimal() or len(digits) > 12:
        raise HTTPException(status_code=404)
    query = published(village.id).where(col(Post.author_id) == int(digits))
    latest = session.exec(newest_first(query).limit(1)).first()
    if latest is None:
        raise HTTPException(status_code=404)
    name = latest.author_name or _("Tim desa")
    return _list_page(
        request, village, session, templates, runtime, query, _number(halaman),
        heading=_("Tulisan {name}").format(name=name),
    )  # fmt: skip


# --- the monthly archive ---------------------------------------------------------------------------
def month_bounds(year: int, month: int, code: str) -> tuple[datetime, datetime]:
    """The month in the village's zone, as UTC instants ``[start, end)``."""
    zone, _label = zone_for(code)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_name(year: int, month: int) -> str:
    return format_date(
        datetime(year, month, 1, tzinfo=UTC).date(), format="MMMM y", locale=i18n.babel_locale()
    )


def archive_months(session: Session, village: VillageSite) -> list[dict[str, Any]]:
    """Months with posts, newest first, counted on the village's calendar (a post at 23:30 WITA
    on the 31st belongs to that month, whatever UTC says)."""
    moments = session.exec(published(village.id).with_only_columns(col(Post.published_at))).all()
    counts = Counter()  # type: Counter[tuple[int, int]]
    for moment in moments:
        if moment is not None:
            here = local(moment, village.code)[0]
            counts[(here.year, here.month)] += 1
    return [
        {"year": y, "month": m, "name": month_name(y, m), "count": n, "href": f"/arsip/{y}/{m:02d}"}
        for (y, m), n in sorted(counts.items(), reverse=True)
    ]


@router.get("/arsip", response_class=HTMLResponse, name="village_archive_index")
def archive_index(
    request: Request, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    context = {"village": village, "months": archive_months(session, village), "heading": _("Arsip berita")}
    return render(templates, request, theme_template(templates, village.theme, "archive.html"), context)


@router.get("/arsip/{year}/{month}", response_class=HTMLResponse, name="village_archive")
def archive(
    request: Request,
    year: int,
    month: int,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    halaman: int = 1,
) -> HTMLResponse:
    if not (1970 <= year <= 2200 and 1 <= month <= 12):
        raise HTTPException(status_code=404)
    start, end = month_bounds(year, month, village.code)
    query = published(village.id).where(col(Post.published_at) >= start, col(Post.published_at) < end)
    return _list_page(
        request, village, session, templates, runtime, query, _number(halaman),
        heading=_("Arsip {month}").format(month=month_name(year, month)),
        months=archive_months(session, village),
    )  # fmt: skip


# --- search ----------------------------------------------------------------------------------------
@router.get("/cari", response_class=HTMLResponse, name="village_search")
def find(
    request: Request,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    q: str = "",
    halaman: int = 1,
) -> HTMLResponse:
    number = _number(halaman)
    shown = " ".join(q.split())[: search.MAX_QUERY]
    hits = search.search(session, village.id, q, offset=(number - 1) * PER_PAGE, limit=PER_PAGE + 1)
    if number > 1 and not hits:
        raise HTTPException(status_code=404)
    found = hits[:PER_PAGE]
    context = {
        "village": village,
        "q": shown,
        "searched": bool(search.terms(q)),
        "hits": found,
        "covers": covers(session, runtime.media, village.id, [h.post for h in found]),
        "pager": pager(request, number, len(hits) > PER_PAGE),
    }
    return render(templates, request, theme_template(templates, village.theme, "search.html"), context)


# --- missing addresses: 301, 410 or 404 ------------------------------------------------------------
def _where_it_went(request: Request, village: VillageSite) -> str | None:
    with request.app.state.runtime.session(village.id) as db:
        return redirects.resolve(db, village.id, request.url.path, request.url.query)


def gone_page(request: Request, village: VillageSite) -> Response:
    templates = request.app.state.templates
    template = theme_template(templates, village.theme, "gone.html")
    return render(templates, request, template, {"village": village}, status_code=410)


async def not_found(request: Request, exc: Exception) -> Response:
    """Every 404 on an open village's site: an old address answers 301 to where it went, a post
    that was public and is removed answers 410 Gone, anything else the village's 404 page."""
    site = site_of(request.scope)
    village = site.village
    if (
        request.method in ("GET", "HEAD")
        and village is not None
        and village.active
        and site.kind == "village"
    ):
        try:
            target = await run_in_threadpool(_where_it_went, request, village)
        except redirects.GoneError:
            return gone_page(request, village)
        if target is not None:
            return RedirectResponse(target, status_code=301)
    if request.method in ("GET", "HEAD") and (slashless := _without_slash(request)) is not None:
        return RedirectResponse(slashless, status_code=307)
    response = errors.error_page(request, 404)
    if isinstance(exc, StarletteHTTPException) and exc.headers:
        response.headers.update(exc.headers)
    return response


def _without_slash(request: Request) -> str | None:
    """``/agenda/`` -> ``/agenda`` when that is a page: the router's own slash redirect is off so
    that an imported blog's recorded address (``/profil/`` of an old WordPress page) wins first."""
    path = request.url.path
    if len(path) < 2 or not path.endswith("/"):
        return None
    bare = path.rstrip("/") or "/"
    scope = dict(request.scope, path=bare)
    for route in request.app.router.routes:
        if route.matches(scope)[0] == Match.FULL:
            query = request.url.query
            return bare + (f"?{query}" if query else "")
    return None


def install(app: FastAPI) -> None:
    """Answer every 404 through :func:`not_found` (a status handler comes before the class
    handler :func:`errors.install` sets, whatever the order), and leave trailing slashes to it."""
    app.router.redirect_slashes = False
    app.add_exception_handler(404, not_found)
