"""The public gallery (``/galeri``) and documents (``/dokumen``) of a village site.

Only what is published (and not in the trash) shows; every query goes through the scoped path, so
another village's album, photo or file never shows here. Photos carry ``srcset``/``sizes``, their
size and alt text and load lazily; documents are filtered by category and year with plain links
(no JavaScript).
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import col

from etalase.platform import i18n
from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content import documents, gallery
from etalase.platform.content.models import Album, Document
from etalase.platform.media import MediaStore
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.web.deps import CurrentVillage, RuntimeDep, SessionDep, TemplatesDep
from etalase.platform.web.pages import page_number
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import render, theme_template
from etalase.tenants.scope import in_village

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

ALBUMS_PER_PAGE = 12
DOCUMENTS_PER_PAGE = 50


def day(value: date) -> str:
    """``28 November 2026``: the day of an album (a date, no time zone to apply)."""
    return format_date(value, format="d MMMM y", locale=i18n.babel_locale())


def picture(media: MediaFile, store: MediaStore) -> dict[str, object]:
    """What an ``<img>`` needs: the fallback, the WebP widths, the size, the alt text, and the
    largest variant to link to."""
    variants = media.variant_list
    largest = store.url(str(variants[-1]["key"])) if variants else store.url(media.key)
    return {
        "src": store.url(media.key),
        "srcset": media_service.srcset(media, store),
        "alt": media.alt,
        "width": media.width,
        "height": media.height,
        "largest": largest,
    }


@router.get("/galeri", response_class=HTMLResponse, name="village_gallery")
def albums(
    request: Request,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    halaman: int = 1,
) -> HTMLResponse:
    number = page_number(halaman)
    rows = session.exec(
        in_village(Album, village.id)
        .where(col(Album.status) == "published", col(Album.deleted_at).is_(None))
        .order_by(col(Album.taken_on).desc().nulls_last(), col(Album.id).desc())
        .offset((number - 1) * ALBUMS_PER_PAGE)
        .limit(ALBUMS_PER_PAGE + 1)
    ).all()
    shown = list(rows[:ALBUMS_PER_PAGE])
    covers = gallery.covers(session, village.id, shown)
    counts = gallery.photo_count(session, village.id, [a.id for a in shown if a.id is not None])
    items = [
        {
            "album": album,
            "cover": picture(covers[album.id], runtime.media) if album.id in covers else None,
            "photos": counts.get(album.id or 0, 0),
        }
        for album in shown
    ]
    context = {
        "village": village,
        "day": day,
        "albums": items,
        "number": number,
        "has_next": len(rows) > ALBUMS_PER_PAGE,
    }
    return render(templates, request, theme_template(templates, village.theme, "gallery.html"), context)


@router.get("/galeri/{slug}", response_class=HTMLResponse, name="village_album")
def album(
    request: Request,
    slug: str,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
) -> HTMLResponse:
    found = session.exec(
        in_village(Album, village.id).where(
            col(Album.slug) == slug, col(Album.status) == "published", col(Album.deleted_at).is_(None)
        )
    ).first()
    if found is None or found.id is None:
        raise HTTPException(status_code=404)
    photos = [
        {"caption": row.caption, **picture(media, runtime.media)}
        for row, media in gallery.photos(session, village.id, found.id)
        if media.is_image
    ]
    context = {"village": village, "day": day, "album": found, "photos": photos}
    return render(templates, request, theme_template(templates, village.theme, "album.html"), context)


@router.get("/dokumen", response_class=HTMLResponse, name="village_documents")
def document_list(
    request: Request,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    kategori: str = "",
    tahun: str = "",
    halaman: int = 1,
) -> HTMLResponse:
    number = page_number(halaman)
    published = in_village(Document, village.id).where(
        col(Document.status) == "published", col(Document.deleted_at).is_(None)
    )
    category = " ".join(kategori.split())[:80]
    year = int(tahun) if tahun.strip().isdecimal() and len(tahun.strip()) == 4 else None
    # The categories that have something to show, with how many documents each.
    grouped = session.execute(
        published.with_only_columns(col(Document.category), func.count())
        .group_by(col(Document.category))
        .order_by(col(Document.category))
    ).all()
    order = {name: i for i, name in enumerate(documents.STANDARD_CATEGORIES)}
    category_counts = sorted(
        ((str(name), int(n)) for name, n in grouped),
        key=lambda item: (order.get(item[0], len(order)), item[0].casefold()),
    )
    query = published
    if category:
        query = query.where(col(Document.category) == category)
    if year is not None:
        query = query.where(col(Document.year) == year)
    rows = session.exec(
        query.order_by(col(Document.year).desc(), col(Document.category), col(Document.title))
        .offset((number - 1) * DOCUMENTS_PER_PAGE)
        .limit(DOCUMENTS_PER_PAGE + 1)
    ).all()
    shown = list(rows[:DOCUMENTS_PER_PAGE])
    files = documents.files(session, village.id, [d.media_id for d in shown])
    items = []
    for document in shown:
        media = files.get(document.media_id)
        if media is None:
            continue
        items.append(
            {
                "document": document,
                "type": documents.file_type(media),
                "bytes": media.bytes,
                "url": runtime.media.url(media.key),
            }
        )
    # Grouped by year on the page, newest first (the list is already in that order).
    by_year: list[tuple[int, list[dict[str, object]]]] = []
    for item in items:
        number_year = item["document"].year  # type: ignore[attr-defined]
        if not by_year or by_year[-1][0] != number_year:
            by_year.append((number_year, []))
        by_year[-1][1].append(item)
    context = {
        "village": village,
        "groups": by_year,
        "count": len(items),
        "categories": category_counts,
        "years": documents.years(session, village.id, published_only=True),
        "category": category,
        "year": year,
        "number": number,
        "has_next": len(rows) > DOCUMENTS_PER_PAGE,
    }
    return render(templates, request, theme_template(templates, village.theme, "documents.html"), context)
