"""``/bagikan/<network>/<slug>``: a tap on a post's share button. The share is counted for the
village by network (engagement, issue 7), then the reader goes on to the network's own share page
with the post's canonical address and title. The target is built here from the post, never taken
from the request, so this is no open redirect; machines (link previews, crawlers) are sent on but
not counted."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlmodel import col

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.analytics import bots, visitors
from etalase.platform.analytics.counting import Share
from etalase.platform.content.models import Post
from etalase.platform.site.seo import SHARE_NETWORKS, share_links, village_base
from etalase.platform.web.deps import CurrentVillage, RuntimeDep, SessionDep, settings_of
from etalase.platform.web.pages import client_ip
from etalase.platform.web.routing import VillageRoute
from etalase.tenants.scope import in_village
from etalase.tenants.timezones import zone_for

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])
NETWORKS = {key for key, _name in SHARE_NETWORKS}
SHARE_MEMORY = 26 * 3600  # seconds a counted share is remembered: the reader's day, wherever it ends


@router.get("/bagikan/{network}/{slug}", name="village_share")
def share(
    request: Request, network: str, slug: str, village: CurrentVillage, db: SessionDep, runtime: RuntimeDep
) -> RedirectResponse:
    if network not in NETWORKS:
        raise HTTPException(status_code=404)
    post = db.exec(
        in_village(Post, village.id).where(
            col(Post.slug) == slug, col(Post.status) == "published", col(Post.deleted_at).is_(None)
        )
    ).first()
    if post is None:
        raise HTTPException(status_code=404)
    canonical = f"{village_base(settings_of(request), village)}/berita/{post.slug}"
    target = next(link["url"] for link in share_links(canonical, post.title) if link["key"] == network)
    agent = request.headers.get("user-agent", "")
    if not bots.is_machine(agent):
        day = datetime.now(UTC).astimezone(zone_for(village.code)[0]).date()
        # One share per reader, post and network a day (the anonymous visitor of the counting):
        # tapping again, or a link checker following every button, does not inflate engagement.
        salt = visitors.salt_for(runtime.cache, day)
        visitor = visitors.visitor_id(salt, village.id, client_ip(request), agent)
        if runtime.cache.add(f"shared:{day.isoformat()}:{visitor}:{post.id}:{network}", b"1", SHARE_MEMORY):
            runtime.views.record(Share(village.id, day, network))
    return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})
