"""The public pages of potensi desa (``/potensi``) and products (``/produk``), their JSON
(``/api/v1/potensi``, ``/api/v1/produk``) and the order link (``/produk/<slug>/pesan``).

Only what is published (and not in the trash) shows; every query goes through the scoped path.
Filters are plain query strings (works without JavaScript). A seller's WhatsApp number is personal
data: no page, JSON or sitemap carries it. "Pesan via WhatsApp" is a link to this site's
``/produk/<slug>/pesan``, which builds the wa.me address from the product (never from the request,
so no open redirect), counts the tap (not crawlers') and answers 303.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import func, update
from sqlmodel import Session, col

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.analytics import bots
from etalase.platform.i18n import _
from etalase.platform.media import MediaStore
from etalase.platform.potensi import places, products, service
from etalase.platform.potensi.models import KINDS, Potensi, Product
from etalase.platform.potensi.service import first
from etalase.platform.site.seo import absolute, body_text, excerpt, json_ld, village_base
from etalase.platform.web.deps import CurrentVillage, RuntimeDep, SessionDep, TemplatesDep, settings_of
from etalase.platform.web.pages import page_number
from etalase.platform.web.public_gallery import picture
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import render, theme_template
from etalase.tenants.resolver import VillageSite

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

PER_PAGE = 24
API_LIMIT = 100


class Named:
    """What the page's meta (etalase.platform.site.seo) reads: a title and a description."""

    def __init__(self, title: str, description: str) -> None:
        self.title, self.description = title, description


def _choice(raw: str) -> str:
    return " ".join(raw.split())[:40].lower()


def _cards(
    session: Session, village_id: int, store: MediaStore, model: type[Any], rows: list[Any]
) -> dict[int, list[dict[str, object]]]:
    found = service.photos(session, village_id, model, [r.id for r in rows if r.id is not None])
    return {owner: [picture(m, store) for m in media] for owner, media in found.items()}


# --- potensi ---------------------------------------------------------------------------------------
@router.get("/potensi", response_class=HTMLResponse, name="village_potensi")
def potensi_list(
    request: Request,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    jenis: str = "",
    halaman: int = 1,
) -> HTMLResponse:
    number = page_number(halaman)
    kind = _choice(jenis)
    kind = kind if kind in KINDS else ""
    counts = dict(
        session.execute(
            places.published(village.id)
            .with_only_columns(col(Potensi.kind), func.count())
            .group_by(col(Potensi.kind))
        ).all()
    )
    rows = list(
        session.exec(
            places.published(village.id, kind or None)
            .order_by(col(Potensi.name), col(Potensi.id))
            .offset((number - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        ).all()
    )
    shown = rows[:PER_PAGE]
    photos = _cards(session, village.id, runtime.media, Potensi, shown)
    context = {
        "village": village,
        "items": [{"row": r, "photo": first(photos.get(r.id or 0, []))} for r in shown],
        "kinds": [(k, places.kind_label(k), int(counts.get(k, 0))) for k in KINDS],
        "kind": kind,
        "kind_label": places.kind_label,
        "heading": _("Potensi desa: {kind}").format(kind=places.kind_label(kind))
        if kind
        else _("Potensi desa"),
        "number": number,
        "has_next": len(rows) > PER_PAGE,
    }
    return render(templates, request, theme_template(templates, village.theme, "potensi.html"), context)


@router.get("/potensi/{slug}", response_class=HTMLResponse, name="village_potensi_detail")
def potensi_detail(
    request: Request,
    slug: str,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
) -> HTMLResponse:
    row = session.exec(places.published(village.id).where(col(Potensi.slug) == slug)).first()
    if row is None or row.id is None:
        raise HTTPException(status_code=404)
    photos = _cards(session, village.id, runtime.media, Potensi, [row]).get(row.id, [])
    offered = list(
        session.exec(
            products.published(village.id)
            .where(col(Product.potensi_id) == row.id)
            .order_by(col(Product.name))
            .limit(PER_PAGE)
        ).all()
    )
    covers = _cards(session, village.id, runtime.media, Product, offered)
    context = {
        "village": village,
        "potensi": row,
        "item": Named(row.name, row.description),
        "photos": photos,
        "kind_label": places.kind_label,
        "products": [{"row": p, "photo": first(covers.get(p.id or 0, []))} for p in offered],
        "price_text": products.price_text,
        "stock_label": products.stock_label,
    }
    return render(
        templates, request, theme_template(templates, village.theme, "potensi_detail.html"), context
    )


# --- products --------------------------------------------------------------------------------------
@router.get("/produk", response_class=HTMLResponse, name="village_products")
def product_list(
    request: Request,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
    kategori: str = "",
    halaman: int = 1,
) -> HTMLResponse:
    number = page_number(halaman)
    category = _choice(kategori)
    grouped = session.execute(
        products.published(village.id)
        .with_only_columns(col(Product.category), func.count())
        .group_by(col(Product.category))
        .order_by(col(Product.category))
    ).all()
    order = {name: i for i, name in enumerate(products.STANDARD_CATEGORIES)}
    categories = sorted(
        ((str(c), products.category_label(str(c)), int(n)) for c, n in grouped),
        key=lambda item: (order.get(item[0], len(order)), item[0]),
    )
    query = products.published(village.id)
    if category:
        query = query.where(col(Product.category) == category)
    rows = list(
        session.exec(
            query.order_by(col(Product.published_at).desc(), col(Product.id).desc())
            .offset((number - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        ).all()
    )
    shown = rows[:PER_PAGE]
    photos = _cards(session, village.id, runtime.media, Product, shown)
    sellers = products.sellers_of(session, village.id, shown)
    context = {
        "village": village,
        "items": [
            {
                "row": p,
                "photo": first(photos.get(p.id or 0, [])),
                "seller": products.seller_label(p, sellers.get(p.potensi_id or 0)),
            }
            for p in shown
        ],
        "categories": categories,
        "category": category,
        "heading": _("Produk desa: {category}").format(category=products.category_label(category))
        if category
        else _("Produk desa"),
        "price_text": products.price_text,
        "stock_label": products.stock_label,
        "number": number,
        "has_next": len(rows) > PER_PAGE,
    }
    return render(templates, request, theme_template(templates, village.theme, "products.html"), context)


def _published_product(session: Session, village: VillageSite, slug: str) -> Product:
    row = session.exec(products.published(village.id).where(col(Product.slug) == slug)).first()
    if row is None or row.id is None:
        raise HTTPException(status_code=404)
    return row


def product_json_ld(
    base: str, village: VillageSite, product: Product, photos: list[dict[str, object]], seller: str
) -> Any:
    """schema.org Product with its Offer (price in IDR, availability): no contact in it."""
    url = f"{base}/produk/{product.slug}"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "@id": f"{url}#produk",
        "name": product.name,
        "url": url,
        "category": products.category_label(product.category),
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": str(product.price),
            "priceCurrency": "IDR",
            "availability": products.AVAILABILITY.get(product.stock, "https://schema.org/InStock"),
            "seller": {"@type": "Organization", "name": seller or village.title},
        },
    }
    if text := excerpt(body_text(product.description)):
        data["description"] = text
    if photos:
        data["image"] = [absolute(base, str(p["src"])) for p in photos]
    return json_ld(data)


@router.get("/produk/{slug}", response_class=HTMLResponse, name="village_product")
def product_detail(
    request: Request,
    slug: str,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
) -> HTMLResponse:
    row = _published_product(session, village, slug)
    assert row.id is not None
    photos = _cards(session, village.id, runtime.media, Product, [row]).get(row.id, [])
    seller = products.sellers_of(session, village.id, [row]).get(row.potensi_id or 0)
    seller_name = products.seller_label(row, seller)
    base = village_base(settings_of(request), village)
    context = {
        "village": village,
        "product": row,
        "item": Named(row.name, row.description),
        "photos": photos,
        "seller": seller if seller is not None and service.is_public(seller) else None,
        "seller_name": seller_name,
        # Only whether a number exists: the number itself stays out of the page.
        "can_order": bool(products.whatsapp_of(row, seller)),
        "price_text": products.price_text,
        "stock_label": products.stock_label,
        "category_label": products.category_label,
        "product_ld": product_json_ld(base, village, row, photos, seller_name),
    }
    return render(templates, request, theme_template(templates, village.theme, "product.html"), context)


@router.get("/produk/{slug}/pesan", name="village_product_order")
def order(request: Request, slug: str, village: CurrentVillage, session: SessionDep) -> RedirectResponse:
    """To WhatsApp with a message naming the product and the village; a tap by a person counts."""
    row = _published_product(session, village, slug)
    seller = products.sellers_of(session, village.id, [row]).get(row.potensi_id or 0)
    number = products.whatsapp_of(row, seller)
    if not number:
        raise HTTPException(status_code=404)
    url = f"{village_base(settings_of(request), village)}/produk/{row.slug}"
    target = products.order_url(number, products.order_message(row, village.title, url))
    if not bots.is_machine(request.headers.get("user-agent", "")):
        session.execute(
            update(Product)
            .where(col(Product.id) == row.id)
            .values(order_clicks=col(Product.order_clicks) + 1)
        )
    # no-store: a shared cache must not keep the seller's number; no-referrer: wa.me need not know.
    return RedirectResponse(
        target, status_code=303, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


# --- JSON ------------------------------------------------------------------------------------------
def _photo_urls(base: str, photos: list[dict[str, object]]) -> list[str]:
    return [absolute(base, str(p["src"])) for p in photos]


@router.get("/api/v1/produk", name="api_products")
def api_products(
    request: Request, village: CurrentVillage, session: SessionDep, runtime: RuntimeDep, kategori: str = ""
) -> JSONResponse:
    """Published products, newest first (at most 100): no seller number, no personal data."""
    base = village_base(settings_of(request), village)
    query = products.published(village.id)
    if category := _choice(kategori):
        query = query.where(col(Product.category) == category)
    rows = list(
        session.exec(
            query.order_by(col(Product.published_at).desc(), col(Product.id).desc()).limit(API_LIMIT)
        ).all()
    )
    photos = _cards(session, village.id, runtime.media, Product, rows)
    sellers = products.sellers_of(session, village.id, rows)
    return JSONResponse(
        {
            "village": village.code,
            "products": [
                {
                    "name": p.name,
                    "slug": p.slug,
                    "url": f"{base}/produk/{p.slug}",
                    "price": p.price,
                    "currency": "IDR",
                    "unit": p.unit,
                    "category": p.category,
                    "stock": p.stock,
                    "seller": products.seller_label(p, sellers.get(p.potensi_id or 0)),
                    "photos": _photo_urls(base, photos.get(p.id or 0, [])),
                }
                for p in rows
            ],
        }
    )


@router.get("/api/v1/potensi", name="api_potensi")
def api_potensi(
    request: Request, village: CurrentVillage, session: SessionDep, runtime: RuntimeDep, jenis: str = ""
) -> JSONResponse:
    """Published potensi by name (at most 100): no contact number."""
    base = village_base(settings_of(request), village)
    kind = _choice(jenis)
    rows = list(
        session.exec(
            places.published(village.id, kind if kind in KINDS else None)
            .order_by(col(Potensi.name))
            .limit(API_LIMIT)
        ).all()
    )
    photos = _cards(session, village.id, runtime.media, Potensi, rows)
    return JSONResponse(
        {
            "village": village.code,
            "potensi": [
                {
                    "name": r.name,
                    "slug": r.slug,
                    "kind": r.kind,
                    "url": f"{base}/potensi/{r.slug}",
                    "location": r.location,
                    "description": excerpt(body_text(r.description), 300),
                    "photos": _photo_urls(base, photos.get(r.id or 0, [])),
                }
                for r in rows
            ],
        }
    )
