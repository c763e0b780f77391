"""The public village site (first pages; the full site and themes arrive in issue 5)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content.models import Post
from etalase.platform.web.deps import CurrentVillage, SessionDep, TemplatesDep
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import render, theme_template
from etalase.tenants.scope import in_village

# Public pages: anyone may read them (the declaration every route must make, see accounts.authz).
router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

HOME_POSTS = 10


@router.get("/", response_class=HTMLResponse, name="village_home")
def home(
    request: Request, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    posts = session.exec(
        in_village(Post, village.id)
        .where(col(Post.status) == "published", col(Post.deleted_at).is_(None))
        .order_by(col(Post.published_at).desc())
        .limit(HOME_POSTS)
    ).all()
    template = theme_template(templates, village.theme, "home.html")
    return render(templates, request, template, {"village": village, "posts": posts})


@router.get("/berita/{slug}", response_class=HTMLResponse, name="village_post")
def post(
    request: Request, slug: str, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    item = session.exec(
        in_village(Post, village.id).where(
            col(Post.slug) == slug, col(Post.status) == "published", col(Post.deleted_at).is_(None)
        )
    ).first()
    if item is None:
        raise HTTPException(status_code=404)
    template = theme_template(templates, village.theme, "post.html")
    return render(templates, request, template, {"village": village, "post": item})
