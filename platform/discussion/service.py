"""Comments and reactions: what readers send, what the team decides, what pages and reports read.

Functions take the request's session and the village, never commit, and raise
:class:`~etalase.platform.content.workflow.ContentError` (a sentence for the person) before
changing anything. Whatever changes what readers see (a comment published, taken down or deleted,
a reaction counted) bumps the village's content version, so the page cache shows it at once.

Comments switched off (:attr:`CommentSettings.enabled`): the form is gone and a POST is refused,
and the comments already published stay visible, read-only: they are part of the conversation the
village had, and the team can still take any of them down.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from etalase.platform.content.models import Post
from etalase.platform.content.workflow import ContentError, bump_content_version, bump_content_versions
from etalase.platform.discussion import moderation
from etalase.platform.discussion.models import STATUSES, Comment, CommentSettings, Reaction
from etalase.platform.i18n import _
from etalase.tenants.models import utcnow
from etalase.tenants.scope import get_in_village, in_village
from etalase.tenants.timezones import local

if TYPE_CHECKING:
    from etalase.platform.runtime import Runtime

PUBLIC_COMMENTS = 200  # the newest shown under a post (older ones stay, in the team's list)


# --- settings --------------------------------------------------------------------------------------
def settings_for(db: Session, village_id: int) -> CommentSettings:
    """The village's row, or the defaults (not stored) when it never changed them."""
    found = db.exec(in_village(CommentSettings, village_id)).first()
    return found if found is not None else CommentSettings(village_id=village_id)


def _stored_settings(db: Session, village_id: int) -> CommentSettings:
    found = settings_for(db, village_id)
    found.updated_at = utcnow()
    db.add(found)
    return found


def save_blocklist(db: Session, village_id: int, raw: str, action: str) -> CommentSettings:
    if len(raw) > moderation.MAX_BLOCKLIST:
        raise ContentError(_("Daftar kata terlalu panjang."))
    words = moderation.parse_words(raw)
    if len(words) > moderation.MAX_WORDS:
        raise ContentError(
            _("Daftar kata paling banyak {count} kata atau frasa.").format(count=moderation.MAX_WORDS)
        )
    too_long = next((w for w in words if len(w) > moderation.MAX_WORD), None)
    if too_long is not None:
        raise ContentError(
            _("“{word}” terlalu panjang (maksimal {n} karakter).").format(
                word=too_long[:60], n=moderation.MAX_WORD
            )
        )
    if action not in ("hold", "refuse"):
        raise ContentError(_("Pilih tindakan untuk kata terlarang: tahan atau tolak."))
    found = _stored_settings(db, village_id)
    found.blocked_words, found.word_action = "\n".join(words), action
    db.flush()
    return found


def switch(db: Session, village_id: int, enabled: bool) -> CommentSettings:
    found = _stored_settings(db, village_id)
    found.enabled = enabled
    bump_content_version(db, village_id)  # the form appears or disappears under every post
    db.flush()
    return found


# --- a reader's comment ----------------------------------------------------------------------------
@dataclass
class Typed:
    """What the reader typed (kept and printed back when the form is refused)."""

    name: str = ""
    email: str = ""
    body: str = ""


def check_typed(typed: Typed) -> tuple[str, str, str]:
    """Name, normalised e-mail and text, or the first problem as a :class:`ContentError`."""
    name = " ".join(moderation.plain(typed.name).split())
    if not name:
        raise ContentError(_("Isi nama Anda."))
    if len(name) > moderation.MAX_NAME:
        raise ContentError(_("Nama terlalu panjang (maksimal 80 karakter)."))
    email = moderation.normal_email(moderation.plain(typed.email))
    if not moderation.valid_email(email):
        raise ContentError(_("Alamat email tidak valid. Kosongkan saja bila tidak ingin mengisinya."))
    body = moderation.plain(typed.body).strip()
    if len(body) < moderation.MIN_BODY:
        raise ContentError(_("Tulis komentar Anda."))
    if len(body) > moderation.MAX_BODY:
        raise ContentError(
            _("Komentar terlalu panjang ({n} karakter, maksimal {max}).").format(
                n=len(body), max=moderation.MAX_BODY
            )
        )
    if "<" in body and ">" in body and any(t in body.lower() for t in ("<a ", "<script", "<img", "<iframe")):
        raise ContentError(_("Komentar hanya boleh berisi teks biasa, tanpa kode HTML."))
    return name, email, body


def _known(db: Session, village_id: int, commenter: str) -> bool:
    """Whether this commenter already has a comment the team let through."""
    query = in_village(Comment, village_id).where(
        col(Comment.commenter) == commenter, col(Comment.status) == "published"
    )
    return db.exec(query.limit(1)).first() is not None


def submit(
    db: Session,
    village_id: int,
    post: Post,
    typed: Typed,
    *,
    secret: str,
    ip: str,
    day: date,
) -> Comment:
    """Store a reader's comment: published at once for a known commenter, else held (first
    comment, a link, a blocked word). Refused with a sentence when comments are off, a blocked
    word is to be refused, or a field is wrong."""
    rules = settings_for(db, village_id)
    if not rules.enabled:
        raise ContentError(_("Komentar di situs desa ini sedang ditutup."))
    name, email, body = check_typed(typed)
    word = moderation.blocked_word(moderation.parse_words(rules.blocked_words), name, body)
    if word is not None and rules.word_action == "refuse":
        raise ContentError(
            _("Komentar Anda memuat kata yang tidak diizinkan di situs desa ini. Ubah lalu kirim lagi.")
        )
    commenter = moderation.commenter_key(secret, village_id, email=email, name=name, ip=ip, day=day)
    held_for = ""
    if word is not None:
        held_for = "word"
    elif moderation.has_link(body) or moderation.has_link(name):
        held_for = "link"
    elif not _known(db, village_id, commenter):
        held_for = "first"
    comment = Comment(
        village_id=village_id,
        post_id=post.id or 0,
        name=name,
        email=email,
        commenter=commenter,
        body=body,
        status="pending" if held_for else "published",
        held_for=held_for,
        published_at=None if held_for else utcnow(),
    )
    db.add(comment)
    if not held_for:
        bump_content_version(db, village_id)
    db.flush()
    return comment


# --- the team's moderation ---------------------------------------------------------------------------
def get_comment(db: Session, village_id: int, comment_id: int) -> Comment:
    comment = get_in_village(db, Comment, village_id, comment_id)
    if comment is None:
        raise ContentError(_("Komentar tidak ditemukan."))
    return comment


def approve(db: Session, village_id: int, comment_id: int) -> Comment:
    """Publish it; its commenter is known from now on (their next comments appear at once)."""
    comment = get_comment(db, village_id, comment_id)
    if comment.status == "published":
        raise ContentError(_("Komentar ini sudah terbit."))
    comment.status, comment.held_for, comment.published_at = "published", "", utcnow()
    db.add(comment)
    bump_content_version(db, village_id)
    db.flush()
    return comment


def mark_spam(db: Session, village_id: int, comment_id: int) -> Comment:
    comment = get_comment(db, village_id, comment_id)
    if comment.status == "spam":
        raise ContentError(_("Komentar ini sudah ditandai spam."))
    if comment.status == "published":
        bump_content_version(db, village_id)
    comment.status, comment.published_at = "spam", None
    db.add(comment)
    db.flush()
    return comment


def delete(db: Session, village_id: int, comment_id: int) -> Comment:
    """Gone for good, with the personal data it held."""
    comment = get_comment(db, village_id, comment_id)
    if comment.status == "published":
        bump_content_version(db, village_id)
    db.delete(comment)
    db.flush()
    return comment


def counts(db: Session, village_id: int) -> dict[str, int]:
    """``{status: number}`` for the team's tabs, in one query."""
    query = in_village(Comment, village_id).with_only_columns(col(Comment.status), func.count())
    grouped = dict(db.execute(query.group_by(col(Comment.status))).all())
    return {status: int(grouped.get(status, 0)) for status in STATUSES}


def post_titles(db: Session, village_id: int, post_ids: list[int]) -> dict[int, tuple[str, str]]:
    """``{post id: (title, slug)}`` for a page of comments, in one query."""
    if not post_ids:
        return {}
    rows = db.exec(in_village(Post, village_id).where(col(Post.id).in_(sorted(set(post_ids))))).all()
    return {p.id: (p.title, p.slug) for p in rows if p.id is not None}


# --- what readers see --------------------------------------------------------------------------------
def published_comments(db: Session, village_id: int, post_id: int) -> list[Comment]:
    """The post's published comments, oldest first (a conversation reads top to bottom)."""
    rows = db.exec(
        in_village(Comment, village_id)
        .where(col(Comment.post_id) == post_id, col(Comment.status) == "published")
        .order_by(col(Comment.published_at).desc(), col(Comment.id).desc())
        .limit(PUBLIC_COMMENTS)
    ).all()
    return list(reversed(rows))


def react(db: Session, village_id: int, post_id: int, day: date, visitor: str) -> bool:
    """Count a "bermanfaat" tap; False when this visitor already did today (counted once)."""
    seen = db.exec(
        in_village(Reaction, village_id).where(
            col(Reaction.post_id) == post_id, col(Reaction.day) == day, col(Reaction.visitor) == visitor
        )
    ).first()
    if seen is not None:
        return False
    try:
        with db.begin_nested():  # two taps at once: the unique constraint keeps one
            db.add(Reaction(village_id=village_id, post_id=post_id, day=day, visitor=visitor))
    except IntegrityError:
        return False
    # No content version bump here: every tap would throw away every stored page of the village.
    # The clock moves the pages on once a round (refresh_reaction_counts); the tapper sees the
    # count at once on an unstored page.
    return True


REACTION_WATERMARK = "discussion:reaction-seen"  # the newest reaction the clock has shown
FIRST_ROUND = timedelta(minutes=10)  # no watermark yet (a fresh cache): the taps of this long


def refresh_reaction_counts(runtime: Runtime) -> int:
    """The clock's round: the villages that got "bermanfaat" taps since the last round get one
    content version bump each (their pages show the new counts), however many taps. Its own
    transaction across villages; the watermark moves only once the bumps are committed, so a
    failed round is done again by the next. Returns how many villages moved on."""
    with runtime.session(all_villages=True) as db:
        newest = db.exec(select(func.max(col(Reaction.id)))).one()
        raw = runtime.cache.get(REACTION_WATERMARK)
        since = int(raw) if raw and raw.isdigit() else None
        if newest is None or (since is not None and since >= newest):
            return 0
        query = select(col(Reaction.village_id)).where(col(Reaction.id) <= newest).distinct()
        if since is None:
            query = query.where(col(Reaction.created_at) > utcnow() - FIRST_ROUND)
        else:
            query = query.where(col(Reaction.id) > since)
        villages = list(db.exec(query).all())
        bump_content_versions(db, villages)
    runtime.cache.set(REACTION_WATERMARK, str(newest).encode(), None)
    return len(villages)


def reaction_count(db: Session, village_id: int, post_id: int) -> int:
    query = in_village(Reaction, village_id).where(col(Reaction.post_id) == post_id)
    return int(db.execute(query.with_only_columns(func.count())).scalar_one())


# --- engagement, for issue 7's reports -----------------------------------------------------------------
@dataclass
class Engagement:
    comments: int = 0
    reactions: int = 0


def engagement(
    db: Session, village_id: int, code: str, first: date, last: date, *, by_month: bool = False
) -> dict[date, Engagement]:
    """Published comments and reactions of a village per day ``first``…``last`` (inclusive) on the
    village's own calendar (``code`` picks WIB/WITA/WIT), or per month (keyed by its first day).
    Only days with something are present. Two small indexed queries; the analytics rollup may call
    it per village and day, the engagement rate is (comments + reactions + shares) / views."""

    def key(day: date) -> date:
        return day.replace(day=1) if by_month else day

    found: dict[date, Engagement] = {}
    reactions = db.execute(
        in_village(Reaction, village_id)
        .where(col(Reaction.day) >= first, col(Reaction.day) <= last)
        .with_only_columns(col(Reaction.day), func.count())
        .group_by(col(Reaction.day))
    ).all()
    for day, number in reactions:
        found.setdefault(key(day), Engagement()).reactions += int(number)
    # Published comments by their local publication day (a margin of a day around the UTC bounds).
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=1)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=2)
    moments = (
        db.execute(
            in_village(Comment, village_id)
            .where(
                col(Comment.status) == "published",
                col(Comment.published_at) >= start,
                col(Comment.published_at) < end,
            )
            .with_only_columns(col(Comment.published_at))
        )
        .scalars()
        .all()
    )
    days = Counter(local(m, code)[0].date() for m in moments if m is not None)
    for day, number in days.items():
        if first <= day <= last:
            found.setdefault(key(day), Engagement()).comments += number
    return dict(sorted(found.items()))
