"""Aspirations: what the public form sends, what the team does with it, what the public may read.

Functions take the request's session and the village, never commit (except through the media
library's upload, which the route calls), and refuse with :class:`AspirationError`, a sentence for
the person, before changing anything. Every query goes through the scoped path: another village's
code or id is simply not found.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from etalase.platform.accounts.identity import InputError, clean_name, normalize_phone
from etalase.platform.accounts.models import User
from etalase.platform.aspirations import codes
from etalase.platform.aspirations.models import CATEGORIES, STATUSES, Aspiration, AspirationReply
from etalase.platform.content.workflow import bump_content_version
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.tenants.models import utcnow
from etalase.tenants.scope import get_in_village, in_village
from etalase.tenants.timezones import local

MESSAGE_MIN = 10
MESSAGE_MAX = 3000
REPLY_MAX = 3000
PHOTO_MAX_MB = 10  # a phone photo; the media library's own limit applies too (the smaller wins)


class AspirationError(InputError):
    """A refusal worded for the person (already translated)."""


class NotFoundError(AspirationError):
    pass


def category_labels() -> dict[str, str]:
    return {
        "infrastruktur": _("Infrastruktur (jalan, jembatan, irigasi, lampu)"),
        "pelayanan": _("Pelayanan desa (surat, administrasi)"),
        "sosial": _("Sosial (kesehatan, pendidikan, bantuan)"),
        "ekonomi": _("Ekonomi (usaha warga, BUMDes, pasar)"),
        "lingkungan": _("Lingkungan (sampah, banjir, kebersihan)"),
        "lainnya": _("Lainnya"),
    }


def category_short() -> dict[str, str]:
    return {
        "infrastruktur": _("Infrastruktur"),
        "pelayanan": _("Pelayanan"),
        "sosial": _("Sosial"),
        "ekonomi": _("Ekonomi"),
        "lingkungan": _("Lingkungan"),
        "lainnya": _("Lainnya"),
    }


def status_labels() -> dict[str, str]:
    return {
        "diterima": _("Diterima"),
        "diproses": _("Diproses"),
        "selesai": _("Selesai"),
        "ditolak": _("Ditolak"),
    }


# --- the public form ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Submission:
    """What the form sent, cleaned."""

    category: str
    message: str
    name: str
    phone: str  # E.164 or empty
    consent: bool


def clean_message(raw: str) -> str:
    """Trimmed, NFC, Unix line ends, no control characters but line breaks and tabs."""
    text = unicodedata.normalize("NFC", (raw or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = "".join(ch for ch in text if ch in "\n\t" or not unicodedata.category(ch).startswith("C"))
    return text.strip()


def check_submission(category: str, message: str, name: str, phone: str, consent: bool) -> Submission:
    """The form's fields cleaned, or the first problem as an :class:`AspirationError`."""
    if category not in CATEGORIES:
        raise AspirationError(_("Pilih kategori aspirasi."))
    text = clean_message(message)
    if len(text) < MESSAGE_MIN:
        raise AspirationError(
            _("Tulis aspirasi atau pengaduan Anda (minimal {n} karakter).").format(n=MESSAGE_MIN)
        )
    if len(text) > MESSAGE_MAX:
        raise AspirationError(
            _(
                "Pesan terlalu panjang: paling banyak {limit} karakter, sekarang {n}. Ringkas sedikit "
                "lalu kirim lagi."
            ).format(limit=MESSAGE_MAX, n=len(text))
        )
    clean = ""
    if (name or "").strip():
        try:
            clean = clean_name(name)
        except InputError as error:
            raise AspirationError(str(error)) from None
    number = ""
    if (phone or "").strip():
        try:
            number = normalize_phone(phone)
        except InputError as error:
            raise AspirationError(str(error)) from None
    return Submission(category, text, clean, number, consent)


def find_by_nonce(db: Session, village_id: int, nonce: str) -> Aspiration | None:
    return db.exec(in_village(Aspiration, village_id).where(col(Aspiration.form_nonce) == nonce)).first()


def _unused_code(db: Session, village_id: int) -> str:
    for _attempt in range(8):
        code = codes.new_code()
        if find_by_code(db, village_id, code) is None:
            return code
    raise RuntimeError("no free aspiration code after 8 tries")  # 40 bits: never in practice


def submit(
    db: Session,
    village_id: int,
    submission: Submission,
    *,
    photo_media_id: int | None = None,
    spam: bool = False,
    nonce: str | None = None,
) -> Aspiration:
    aspiration = Aspiration(
        village_id=village_id,
        code=_unused_code(db, village_id),
        category=submission.category,
        message=submission.message,
        sender_name=submission.name,
        sender_phone=submission.phone,
        photo_media_id=photo_media_id,
        consent_publish=submission.consent,
        spam=spam,
        form_nonce=nonce,
    )
    db.add(aspiration)
    db.flush()
    return aspiration


def find_by_code(db: Session, village_id: int, typed: str) -> Aspiration | None:
    """The aspiration of this village with the typed code (any spelling :func:`codes.parse` reads)."""
    code = codes.parse(typed)
    if code is None:
        return None
    return db.exec(in_village(Aspiration, village_id).where(col(Aspiration.code) == code)).first()


# --- the team -------------------------------------------------------------------------------------
def get(db: Session, village_id: int, aspiration_id: int) -> Aspiration:
    found = get_in_village(db, Aspiration, village_id, aspiration_id)
    if found is None:
        raise NotFoundError(_("Aspirasi tidak ditemukan."))
    return found


def replies(
    db: Session, village_id: int, aspiration_ids: Sequence[int], *, public_only: bool
) -> dict[int, list[AspirationReply]]:
    """``{aspiration id: its replies, oldest first}`` in one query; public ones only for readers."""
    if not aspiration_ids:
        return {}
    query = in_village(AspirationReply, village_id).where(
        col(AspirationReply.aspiration_id).in_(list(set(aspiration_ids)))
    )
    if public_only:
        query = query.where(col(AspirationReply.kind) != "internal")
    found: dict[int, list[AspirationReply]] = {i: [] for i in aspiration_ids}
    for row in db.exec(query.order_by(col(AspirationReply.created_at), col(AspirationReply.id))).all():
        found.setdefault(row.aspiration_id, []).append(row)
    return found


def _touched(db: Session, aspiration: Aspiration, *, public: bool) -> None:
    aspiration.updated_at = utcnow()
    db.add(aspiration)
    if public and aspiration.published:
        bump_content_version(db, aspiration.village_id)
    db.flush()


def add_reply(
    db: Session, village_id: int, aspiration_id: int, author: User, body: str, *, public: bool
) -> AspirationReply:
    aspiration = get(db, village_id, aspiration_id)
    text = clean_message(body)
    if not text:
        raise AspirationError(_("Tulis balasan atau catatan terlebih dahulu."))
    if len(text) > REPLY_MAX:
        raise AspirationError(
            _("Balasan terlalu panjang: paling banyak {limit} karakter, sekarang {n}.").format(
                limit=REPLY_MAX, n=len(text)
            )
        )
    assert aspiration.id is not None
    reply = AspirationReply(
        village_id=village_id,
        aspiration_id=aspiration.id,
        kind="public" if public else "internal",
        body=text,
        author_id=author.id,
        author_name=author.name[:100],
    )
    db.add(reply)
    _touched(db, aspiration, public=public)
    return reply


def change_status(db: Session, village_id: int, aspiration_id: int, author: User, status: str) -> Aspiration:
    """A new status, recorded as a public step of the exchange (the lookup shows its date)."""
    aspiration = get(db, village_id, aspiration_id)
    if status not in STATUSES:
        raise AspirationError(_("Pilih status: diterima, diproses, selesai, atau ditolak."))
    if status == aspiration.status:
        raise AspirationError(
            _("Status aspirasi ini sudah “{status}”.").format(status=status_labels()[status])
        )
    assert aspiration.id is not None
    aspiration.status = status
    db.add(
        AspirationReply(
            village_id=village_id,
            aspiration_id=aspiration.id,
            kind="status",
            body=status,
            author_id=author.id,
            author_name=author.name[:100],
        )
    )
    _touched(db, aspiration, public=True)
    return aspiration


def set_published(db: Session, village_id: int, aspiration_id: int, published: bool) -> Aspiration:
    """Publish the exchange (only when the sender agreed), or take it down."""
    aspiration = get(db, village_id, aspiration_id)
    if published:
        if not aspiration.consent_publish:
            raise AspirationError(
                _("Pengirim tidak mengizinkan aspirasi ini dipublikasikan, jadi tidak dapat diterbitkan.")
            )
        if aspiration.spam:
            raise AspirationError(_("Tandai dulu aspirasi ini sebagai bukan spam sebelum menerbitkannya."))
        if aspiration.published:
            raise AspirationError(_("Aspirasi ini sudah terbit."))
        aspiration.published_at = aspiration.published_at or utcnow()
    elif not aspiration.published:
        raise AspirationError(_("Aspirasi ini belum terbit."))
    aspiration.published = published
    bump_content_version(db, village_id)
    _touched(db, aspiration, public=False)
    return aspiration


def mark_not_spam(db: Session, village_id: int, aspiration_id: int) -> Aspiration:
    aspiration = get(db, village_id, aspiration_id)
    if not aspiration.spam:
        raise AspirationError(_("Aspirasi ini tidak ditandai sebagai spam."))
    aspiration.spam = False
    _touched(db, aspiration, public=False)
    return aspiration


def tab_counts(db: Session, village_id: int) -> dict[str, int]:
    """How many aspirations per status (spam apart), and how many caught as spam."""
    query = in_village(Aspiration, village_id)
    grouped = db.execute(
        query.where(col(Aspiration.spam).is_(False))
        .with_only_columns(col(Aspiration.status), func.count())
        .group_by(col(Aspiration.status))
    ).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({str(status): int(n) for status, n in grouped})
    spam = db.execute(
        query.where(col(Aspiration.spam).is_(True)).with_only_columns(func.count())
    ).scalar_one()
    counts["spam"] = int(spam)
    return counts


def photos(db: Session, village_id: int, ids: Sequence[int | None]) -> dict[int, MediaFile]:
    wanted = [i for i in set(ids) if i is not None]
    if not wanted:
        return {}
    found = db.exec(in_village(MediaFile, village_id).where(col(MediaFile.id).in_(wanted))).all()
    return {m.id: m for m in found if m.id is not None}


# --- what readers see -----------------------------------------------------------------------------
def published_query(village_id: int) -> SelectOfScalar[Aspiration]:
    """Published, agreed by the sender, not spam: the only rows a reader ever sees."""
    return in_village(Aspiration, village_id).where(
        col(Aspiration.published).is_(True),
        col(Aspiration.consent_publish).is_(True),
        col(Aspiration.spam).is_(False),
    )


def published_page(db: Session, village_id: int, number: int, per: int) -> tuple[list[Aspiration], bool]:
    """One page of published exchanges, newest first, and whether there is a next page."""
    rows = db.exec(
        published_query(village_id)
        .order_by(col(Aspiration.published_at).desc(), col(Aspiration.id).desc())
        .offset((number - 1) * per)
        .limit(per + 1)
    ).all()
    return list(rows[:per]), len(rows) > per


def latest_published(db: Session, village_id: int) -> datetime | None:
    found: datetime | None = db.execute(
        published_query(village_id).with_only_columns(func.max(col(Aspiration.updated_at)))
    ).scalar_one_or_none()
    return found


# --- counting (issue 7) ---------------------------------------------------------------------------
def monthly_counts(
    db: Session, village_id: int, *, region_code: str | None = None, since: date | None = None
) -> dict[date, dict[str, int]]:
    """``{first day of month: {status: count}}`` of the village's aspirations (spam left out), by
    the month they arrived on the village's calendar (WIB/WITA/WIT from ``region_code``), from
    ``since`` (a month's first day) on. Every status appears in every month found, zeros included."""
    query = in_village(Aspiration, village_id).where(col(Aspiration.spam).is_(False))
    if since is not None:
        # A day early: the village's calendar runs up to 9 hours ahead of UTC.
        start = datetime(since.year, since.month, 1, tzinfo=UTC) - timedelta(days=1)
        query = query.where(col(Aspiration.created_at) >= start)
    rows = db.execute(query.with_only_columns(col(Aspiration.created_at), col(Aspiration.status))).all()
    counts: dict[date, dict[str, int]] = {}
    for created, status in rows:
        moment = local(created, region_code)[0]
        month = date(moment.year, moment.month, 1)
        if since is not None and month < date(since.year, since.month, 1):
            continue
        bucket = counts.setdefault(month, dict.fromkeys(STATUSES, 0))
        bucket[str(status)] = bucket.get(str(status), 0) + 1
    return dict(sorted(counts.items()))


# --- where a photo is used ------------------------------------------------------------------------
@media_service.usage_finder
def _aspirations_with_photo(db: Session, village_id: int, media: MediaFile) -> list[media_service.Usage]:
    rows = db.exec(
        in_village(Aspiration, village_id)
        .where(col(Aspiration.photo_media_id) == media.id)
        .order_by(col(Aspiration.id))
    ).all()
    what = _("Foto aspirasi warga")
    return [media_service.Usage(what, codes.display(row.code), f"/admin/aspirasi/{row.id}") for row in rows]
