"""The public village site (first pages; the full site and themes arrive in issue 5)."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content import agenda, announcements
from etalase.platform.content.models import Post
from etalase.platform.content.service import terms_of
from etalase.platform.media import MediaStore
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.site import redirects
from etalase.platform.web import public_agenda
from etalase.platform.web.deps import CurrentVillage, RuntimeDep, SessionDep, TemplatesDep
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import render, theme_template
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VILLAGE_PARAM, in_village

# Public pages: anyone may read them (the declaration every route must make, see accounts.authz).
router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

HOME_POSTS = 10
# Built once (see agenda._upcoming): the newest public posts of the village.
HOME_QUERY = (
    in_village(Post, VILLAGE_PARAM)
    .where(col(Post.status) == "published", col(Post.deleted_at).is_(None))
    .order_by(col(Post.published_at).desc())
    .limit(HOME_POSTS)
)
HOME_NOTICES = 3
HOME_EVENTS = 3


def covers(
    session: Session, store: MediaStore, village_id: int, posts: Iterable[Post]
) -> dict[int, dict[str, object]]:
    """``{post id: cover}`` for ``<img src srcset sizes alt width height>``, in one query for all
    the posts (through the scoped path: another village's file never shows)."""
    wanted = {p.cover_media_id: p.id for p in posts if p.cover_media_id is not None and p.id is not None}
    if not wanted:
        return {}
    files = session.exec(
        media_service.library(village_id, "image").where(col(MediaFile.id).in_(list(wanted)))
    ).all()
    by_id = {m.id: m for m in files}
    found: dict[int, dict[str, object]] = {}
    for post in posts:
        media = by_id.get(post.cover_media_id) if post.cover_media_id is not None else None
        if media is None or post.id is None:
            continue
        found[post.id] = {
            "src": store.url(media.key),
            "srcset": media_service.srcset(media, store),
            "alt": media.alt,
            "width": media.width,
            "height": media.height,
        }
    return found


@router.get("/", response_class=HTMLResponse, name="village_home")
def home(
    request: Request,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
) -> Response:
    if "p=" in request.url.query or "page_id=" in request.url.query:
        # An old WordPress link (/?p=123) of a blog imported here: on to the post, if it came over.
        try:
            moved = redirects.resolve(session, village.id, "/", request.url.query)
        except redirects.GoneError:
            moved = None
        if moved:
            return RedirectResponse(moved, status_code=301)
    posts = session.exec(HOME_QUERY, params={"village_id": village.id}).all()
    template = theme_template(templates, village.theme, "home.html")
    found = covers(session, runtime.media, village.id, posts)
    # Two small indexed queries more: notices in force (pinned first) and the next events.
    now = utcnow()
    notices = announcements.active(session, village.id, now, HOME_NOTICES)
    coming = agenda.upcoming(session, village.id, now, HOME_EVENTS)
    events = public_agenda.event_rows(coming, village.code, now)
    context = {"village": village, "posts": posts, "covers": found, "notices": notices, "events": events}
    return render(templates, request, template, context)


@router.get("/berita/{slug}", response_class=HTMLResponse, name="village_post")
def post(
    request: Request,
    slug: str,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
) -> HTMLResponse:
    item = session.exec(
        in_village(Post, village.id).where(
            col(Post.slug) == slug, col(Post.status) == "published", col(Post.deleted_at).is_(None)
        )
    ).first()
    if item is None:
        raise HTTPException(status_code=404)
    template = theme_template(templates, village.theme, "post.html")
    cover = covers(session, runtime.media, village.id, [item]).get(item.id or 0)
    categories, tags = terms_of(session, village.id, item.id or 0)
    context = {"village": village, "post": item, "cover": cover, "categories": categories, "tags": tags}
    page = render(templates, request, template, context)
    if "bermanfaat" in request.query_params or "komentar" in request.query_params:
        # The answer to the reader's own tap or comment: rendered for them with the counts as they
        # are now (the shared page catches up within a round of the clock), never stored.
        page.headers["Cache-Control"] = "no-store"
    return page
