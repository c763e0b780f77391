"""Produk desa: what the village's UMKM and BUMDes units sell, ordered through WhatsApp.

Functions take the request's session and the village, never commit, and raise ContentError
before changing anything (see :mod:`etalase.platform.potensi.service`). The seller's number is
personal data: :func:`order_url` is the only place it leaves the database, inside the wa.me
address the public order route redirects to.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from lokal.rupiah import format_rupiah
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from etalase.platform.accounts.models import User
from etalase.platform.content.workflow import ContentError
from etalase.platform.i18n import N_, _
from etalase.platform.potensi import service
from etalase.platform.potensi.models import STOCK, Potensi, Product
from etalase.platform.potensi.places import SELLERS
from etalase.tenants.scope import get_in_village, in_village

MAX_PRICE = 1_000_000_000  # one billion rupiah: far above any village product, inside an INTEGER
MAX_UNIT = 40
MAX_CATEGORY = 40
MAX_SELLER = 120

# The usual categories, offered first (a village may type its own).
_CATEGORY_LABELS = {
    "kuliner": N_("Kuliner"),
    "kerajinan": N_("Kerajinan"),
    "pertanian": N_("Pertanian"),
    "peternakan": N_("Peternakan"),
    "perikanan": N_("Perikanan"),
    "fashion": N_("Fashion"),
    "jasa": N_("Jasa"),
    "lainnya": N_("Lainnya"),
}
STANDARD_CATEGORIES = tuple(_CATEGORY_LABELS)
_STOCK_LABELS = {"tersedia": N_("Tersedia"), "habis": N_("Habis"), "preorder": N_("Pre-order")}
# schema.org availability of each stock status (JSON-LD Offer).
AVAILABILITY = {
    "tersedia": "https://schema.org/InStock",
    "habis": "https://schema.org/OutOfStock",
    "preorder": "https://schema.org/PreOrder",
}


def category_label(category: str) -> str:
    known = _CATEGORY_LABELS.get(category)
    return _(known) if known else category[:1].upper() + category[1:]


def stock_label(stock: str) -> str:
    return _(_STOCK_LABELS.get(stock, stock))


def stock_labels() -> dict[str, str]:
    return {key: stock_label(key) for key in STOCK}


def price_text(product: Product) -> str:
    """``Rp15.000/bungkus`` (or ``Rp15.000`` without a unit)."""
    price = format_rupiah(product.price)
    return f"{price}/{product.unit}" if product.unit else price


@dataclass(frozen=True)
class ProductFields:
    name: str
    description: str
    price: int
    unit: str
    category: str
    stock: str
    potensi_id: int | None
    seller_name: str
    whatsapp: str
    photos: list[int]


def clean_price(raw: str) -> int:
    """``15000``, ``15.000``, ``Rp 15.000``: whole rupiah. str.isdecimal() before int()."""
    text = raw.strip()
    if text.lower().startswith("rp"):
        text = text[2:]
    text = text.replace(".", "").replace(" ", "").removesuffix(",-").removesuffix(",00")
    if not text or not text.isdecimal() or len(text) > 10 or not 1 <= int(text) <= MAX_PRICE:
        raise ContentError(
            _(
                "Harga harus berupa angka rupiah tanpa sen, misalnya 15000 atau 15.000 "
                "(paling mahal Rp1.000.000.000)."
            )
        )
    return int(text)


def clean_unit(raw: str) -> str:
    """``per bungkus`` or ``/bungkus`` → ``bungkus`` (shown as ``Rp15.000/bungkus``)."""
    unit = " ".join(raw.split()).lstrip("/ ")
    if unit.lower().startswith("per "):
        unit = unit[4:].strip()
    if len(unit) > MAX_UNIT:
        raise ContentError(_("Satuan terlalu panjang (maksimal 40 karakter), misalnya kg atau bungkus."))
    return unit


def clean_category(raw: str) -> str:
    category = " ".join(raw.split()).lower()
    if not category:
        raise ContentError(_("Pilih atau tulis kategori produk, misalnya kuliner."))
    if len(category) > MAX_CATEGORY:
        raise ContentError(_("Nama kategori terlalu panjang (maksimal 40 karakter)."))
    return category


def check_fields(
    db: Session,
    village_id: int,
    *,
    name: str,
    description: str,
    price: str,
    unit: str,
    category: str,
    stock: str,
    seller: str,
    seller_name: str,
    whatsapp: str,
    photos: list[int],
) -> ProductFields:
    """The fields cleaned, or the first problem as a ContentError. ``seller`` is the id of a UMKM
    or BUMDes unit of the village, or "" for a seller named in ``seller_name``."""
    clean = service.clean_name(
        name,
        empty=_("Isi nama produk, misalnya Keripik Singkong."),
        too_long=_("Nama produk terlalu panjang (maksimal 200 karakter)."),
    )
    if stock not in STOCK:
        raise ContentError(_("Pilih status stok: tersedia, habis, atau pre-order."))
    potensi_id: int | None = None
    raw = seller.strip()
    if raw:
        unit_row = (
            get_in_village(db, Potensi, village_id, int(raw)) if raw.isdecimal() and len(raw) <= 12 else None
        )
        if unit_row is None or unit_row.kind not in SELLERS or unit_row.deleted_at is not None:
            raise ContentError(_("Penjual yang dipilih tidak ditemukan di potensi desa ini."))
        potensi_id = unit_row.id
    named = " ".join(seller_name.split())
    if len(named) > MAX_SELLER:
        raise ContentError(_("Nama penjual terlalu panjang (maksimal 120 karakter)."))
    if potensi_id is None and not named:
        raise ContentError(_("Pilih UMKM atau unit BUMDes penjualnya, atau tulis nama penjualnya."))
    return ProductFields(
        name=clean,
        description=service.clean_description(description),
        price=clean_price(price),
        unit=clean_unit(unit),
        category=clean_category(category),
        stock=stock,
        potensi_id=potensi_id,
        seller_name=named,
        whatsapp=service.clean_whatsapp(whatsapp),
        photos=service.check_photos(db, village_id, photos),
    )


def require_orderable(db: Session, village_id: int, *, potensi_id: int | None, whatsapp: str) -> None:
    """A published product can be ordered: it has a WhatsApp number, or its seller unit has one.
    Without a number the public page has no "Pesan via WhatsApp" button, and a buyer no way to
    order. A draft may wait for the number."""
    if whatsapp:
        return
    seller = get_in_village(db, Potensi, village_id, potensi_id) if potensi_id is not None else None
    if order_number(whatsapp, seller):
        return
    raise ContentError(
        _(
            "Isi nomor WhatsApp penjual sebelum produk terbit: tanpa nomor, pembeli tidak dapat "
            "memesan lewat tombol “Pesan via WhatsApp”. Produk boleh disimpan sebagai draf dulu."
        )
    )


def get_product(db: Session, village_id: int, product_id: int, *, trashed: bool = False) -> Product:
    row = get_in_village(db, Product, village_id, product_id)
    if row is None or (row.deleted_at is not None) != trashed:
        raise ContentError(_("Produk tidak ditemukan."))
    return row


def _apply(row: Product, fields: ProductFields) -> None:
    row.name, row.description, row.price, row.unit = (
        fields.name,
        fields.description,
        fields.price,
        fields.unit,
    )
    row.category, row.stock, row.potensi_id = fields.category, fields.stock, fields.potensi_id
    row.seller_name, row.whatsapp = fields.seller_name, fields.whatsapp


def create(db: Session, village_id: int, author: User, fields: ProductFields, status: str) -> Product:
    row = Product(
        village_id=village_id,
        name=fields.name,
        slug=service.unique_slug(db, Product, village_id, fields.name, "produk"),
        price=fields.price,
        category=fields.category,
        status=status,
        author_id=author.id,
    )
    _apply(row, fields)
    db.add(row)
    db.flush()
    service.set_photos(db, row, fields.photos)
    service.changed(db, row, was_public=False)
    return row


def save(db: Session, row: Product, fields: ProductFields, status: str) -> Product:
    """New fields; the address (slug) stays, so links shared on WhatsApp keep working."""
    was = service.is_public(row)
    _apply(row, fields)
    row.status = status
    if status == "published":
        row.review_note = ""
    service.set_photos(db, row, fields.photos)
    service.changed(db, row, was_public=was)
    return row


def categories(db: Session, village_id: int) -> list[str]:
    """The standard categories, then the village's own ones already used (alphabetical)."""
    used = db.execute(
        in_village(Product, village_id).with_only_columns(col(Product.category)).distinct()
    ).scalars()
    own = sorted({str(c) for c in used} - set(STANDARD_CATEGORIES))
    return [*STANDARD_CATEGORIES, *own]


def published(village_id: int) -> SelectOfScalar[Product]:
    return in_village(Product, village_id).where(
        col(Product.status) == "published", col(Product.deleted_at).is_(None)
    )


def sellers_of(db: Session, village_id: int, products: list[Product]) -> dict[int, Potensi]:
    """``{potensi id: seller}`` of a list of products, in one query."""
    ids = {p.potensi_id for p in products if p.potensi_id is not None}
    if not ids:
        return {}
    rows = db.exec(in_village(Potensi, village_id).where(col(Potensi.id).in_(list(ids)))).all()
    return {r.id: r for r in rows if r.id is not None}


def seller_label(product: Product, seller: Potensi | None) -> str:
    """The seller's public name (never the number)."""
    if seller is not None and seller.deleted_at is None:
        return seller.name
    return product.seller_name


def whatsapp_of(product: Product, seller: Potensi | None) -> str:
    """The number an order goes to: the product's own, else its seller unit's."""
    return order_number(product.whatsapp, seller)


def order_number(whatsapp: str, seller: Potensi | None) -> str:
    """A product's own number, else its seller unit's (a unit in the trash has none)."""
    if whatsapp:
        return whatsapp
    return seller.whatsapp if seller is not None and seller.deleted_at is None else ""


def order_message(product: Product, village_title: str, url: str) -> str:
    return _("Halo, saya ingin memesan {product} ({price}) dari website {village}: {url}").format(
        product=product.name, price=price_text(product), village=village_title, url=url
    )


def order_url(number: str, message: str) -> str:
    """``https://wa.me/62…?text=…``: the only place the seller's number is used."""
    digits = "".join(ch for ch in number if ch.isdecimal())
    return f"https://wa.me/{digits}?text={quote(message, safe='')}"
