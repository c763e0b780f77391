"""The content calendar (``/admin/kalender``): a month of published and scheduled news, with the
village's events, and the month's progress toward the field's target (50 posts a month,
``ETALASE_MONTHLY_POST_TARGET``).

Days are the village's own (WIB/WITA/WIT): a post published at 23.30 WITA belongs to that day.
The month is read in two queries (posts, events), whatever the number of posts.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col

from etalase.platform import i18n
from etalase.platform.accounts.authz import Permission, VillageActor, village_access
from etalase.platform.content.models import Event, Post
from etalase.platform.web.deps import SessionDep, settings_of
from etalase.platform.web.pages import page
from etalase.platform.web.routing import VillageTeamRoute
from etalase.tenants.scope import in_village
from etalase.tenants.timezones import local, zone_for

router = APIRouter(route_class=VillageTeamRoute)
Read = Annotated[VillageActor, Depends(village_access(Permission.ADMIN_AREA))]


@dataclass
class Day:
    day: date
    in_month: bool
    posts: list[Post] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return bool(self.posts or self.events)


def _month(raw: str, today: date) -> date:
    """The first day of ``bulan=2026-11``; this month for anything unreadable."""
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@router.get("/admin/kalender", response_class=HTMLResponse, name="admin_calendar")
def month_view(request: Request, actor: Read, db: SessionDep, bulan: str = "") -> Response:
    village = actor.village
    zone, zone_label = zone_for(village.code)
    today = datetime.now(UTC).astimezone(zone).date()
    first = _month(bulan[:7], today)
    after = _shift(first, 1)
    # The month's bounds at the village's midnight, in UTC for the query.
    start = datetime.combine(first, time.min, zone).astimezone(UTC)
    end = datetime.combine(after, time.min, zone).astimezone(UTC)

    posts = db.exec(
        in_village(Post, village.id)
        .where(
            col(Post.deleted_at).is_(None),
            col(Post.status).in_(("published", "scheduled")),
            col(Post.published_at) >= start,
            col(Post.published_at) < end,
        )
        .order_by(col(Post.published_at))
    ).all()
    events = db.exec(
        in_village(Event, village.id)
        .where(
            col(Event.deleted_at).is_(None),
            col(Event.status) == "published",
            col(Event.starts_at) >= start,
            col(Event.starts_at) < end,
        )
        .order_by(col(Event.starts_at))
    ).all()

    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month)
    days = {d: Day(d, d.month == first.month) for week in weeks for d in week}
    for post in posts:
        assert post.published_at is not None
        days[local(post.published_at, village.code)[0].date()].posts.append(post)
    for event in events:
        days[local(event.starts_at, village.code)[0].date()].events.append(event)

    published = sum(1 for p in posts if p.status == "published")
    scheduled = len(posts) - published
    target = settings_of(request).monthly_post_target
    locale = i18n.babel_locale()
    context = {
        "actor": actor,
        "month_name": format_date(first, "LLLL y", locale=locale),
        "weekdays": [format_date(weeks[0][i], "EEE", locale=locale) for i in range(7)],
        "weeks": [[days[d] for d in week] for week in weeks],
        "busy_days": [days[d] for week in weeks for d in week if d.month == first.month and days[d].busy],
        "today": today,
        "zone": zone_label,
        "published": published,
        "scheduled": scheduled,
        "target": target,
        "percent": min(100, round(100 * published / target)),
        "previous": _shift(first, -1).strftime("%Y-%m"),
        "next": after.strftime("%Y-%m"),
        "is_current": first == today.replace(day=1),
        "day_label": lambda d: format_date(d, "EEEE, d MMMM", locale=locale),
    }
    return page(request, "admin/calendar.html", context)
