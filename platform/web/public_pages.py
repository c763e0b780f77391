"""A village's pages on its public site: ``/halaman/{slug}``, with the way back up the menu
(breadcrumb) and the pages under it. The menu itself comes with every village page
(:func:`etalase.platform.web.templates.render`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content.models import Page
from etalase.platform.web.deps import CurrentVillage, SessionDep, TemplatesDep
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import render, theme_template
from etalase.tenants.scope import in_village

# Public pages: anyone may read them.
router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])


@router.get("/halaman/{slug}", response_class=HTMLResponse, name="village_page")
def page(
    request: Request, slug: str, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    item = session.exec(
        in_village(Page, village.id).where(
            col(Page.slug) == slug, col(Page.status) == "published", col(Page.deleted_at).is_(None)
        )
    ).first()
    if item is None:
        raise HTTPException(status_code=404)
    # The other published pages' place in the menu (no bodies): the parents for the breadcrumb,
    # the children listed under the text.
    rows = session.execute(
        in_village(Page, village.id)
        .where(col(Page.status) == "published", col(Page.deleted_at).is_(None))
        .with_only_columns(col(Page.id), col(Page.title), col(Page.slug), col(Page.parent_id))
        .order_by(col(Page.menu_order), col(Page.title), col(Page.id))
    ).all()
    by_id = {row[0]: row for row in rows}
    trail: list[dict[str, str]] = []
    parent_id, seen = item.parent_id, {item.id}
    while parent_id in by_id and parent_id not in seen:
        seen.add(parent_id)
        _id, title, parent_slug, parent_id = by_id[parent_id]
        trail.insert(0, {"title": title, "slug": parent_slug})
    children = [{"title": row[1], "slug": row[2]} for row in rows if row[3] == item.id]
    template = theme_template(templates, village.theme, "page.html")
    context = {"village": village, "page": item, "trail": trail, "children": children}
    return render(templates, request, template, context)
