"""Old addresses that still work: a changed slug, a post or page imported from an old blog.

A missing public address is looked up here before the 404 page: a post whose slug was changed
answers 301 to its current address (``kind`` "post"), so do pages, events and albums; an address
of the old Blogger/WordPress site recorded at import (``kind`` "legacy" for a post, "legacy_page"
for a page; ``old_slug`` is the old path, ``/2023/05/judul.html`` or ``/?p=123``) answers 301 to the
post or page it became, so a village moving its domain here keeps its old links. A post that was
public and is no longer (trashed, or taken back to draft) answers 410 Gone.

Redirects point at a row id, never at a slug, so a slug changed twice needs no chain.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from sqlmodel import Session, col

from etalase.platform.content.models import Album, Event, Page, Post
from etalase.platform.content.workflow import ContentError, bump_content_version
from etalase.platform.i18n import _
from etalase.platform.site.models import SlugRedirect
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village
from etalase.tenants.slugs import slugify

MAX_OLD = 200  # the column's length
MAX_POST_SLUG = 180

# The public address of each kind, and its table.
KINDS: dict[str, tuple[str, type[Post] | type[Page] | type[Event] | type[Album]]] = {
    "post": ("/berita/", Post),
    "page": ("/halaman/", Page),
    "event": ("/agenda/", Event),
    "album": ("/galeri/", Album),
}
LEGACY_TARGETS = {"legacy": "post", "legacy_page": "page"}
# Old blog addresses a lookup by path is worth a query for.
_BLOG_POST = re.compile(r"^/\d{4}/\d{2}/(?:\d{2}/)?(?P<name>[^/]+?)(?:\.html?)?/?$")
_ONE_SEGMENT = re.compile(r"^/(?P<name>[^/.]+)/$")
_KEPT_QUERY = ("p", "page_id")  # WordPress plain permalinks (/?p=123)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def was_public(post: Post) -> bool:
    """Published once and not now: in the trash, or taken back to draft after going live."""
    live = post.status == "published" and post.deleted_at is None
    return not live and post.published_at is not None and _aware(post.published_at) <= utcnow()


def record(db: Session, village_id: int, kind: str, old_slug: str, target_id: int) -> None:
    """Remember that ``old_slug`` of ``kind`` now means row ``target_id`` (replacing any earlier
    meaning of that old slug)."""
    old_slug = old_slug[:MAX_OLD]
    if not old_slug:
        return
    row = db.exec(
        in_village(SlugRedirect, village_id).where(
            col(SlugRedirect.kind) == kind, col(SlugRedirect.old_slug) == old_slug
        )
    ).first()
    if row is None:
        row = SlugRedirect(village_id=village_id, kind=kind, old_slug=old_slug, target_id=target_id)
    row.target_id = target_id
    db.add(row)


def change_post_slug(db: Session, village_id: int, post: Post, wanted: str) -> bool:
    """Give ``post`` a new slug (an editor's choice, checked and made URL-safe). When the old one
    was ever public, it keeps answering with a 301. False when nothing changed."""
    slug = slugify(wanted)[:MAX_POST_SLUG].strip("-")
    if not slug:
        raise ContentError(_("Alamat berita hanya boleh berisi huruf, angka, dan tanda hubung."))
    if slug == post.slug:
        return False
    taken = db.exec(
        in_village(Post, village_id).where(col(Post.slug) == slug, col(Post.id) != post.id)
    ).first()
    if taken is not None:
        raise ContentError(_("Alamat berita itu sudah dipakai tulisan lain. Pilih alamat lain."))
    assert post.id is not None
    if post.published_at is not None:
        record(db, village_id, "post", post.slug, post.id)
    post.slug = slug
    db.add(post)
    if post.status == "published" and post.deleted_at is None:
        bump_content_version(db, village_id)
    db.flush()
    return True


def legacy_key(path: str, query: str = "") -> str:
    """An old address as it is recorded: its path, plus the query when it is what names the post
    (``/?p=123``); Blogger's ``?m=1`` (its phone view) and other parameters are dropped."""
    kept = [(k, v) for k, v in parse_qsl(query) if k in _KEPT_QUERY]
    return (path + (f"?{urlencode(kept)}" if kept else ""))[:MAX_OLD]


def _current(db: Session, village_id: int, kind: str, target_id: int) -> str | None:
    prefix, model = KINDS[kind]
    row = db.exec(
        in_village(model, village_id).where(
            col(model.id) == target_id, col(model.status) == "published", col(model.deleted_at).is_(None)
        )
    ).first()
    return f"{prefix}{row.slug}" if row is not None else None


def _redirect(db: Session, village_id: int, kinds: tuple[str, ...], old: str) -> str | None:
    rows = db.exec(
        in_village(SlugRedirect, village_id)
        .where(col(SlugRedirect.kind).in_(kinds), col(SlugRedirect.old_slug) == old)
        .order_by(col(SlugRedirect.id).desc())
    ).all()
    for row in rows:
        target = _current(db, village_id, LEGACY_TARGETS.get(row.kind, row.kind), row.target_id)
        if target is not None:
            return target
    return None


class GoneError(Exception):
    """The address was a public post that is no longer there (answer 410)."""


def resolve(db: Session, village_id: int, path: str, query: str = "") -> str | None:
    """Where a missing address went (a path to answer 301 with), None for a plain 404; raises
    :class:`GoneError` for a post removed from the site."""
    for kind, (prefix, _model) in KINDS.items():
        if path.startswith(prefix) and "/" not in path[len(prefix) :].rstrip("/"):
            slug = path[len(prefix) :].rstrip("/")
            if not slug:
                return None
            if kind == "post":
                post = db.exec(in_village(Post, village_id).where(col(Post.slug) == slug)).first()
                if post is not None and was_public(post):
                    raise GoneError
            if path.endswith("/"):  # /berita/judul/ → /berita/judul, when that is live
                live = _current_by_slug(db, village_id, kind, slug)
                if live is not None:
                    return live
            return _redirect(db, village_id, (kind,), slug)
    old = legacy_key(path, query)
    found = _redirect(db, village_id, tuple(LEGACY_TARGETS), old)
    if found is None:
        # Not recorded (imported before redirects were kept, or by hand): an old Blogger or
        # WordPress post address whose last part is a post's slug here.
        match = _BLOG_POST.match(path) or _ONE_SEGMENT.match(path)
        if match is not None:
            found = _current_by_slug(db, village_id, "post", slugify(match.group("name")))
    return found


def _current_by_slug(db: Session, village_id: int, kind: str, slug: str) -> str | None:
    prefix, model = KINDS[kind]
    if not slug:
        return None
    row = db.exec(
        in_village(model, village_id).where(
            col(model.slug) == slug, col(model.status) == "published", col(model.deleted_at).is_(None)
        )
    ).first()
    return f"{prefix}{row.slug}" if row is not None else None
