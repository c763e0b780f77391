"""Writing posts. Every query goes through the scoped path; callers commit."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col

from etalase.platform.content import quality
from etalase.platform.content.models import Post
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
