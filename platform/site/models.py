"""What a village sets about its public site (never code: villages elsewhere lost their sites to
uploaded theme code), where old addresses now point, and the default theme of a region.

:class:`Appearance` holds the choices a theme's manifest allows (``themes/<name>/theme.json``):
colours, layout, sidebar widgets, social profiles, logo and header image. :class:`SlugRedirect`
remembers a post's or page's old slug so the old link answers 301. :class:`ThemeDefault` is the
theme new villages of a region get, set by a supervisor for their scope.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from etalase.platform.accounts import models as _accounts  # noqa: F401  (app_user, for the foreign keys)
from etalase.platform.media_library import models as _media  # noqa: F401  (media_file)
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned


def _moment(nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, default=None if nullable else utcnow)


class Appearance(VillageOwned, table=True):
    """One row per village: its theme choices. The theme itself is ``village.theme``."""

    __tablename__ = "village_appearance"
    __table_args__ = (UniqueConstraint("village_id", name="uq_village_appearance_village_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # JSON: {"colors": {token: "#rrggbb"}, "layout": "...", "widgets": [{"type": …, …}],
    # "social": {"facebook": url, …}, "tagline": "…"}. Checked against the theme's manifest.
    options: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    logo_media_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("media_file.id", ondelete="SET NULL"), nullable=True),
    )
    header_media_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("media_file.id", ondelete="SET NULL"), nullable=True),
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_moment())


class SlugRedirect(VillageOwned, table=True):
    """An old address of a post, page, event, album, category or tag: answers 301 to the new one."""

    __tablename__ = "slug_redirect"
    __table_args__ = (
        UniqueConstraint("village_id", "kind", "old_slug", name="uq_slug_redirect_village_kind_old"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # post, page, event, album, category, tag
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    old_slug: str = Field(sa_column=Column(String(200), nullable=False))
    target_id: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_moment())


class ThemeDefault(SQLModel, table=True):
    """The theme new villages under a region code get (the longest matching prefix wins)."""

    __tablename__ = "theme_default"

    scope_code: str = Field(sa_column=Column(String(20), primary_key=True))
    theme: str = Field(sa_column=Column(String(40), nullable=False))
    updated_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_moment())
