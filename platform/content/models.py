"""Content tables. Every row belongs to a village (see etalase.tenants.scope).

Posts (berita/artikel) move through a workflow: a kontributor writes a ``draft`` and submits it
for ``review``; an editor sends it back with a comment, ``scheduled`` it for a time, or
``published`` it; a published post can go back to draft. Deleting sets ``deleted_at`` (the trash,
restorable for 30 days). Every save keeps the previous state as a :class:`Revision`, and
``version`` detects two people saving the same post: the second save is refused and kept as a
revision, so nothing is lost.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field

# The tables these refer to by foreign key must be in the metadata whoever imports this module
# alone (a script, a worker job): otherwise the first flush fails to resolve `app_user`/`media_file`.
from etalase.platform.accounts import models as _accounts  # noqa: F401
from etalase.platform.media_library import models as _media  # noqa: F401
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned

POST_STATUSES = ("draft", "review", "scheduled", "published")
PAGE_STATUSES = ("draft", "published")


def _timestamp(nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, default=None if nullable else utcnow)


def _user_fk() -> Column[int]:
    return Column(Integer, ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True, index=True)


class Post(VillageOwned, table=True):
    """A news item or article (berita/artikel)."""

    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("village_id", "slug", name="uq_post_village_id_slug"),
        Index("ix_post_village_published", "village_id", "status", "published_at"),
        # The newest public posts of many villages at once (a region's page and feeds): without
        # it a province's page sorted every published post of the province (150-250 ms -> 3 ms).
        Index(
            "ix_post_public_newest",
            "published_at",
            "id",
            postgresql_where=text("status = 'published' AND deleted_at IS NULL"),
            sqlite_where=text("status = 'published' AND deleted_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    slug: str = Field(sa_column=Column(String(200), nullable=False))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Sanitised HTML. Only the CMS writes it, through nh3.
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # draft, review, scheduled, published (POST_STATUSES)
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    # When it went (or goes, when scheduled) public.
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    author_id: int | None = Field(default=None, sa_column=_user_fk())
    author_name: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    # Who saved last (the name a conflict message gives).
    updated_by_name: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    cover_media_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("media_file.id", ondelete="SET NULL"), nullable=True),
    )
    # An editor's note when sending a post back to its writer.
    review_comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Goes up with every save; a save based on an older version is a conflict.
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    # The quality score (content.quality) at the last save, out of 100; None before the first.
    quality: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Revision(VillageOwned, table=True):
    """A post as it was before a save (or a save refused for a conflict), restorable."""

    __tablename__ = "post_revision"
    __table_args__ = (Index("ix_post_revision_post", "post_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    author_id: int | None = Field(default=None, sa_column=_user_fk())
    author_name: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    # saved (the state before a save), conflict (a save refused because someone saved first)
    reason: str = Field(default="saved", sa_column=Column(String(16), nullable=False, default="saved"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Category(VillageOwned, table=True):
    """Kategori: a village's own sections (Berita Desa, Kegiatan, APBDes…)."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("village_id", "slug", name="uq_category_village_id_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(80), nullable=False))
    slug: str = Field(sa_column=Column(String(80), nullable=False))


class Tag(VillageOwned, table=True):
    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("village_id", "slug", name="uq_tag_village_id_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(80), nullable=False))
    slug: str = Field(sa_column=Column(String(80), nullable=False))


class PostCategory(VillageOwned, table=True):
    """A post in a category. Carries the village too, so the wall covers link rows as well."""

    __tablename__ = "post_category"

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    )
    category_id: int = Field(
        sa_column=Column(Integer, ForeignKey("category.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class PostTag(VillageOwned, table=True):
    __tablename__ = "post_tag"

    post_id: int = Field(
        sa_column=Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class Page(VillageOwned, table=True):
    """A standing page (profil, sejarah, visi-misi, struktur pemerintahan, kontak…) in a nested menu."""

    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("village_id", "slug", name="uq_page_village_id_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    slug: str = Field(sa_column=Column(String(200), nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("page.id", ondelete="SET NULL"), nullable=True)
    )
    menu_order: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    deleted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Event(VillageOwned, table=True):
    """Agenda: a village event (musyawarah desa, posyandu, kerja bakti…) with its date, time and
    place. Published events are listed on the site and exported as iCalendar (ICS)."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("village_id", "slug", name="uq_event_village_id_slug"),
        Index("ix_event_village_starts", "village_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    slug: str = Field(sa_column=Column(String(200), nullable=False))
    # Sanitised HTML.
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    place: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    # Stored in UTC; shown and entered in the village's own zone (WIB/WITA/WIT).
    starts_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ends_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    # A whole-day event (no time of day): starts_at is the village's local midnight.
    all_day: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    author_id: int | None = Field(default=None, sa_column=_user_fk())
    deleted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Announcement(VillageOwned, table=True):
    """Pengumuman: a notice shown on the site until it expires (a road closure, a registration
    deadline, the schedule of BLT distribution)."""

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_village_expires", "village_id", "status", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    # Sanitised HTML.
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Shown from this moment (None: from publication)…
    starts_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    # …until this one; after it the notice leaves the site by itself (kept in the archive).
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # Kept on top of the list (an important notice).
    pinned: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    author_id: int | None = Field(default=None, sa_column=_user_fk())
    deleted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class Album(VillageOwned, table=True):
    """Galeri: an album of photos from the media library (one activity, one place)."""

    __tablename__ = "album"
    __table_args__ = (UniqueConstraint("village_id", "slug", name="uq_album_village_id_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    slug: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The day of the activity the photos show (optional).
    taken_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    cover_media_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("media_file.id", ondelete="SET NULL"), nullable=True),
    )
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    author_id: int | None = Field(default=None, sa_column=_user_fk())
    deleted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class AlbumPhoto(VillageOwned, table=True):
    """A photo of the media library in an album, in order, with its own caption."""

    __tablename__ = "album_photo"

    album_id: int = Field(
        sa_column=Column(Integer, ForeignKey("album.id", ondelete="CASCADE"), primary_key=True)
    )
    media_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("media_file.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    caption: str = Field(default="", sa_column=Column(String(300), nullable=False, default=""))


class Document(VillageOwned, table=True):
    """Dokumen: a downloadable file (Perdes, APBDes, RPJMDes, laporan…) with a category and a
    year. The file itself is a PDF/DOCX/XLSX of the media library."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_village_category_year", "village_id", "category", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    category: str = Field(sa_column=Column(String(80), nullable=False))
    year: int = Field(sa_column=Column(Integer, nullable=False))
    # No ON DELETE: a file a document still offers is never removed under it (the media library
    # refuses; deleting the village removes both in one statement).
    media_id: int = Field(sa_column=Column(Integer, ForeignKey("media_file.id"), nullable=False, index=True))
    status: str = Field(default="draft", sa_column=Column(String(16), nullable=False, default="draft"))
    author_id: int | None = Field(default=None, sa_column=_user_fk())
    deleted_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
