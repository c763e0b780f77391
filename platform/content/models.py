"""Content tables. Every row belongs to a village (see etalase.tenants.scope).

Posts (berita/artikel) move through a workflow: a kontributor writes a ``draft`` and submits it
for ``review``; an editor sends it back with a comment, ``scheduled`` it for a time, or
``published`` it; a published post can go back to draft. Deleting sets ``deleted_at`` (the trash,
restorable for 30 days). Every save keeps the previous state as a :class:`Revision`, and
``version`` detects two people saving the same post: the second save is refused and kept as a
revision, so nothing is lost.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
