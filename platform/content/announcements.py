"""Pengumuman: notices shown on the village site from a start (or their publication) until they
expire. An expired notice leaves the site by time alone (every list compares with now; no job runs)
and stays readable in the archive.

Functions take the request's session and the village, never commit, and raise
:class:`ContentError` (a message for the person) before changing anything. Times are typed in the
village's own zone (datetime-local fields) and stored in UTC.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from etalase.platform.accounts.models import User
from etalase.platform.content.models import Announcement
from etalase.platform.content.richtext import MAX_BODY, to_safe_html
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import _
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VILLAGE_PARAM, in_village
from etalase.tenants.timezones import parse_local, zone_for

MAX_TITLE = 200
DEFAULT_DAYS = 14  # an empty "berakhir" field: shown for two weeks from its start


@dataclass(frozen=True)
class AnnouncementFields:
    """A checked form: clean title, sanitised body, times in UTC."""

    title: str
    body: str
    starts_at: datetime | None
    expires_at: datetime
    # The form left the expiry empty and it was set to DEFAULT_DAYS after the start (say so).
    expiry_defaulted: bool = False


def _moment(raw: str, village_code: str, message: str) -> datetime | None:
    """A datetime-local field (``2026-11-28T09:30``) in the village's zone, as UTC."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return parse_local(raw, village_code)
    except ValueError:
        raise ContentError(message) from None


def check_fields(
    village_code: str,
    *,
    title: str,
    body: str = "",
    starts: str = "",
    expires: str = "",
    now: datetime | None = None,
) -> AnnouncementFields:
    title = " ".join(title.split())
    if not title:
        raise ContentError(_("Isi judul pengumuman."))
    if len(title) > MAX_TITLE:
        raise ContentError(_("Judul terlalu panjang (maksimal 200 karakter)."))
    if len(body) > MAX_BODY:
        raise ContentError(_("Isi pengumuman terlalu panjang."))
    unreadable_start = _("Waktu mulai tayang tidak dapat dibaca. Pilih tanggal dan jam.")
    unreadable_end = _("Waktu berakhir tidak dapat dibaca. Pilih tanggal dan jam.")
    starts_at = _moment(starts, village_code, unreadable_start)
    expires_at = _moment(expires, village_code, unreadable_end)
    defaulted = expires_at is None
    if expires_at is None:
        expires_at = (starts_at or now or utcnow()) + timedelta(days=DEFAULT_DAYS)
    if starts_at is not None and expires_at <= starts_at:
        raise ContentError(_("Waktu berakhir harus setelah waktu mulai tayang."))
    return AnnouncementFields(
        title=title,
        body=to_safe_html(body) if body.strip() else "",
        starts_at=starts_at,
        expires_at=expires_at,
        expiry_defaulted=defaulted,
    )


def local_input(value: datetime | None, village_code: str) -> str:
    """A stored time for a datetime-local field, in the village's zone."""
    if value is None:
        return ""
    zone, _label = zone_for(village_code)
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def form_values(item: Announcement, village_code: str) -> dict[str, str]:
    return {
        "title": item.title,
        "body": item.body,
        "starts": local_input(item.starts_at, village_code),
        "expires": local_input(item.expires_at, village_code),
    }


def get_announcement(db: Session, village_id: int, item_id: int, *, trashed: bool = False) -> Announcement:
    item = db.exec(in_village(Announcement, village_id).where(col(Announcement.id) == item_id)).first()
    if item is None or (item.deleted_at is not None) != trashed:
        raise ContentError(_("Pengumuman tidak ditemukan."))
    return item


def create(db: Session, village_id: int, author: User, fields: AnnouncementFields) -> Announcement:
    item = Announcement(
        village_id=village_id,
        title=fields.title,
        body=fields.body,
        starts_at=fields.starts_at,
        expires_at=fields.expires_at,
        status="draft",
        author_id=author.id,
    )
    db.add(item)
    db.flush()
    return item


def save(db: Session, village_id: int, item_id: int, fields: AnnouncementFields) -> Announcement:
    item = get_announcement(db, village_id, item_id)
    item.title = fields.title
    item.body = fields.body
    item.starts_at = fields.starts_at
    item.expires_at = fields.expires_at
    item.updated_at = utcnow()
    db.add(item)
    if item.status == "published":
        bump_content_version(db, village_id)
    db.flush()
    return item


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def publish(db: Session, village_id: int, item_id: int, *, now: datetime | None = None) -> Announcement:
    item = get_announcement(db, village_id, item_id)
    if item.status == "published":
        raise ContentError(_("Pengumuman ini sudah terbit."))
    moment = now or utcnow()
    if _aware(item.expires_at) <= moment:
        raise ContentError(
            _("Waktu berakhir pengumuman ini sudah lewat. Ubah dulu waktu berakhirnya, lalu terbitkan.")
        )
    item.status = "published"
    item.updated_at = moment
    db.add(item)
    bump_content_version(db, village_id)
    return item


def unpublish(db: Session, village_id: int, item_id: int) -> Announcement:
    item = get_announcement(db, village_id, item_id)
    if item.status != "published":
        raise ContentError(_("Pengumuman ini belum terbit."))
    item.status = "draft"
    db.add(item)
    bump_content_version(db, village_id)
    return item


def set_pinned(db: Session, village_id: int, item_id: int, pinned: bool) -> Announcement:
    item = get_announcement(db, village_id, item_id)
    if item.pinned != pinned:
        item.pinned = pinned
        db.add(item)
        if item.status == "published":
            bump_content_version(db, village_id)
    return item


def trash(db: Session, village_id: int, item_id: int) -> Announcement:
    item = get_announcement(db, village_id, item_id)
    item.deleted_at = utcnow()
    db.add(item)
    if item.status == "published":
        bump_content_version(db, village_id)
    return item


def restore(db: Session, village_id: int, item_id: int) -> Announcement:
    item = get_announcement(db, village_id, item_id, trashed=True)
    item.deleted_at = None
    db.add(item)
    if item.status == "published":
        bump_content_version(db, village_id)
    return item


# --- what the site shows, by time alone ------------------------------------------------------------
def state(item: Announcement, now: datetime) -> str:
    """trash, draft, scheduled (published, not started), active, or expired."""
    if item.deleted_at is not None:
        return "trash"
    if item.status != "published":
        return "draft"
    if _aware(item.expires_at) <= now:
        return "expired"
    if item.starts_at is not None and _aware(item.starts_at) > now:
        return "scheduled"
    return "active"


def started(now: Any) -> ColumnElement[bool]:
    return or_(col(Announcement.starts_at).is_(None), col(Announcement.starts_at) <= now)


def published(village_id: int) -> SelectOfScalar[Announcement]:
    return in_village(Announcement, village_id).where(
        col(Announcement.status) == "published", col(Announcement.deleted_at).is_(None)
    )


@functools.lru_cache(maxsize=8)
def _active(limit: int) -> SelectOfScalar[Announcement]:
    # Built once: every home page asks (see agenda._upcoming).
    now: Any = bindparam("now")
    # The newest first: its start, or when it was written for one shown from publication.
    newest = func.coalesce(col(Announcement.starts_at), col(Announcement.created_at))
    return (
        published(VILLAGE_PARAM)
        .where(started(now), col(Announcement.expires_at) > now)
        .order_by(col(Announcement.pinned).desc(), newest.desc(), col(Announcement.id).desc())
        .limit(limit)
    )


def active(db: Session, village_id: int, now: datetime, limit: int) -> Sequence[Announcement]:
    """Shown on the site now: started and not expired, pinned first, then the newest start."""
    return db.exec(_active(limit), params={"village_id": village_id, "now": now}).all()


def expired(
    db: Session, village_id: int, now: datetime, *, offset: int, limit: int
) -> Sequence[Announcement]:
    """The archive: published notices that expired, the latest expiry first."""
    return db.exec(
        published(village_id)
        .where(col(Announcement.expires_at) <= now)
        .order_by(col(Announcement.expires_at).desc(), col(Announcement.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
