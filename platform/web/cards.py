"""Share card images: ``/kartu/berita/{slug}.png`` for a post, ``/kartu/desa.png`` for the site.

A card is drawn once per content (title, village name, colour: :func:`cards.card_key`) and kept in
the shared cache; its key is also the ETag, so a scraper that asks again gets 304 without any
drawing, and the page links it with ``?v=<key>``, so a changed title is a new URL that a chat app
fetches afresh while the old one may be cached for a year.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import col

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content.models import Post
from etalase.platform.runtime import Runtime
from etalase.platform.site import cards, seo
from etalase.platform.web.deps import CurrentVillage, RuntimeDep, SessionDep
from etalase.platform.web.routing import VillageRoute
from etalase.tenants.resolver import VillageSite
from etalase.tenants.scope import in_village

# Public: anyone who may read the post may see its card.
router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

CARD_TTL = 30 * 24 * 3600.0
FOREVER = "public, max-age=31536000, immutable"  # the URL names the content (?v=<key>)
A_WHILE = "public, max-age=3600"  # an old or missing ?v=: the content behind the URL may move on


def _answer(request: Request, runtime: Runtime, village: VillageSite, text: cards.CardText) -> Response:
    key = cards.card_key(text)
    etag = f'"{key}"'
    fixed = request.query_params.get("v") == key[:12]
    headers = {"ETag": etag, "Cache-Control": FOREVER if fixed else A_WHILE}
    asked = request.headers.get("if-none-match", "")
    if etag in [tag.strip().removeprefix("W/") for tag in asked.split(",")]:
        return Response(status_code=304, headers=headers)
    cache_key = f"kartu:{village.id}:{key}"
    png = runtime.cache.get(cache_key)
    if png is None:
        png = cards.render_card(text)
        runtime.cache.set(cache_key, png, CARD_TTL)
    return Response(png, media_type="image/png", headers=headers)


@router.get("/kartu/berita/{slug}.png", name="village_post_card")
def post_card(
    request: Request, slug: str, village: CurrentVillage, session: SessionDep, runtime: RuntimeDep
) -> Response:
    row = session.execute(
        in_village(Post, village.id)
        .where(col(Post.slug) == slug, col(Post.status) == "published", col(Post.deleted_at).is_(None))
        .with_only_columns(col(Post.title))
    ).first()
    if row is None:
        raise HTTPException(status_code=404)
    facts = seo.village_facts(runtime, village)
    return _answer(request, runtime, village, seo.post_card(village, str(row[0]), facts))


@router.get("/kartu/desa.png", name="village_card")
def village_card(request: Request, village: CurrentVillage, runtime: RuntimeDep) -> Response:
    facts = seo.village_facts(runtime, village)
    return _answer(request, runtime, village, seo.home_card(village, facts))
