"""Agenda: the village's events (musyawarah desa, posyandu, kerja bakti…) and their life.

An event is a draft until an editor or admin publishes it; it can be taken down (back to draft),
trashed and restored. Functions take the request's session and the village, never commit, and
raise :class:`ContentError` (a message for the person) before changing anything.

Times are typed in the village's own zone (WIB/WITA/WIT) as a date plus an optional time and
stored in UTC. A whole-day event (``all_day``) has dates only: ``starts_at`` is the local midnight
of its first day and ``ends_at`` the local midnight of its last day (None for a one-day event).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, false, func, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from etalase.platform.accounts.models import User
from etalase.platform.content.models import Event
from etalase.platform.content.richtext import MAX_BODY, to_safe_html
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import _
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VILLAGE_PARAM, in_village
from etalase.tenants.slugs import slugify
from etalase.tenants.timezones import YEARS, zone_for

MAX_TITLE = 200
MAX_PLACE = 200


@dataclass(frozen=True)
class EventFields:
    """A checked form: clean text, sanitised description, times in UTC."""

    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool


def _day(raw: str, message: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ContentError(message) from None
    if not YEARS[0] <= day.year <= YEARS[1]:  # year 1 or 9999 overflows once moved to UTC
        raise ContentError(message)
    return day


def _clock(raw: str, message: str) -> time | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ContentError(message) from None


def aware(value: datetime) -> datetime:
    """A stored time as UTC-aware (SQLite gives back the UTC wall time without its zone)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _utc(day: date, clock: time, village_code: str) -> datetime:
    zone, _label = zone_for(village_code)
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _times(
    village_code: str, *, start_date: str, start_time: str, end_date: str, end_time: str, all_day: bool
) -> tuple[datetime, datetime | None]:
    """Start and end in UTC from the local date and time fields."""
    unreadable_date = _("Tanggal tidak dapat dibaca. Pilih tanggal dari kalender.")
    unreadable_time = _("Jam tidak dapat dibaca. Tulis seperti 19:00.")
    first = _day(start_date, unreadable_date)
    last = _day(end_date, unreadable_date)
    begins = _clock(start_time, unreadable_time)
    finishes = _clock(end_time, unreadable_time)
    if first is None:
        raise ContentError(_("Isi tanggal mulai acara."))
    if all_day:
        if begins is not None or finishes is not None:
            raise ContentError(
                _(
                    "Acara sepanjang hari hanya memakai tanggal. Kosongkan jam mulai dan jam selesai, "
                    "atau hapus centang \u201csepanjang hari\u201d."
                )
            )
        if last is not None and last < first:
            raise ContentError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        midnight = time(0, 0)
        ends = _utc(last, midnight, village_code) if last is not None and last != first else None
        return _utc(first, midnight, village_code), ends
    if begins is None:
        raise ContentError(_("Isi jam mulai acara, atau centang \u201csepanjang hari\u201d."))
    if finishes is None and last is not None:
        raise ContentError(_("Isi jam selesai acara, atau kosongkan tanggal selesai."))
    starts_at = _utc(first, begins, village_code)
    ends_at = _utc(last or first, finishes, village_code) if finishes is not None else None
    if ends_at is not None and ends_at < starts_at:
        raise ContentError(_("Waktu selesai tidak boleh sebelum waktu mulai."))
    return starts_at, ends_at


def check_fields(
    village_code: str,
    *,
    title: str,
    description: str = "",
    place: str = "",
    start_date: str = "",
    start_time: str = "",
    end_date: str = "",
    end_time: str = "",
    all_day: bool = False,
) -> EventFields:
    """The form's values, checked, with the local times of the village turned into UTC."""
    title = " ".join(title.split())
    if not title:
        raise ContentError(_("Isi nama acara."))
    if len(title) > MAX_TITLE:
        raise ContentError(_("Nama acara terlalu panjang (maksimal 200 karakter)."))
    place = " ".join(place.split())
    if len(place) > MAX_PLACE:
        raise ContentError(_("Tempat terlalu panjang (maksimal 200 karakter)."))
    if len(description) > MAX_BODY:
        raise ContentError(_("Keterangan acara terlalu panjang."))
    starts_at, ends_at = _times(
        village_code,
        start_date=start_date,
        start_time=start_time,
        end_date=end_date,
        end_time=end_time,
        all_day=all_day,
    )
    return EventFields(
        title=title,
        description=to_safe_html(description) if description.strip() else "",
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
    )


def form_values(event: Event, village_code: str) -> dict[str, str]:
    """An event as the form shows it: local dates and times of the village."""
    zone, _label = zone_for(village_code)
    start = aware(event.starts_at).astimezone(zone)
    end = aware(event.ends_at).astimezone(zone) if event.ends_at is not None else None
    return {
        "title": event.title,
        "description": event.description,
        "place": event.place,
        "start_date": start.date().isoformat(),
        "start_time": "" if event.all_day else start.strftime("%H:%M"),
        "end_date": end.date().isoformat() if end is not None else "",
        "end_time": end.strftime("%H:%M") if end is not None and not event.all_day else "",
        "all_day": "1" if event.all_day else "",
    }


def unique_slug(db: Session, village_id: int, title: str, *, keep: int | None = None) -> str:
    """A slug no other event of the village has (trashed ones included: the table's constraint)."""
    base = slugify(title)[:180] or "acara"
    slug, n = base, 1
    while True:
        found = db.exec(in_village(Event, village_id).where(col(Event.slug) == slug)).first()
        if found is None or (keep is not None and found.id == keep):
            return slug
        n += 1
        slug = f"{base}-{n}"


def get_event(db: Session, village_id: int, event_id: int, *, trashed: bool = False) -> Event:
    event = db.exec(in_village(Event, village_id).where(col(Event.id) == event_id)).first()
    if event is None or (event.deleted_at is not None) != trashed:
        raise ContentError(_("Acara tidak ditemukan."))
    return event


def create(db: Session, village_id: int, author: User, fields: EventFields) -> Event:
    event = Event(
        village_id=village_id,
        title=fields.title,
        slug=unique_slug(db, village_id, fields.title),
        description=fields.description,
        place=fields.place,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        all_day=fields.all_day,
        status="draft",
        author_id=author.id,
    )
    db.add(event)
    db.flush()
    return event


def save(db: Session, village_id: int, event_id: int, fields: EventFields) -> Event:
    event = get_event(db, village_id, event_id)
    if event.status == "draft" and fields.title != event.title:
        # Never public yet: the address may still follow the title. A published one keeps its link.
        event.slug = unique_slug(db, village_id, fields.title, keep=event.id)
    event.title = fields.title
    event.description = fields.description
    event.place = fields.place
    event.starts_at = fields.starts_at
    event.ends_at = fields.ends_at
    event.all_day = fields.all_day
    event.updated_at = utcnow()
    db.add(event)
    if event.status == "published":
        bump_content_version(db, village_id)
    db.flush()
    return event


def publish(db: Session, village_id: int, event_id: int) -> Event:
    event = get_event(db, village_id, event_id)
    if event.status == "published":
        raise ContentError(_("Acara ini sudah terbit."))
    if not event.title.strip():
        raise ContentError(_("Isi nama acara."))
    event.status = "published"
    event.updated_at = utcnow()
    db.add(event)
    bump_content_version(db, village_id)
    return event


def unpublish(db: Session, village_id: int, event_id: int) -> Event:
    event = get_event(db, village_id, event_id)
    if event.status != "published":
        raise ContentError(_("Acara ini belum terbit."))
    event.status = "draft"
    db.add(event)
    bump_content_version(db, village_id)
    return event


def trash(db: Session, village_id: int, event_id: int) -> Event:
    event = get_event(db, village_id, event_id)
    event.deleted_at = utcnow()
    db.add(event)
    if event.status == "published":
        bump_content_version(db, village_id)
    return event


def restore(db: Session, village_id: int, event_id: int) -> Event:
    event = get_event(db, village_id, event_id, trashed=True)
    event.deleted_at = None
    db.add(event)
    if event.status == "published":
        bump_content_version(db, village_id)
    return event


# --- when an event is over ---------------------------------------------------------------------------
def not_over(now: datetime) -> ColumnElement[bool]:
    """SQL: the event has not ended yet (running or to come). A timed event ends at ``ends_at`` (or
    its start); a whole-day one at the local midnight after its last day."""
    return _not_over(now, now - timedelta(days=1))


def _not_over(now: Any, day_before: Any) -> ColumnElement[bool]:
    last = func.coalesce(col(Event.ends_at), col(Event.starts_at))
    return or_(
        and_(col(Event.all_day) == true(), last > day_before),
        and_(col(Event.all_day) == false(), last >= now),
    )


def is_over(event: Event, now: datetime) -> bool:
    last = aware(event.ends_at or event.starts_at)
    return last + timedelta(days=1) <= now if event.all_day else last < now


def last_day(event: Event) -> datetime | None:
    """The last day of a whole-day event spanning days (for "1–3 Desember"), else None."""
    return event.ends_at if event.all_day else None


def published(village_id: int) -> SelectOfScalar[Event]:
    """Public events of the village: published and not in the trash."""
    return in_village(Event, village_id).where(
        col(Event.status) == "published", col(Event.deleted_at).is_(None)
    )


@functools.lru_cache(maxsize=8)
def _upcoming(limit: int) -> SelectOfScalar[Event]:
    # Built once: every home page asks, and building the statement and its cache key cost the
    # interpreter more than the database took to answer it.
    return (
        published(VILLAGE_PARAM)
        .where(_not_over(bindparam("now"), bindparam("day_before")))
        .order_by(col(Event.starts_at), col(Event.id))
        .limit(limit)
    )


def upcoming(db: Session, village_id: int, now: datetime, limit: int) -> Sequence[Event]:
    """The next public events, soonest first (one running now counts)."""
    params = {"village_id": village_id, "now": now, "day_before": now - timedelta(days=1)}
    return db.exec(_upcoming(limit), params=params).all()


def recent_past(db: Session, village_id: int, now: datetime, since: datetime, limit: int) -> Sequence[Event]:
    """Public events that ended since ``since``, the latest first."""
    return db.exec(
        published(village_id)
        .where(~not_over(now), col(Event.starts_at) >= since)
        .order_by(col(Event.starts_at).desc(), col(Event.id).desc())
        .limit(limit)
    ).all()
