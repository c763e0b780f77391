"""RSS 2.0 and Atom feeds of a village's news, for the whole village and per category:
``/feed.xml``, ``/atom.xml``, ``/kategori/{slug}/feed.xml``, ``/kategori/{slug}/atom.xml``.

The 20 newest published posts, with absolute addresses (a feed reader has no page to resolve a
relative link against). Built with ``xml.etree``, so every text is escaped by the serializer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content.models import Category, Post, PostCategory
from etalase.platform.i18n import _
from etalase.platform.web.deps import CurrentVillage, SessionDep, settings_of
from etalase.platform.web.public_agenda import page_url, plain_text
from etalase.platform.web.public_posts import newest_first, published
from etalase.platform.web.routing import VillageRoute
from etalase.tenants.models import utcnow
from etalase.tenants.resolver import VillageSite
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

FEED_ITEMS = 20
SUMMARY_CHARS = 400
ATOM_NS = "http://www.w3.org/2005/Atom"
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def _aware(value: datetime | None) -> datetime:
    value = value or utcnow()
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def _summary(post: Post) -> str:
    text = post.summary or plain_text(post.body)
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def rss(
    title: str,
    home: str,
    self_url: str,
    description: str,
    posts: Sequence[Post],
    url: Any,
    language: str,
    link: Callable[[Post], str] | None = None,
) -> bytes:
    """An RSS 2.0 document; ``url(path)`` makes an absolute address, ``link(post)`` a post's own
    (posts of many villages, on the portal's region feeds)."""
    link_of = link or (lambda post: url(f"/berita/{post.slug}"))
    # The prefix is written by hand: ET.register_namespace would change every serialisation.
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = _sub(root, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", home)
    _sub(channel, "description", description)
    _sub(channel, "language", language)
    _sub(channel, "atom:link", href=self_url, rel="self", type="application/rss+xml")
    if posts:
        _sub(channel, "lastBuildDate", format_datetime(max(_aware(p.updated_at) for p in posts)))
    for post in posts:
        item = _sub(channel, "item")
        address = link_of(post)
        _sub(item, "title", post.title)
        _sub(item, "link", address)
        _sub(item, "guid", address, isPermaLink="true")
        _sub(item, "pubDate", format_datetime(_aware(post.published_at)))
        _sub(item, "description", _summary(post))
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def atom(
    title: str,
    home: str,
    self_url: str,
    feed_id: str,
    posts: Sequence[Post],
    url: Any,
    author: str,
    link: Callable[[Post], str] | None = None,
) -> bytes:
    """An Atom (RFC 4287) document (``link`` as in :func:`rss`)."""
    link_of = link or (lambda post: url(f"/berita/{post.slug}"))

    def a(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        return _sub(parent, tag, text, **attrs)

    # The namespace is declared by hand (ET's default_namespace refuses unprefixed attributes).
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    a(root, "title", title)
    a(root, "id", feed_id)
    a(root, "link", href=home, rel="alternate", type="text/html")
    a(root, "link", href=self_url, rel="self", type="application/atom+xml")
    updated = max((_aware(p.updated_at) for p in posts), default=utcnow())
    a(root, "updated", updated.isoformat())
    a(a(root, "author"), "name", author)
    for post in posts:
        entry = a(root, "entry")
        address = link_of(post)
        a(entry, "title", post.title)
        a(entry, "id", address)
        a(entry, "link", href=address, rel="alternate", type="text/html")
        a(entry, "published", _aware(post.published_at).isoformat())
        a(entry, "updated", max(_aware(post.updated_at), _aware(post.published_at)).isoformat())
        a(entry, "summary", _summary(post), type="text")
        if post.author_name:
            a(a(entry, "author"), "name", post.author_name)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _latest(session: Session, village_id: int, category_id: int | None = None) -> Sequence[Post]:
    query = published(village_id)
    if category_id is not None:
        query = query.join(PostCategory, col(PostCategory.post_id) == col(Post.id)).where(
            col(PostCategory.category_id) == category_id
        )
    result: Sequence[Post] = session.exec(newest_first(query).limit(FEED_ITEMS)).all()
    return result


def _category(session: Session, village_id: int, slug: str) -> Category:
    found = session.exec(in_village(Category, village_id).where(col(Category.slug) == slug)).first()
    if found is None:
        raise HTTPException(status_code=404)
    return found


def _feed(
    request: Request, village: VillageSite, session: Session, kind: str, category: Category | None = None
) -> Response:
    settings = settings_of(request)

    def url(path: str) -> str:
        return page_url(settings, village, path)

    posts = _latest(session, village.id, category.id if category is not None else None)
    if category is None:
        title, home, base = _("Berita {village}").format(village=village.title), url("/berita"), ""
    else:
        title = _("{category} · {village}").format(category=category.name, village=village.title)
        home, base = url(f"/kategori/{category.slug}"), f"/kategori/{category.slug}"
    if kind == "rss":
        body = rss(title, home, url(f"{base}/feed.xml"), village.region_path, posts, url, "id")
        return Response(body, media_type=RSS_TYPE)
    body = atom(title, home, url(f"{base}/atom.xml"), url(f"{base}/atom.xml"), posts, url, village.title)
    return Response(body, media_type=ATOM_TYPE)


@router.get("/feed.xml", name="village_feed_rss")
def village_rss(request: Request, village: CurrentVillage, session: SessionDep) -> Response:
    return _feed(request, village, session, "rss")


@router.get("/rss.xml", name="village_feed_rss_alias")
def village_rss_alias(request: Request, village: CurrentVillage, session: SessionDep) -> Response:
    return _feed(request, village, session, "rss")


@router.get("/atom.xml", name="village_feed_atom")
def village_atom(request: Request, village: CurrentVillage, session: SessionDep) -> Response:
    return _feed(request, village, session, "atom")


@router.get("/kategori/{slug}/feed.xml", name="village_category_rss")
def category_rss(request: Request, slug: str, village: CurrentVillage, session: SessionDep) -> Response:
    return _feed(request, village, session, "rss", _category(session, village.id, slug))


@router.get("/kategori/{slug}/atom.xml", name="village_category_atom")
def category_atom(request: Request, slug: str, village: CurrentVillage, session: SessionDep) -> Response:
    return _feed(request, village, session, "atom", _category(session, village.id, slug))
