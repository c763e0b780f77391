"""Sign-in sessions, kept in the database so they survive restarts and work in every process.

The cookie holds a random token; the row holds its SHA-256, the host it belongs to, and when it
expires. The cookie is host-only (no ``Domain``), ``HttpOnly``, ``SameSite=Lax``, and over HTTPS
``Secure`` with the ``__Host-`` prefix, which a sibling village's subdomain cannot overwrite.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from etalase.platform.accounts.models import User, UserSession
from etalase.platform.accounts.tokens import new_token, token_hash
from etalase.platform.settings import Settings
from etalase.tenants.models import utcnow

TOUCH_EVERY = timedelta(minutes=5)  # last-seen is for the sessions list, not worth a write per request


def cookie_name(settings: Settings) -> str:
    return "__Host-etalase_sesi" if settings.public_scheme == "https" else "etalase_sesi"


def start(
    db: Session,
    user: User,
    host: str,
    *,
    days: int,
    verified: bool = True,
    user_agent: str = "",
    ip_hash: str = "",
) -> str:
    """A new session for the user on this host; returns the raw token for the cookie."""
    raw, hashed = new_token()
    now = utcnow()
    assert user.id is not None
    db.add(
        UserSession(
            token_hash=hashed,
            user_id=user.id,
            host=host,
            verified=verified,
            user_agent=user_agent[:200],
            ip_hash=ip_hash,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    db.flush()
    return raw


def load(db: Session, raw: str, host: str, *, days: int) -> tuple[UserSession, User] | None:
    """The live session for this cookie on this host, and its (active) user."""
    if not raw or len(raw) > 100:
        return None
    row = db.exec(
        select(UserSession, User)
        .join(User, col(User.id) == col(UserSession.user_id))
        .where(col(UserSession.token_hash) == token_hash(raw))
    ).first()
    if row is None:
        return None
    current, user = row
    now = utcnow()
    expires = (
        current.expires_at if current.expires_at.tzinfo else current.expires_at.replace(tzinfo=now.tzinfo)
    )
    if current.host != host or expires <= now or not user.is_active:
        return None
    last_seen = (
        current.last_seen_at
        if current.last_seen_at.tzinfo
        else current.last_seen_at.replace(tzinfo=now.tzinfo)
    )
    if now - last_seen > TOUCH_EVERY:
        # Sliding expiry: a session used at least once a month stays signed in.
        current.last_seen_at = now
        current.expires_at = now + timedelta(days=days)
        db.add(current)
    return current, user


def end(db: Session, current: UserSession) -> None:
    db.exec(delete(UserSession).where(col(UserSession.id) == current.id))


def end_all(db: Session, user_id: int, *, keep: int | None = None) -> int:
    """Sign the user out everywhere (but ``keep`` this session). Returns how many ended."""
    query = delete(UserSession).where(col(UserSession.user_id) == user_id)
    if keep is not None:
        query = query.where(col(UserSession.id) != keep)
    result = db.exec(query)
    return int(result.rowcount or 0)


def of_user(db: Session, user_id: int) -> Sequence[UserSession]:
    now = utcnow()
    return db.exec(
        select(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.expires_at) > now)
        .order_by(col(UserSession.last_seen_at).desc())
    ).all()


def purge_expired(db: Session) -> int:
    result = db.exec(delete(UserSession).where(col(UserSession.expires_at) <= utcnow()))
    return int(result.rowcount or 0)
