"""The life of a post: write, submit, review, schedule or publish, unpublish, trash and restore.

Functions take the request's session and the village, never commit, and raise
:class:`ContentError` (a message for the person) before changing anything. Who may call which is
decided in :mod:`etalase.platform.accounts.authz` (``may_edit_post`` and the permissions); these
functions check only what the content itself allows (a trashed post cannot be published…).

Saving is optimistic: the form carries the ``version`` it was opened at. When someone else saved
in between, the save is refused with :class:`ConflictError` and the refused text is kept as a
``conflict`` revision, so both versions exist and nothing typed is lost.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from etalase.platform.accounts.identity import InputError
from etalase.platform.accounts.models import User
from etalase.platform.content import quality
from etalase.platform.content.models import (
    Album,
    Announcement,
    Category,
    Document,
    Event,
    Page,
    Post,
    PostCategory,
    PostTag,
    Revision,
    Tag,
)
from etalase.platform.content.richtext import MAX_BODY, to_safe_html
from etalase.platform.content.service import unique_post_slug
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.tenants.models import Village, utcnow
from etalase.tenants.scope import in_village
from etalase.tenants.slugs import slugify

TRASH_DAYS = 30
MAX_TITLE = 200
MAX_SUMMARY = 500


class ContentError(InputError):
    """A refusal worded for the person (already translated)."""


@dataclass
class ConflictError(ContentError):
    """Someone saved the post after this form was opened. ``theirs`` is the post as saved now;
    ``mine`` the refused text, kept as a revision."""

    theirs: Post
    mine: Revision

    def __str__(self) -> str:
        return _(
            "{name} menyimpan tulisan ini setelah Anda membukanya. Tulisan Anda tidak hilang: tersimpan "
            "sebagai revisi, dan dapat dibandingkan lalu dipulihkan."
        ).format(name=self.theirs.updated_by_name or self.theirs.author_name or _("Orang lain"))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def get_post(db: Session, village_id: int, post_id: int, *, trashed: bool = False) -> Post:
    post = db.exec(in_village(Post, village_id).where(col(Post.id) == post_id)).first()
    if post is None or (post.deleted_at is not None) != trashed:
        raise ContentError(_("Tulisan tidak ditemukan."))
    return post


def bump_content_version(db: Session, village_id: int) -> None:
    """Public pages of the village change: their cache keys move on (one increment, no scan)."""
    bump_content_versions(db, [village_id])


def bump_content_versions(db: Session, village_ids: Sequence[int]) -> None:
    """:func:`bump_content_version` for several villages in one statement (the clock's rounds)."""
    if village_ids:
        db.exec(
            update(Village)
            .where(col(Village.id).in_(village_ids))
            .values(content_version=col(Village.content_version) + 1)
        )


def _check_fields(title: str, summary: str, body: str) -> tuple[str, str, str]:
    title = " ".join(title.split())
    if not title:
        raise ContentError(_("Isi judul tulisan."))
    if len(title) > MAX_TITLE:
        raise ContentError(_("Judul terlalu panjang (maksimal 200 karakter)."))
    summary = summary.strip()
    if len(summary) > MAX_SUMMARY:
        raise ContentError(_("Ringkasan terlalu panjang (maksimal 500 karakter)."))
    if len(body) > MAX_BODY:
        raise ContentError(_("Isi tulisan terlalu panjang. Bagi menjadi beberapa tulisan."))
    return title, summary, to_safe_html(body)


def assess(db: Session, post: Post) -> quality.Quality:
    """The post's quality checklist, its cover's alternative text included."""
    return quality.assess(
        post.title, post.body, has_cover=post.cover_media_id is not None, cover_alt=cover_alt(db, post)
    )


def cover_alt(db: Session, post: Post) -> str | None:
    if post.cover_media_id is None:
        return None
    media = media_service.find(db, post.village_id, post.cover_media_id)
    return media.alt if media is not None else None


def cover_described(db: Session, village_id: int, media_id: int) -> None:
    """A photo's description changed in the media library: the posts it is the cover of are
    scored again, and their pages show the new text at once."""
    posts = db.exec(in_village(Post, village_id).where(col(Post.cover_media_id) == media_id)).all()
    for post in posts:
        score(db, post)
        db.add(post)
    if any(p.status == "published" for p in posts):
        bump_content_version(db, village_id)


def score(db: Session, post: Post) -> int:
    """Store the post's quality score (:mod:`.quality`) with it: called wherever its title, text or
    cover changes, so the monthly indicator counts quality posts without reading their text."""
    post.quality = assess(db, post).score
    return post.quality


def _snapshot(post: Post, reason: str = "saved", author: User | None = None) -> Revision:
    assert post.id is not None
    return Revision(
        village_id=post.village_id,
        post_id=post.id,
        version=post.version,
        title=post.title,
        summary=post.summary,
        body=post.body,
        author_id=author.id if author else post.author_id,
        author_name=author.name if author else post.author_name,
        reason=reason,
    )


def create_draft(
    db: Session, village_id: int, author: User, *, title: str, summary: str = "", body: str = ""
) -> Post:
    title, summary, body = _check_fields(title, summary, body)
    post = Post(
        village_id=village_id,
        title=title,
        slug=unique_post_slug(db, village_id, title),
        summary=summary,
        body=body,
        status="draft",
        author_id=author.id,
        author_name=author.name,
        updated_by_name=author.name,
    )
    score(db, post)
    db.add(post)
    db.flush()
    return post


def save(
    db: Session,
    village_id: int,
    post_id: int,
    editor: User,
    *,
    expected_version: int,
    title: str,
    summary: str,
    body: str,
) -> Post:
    """Save new text over ``expected_version``; the previous text becomes a revision."""
    title, summary, body = _check_fields(title, summary, body)
    post = get_post(db, village_id, post_id)
    if post.version != expected_version:
        mine = Revision(
            village_id=village_id,
            post_id=post_id,
            version=expected_version,
            title=title,
            summary=summary,
            body=body,
            author_id=editor.id,
            author_name=editor.name,
            reason="conflict",
        )
        db.add(mine)
        db.flush()
        raise ConflictError(post, mine)
    _drop_autosave(db, village_id, post_id, editor)  # what was being typed is saved now
    if (title, summary, body) == (post.title, post.summary, post.body):
        score(db, post)  # a post saved before scores were kept (or scored by older checks) gets one
        db.add(post)
        return post  # an unchanged form: no revision, no new version
    db.add(_snapshot(post))
    post.title, post.summary, post.body = title, summary, body
    post.version += 1
    post.updated_at = utcnow()
    post.updated_by_name = editor.name
    score(db, post)
    db.add(post)
    if post.status == "published":
        bump_content_version(db, village_id)
    db.flush()
    return post


def autosave(
    db: Session, village_id: int, post_id: int, editor: User, *, title: str, summary: str, body: str
) -> Revision:
    """Keep what ``editor`` is typing as their one ``autosave`` revision of the post (replaced each
    time). The post itself does not change, so an autosave never gives anyone a conflict; the
    text can be compared and restored like any revision until the person saves."""
    post = get_post(db, village_id, post_id)
    title = " ".join(title.split())[:MAX_TITLE] or post.title
    if len(body) > MAX_BODY or len(summary) > MAX_SUMMARY:
        raise ContentError(_("Isi tulisan terlalu panjang. Bagi menjadi beberapa tulisan."))
    kept = _autosave_of(db, village_id, post_id, editor)
    if kept is None:
        kept = Revision(
            village_id=village_id,
            post_id=post_id,
            version=post.version,
            title=title,
            author_id=editor.id,
            author_name=editor.name,
            reason="autosave",
        )
    kept.title, kept.summary, kept.body = title, summary.strip(), to_safe_html(body)
    kept.version, kept.created_at = post.version, utcnow()
    db.add(kept)
    db.flush()
    return kept


def _autosave_of(db: Session, village_id: int, post_id: int, editor: User) -> Revision | None:
    return db.exec(
        in_village(Revision, village_id).where(
            col(Revision.post_id) == post_id,
            col(Revision.reason) == "autosave",
            col(Revision.author_id) == editor.id,
        )
    ).first()


def _drop_autosave(db: Session, village_id: int, post_id: int, editor: User) -> None:
    kept = _autosave_of(db, village_id, post_id, editor)
    if kept is not None:
        db.delete(kept)


def pending_autosave(db: Session, village_id: int, post: Post, editor: User) -> Revision | None:
    """``editor``'s autosaved text of ``post`` when it is newer than the post (not saved since)."""
    assert post.id is not None
    kept = _autosave_of(db, village_id, post.id, editor)
    if kept is None or _aware(kept.created_at) <= _aware(post.updated_at):
        return None
    return kept


def submit(db: Session, village_id: int, post_id: int) -> Post:
    post = get_post(db, village_id, post_id)
    if post.status != "draft":
        raise ContentError(_("Hanya draf yang dapat dikirim untuk ditinjau."))
    post.status = "review"
    post.review_comment = ""
    db.add(post)
    return post


def send_back(db: Session, village_id: int, post_id: int, comment: str) -> Post:
    post = get_post(db, village_id, post_id)
    if post.status != "review":
        raise ContentError(_("Tulisan ini tidak sedang menunggu tinjauan."))
    comment = comment.strip()
    if not comment:
        raise ContentError(_("Tulis catatan untuk penulis: apa yang perlu diperbaiki."))
    post.status = "draft"
    post.review_comment = comment[:2000]
    db.add(post)
    return post


def publish(db: Session, village_id: int, post_id: int, *, at: datetime | None = None) -> Post:
    """Publish now, or schedule for ``at`` when it is in the future."""
    post = get_post(db, village_id, post_id)
    if post.status == "published":
        raise ContentError(_("Tulisan ini sudah terbit."))
    now = utcnow()
    if at is not None and _aware(at) > now + timedelta(seconds=30):
        post.status = "scheduled"
        post.published_at = _aware(at)
    else:
        post.status = "published"
        post.published_at = now
        bump_content_version(db, village_id)
    post.review_comment = ""
    db.add(post)
    return post


def unpublish(db: Session, village_id: int, post_id: int) -> Post:
    post = get_post(db, village_id, post_id)
    if post.status not in ("published", "scheduled"):
        raise ContentError(_("Tulisan ini belum terbit."))
    was_public = post.status == "published"
    post.status = "draft"
    db.add(post)
    if was_public:
        bump_content_version(db, village_id)
    return post


def trash(db: Session, village_id: int, post_id: int) -> Post:
    post = get_post(db, village_id, post_id)
    post.deleted_at = utcnow()
    db.add(post)
    if post.status == "published":
        bump_content_version(db, village_id)
    return post


def restore(db: Session, village_id: int, post_id: int) -> Post:
    post = get_post(db, village_id, post_id, trashed=True)
    post.deleted_at = None
    db.add(post)
    if post.status == "published":
        bump_content_version(db, village_id)
    return post


def revisions(db: Session, village_id: int, post_id: int) -> Sequence[Revision]:
    return db.exec(
        in_village(Revision, village_id)
        .where(col(Revision.post_id) == post_id)
        .order_by(col(Revision.id).desc())
    ).all()


def restore_revision(
    db: Session, village_id: int, post_id: int, revision_id: int, editor: User, *, expected_version: int
) -> Post:
    """Bring back a revision's text (the current text becomes a revision itself)."""
    revision = db.exec(
        in_village(Revision, village_id).where(
            col(Revision.id) == revision_id, col(Revision.post_id) == post_id
        )
    ).first()
    if revision is None:
        raise ContentError(_("Revisi tidak ditemukan."))
    return save(
        db,
        village_id,
        post_id,
        editor,
        expected_version=expected_version,
        title=revision.title,
        summary=revision.summary,
        body=revision.body,
    )


def compare(old: str, new: str) -> list[tuple[str, str]]:
    """Line-by-line differences for the comparison view: ("=", line), ("-", line), ("+", line)."""
    result: list[tuple[str, str]] = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        tag, text = line[:1], line[2:]
        if tag in ("+", "-"):
            result.append((tag, text))
        elif tag == " ":
            result.append(("=", text))
    return result


# --- the cover photo -----------------------------------------------------------------------------
def set_cover(db: Session, village_id: int, post_id: int, media_id: int | None) -> Post:
    """Show ``media_id`` (a photo of this village's library) above the post, or no cover (None).
    Another village's file, a missing one or a document is refused before anything changes."""
    post = get_post(db, village_id, post_id)
    if media_id is not None:
        media = media_service.find(db, village_id, media_id)
        if media is None:
            raise ContentError(_("Foto sampul tidak ditemukan di pustaka media desa ini."))
        if not media.is_image:
            raise ContentError(_("Foto sampul harus berupa foto, bukan dokumen."))
    if post.cover_media_id == media_id:
        return post
    post.cover_media_id = media_id
    score(db, post)  # the cover is one of the checks
    db.add(post)
    if post.status == "published":
        bump_content_version(db, village_id)
    db.flush()
    return post


# --- categories and tags ---------------------------------------------------------------------------
def _terms(db: Session, village_id: int, model: type[Category] | type[Tag], names: list[str]) -> list[int]:
    ids: list[int] = []
    for raw in names:
        name = " ".join(raw.split())[:80]
        slug = slugify(name)[:80]
        if not name or not slug:
            continue
        term = db.exec(in_village(model, village_id).where(col(model.slug) == slug)).first()
        if term is None:
            term = model(village_id=village_id, name=name, slug=slug)
            db.add(term)
            db.flush()
        assert term.id is not None
        if term.id not in ids:
            ids.append(term.id)
    return ids


def set_terms(db: Session, village_id: int, post_id: int, *, categories: list[str], tags: list[str]) -> None:
    """Replace the post's categories and tags (created in the village when new)."""
    get_post(db, village_id, post_id)
    category_ids = _terms(db, village_id, Category, categories)
    tag_ids = _terms(db, village_id, Tag, tags)
    db.exec(delete(PostCategory).where(col(PostCategory.post_id) == post_id))
    db.exec(delete(PostTag).where(col(PostTag.post_id) == post_id))
    for category_id in category_ids:
        db.add(PostCategory(village_id=village_id, post_id=post_id, category_id=category_id))
    for tag_id in tag_ids:
        db.add(PostTag(village_id=village_id, post_id=post_id, tag_id=tag_id))
    db.flush()


# --- the background jobs -------------------------------------------------------------------------
def publish_due(db: Session, now: datetime | None = None) -> int:
    """Scheduled posts whose time has come go live (run by the worker every minute; the session
    crosses villages on purpose)."""
    moment = now or utcnow()
    # Every village's rows, on purpose: the job's session is opened with all_villages=True.
    due = db.exec(
        select(Post).where(
            col(Post.status) == "scheduled", col(Post.published_at) <= moment, col(Post.deleted_at).is_(None)
        )
    ).all()
    for post in due:
        post.status = "published"
        db.add(post)
        bump_content_version(db, post.village_id)
    return len(due)


def purge_trash(db: Session, now: datetime | None = None) -> int:
    """Content in the trash for more than 30 days is deleted for good: posts (with their
    revisions), pages, events, announcements, albums and documents (their photos and files stay in
    the media library). All villages at once, as :func:`publish_due`."""
    cutoff = (now or utcnow()) - timedelta(days=TRASH_DAYS)
    purged = 0
    trashed: tuple[
        type[Post] | type[Page] | type[Event] | type[Announcement] | type[Album] | type[Document], ...
    ]
    trashed = (Post, Page, Event, Announcement, Album, Document)
    for model in trashed:
        old = db.exec(select(model).where(col(model.deleted_at) < cutoff)).all()
        for row in old:
            db.delete(row)
        purged += len(old)
    db.flush()
    return purged
