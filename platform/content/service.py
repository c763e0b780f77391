"""Writing posts. Every query goes through the scoped path; callers commit."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col

from etalase.platform.content import quality
from etalase.platform.content.models import Category, Post, PostCategory, PostTag, Tag
from etalase.platform.content.sanitize import clean_html
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village
from etalase.tenants.slugs import slugify


def unique_post_slug(session: Session, village_id: int, title: str) -> str:
    base = slugify(title)[:180] or "berita"
    slug, n = base, 1
    while session.exec(in_village(Post, village_id).where(col(Post.slug) == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_post(
    session: Session,
    village_id: int,
    *,
    title: str,
    body: str,
    summary: str = "",
    published_at: datetime | None = None,
) -> Post:
    """A post; published when ``published_at`` is given, a draft otherwise."""
    post = Post(
        village_id=village_id,
        title=title.strip()[:200],
        slug=unique_post_slug(session, village_id, title),
        summary=summary.strip(),
        body=clean_html(body),
        status="published" if published_at else "draft",
        published_at=published_at,
        created_at=published_at or utcnow(),
        updated_at=published_at or utcnow(),
    )
    # Scored like a post saved in the editor, so the quality indicator counts it (demo, CLI).
    post.quality = quality.assess(post.title, post.body, has_cover=False).score
    session.add(post)
    session.flush()
    return post


def terms_of(session: Session, village_id: int, post_id: int) -> tuple[list[Category], list[Tag]]:
    """The post's categories and tags, each by name (the editor's form and the public post)."""
    categories = session.exec(
        in_village(Category, village_id)
        .join(PostCategory, col(PostCategory.category_id) == col(Category.id))
        .where(col(PostCategory.post_id) == post_id)
        .order_by(col(Category.name))
    ).all()
    tags = session.exec(
        in_village(Tag, village_id)
        .join(PostTag, col(PostTag.tag_id) == col(Tag.id))
        .where(col(PostTag.post_id) == post_id)
        .order_by(col(Tag.name))
    ).all()
    return list(categories), list(tags)
