"""robots.txt and sitemaps (sitemaps.org 0.9) for every village and for the portal.

A village host: ``/robots.txt`` points to ``/sitemap.xml``, a sitemap index of
``/sitemap-halaman.xml`` (home, the lists, pages, agenda, albums, categories) and
``/sitemap-berita-1.xml``, ``-2``… (the published posts, 50,000 a file, oldest first so a file's
content only grows at the end).

The portal: ``/sitemap.xml`` lists the portal's own pages (the region pages down to kecamatan),
and the villages are in sitemap indexes ``/sitemap-desa-1.xml``, ``-2``… (each village's
``sitemap-halaman.xml`` and ``sitemap-berita-1.xml``; 25,000 villages, 50,000 entries a file, so
83,762 villages take four). A sitemap index may not list another index, so those are not listed in
``/sitemap.xml`` but each has its own ``Sitemap:`` line in the portal's robots.txt; a village's own
robots.txt leads to the rest of its posts beyond the first 50,000.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content.models import Album, Category, Event, Page, Post
from etalase.platform.potensi.models import Potensi, Product
from etalase.platform.settings import Settings
from etalase.platform.web.deps import CurrentVillage, SessionDep, settings_of
from etalase.platform.web.public_agenda import page_url
from etalase.platform.web.public_budget import sitemap_paths as budget_paths
from etalase.platform.web.public_posts import published
from etalase.platform.web.routing import PortalRoute, VillageRoute
from etalase.tenants.models import Region, Village
from etalase.tenants.resolver import VillageSite
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])
portal_router = APIRouter(route_class=PortalRoute, dependencies=[Depends(PUBLIC)])

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_ENTRIES = 50_000  # per sitemap or sitemap index file (sitemaps.org)
VILLAGE_SITEMAPS = 2  # entries per village in the portal's indexes
VILLAGES_PER_INDEX = MAX_ENTRIES // VILLAGE_SITEMAPS
XML_TYPE = "application/xml; charset=utf-8"
# Fixed sections of every village site, and the tables of its other public rows.
SECTIONS = (
    "/",
    "/berita",
    "/agenda",
    "/pengumuman",
    "/galeri",
    "/dokumen",
    "/arsip",
    "/aspirasi/terbit",
    "/profil",
    "/potensi",
    "/produk",
)


def pages_needed(total: int, per: int = MAX_ENTRIES) -> int:
    """How many files ``total`` entries take, at least one (an empty sitemap is still valid)."""
    return max(1, -(-total // per))


def page_slice(number: int, total: int, per: int = MAX_ENTRIES) -> tuple[int, int]:
    """``(offset, limit)`` of file ``number`` (from 1); a number past the last file is a 404."""
    if number < 1 or number > pages_needed(total, per):
        raise HTTPException(status_code=404)
    return (number - 1) * per, per


def _lastmod(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite gives naive UTC
    return aware.astimezone(UTC).isoformat(timespec="seconds")  # W3C Datetime, as sitemaps.org asks


def _xml(root: ET.Element) -> Response:
    return Response(
        ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=NS), media_type=XML_TYPE
    )


def urlset(entries: Iterable[tuple[str, datetime | None]]) -> Response:
    root = ET.Element(f"{{{NS}}}urlset")
    for loc, modified in entries:
        url = ET.SubElement(root, f"{{{NS}}}url")
        ET.SubElement(url, f"{{{NS}}}loc").text = loc
        if (stamp := _lastmod(modified)) is not None:
            ET.SubElement(url, f"{{{NS}}}lastmod").text = stamp
    return _xml(root)


def sitemap_index(entries: Iterable[tuple[str, datetime | None]]) -> Response:
    root = ET.Element(f"{{{NS}}}sitemapindex")
    for loc, modified in entries:
        item = ET.SubElement(root, f"{{{NS}}}sitemap")
        ET.SubElement(item, f"{{{NS}}}loc").text = loc
        if (stamp := _lastmod(modified)) is not None:
            ET.SubElement(item, f"{{{NS}}}lastmod").text = stamp
    return _xml(root)


def robots(sitemaps: Iterable[str]) -> PlainTextResponse:
    """Everything may be crawled but the team's screens, the sign-in pages and search results."""
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin",
        "Disallow: /akun",
        "Disallow: /cari",
        "Disallow: /bagikan",
        "",
    ]
    lines += [f"Sitemap: {url}" for url in sitemaps]
    return PlainTextResponse("\n".join(lines) + "\n")


# --- a village ------------------------------------------------------------------------------------
def _post_stats(session: Session, village_id: int) -> tuple[int, datetime | None]:
    query = published(village_id).with_only_columns(func.count(), func.max(col(Post.updated_at)))
    count, newest = session.execute(query).one()
    return int(count or 0), newest


@router.get("/robots.txt", name="village_robots")
def village_robots(request: Request, village: CurrentVillage) -> Response:
    return robots([page_url(settings_of(request), village, "/sitemap.xml")])


@router.get("/sitemap.xml", name="village_sitemap")
def village_sitemap(request: Request, village: CurrentVillage, session: SessionDep) -> Response:
    settings = settings_of(request)
    count, newest = _post_stats(session, village.id)
    entries: list[tuple[str, datetime | None]] = [(page_url(settings, village, "/sitemap-halaman.xml"), None)]
    entries += [
        (page_url(settings, village, f"/sitemap-berita-{n}.xml"), newest)
        for n in range(1, pages_needed(count) + 1)
    ]
    return sitemap_index(entries)


@router.get("/sitemap-berita-{number}.xml", name="village_sitemap_posts")
def village_sitemap_posts(
    request: Request, number: int, village: CurrentVillage, session: SessionDep
) -> Response:
    settings = settings_of(request)
    count, _newest = _post_stats(session, village.id)
    offset, limit = page_slice(number, count)
    rows = session.execute(
        published(village.id)
        .with_only_columns(col(Post.slug), col(Post.updated_at))
        .order_by(col(Post.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return urlset((page_url(settings, village, f"/berita/{slug}"), updated) for slug, updated in rows)


def _rows(session: Session, village_id: int, model: Any, limit: int) -> list[tuple[str, datetime | None]]:
    """Published rows outside the trash: their slugs and last change."""
    query = in_village(model, village_id).where(
        col(model.status) == "published", col(model.deleted_at).is_(None)
    )
    found = session.execute(
        query.with_only_columns(col(model.slug), col(model.updated_at)).order_by(col(model.id)).limit(limit)
    ).all()
    return [(slug, updated) for slug, updated in found]


def other_pages(
    session: Session, settings: Settings, village: VillageSite
) -> list[tuple[str, datetime | None]]:
    _count, newest = _post_stats(session, village.id)
    entries: list[tuple[str, datetime | None]] = [
        (page_url(settings, village, path), newest if path in ("/", "/berita", "/arsip") else None)
        for path in SECTIONS
    ]
    room = MAX_ENTRIES - len(entries)
    for prefix, model in (
        ("/halaman/", Page),
        ("/agenda/", Event),
        ("/galeri/", Album),
        ("/potensi/", Potensi),
        ("/produk/", Product),
    ):
        rows = _rows(session, village.id, model, room)
        entries += [(page_url(settings, village, f"{prefix}{slug}"), updated) for slug, updated in rows]
        room -= len(rows)
    # APBDes and pembangunan (etalase.platform.web.public_budget): the pages, years and projects.
    budget = budget_paths(session, village.id, room)
    entries += [(page_url(settings, village, path), updated) for path, updated in budget]
    room -= len(budget)
    categories = (
        session.execute(
            in_village(Category, village.id)
            .with_only_columns(col(Category.slug))
            .order_by(col(Category.id))
            .limit(max(room, 0))
        )
        .scalars()
        .all()
    )
    entries += [(page_url(settings, village, f"/kategori/{slug}"), None) for slug in categories]
    return entries[:MAX_ENTRIES]


@router.get("/sitemap-halaman.xml", name="village_sitemap_pages")
def village_sitemap_pages(request: Request, village: CurrentVillage, session: SessionDep) -> Response:
    return urlset(other_pages(session, settings_of(request), village))


# --- the portal -----------------------------------------------------------------------------------
def _active_villages(session: Session) -> Any:
    return select(Village).where(col(Village.status) == "active")


def _village_count(session: Session) -> int:
    query = _active_villages(session).with_only_columns(func.count())
    return int(session.execute(query).scalar_one())


@portal_router.get("/robots.txt", name="portal_robots")
def portal_robots(request: Request, session: SessionDep) -> Response:
    settings = settings_of(request)
    indexes = pages_needed(_village_count(session), VILLAGES_PER_INDEX)
    return robots(
        [settings.public_url(path="/sitemap.xml")]
        + [settings.public_url(path=f"/sitemap-desa-{n}.xml") for n in range(1, indexes + 1)]
    )


@portal_router.get("/sitemap.xml", name="portal_sitemap")
def portal_sitemap(request: Request, session: SessionDep) -> Response:
    """The portal's own pages: the front page and the region pages of provinces, kabupaten/kota and
    kecamatan (each with the latest posts of its villages: 7,838 entries, one file)."""
    settings = settings_of(request)
    codes = (
        session.execute(select(Region.code).where(col(Region.level) <= 3).order_by(col(Region.code)))
        .scalars()
        .all()
    )
    entries: list[tuple[str, datetime | None]] = [(settings.public_url(path="/"), None)]
    entries += [(settings.public_url(path=f"/wilayah/{code}"), None) for code in codes]
    return urlset(entries[:MAX_ENTRIES])


@portal_router.get("/sitemap-desa-{number}.xml", name="portal_sitemap_villages")
def portal_sitemap_villages(request: Request, number: int, session: SessionDep) -> Response:
    settings = settings_of(request)
    offset, limit = page_slice(number, _village_count(session), VILLAGES_PER_INDEX)
    rows = session.execute(
        _active_villages(session)
        .with_only_columns(col(Village.slug), col(Village.updated_at))
        .order_by(col(Village.id))
        .offset(offset)
        .limit(limit)
    ).all()
    entries: list[tuple[str, datetime | None]] = []
    for slug, _updated in rows:
        entries.append((settings.village_url(slug, "/sitemap-halaman.xml"), None))
        entries.append((settings.village_url(slug, "/sitemap-berita-1.xml"), None))
    return sitemap_index(entries)
