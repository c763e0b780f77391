"""Readers' comments on posts, the village's comment settings, and "bermanfaat" reactions.

A comment keeps the commenter's e-mail address (optional) for the team only: it is personal data and
never leaves the team's screens. No IP address is stored anywhere: a commenter is recognised by a
keyed hash (:attr:`Comment.commenter`, see :func:`etalase.platform.discussion.moderation.commenter_key`)
and a reaction by the analytics' visitor hash of the day.
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
)
from sqlmodel import Field

from etalase.platform.content import models as _content  # noqa: F401  (post, for the foreign keys)
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned

STATUSES = ("pending", "published", "spam")


def _moment(nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, default=None if nullable else utcnow)


def _post_fk() -> Column[int]:
    return Column(Integer, ForeignKey("post.id", ondelete="CASCADE"), nullable=False)


class Comment(VillageOwned, table=True):
    """A reader's comment under a published post: ``pending`` (held for the team), ``published``
    or ``spam``. Plain text only; ``held_for`` says why it waits (``first``, ``link``, ``word``)."""

    __tablename__ = "post_comment"
    __table_args__ = (
        Index("ix_post_comment_village_status_created", "village_id", "status", "created_at"),
        Index("ix_post_comment_post_status", "post_id", "status"),
        Index("ix_post_comment_village_commenter", "village_id", "commenter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(sa_column=_post_fk())
    name: str = Field(sa_column=Column(String(80), nullable=False))
    email: str = Field(default="", sa_column=Column(String(254), nullable=False, default=""))  # team only
    commenter: str = Field(sa_column=Column(String(64), nullable=False))  # keyed hash, no raw data
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(16), nullable=False, default="pending"))
    held_for: str = Field(default="", sa_column=Column(String(16), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_moment())
    published_at: datetime | None = Field(default=None, sa_column=_moment(nullable=True))


class CommentSettings(VillageOwned, table=True):
    """One row per village (absent: comments on, no blocked words). ``word_action`` is what a
    blocked word does: ``hold`` for the team, or ``refuse`` the comment outright."""

    __tablename__ = "comment_settings"
    __table_args__ = (UniqueConstraint("village_id", name="uq_comment_settings_village_id"),)

    id: int | None = Field(default=None, primary_key=True)
    enabled: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, default=True))
    blocked_words: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    word_action: str = Field(default="hold", sa_column=Column(String(8), nullable=False, default="hold"))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_moment())


class Reaction(VillageOwned, table=True):
    """One "bermanfaat" tap: one per visitor (the analytics' daily visitor hash), post and day."""

    __tablename__ = "post_reaction"
    __table_args__ = (
        UniqueConstraint("post_id", "day", "visitor", name="uq_post_reaction_post_day_visitor"),
        Index("ix_post_reaction_village_day", "village_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(sa_column=_post_fk())
    day: date = Field(sa_column=Column(Date, nullable=False))  # the village's calendar day
    visitor: str = Field(sa_column=Column(String(32), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_moment())
