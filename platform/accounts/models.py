"""Account tables.

A person is one :class:`User` however many villages they serve; what they may do in a village
comes from their :class:`Membership` there, and a facilitator's reach from ``supervisor_scope``
(a region-code prefix: ``34.04.02`` kecamatan, ``34.04`` kabupaten, ``34`` province, ``""``
national). Secrets are never stored in the clear: session and one-time tokens as SHA-256,
passwords with argon2id, recovery codes as SHA-256 of 50-bit random codes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned

ROLES = ("admin", "editor", "kontributor")


def _timestamp(nullable: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, default=None if nullable else utcnow)


def _user_fk(nullable: bool = False, ondelete: str = "CASCADE") -> Column[int]:
    return Column(Integer, ForeignKey("app_user.id", ondelete=ondelete), nullable=nullable, index=True)


class User(SQLModel, table=True):
    """A person who signs in. Email and mobile number are both optional, but one is required."""

    __tablename__ = "app_user"  # `user` is a reserved word in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    email: str | None = Field(default=None, sa_column=Column(String(254), unique=True))
    phone: str | None = Field(default=None, sa_column=Column(String(16), unique=True))  # E.164
    name: str = Field(sa_column=Column(String(100), nullable=False))
    password_hash: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    is_superuser: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    # None: not a facilitator. "": national. Otherwise a region code whose villages they oversee.
    supervisor_scope: str | None = Field(default=None, sa_column=Column(String(13), index=True))
    totp_secret: str | None = Field(default=None, sa_column=Column(String(64)))
    totp_last_step: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    language: str = Field(default="id", sa_column=Column(String(5), nullable=False, default="id"))
    is_active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, default=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    password_changed_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret)

    @property
    def login_name(self) -> str:
        return self.email or self.phone or ""


class Membership(VillageOwned, table=True):
    """A person's role in one village: admin (operator), editor, or kontributor (kader)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("village_id", "user_id", name="uq_membership_village_id_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    role: str = Field(sa_column=Column(String(16), nullable=False))
    # Marked by the village's admin after the member took part in a training (the "admin terlatih"
    # indicator counts trained members who are still active).
    trained_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; this row holds its SHA-256.

    A session belongs to the host it was created on: a village's cookie sent to another village's
    host (or a cookie tossed from a sibling subdomain) finds no session there."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: int = Field(sa_column=_user_fk())
    host: str = Field(sa_column=Column(String(253), nullable=False))
    # False between a correct password and a correct TOTP code.
    verified: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, default=True))
    user_agent: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    ip_hash: str = Field(default="", sa_column=Column(String(16), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))


class OneTimeToken(SQLModel, table=True):
    """An invitation or a password reset: works once, expires, stored as SHA-256 only."""

    __tablename__ = "one_time_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    purpose: str = Field(sa_column=Column(String(16), nullable=False))  # invite, reset
    user_id: int | None = Field(default=None, sa_column=_user_fk(nullable=True))  # reset: whose password
    # invite: who is invited (normalised email or E.164 number), to which village and role.
    recipient: str = Field(default="", sa_column=Column(String(254), nullable=False, default=""))
    village_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("village.id", ondelete="CASCADE"), index=True)
    )
    role: str | None = Field(default=None, sa_column=Column(String(16)))
    created_by: int | None = Field(default=None, sa_column=_user_fk(nullable=True, ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))


class RecoveryCode(SQLModel, table=True):
    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    code_hash: str = Field(sa_column=Column(String(64), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))


class OutboxMessage(SQLModel, table=True):
    """A message to a person. Sent by SMTP when configured; otherwise kept for the operator to read
    (CLI ``etalase outbox`` and the console), so a demo needs no mail server."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(sa_column=Column(String(254), nullable=False))
    subject: str = Field(sa_column=Column(String(200), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    sent_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    error: str = Field(default="", sa_column=Column(String(300), nullable=False, default=""))


class AuditEvent(SQLModel, table=True):
    """Who did what, when, in which village, from which (hashed) address.

    ``village_id`` is empty for platform-wide events (a sign-in on the portal); ``village_code``
    copies the village's region code so a supervisor's scope is one prefix scan."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_village_at", "village_id", "at"),
        Index(
            "ix_audit_event_code_at",
            "village_code",
            "at",
            postgresql_ops={"village_code": "text_pattern_ops"},
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    actor_id: int | None = Field(default=None, sa_column=_user_fk(nullable=True, ondelete="SET NULL"))
    actor_name: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    action: str = Field(sa_column=Column(String(40), nullable=False))
    village_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("village.id", ondelete="CASCADE"))
    )
    village_code: str | None = Field(default=None, sa_column=Column(String(13)))
    target: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    ip_hash: str = Field(default="", sa_column=Column(String(16), nullable=False, default=""))


class MentoringNote(VillageOwned, table=True):
    """A facilitator's note to a village (catatan pendampingan). Villages read them; only the
    supervisors in scope write them."""

    __tablename__ = "mentoring_note"

    id: int | None = Field(default=None, primary_key=True)
    author_id: int | None = Field(default=None, sa_column=_user_fk(nullable=True, ondelete="SET NULL"))
    author_name: str = Field(sa_column=Column(String(100), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
