"""Potensi desa and products. Every row belongs to a village (see etalase.tenants.scope).

A *potensi* is one of the village's assets shown to tourists, buyers and investors: a tourism spot
(``wisata``), a unit of the village-owned enterprise (``bumdes``) or a resident's business
(``umkm``). A *product* is something on sale, sold by a UMKM or BUMDes unit of the village (or a
seller named by hand), with a price in whole rupiah and a stock status.

Both follow the same small workflow: a kontributor (kader) submits and the row waits in
``review`` ("menunggu") until an editor or admin publishes it or sends it back (``draft`` with a
note); editors and admins publish directly. A seller's WhatsApp number is personal data (UU PDP):
stored normalised (``62…``), never printed on a page, in JSON, a feed or the sitemap; the public
order link goes through ``/produk/<slug>/pesan``, which redirects to wa.me.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field

# Tables referred to by foreign key must be in the metadata whoever imports this module alone.
from etalase.platform.accounts import models as _accounts  # noqa: F401
from etalase.platform.media_library import models as _media  # noqa: F401
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned

STATUSES = ("draft", "review", "published")
KINDS = ("wisata", "bumdes", "umkm")
STOCK = ("tersedia", "habis", "preorder")


def _timestamp(nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, default=None if nullable else utcnow)


def _user_fk() -> Column[int]:
    return Column(Integer, ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True, index=True)


class Potensi(VillageOwned, table=True):
    """A tourism spot, a BUMDes unit or a UMKM of the village."""

    __tablename__ = "potensi"
    __table_args__ = (
        UniqueConstraint("village_id", "slug", name="uq_potensi_village_id_slug"),
        Index("ix_potensi_village_status_kind", "village_id", "status", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # KINDS
    name: str = Field(sa_column=Column(String(200), nullable=False))
    slug: str = Field(sa_column=Column(String(200), nullable=False))
    # Sanitised HTML (nh3, through content.richtext.to_safe_html).
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    location: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    # Personal data: a WhatsApp number as 62…, never shown; only used by the order redirect.
    whatsapp: str = Field(default="", sa_column=Column(String(20), nullable=False, default=""))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    # An editor's note when sending it back to the kader who submitted it.
    review_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author_id: int | None = Field(default=None, sa_column=_user_fk())
    published_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Product(VillageOwned, table=True):
    """A product for sale (produk desa), ordered through WhatsApp."""

    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("village_id", "slug", name="uq_product_village_id_slug"),
        Index("ix_product_village_status_category", "village_id", "status", "category"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False))
    slug: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Whole rupiah (no cents in a village shop).
    price: int = Field(sa_column=Column(Integer, nullable=False))
    unit: str = Field(default="", sa_column=Column(String(40), nullable=False, default=""))
    # A category key of the village's: kuliner, kerajinan, pertanian… (lower case).
    category: str = Field(sa_column=Column(String(40), nullable=False))
    stock: str = Field(default="tersedia", sa_column=Column(String(16), nullable=False, default="tersedia"))
    # The seller: a UMKM/BUMDes unit of the village, or a name typed by hand.
    potensi_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("potensi.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    seller_name: str = Field(default="", sa_column=Column(String(120), nullable=False, default=""))
    # Personal data: 62…; empty means the seller unit's number.
    whatsapp: str = Field(default="", sa_column=Column(String(20), nullable=False, default=""))
    # Taps on "Pesan via WhatsApp" by people (not crawlers).
    order_clicks: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    review_note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author_id: int | None = Field(default=None, sa_column=_user_fk())
    published_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class PotensiPhoto(VillageOwned, table=True):
    """A photo of the media library shown with a potensi, in order."""

    __tablename__ = "potensi_photo"

    potensi_id: int = Field(
        sa_column=Column(Integer, ForeignKey("potensi.id", ondelete="CASCADE"), primary_key=True)
    )
    media_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("media_file.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))


class ProductPhoto(VillageOwned, table=True):
    """A photo of the media library shown with a product, in order (the first is its cover)."""

    __tablename__ = "product_photo"

    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    )
    media_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("media_file.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
