"""The media table. Every row belongs to a village (see etalase.tenants.scope)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text, false
from sqlmodel import Field

from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned

KINDS = ("image", "document")


class MediaFile(VillageOwned, table=True):
    """A photo or a document in a village's media library.

    Its objects all live in one folder of the media store, ``v/<village_id>/media/<yyyy>/<mm>/
    <token>/``: for a photo, WebP variants at several widths (``variants``) and one JPEG (PNG when
    the photo has transparency) as the fallback (``key``); for a document, the file itself
    (``key``, no variants). The uploaded original is never stored: it carries the camera's
    metadata, GPS position included. ``bytes`` is the total of every stored object, what the
    village's quota counts."""

    __tablename__ = "media_file"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # image, document
    original_name: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    content_type: str = Field(sa_column=Column(String(100), nullable=False))  # of the object at `key`
    bytes: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    width: int | None = Field(default=None, sa_column=Column(Integer))
    height: int | None = Field(default=None, sa_column=Column(Integer))
    key: str = Field(sa_column=Column(String(300), nullable=False, unique=True))
    # JSON list of {"width", "height", "key", "bytes", "format"}, narrowest first.
    variants: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    alt: str = Field(default="", sa_column=Column(String(300), nullable=False, default=""))
    # A resident's photo sent with an aspiration (UU PDP): stored under ``v/<id>/private/``, which
    # no public URL serves, kept out of the library and its pickers, shown only to the village's
    # editors and admins through the app.
    private: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, default=False, server_default=false())
    )
    uploaded_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="SET NULL"), index=True),
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )

    @property
    def variant_list(self) -> list[dict[str, Any]]:
        loaded = json.loads(self.variants or "[]")
        return loaded if isinstance(loaded, list) else []

    @property
    def keys(self) -> list[str]:
        """Every object this file stored: the variants and the fallback (or the document)."""
        return [str(v["key"]) for v in self.variant_list] + [self.key]

    @property
    def folder(self) -> str:
        """The folder holding this file's objects (``v/3/media/2026/11/ab12cd34ef/``): a URL or a
        post body that contains it points at this file."""
        return self.key.rsplit("/", 1)[0] + "/"

    @property
    def is_image(self) -> bool:
        return self.kind == "image"
