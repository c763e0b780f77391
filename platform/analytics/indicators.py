"""The impact indicators of DESIGN.md ("Measuring impact"), per village and month, rolled up the
region tree.

A village's month lives in one ``village_monthly_stats`` row; a region's month (the nation ``""``,
a province, a kabupaten, a kecamatan) in one ``region_monthly_stats`` row holding the SUMS of its
villages' rows and the NUMBER of villages meeting each target. Consoles read those rows and never
recompute from raw rows on a page view.

Rows move in one way only: :func:`store` writes a village's new month and adds the difference
from its old month to its four regions (a few upserts, whatever the size of the region). Who calls
it:

- the analytics clock (:mod:`.rollup`), after writing the day's views and visitors;
- :func:`refresh`, which recomputes the other indicators of a village from its content (a dozen
  small indexed queries): for villages whose ``content_version`` moved since the last computation
  (:func:`refresh_changed`, every clock round) and for every village once a day, a slice per
  round (:func:`sweep`: liveness and "days since the last post" move with the clock alone);
- :func:`rebuild_regions` recomputes every region's month from the villages' rows in one
  statement per level: for the synthetic-data generator and as a repair (``etalase stats
  rebuild``), never on a page view.

Rates are derived when shown (:class:`Indicators`): reach = unique visitors / population,
engagement = (comments + reactions + shares) / views.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import IntFlag
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, case, delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from etalase.platform.accounts.models import AuditEvent, Membership, User
from etalase.platform.analytics.models import (
    SHARE_COLUMNS,
    RegionMonthlyStats,
    VillageDailyStats,
    VillageMonthlyStats,
    region_codes,
)
from etalase.platform.budget.transparency import transparency
from etalase.platform.content import quality
from etalase.platform.content.models import Post
from etalase.platform.discussion.models import Comment, Reaction
from etalase.platform.profile.service import population
from etalase.platform.site.models import Appearance
from etalase.tenants.models import Village, utcnow
from etalase.tenants.scope import in_village, village_of

if TYPE_CHECKING:
    from etalase.platform.runtime import Runtime

log = logging.getLogger(__name__)


# --- targets ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Targets:
    reach: float = 0.80  # unique visitors of the month / population
    engagement: float = 0.15  # (comments + reactions + shares) / views
    posts: int = 50  # quality posts published in the month
    trained: int = 10  # team members marked trained and still active
    platforms: int = 3  # social profiles linked on the site
    live_days: int = 7  # "live": a sign-in or a change within this many days
    quiet_days: int = 30  # "needs attention": no post within this many days


TARGETS = Targets()
SOCIAL_PLATFORMS = ("facebook", "instagram", "tiktok", "whatsapp", "x", "youtube")
ACTIVE_MEMBER_DAYS = 90  # a trained member counts while they signed in within this many days


class Attention(IntFlag):
    """Why a village needs attention ("perlu perhatian"); stored as an integer."""

    NO_RECENT_POST = 1  # no post in the last 30 days
    NO_APBDES = 2  # this year's APBDes not published
    FEW_PLATFORMS = 4  # fewer than 3 social platforms
    FALLING_REACH = 8  # fewer readers than the month before (by more than a fifth)


# --- reading ------------------------------------------------------------------------------------
def ratio(part: int, whole: int | None) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Indicators:
    """A village's (or a region's) month as the screens show it."""

    views: int
    visitors: int
    population: int | None
    visitors_counted: int  # visitors of the villages whose population is known
    engagements: int
    posts: int
    quality_posts: int
    quality_total: int
    trained_admins: int
    platforms: int | None = None  # a village's; regions count villages meeting the target
    apbdes: bool | None = None
    rpjm: bool | None = None
    last_post_at: datetime | None = None
    last_active_at: datetime | None = None
    attention: int = 0

    @property
    def reach(self) -> float | None:
        return ratio(self.visitors_counted, self.population)

    @property
    def engagement(self) -> float | None:
        return ratio(self.engagements, self.views)

    @property
    def quality_average(self) -> float | None:
        return self.quality_total / self.posts if self.posts else None

    @property
    def transparent(self) -> bool:
        return bool(self.apbdes and self.rpjm)

    def days_since_post(self, now: datetime | None = None) -> int | None:
        if self.last_post_at is None:
            return None
        return max(0, ((now or utcnow()) - _aware(self.last_post_at)).days)

    def live(self, now: datetime | None = None) -> bool:
        if self.last_active_at is None:
            return False
        return (now or utcnow()) - _aware(self.last_active_at) <= timedelta(days=TARGETS.live_days)

    @classmethod
    def of_village(cls, row: VillageMonthlyStats | None) -> Indicators:
        if row is None:
            return cls(0, 0, None, 0, 0, 0, 0, 0, 0, 0, False, False)
        return cls(
            views=row.views,
            visitors=row.visitors,
            population=row.population,
            visitors_counted=row.visitors if row.population else 0,
            engagements=row.comments + row.reactions + row.shares,
            posts=row.posts,
            quality_posts=row.quality_posts,
            quality_total=row.quality_total,
            trained_admins=row.trained_admins,
            platforms=row.platforms,
            apbdes=row.apbdes,
            rpjm=row.rpjm,
            last_post_at=row.last_post_at,
            last_active_at=row.last_active_at,
            attention=row.attention,
        )

    @classmethod
    def of_region(cls, row: RegionMonthlyStats | None) -> Indicators:
        if row is None:
            return cls(0, 0, None, 0, 0, 0, 0, 0, 0)
        return cls(
            views=row.views,
            visitors=row.visitors,
            population=row.population or None,
            visitors_counted=row.visitors_counted,
            engagements=row.comments + row.reactions + row.shares,
            posts=row.posts,
            quality_posts=row.quality_posts,
            quality_total=row.quality_total,
            trained_admins=row.trained_admins,
        )


def status(value: float | None, target: float) -> str:
    """Traffic light against a target: ``hijau`` (met), ``kuning`` (at least half), ``merah``."""
    if value is None or value < target / 2:
        return "merah"
    return "hijau" if value >= target else "kuning"


def month_of(moment: date | datetime) -> date:
    return date(moment.year, moment.month, 1)


def previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- a village's row and its regions' sums ------------------------------------------------------
# Columns of the village row added as they are to the region row.
SUMMED = (
    "views",
    "visitors",
    "shares",
    "comments",
    "reactions",
    "posts",
    "quality_posts",
    "quality_total",
    "trained_admins",
)


def region_part(row: Mapping[str, Any] | None, now: datetime) -> dict[str, int]:
    """What one village's month adds to each of its regions' month."""
    if row is None:
        return {}
    part = {name: int(row.get(name) or 0) for name in SUMMED}
    known = row.get("population") or 0
    visitors = int(row.get("visitors") or 0)
    posts = int(row.get("posts") or 0)
    last_active = row.get("last_active_at")
    since_active = (now - _aware(last_active)) if last_active else None
    part.update(
        villages=1,
        population=int(known),
        visitors_counted=visitors if known else 0,
        villages_read=int(int(row.get("views") or 0) > 0),
        villages_reach_met=int(bool(known) and visitors / known >= TARGETS.reach),
        villages_posts_met=int(int(row.get("quality_posts") or 0) >= TARGETS.posts),
        villages_trained_met=int(int(row.get("trained_admins") or 0) >= TARGETS.trained),
        villages_platforms_met=int(int(row.get("platforms") or 0) >= TARGETS.platforms),
        villages_transparent=int(bool(row.get("apbdes")) and bool(row.get("rpjm"))),
        villages_posted=int(posts > 0),
        villages_live=int(since_active is not None and since_active <= timedelta(days=TARGETS.live_days)),
        villages_active_30=int(
            since_active is not None and since_active <= timedelta(days=TARGETS.quiet_days)
        ),
        villages_attention=int(int(row.get("attention") or 0) != 0),
    )
    return part


REGION_COLUMNS = (
    *SUMMED,
    "villages",
    "population",
    "visitors_counted",
    "villages_read",
    "villages_reach_met",
    "villages_posts_met",
    "villages_trained_met",
    "villages_platforms_met",
    "villages_transparent",
    "villages_posted",
    "villages_live",
    "villages_active_30",
    "villages_attention",
)


def _row_dict(row: VillageMonthlyStats | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {name: getattr(row, name) for name in VillageMonthlyStats.model_fields}


def _dialect(db: Session) -> Any:
    return postgresql if db.get_bind().dialect.name == "postgresql" else sqlite


def store(
    db: Session, village: Village, month: date, values: Mapping[str, Any], now: datetime | None = None
) -> None:
    """Write ``values`` (some columns of the village's month) and add the change to its regions.

    The caller holds the transaction. The village's row is locked first (PostgreSQL), so that the
    clock, the analytics flush and a dashboard that recompute the same village at once write one
    after the other: each reads what the other wrote as its "before", and the regions get each
    change once (two writers reading the same "before" added both changes to the sums).
    """
    assert village.id is not None
    now = now or utcnow()
    db.execute(select(col(Village.id)).where(col(Village.id) == village.id).with_for_update()).first()
    before_row = db.exec(
        in_village(VillageMonthlyStats, village.id).where(col(VillageMonthlyStats.month) == month)
    ).first()
    before = _row_dict(before_row)
    after = dict(before or {"village_id": village.id, "month": month})
    after.update(values)
    after.setdefault("computed_at", now)
    written = {k: v for k, v in after.items() if k in VillageMonthlyStats.model_fields and v is not None}
    written.update({k: after.get(k) for k in ("population", "last_post_at", "last_active_at")})
    statement = _dialect(db).insert(VillageMonthlyStats).values(**written)
    update = {k: v for k, v in written.items() if k not in ("village_id", "month")}
    db.execute(statement.on_conflict_do_update(index_elements=["village_id", "month"], set_=update))
    old, new = region_part(before, now), region_part(after, now)
    delta = {name: new.get(name, 0) - old.get(name, 0) for name in REGION_COLUMNS}
    add_to_regions(db, village.code, month, delta)


def add_to_regions(db: Session, village_code: str, month: date, delta: Mapping[str, int]) -> None:
    """Add one village's change to its kecamatan, kabupaten, province and the nation."""
    changed = {k: v for k, v in delta.items() if v}
    if not changed:
        return
    table: Table = RegionMonthlyStats.__table__  # type: ignore[attr-defined]
    dialect = _dialect(db)
    for code in region_codes(village_code):
        statement = dialect.insert(table).values(region_code=code, month=month, **changed)
        db.execute(
            statement.on_conflict_do_update(
                index_elements=["region_code", "month"],
                set_={k: table.c[k] + v for k, v in changed.items()},
            )
        )


# --- computing a village's month from its content ----------------------------------------------
def compute(db: Session, village: Village, month: date, now: datetime | None = None) -> dict[str, Any]:
    """Every indicator of the village's month except views and visitors (the analytics clock
    writes those), from its own rows: about a dozen small indexed queries."""
    assert village.id is not None
    vid = village.id
    now = now or utcnow()
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(next_month(month).year, next_month(month).month, 1, tzinfo=UTC)
    published = in_village(Post, vid).where(col(Post.status) == "published", col(Post.deleted_at).is_(None))
    of_month = published.where(col(Post.published_at) >= start, col(Post.published_at) < end)
    posts, quality_posts, quality_total = db.execute(
        of_month.with_only_columns(
            func.count(),
            func.count().filter(col(Post.quality) >= quality.THRESHOLD),
            func.coalesce(func.sum(col(Post.quality)), 0),
        )
    ).one()
    last_post_at = db.execute(
        published.where(col(Post.published_at) <= now).with_only_columns(func.max(col(Post.published_at)))
    ).scalar_one()
    shares = db.execute(
        in_village(VillageDailyStats, vid)
        .where(col(VillageDailyStats.day) >= month, col(VillageDailyStats.day) < next_month(month))
        .with_only_columns(
            func.coalesce(
                func.sum(sum((getattr(VillageDailyStats, f"shared_{n}") for n in SHARE_COLUMNS), literal(0))),
                0,
            )
        )
    ).scalar_one()
    comments = db.execute(
        in_village(Comment, vid)
        .where(
            col(Comment.status) == "published",
            col(Comment.created_at) >= start,
            col(Comment.created_at) < end,
        )
        .with_only_columns(func.count())
    ).scalar_one()
    reactions = db.execute(
        in_village(Reaction, vid)
        .where(col(Reaction.day) >= month, col(Reaction.day) < next_month(month))
        .with_only_columns(func.count())
    ).scalar_one()
    active_since = now - timedelta(days=ACTIVE_MEMBER_DAYS)
    recent = (
        in_village(AuditEvent, vid)
        .where(col(AuditEvent.at) >= active_since, col(AuditEvent.actor_id).is_not(None))
        .with_only_columns(col(AuditEvent.actor_id))
        .distinct()
    )
    trained = db.execute(
        in_village(Membership, vid)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(
            col(Membership.trained_at).is_not(None),
            col(User.is_active),
            col(Membership.user_id).in_(recent),
        )
        .with_only_columns(func.count())
    ).scalar_one()
    last_event = db.execute(
        in_village(AuditEvent, vid).with_only_columns(func.max(col(AuditEvent.at)))
    ).scalar_one()
    last_change = db.execute(
        in_village(Post, vid).with_only_columns(func.max(col(Post.updated_at)))
    ).scalar_one()
    last_active_at = max(
        (m for m in (last_event, last_change, last_post_at) if m is not None), key=_aware, default=None
    )
    look = db.exec(in_village(Appearance, vid)).first()
    platforms = len(linked_platforms(look.options if look is not None else "{}"))
    year = month.year
    shown = transparency(db, vid, year)
    values: dict[str, Any] = {
        "population": population(db, vid),
        "shares": int(shares),
        "comments": int(comments),
        "reactions": int(reactions),
        "posts": int(posts),
        "quality_posts": int(quality_posts),
        "quality_total": int(quality_total),
        "trained_admins": int(trained),
        "platforms": platforms,
        "apbdes": shown.apbdes_published,
        "rpjm": shown.rpjm_current,
        "last_post_at": last_post_at,
        "last_active_at": last_active_at,
        "computed_at": now,
    }
    values["attention"] = int(attention(db, village, month, values, now))
    return values


def linked_platforms(options: str) -> list[str]:
    """The social platforms the village links from its site (its appearance's ``social``)."""
    try:
        social = json.loads(options or "{}").get("social") or {}
    except (ValueError, AttributeError):
        return []
    return [name for name in SOCIAL_PLATFORMS if isinstance(social, dict) and social.get(name)]


def attention(
    db: Session, village: Village, month: date, values: Mapping[str, Any], now: datetime
) -> Attention:
    """The reasons for the "perlu perhatian" list."""
    assert village.id is not None
    found = Attention(0)
    last_post = values.get("last_post_at")
    if last_post is None or now - _aware(last_post) > timedelta(days=TARGETS.quiet_days):
        found |= Attention.NO_RECENT_POST
    if not values.get("apbdes"):
        found |= Attention.NO_APBDES
    if int(values.get("platforms") or 0) < TARGETS.platforms:
        found |= Attention.FEW_PLATFORMS
    # Falling reach: last full month against the one before it (the current month is partial).
    last, before = previous_month(month), previous_month(previous_month(month))
    rows = {
        r.month: r.visitors
        for r in db.exec(
            in_village(VillageMonthlyStats, village.id).where(
                col(VillageMonthlyStats.month).in_([last, before])
            )
        ).all()
    }
    if rows.get(before, 0) >= 10 and rows.get(last, 0) < rows[before] * 0.8:
        found |= Attention.FALLING_REACH
    return found


def refresh(db: Session, village: Village, month: date | None = None, now: datetime | None = None) -> None:
    """Recompute the village's month (this month by default) and update its regions."""
    now = now or utcnow()
    month = month or month_of(now)
    store(db, village, month, compute(db, village, month, now), now)


# --- which villages to recompute ----------------------------------------------------------------
def refresh_changed(runtime: Runtime, now: datetime | None = None, limit: int = 500) -> int:
    """The clock's round: recompute the villages whose content changed since their indicators were
    computed (``content_version`` moved past ``indicators_version``); returns how many."""
    with runtime.session(all_villages=True) as db:
        changed = db.execute(
            select(col(Village.id), col(Village.content_version))
            .where(col(Village.content_version) != col(Village.indicators_version))
            .limit(limit)
        ).all()
    return refresh_villages(runtime, [(vid, version) for vid, version in changed], now)


def refresh_villages(
    runtime: Runtime, villages: Iterable[tuple[int, int | None]], now: datetime | None = None
) -> int:
    """Recompute each (village id, content version read before) in its own transaction: one
    village's bad row never stops the others. The version is recorded only if it did not move
    meanwhile, so a change made during the computation is computed again next round."""
    done = 0
    for village_id, version in villages:
        try:
            with runtime.session(all_villages=True) as db:
                village = db.get(Village, village_id)
                if village is None:
                    continue
                refresh(db, village, None, now)
                if version is not None:
                    db.execute(
                        update(Village)
                        .where(col(Village.id) == village_id, col(Village.content_version) == version)
                        .values(indicators_version=version)
                    )
                db.commit()
                done += 1
        except Exception:
            log.exception("indicators of village %s could not be computed", village_id)
    return done


def refresh_all(runtime: Runtime, now: datetime | None = None) -> int:
    """Every village with a site, at once (tests, ``etalase stats refresh``)."""
    with runtime.session(all_villages=True) as db:
        found = db.execute(
            select(col(Village.id), col(Village.content_version)).where(col(Village.status) == "active")
        ).all()
    return refresh_villages(runtime, [(vid, version) for vid, version in found], now)


SWEEP_BATCH = 500  # villages per clock round: the nation in about 170 rounds (under 1.5 hours)


def sweep(runtime: Runtime, now: datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """The daily round, a slice per clock round: liveness and quiet days move with time alone,
    so every village is recomputed once a day, in village order, the place kept in the cache.
    Returns how many villages this slice recomputed (0 once the day's sweep is done)."""
    now = now or utcnow()
    key = f"ind:sweep:{now.date().isoformat()}"
    raw = runtime.cache.get(key)
    if raw == b"done":
        return 0
    after = int(raw) if raw and raw.isdigit() else 0
    with runtime.session(all_villages=True) as db:
        found = db.execute(
            select(col(Village.id), col(Village.content_version))
            .where(col(Village.status) == "active", col(Village.id) > after)
            .order_by(col(Village.id))
            .limit(batch)
        ).all()
    if not found:
        runtime.cache.set(key, b"done", 2 * 24 * 3600)
        return 0
    done = refresh_villages(runtime, [(vid, version) for vid, version in found], now)
    runtime.cache.set(key, str(found[-1][0]).encode(), 2 * 24 * 3600)
    return done


# --- rebuilding the regions from the villages ---------------------------------------------------
def rebuild_regions(db: Session, month: date, now: datetime | None = None) -> int:
    """Every region's row of ``month`` recomputed from the villages' rows, in one statement per
    level (kecamatan, kabupaten, province, nation). Returns the number of region rows."""
    now = now or utcnow()
    table: Table = RegionMonthlyStats.__table__  # type: ignore[attr-defined]
    db.execute(delete(table).where(table.c.month == month))
    v = VillageMonthlyStats.__table__  # type: ignore[attr-defined]
    village = Village.__table__  # type: ignore[attr-defined]
    live_since = now - timedelta(days=TARGETS.live_days)
    active_since = now - timedelta(days=TARGETS.quiet_days)
    known = v.c.population > 0

    def flag(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    columns = {
        **{name: func.coalesce(func.sum(v.c[name]), 0) for name in SUMMED},
        "villages": func.count(),
        "population": func.coalesce(func.sum(case((known, v.c.population), else_=0)), 0),
        "visitors_counted": func.coalesce(func.sum(case((known, v.c.visitors), else_=0)), 0),
        "villages_read": flag(v.c.views > 0),
        "villages_reach_met": flag(known & (v.c.visitors >= v.c.population * TARGETS.reach)),
        "villages_posts_met": flag(v.c.quality_posts >= TARGETS.posts),
        "villages_trained_met": flag(v.c.trained_admins >= TARGETS.trained),
        "villages_platforms_met": flag(v.c.platforms >= TARGETS.platforms),
        "villages_transparent": flag(v.c.apbdes & v.c.rpjm),
        "villages_posted": flag(v.c.posts > 0),
        "villages_live": flag(v.c.last_active_at >= live_since),
        "villages_active_30": flag(v.c.last_active_at >= active_since),
        "villages_attention": flag(v.c.attention != 0),
    }
    for length in (8, 5, 2, 0):  # "34.04.02", "34.04", "34", ""
        code = func.substr(village.c.code, 1, length) if length else literal("")
        query = (
            select(
                code.label("region_code"),
                literal(month).label("month"),
                *(c.label(n) for n, c in columns.items()),
            )
            .select_from(v.join(village, village_of(VillageMonthlyStats)))
            .where(v.c.month == month)
            .group_by(code)
        )
        db.execute(insert(table).from_select(["region_code", "month", *columns], query))
    return int(db.execute(select(func.count()).select_from(table).where(table.c.month == month)).scalar_one())


def months_back(month: date, count: int) -> list[date]:
    """``count`` months ending with ``month``, oldest first."""
    found = [month]
    while len(found) < count:
        found.append(previous_month(found[-1]))
    return list(reversed(found))


__all__ = [
    "TARGETS",
    "Attention",
    "Indicators",
    "add_to_regions",
    "compute",
    "months_back",
    "rebuild_regions",
    "refresh",
    "refresh_all",
    "refresh_changed",
    "status",
    "store",
    "sweep",
]
