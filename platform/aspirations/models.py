"""Tables of aspirations: the message a resident sent, and what the team wrote about it.

The sender's name and phone number are personal data (UU PDP): only the team's screens read them;
public pages, the JSON API, the sitemap and the logs never do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field

# The tables these refer to by foreign key must be in the metadata whoever imports this module alone.
from etalase.platform.accounts import models as _accounts  # noqa: F401
from etalase.platform.media_library import models as _media  # noqa: F401
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned

CATEGORIES = ("infrastruktur", "pelayanan", "sosial", "ekonomi", "lingkungan", "lainnya")
STATUSES = ("diterima", "diproses", "selesai", "ditolak")
# What the team writes on an aspiration: a reply the sender (and, once published, everyone) reads,
# a note for the team only, or a status change (public: the lookup shows when it moved).
REPLY_KINDS = ("public", "internal", "status")


def _timestamp(nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, default=None if nullable else utcnow)


class Aspiration(VillageOwned, table=True):
    """One message from a resident."""

    __tablename__ = "aspiration"
    __table_args__ = (
        UniqueConstraint("village_id", "code", name="uq_aspiration_village_id_code"),
        UniqueConstraint("village_id", "form_nonce", name="uq_aspiration_village_id_form_nonce"),
        Index("ix_aspiration_village_status_created", "village_id", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The tracking code without its "ASP-" prefix and dashes (8 characters of codes.ALPHABET).
    code: str = Field(sa_column=Column(String(16), nullable=False))
    category: str = Field(sa_column=Column(String(20), nullable=False))
    message: str = Field(sa_column=Column(Text, nullable=False))
    # Personal data: optional, for the team only. The phone is E.164 (lokal-id), or empty.
    sender_name: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    sender_phone: str = Field(default="", sa_column=Column(String(20), nullable=False, default=""))
    photo_media_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("media_file.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    # diterima, diproses, selesai, ditolak (STATUSES)
    status: str = Field(default="diterima", sa_column=Column(String(16), nullable=False, default="diterima"))
    # The sender ticked "boleh dipublikasikan"; only then may the team publish the exchange.
    consent_publish: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    published: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    # The honeypot field was filled: kept out of the inbox (tab "Spam"), never counted or published.
    spam: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    # The random part of the form's signed stamp: the same form sent twice (a reload) is one message.
    form_nonce: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    published_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))


class AspirationReply(VillageOwned, table=True):
    """A public reply, an internal note or a status change on an aspiration."""

    __tablename__ = "aspiration_reply"
    __table_args__ = (Index("ix_aspiration_reply_village_aspiration", "village_id", "aspiration_id"),)

    id: int | None = Field(default=None, primary_key=True)
    aspiration_id: int = Field(
        sa_column=Column(Integer, ForeignKey("aspiration.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # REPLY_KINDS
    # The text (plain, shown escaped); for a status change, the new status.
    body: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    # For the team's screens; the public sees "Pemerintah Desa", not the person.
    author_name: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
