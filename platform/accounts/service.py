"""What people do with accounts: sign in, invite, join, change roles, reset passwords, 2FA.

Functions take the request's database session and never commit (the request does, once, at the
end; a refusal raises :class:`InputError` before anything is written, so nothing is half-done).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from etalase.platform.accounts import outbox, totp
from etalase.platform.accounts.identity import (
    Identifier,
    InputError,
    clean_name,
    normalize_email,
    normalize_phone,
    parse_identifier,
)
from etalase.platform.accounts.models import ROLES, Membership, OneTimeToken, RecoveryCode, User
from etalase.platform.accounts.passwords import (
    burn_time,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from etalase.platform.accounts.tokens import new_token, token_hash
from etalase.platform.i18n import _
from etalase.tenants.models import Village, utcnow
from etalase.tenants.scope import in_village, in_village_or_platform, with_village

INVITE_DAYS = 7
RESET_MINUTES = 60


# --- users -------------------------------------------------------------------------------------
def find_user(db: Session, identifier: Identifier) -> User | None:
    column = col(User.email) if identifier.kind == "email" else col(User.phone)
    return db.exec(select(User).where(column == identifier.value)).first()


def personal_words(user: User | None = None, *extra: str) -> list[str]:
    words = list(extra)
    if user is not None:
        words += [user.name, *(user.name.split()), (user.email or "").split("@")[0], (user.phone or "")[-8:]]
    return [w for w in words if w]


def create_user(
    db: Session,
    *,
    name: str,
    email: str = "",
    phone: str = "",
    password: str,
    superuser: bool = False,
    scope: str | None = None,
    check_password: bool = True,
    avoid: tuple[str, ...] = (),
) -> User:
    """A new account. ``avoid``: more words the password must not lean on (the village's name)."""
    name = clean_name(name)
    email_value = normalize_email(email) if email.strip() else None
    phone_value = normalize_phone(phone) if phone.strip() else None
    if not email_value and not phone_value:
        raise InputError(_("Isi email atau nomor HP."))
    for kind, value in (("email", email_value), ("phone", phone_value)):
        if value and find_user(db, Identifier(kind, value)) is not None:  # type: ignore[arg-type]
            raise InputError(_("Email atau nomor HP ini sudah dipakai akun lain."))
    if check_password:
        words = [*name.split(), (email_value or "").split("@")[0], (phone_value or "")[-8:], *avoid]
        check_policy(password, [name, *words])
    user = User(
        name=name,
        email=email_value,
        phone=phone_value,
        password_hash=hash_password(password),
        is_superuser=superuser,
        supervisor_scope=scope,
        password_changed_at=utcnow(),
    )
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, identifier: Identifier, password: str) -> User | None:
    """The active account with this identifier and password; None otherwise, in the same time."""
    user = find_user(db, identifier)
    if user is None or not user.is_active:
        burn_time()
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.add(user)
    return user


def set_password(db: Session, user: User, password: str, *avoid: str) -> None:
    check_policy(password, personal_words(user, *avoid))
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    db.add(user)


def change_password(db: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise InputError(_("Kata sandi saat ini salah."))
    if current == new:
        raise InputError(_("Kata sandi baru harus berbeda dari yang sekarang."))
    set_password(db, user, new)


def update_profile(db: Session, user: User, *, name: str, language: str) -> None:
    user.name = clean_name(name)
    user.language = language if language in ("id", "en") else "id"
    db.add(user)


# --- second factor -----------------------------------------------------------------------------
def enable_totp(db: Session, user: User, secret: str, code: str) -> list[str]:
    """Turn TOTP on once the person proves their app shows the right code; returns recovery codes."""
    step = totp.accepted_step(secret, code, 0)
    if step is None:
        raise InputError(
            _("Kode tidak cocok. Periksa jam di HP Anda, lalu masukkan kode yang sedang tampil.")
        )
    user.totp_secret = secret
    user.totp_last_step = step
    db.add(user)
    return new_recovery_codes(db, user)


def new_recovery_codes(db: Session, user: User) -> list[str]:
    assert user.id is not None
    db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = totp.new_recovery_codes()
    for code in codes:
        db.add(RecoveryCode(user_id=user.id, code_hash=totp.recovery_hash(code)))
    db.flush()
    return codes


def disable_totp(db: Session, user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise InputError(_("Kata sandi salah."))
    user.totp_secret = None
    user.totp_last_step = 0
    db.add(user)
    db.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))


def check_second_factor(db: Session, user: User, code: str) -> str | None:
    """``"totp"`` or ``"recovery"`` when the code is right (and now used up); None otherwise."""
    if not user.totp_secret:
        return None
    step = totp.accepted_step(user.totp_secret, code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        db.add(user)
        return "totp"
    hashed = totp.recovery_hash(code)
    row = db.exec(
        select(RecoveryCode).where(
            col(RecoveryCode.user_id) == user.id,
            col(RecoveryCode.code_hash) == hashed,
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if row is None:
        return None
    row.used_at = utcnow()
    db.add(row)
    return "recovery"


def recovery_codes_left(db: Session, user: User) -> int:
    return int(
        db.exec(
            select(func.count())
            .select_from(RecoveryCode)
            .where(col(RecoveryCode.user_id) == user.id, col(RecoveryCode.used_at).is_(None))
        ).one()
    )


# --- one-time tokens ---------------------------------------------------------------------------
def _live_token(db: Session, raw: str, purpose: str, village_id: int | None = None) -> OneTimeToken:
    """The usable token, only on the host it belongs to: an invitation on its village's host, a
    reset link on the host where it was asked for (``village_id`` None: the portal)."""
    query = in_village_or_platform(OneTimeToken, village_id)
    row = db.exec(query.where(col(OneTimeToken.token_hash) == token_hash(raw or ""))).first()
    if row is None or row.purpose != purpose:
        raise InputError(_("Tautan ini tidak valid. Periksa kembali tautan yang Anda terima."))
    if row.used_at is not None:
        raise InputError(
            _("Tautan ini sudah pernah dipakai atau sudah dibatalkan. Setiap tautan hanya berlaku satu kali.")
        )
    now = utcnow()
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
    if expires <= now:
        raise InputError(_("Tautan ini sudah kedaluwarsa. Mintalah tautan yang baru."))
    return row


def peek_token(db: Session, raw: str, purpose: str, village_id: int | None = None) -> OneTimeToken:
    """The token if it is still usable (raises InputError with the reason otherwise)."""
    return _live_token(db, raw, purpose, village_id)


# --- password reset ----------------------------------------------------------------------------
def request_reset(db: Session, identifier: Identifier, *, link: str, village_id: int | None) -> User | None:
    """Queue a reset link if the account exists. The caller says the same thing either way."""
    user = find_user(db, identifier)
    if user is None or not user.is_active:
        return None
    recipient = user.email or identifier.value  # mail goes where it can arrive
    raw, hashed = new_token()
    db.add(
        OneTimeToken(
            token_hash=hashed,
            purpose="reset",
            user_id=user.id,
            recipient=recipient,
            village_id=village_id,
            expires_at=utcnow() + timedelta(minutes=RESET_MINUTES),
        )
    )
    url = link.replace("{token}", raw)
    outbox.queue(
        db,
        recipient,
        _("Atur ulang kata sandi Etalase"),
        _(
            "Halo {name},\n\nSeseorang (semoga Anda) meminta untuk mengatur ulang kata sandi "
            "akun Etalase Anda. "
            "Buka tautan ini dalam {minutes} menit:\n\n{url}\n\n"
            "Jika Anda tidak memintanya, abaikan pesan ini; "
            "kata sandi Anda tidak berubah."
        ).format(name=user.name, minutes=RESET_MINUTES, url=url),
    )
    return user


def reset_password(
    db: Session, raw: str, password: str, village_id: int | None = None, village_name: str = ""
) -> User:
    row = _live_token(db, raw, "reset", village_id)
    user = db.get(User, row.user_id) if row.user_id else None
    if user is None or not user.is_active:
        raise InputError(_("Tautan ini tidak valid. Periksa kembali tautan yang Anda terima."))
    set_password(db, user, password, village_name)
    row.used_at = utcnow()
    db.add(row)
    return user


def void_reset_links(db: Session, user: User) -> None:
    """After a reset or a password change, every other reset link of the person stops working.
    Links asked on other hosts are in other villages: a session allowed to cross them is needed."""
    rows = db.exec(
        select(OneTimeToken).where(
            col(OneTimeToken.user_id) == user.id,
            col(OneTimeToken.purpose) == "reset",
            col(OneTimeToken.used_at).is_(None),
        )
    ).all()
    for row in rows:
        row.used_at = utcnow()
        db.add(row)


# --- village members ---------------------------------------------------------------------------
@dataclass
class Invitation:
    token: OneTimeToken
    link: str
    recipient: Identifier
    emailed: bool


def members(db: Session, village_id: int) -> Sequence[tuple[Membership, User]]:
    query = (
        in_village(Membership, village_id)
        .join(User, col(User.id) == col(Membership.user_id))
        .add_columns(User)
        .order_by(col(Membership.role), col(User.name))
    )
    return [(row[0], row[1]) for row in db.execute(query).all()]


def pending_invitations(db: Session, village_id: int) -> Sequence[OneTimeToken]:
    return db.exec(
        in_village(OneTimeToken, village_id)
        .where(
            col(OneTimeToken.purpose) == "invite",
            col(OneTimeToken.used_at).is_(None),
            col(OneTimeToken.expires_at) > utcnow(),
        )
        .order_by(col(OneTimeToken.id).desc())
    ).all()


def admin_count(db: Session, village_id: int) -> int:
    admins = in_village(Membership, village_id).where(col(Membership.role) == "admin")
    return int(db.exec(admins.with_only_columns(func.count())).one())  # type: ignore[call-overload]


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(_("Pilih peran: admin, editor, atau kontributor."))
    return role


def invite(
    db: Session,
    *,
    village_id: int,
    village_title: str,
    recipient: str,
    role: str,
    inviter: User,
    link: str,
    email_possible: bool,
) -> Invitation:
    """An invitation link for one person to join the village in a role. ``link`` has a
    ``{token}`` placeholder. Emails go out through the outbox; for a mobile number the inviter
    passes the link on (WhatsApp)."""
    role = check_role(role)
    identifier = parse_identifier(recipient)
    existing = find_user(db, identifier)
    if existing is not None:
        already = db.exec(
            in_village(Membership, village_id).where(col(Membership.user_id) == existing.id)
        ).first()
        if already is not None:
            raise InputError(_("Orang ini sudah menjadi anggota tim desa."))
    # A new invitation replaces an unused one to the same person.
    for old in pending_invitations(db, village_id):
        if old.recipient == identifier.value:
            old.used_at = utcnow()
            db.add(old)
    raw, hashed = new_token()
    token = OneTimeToken(
        token_hash=hashed,
        purpose="invite",
        recipient=identifier.value,
        village_id=village_id,
        role=role,
        created_by=inviter.id,
        expires_at=utcnow() + timedelta(days=INVITE_DAYS),
    )
    db.add(token)
    db.flush()
    url = link.replace("{token}", raw)
    outbox.queue(
        db,
        identifier.value,
        _("Undangan bergabung dengan tim website {village}").format(village=village_title),
        _(
            "Halo,\n\n{inviter} mengundang Anda bergabung dengan tim website {village} sebagai {role}. "
            "Buka tautan ini dalam {days} hari untuk menerima undangan:\n\n{url}\n"
        ).format(inviter=inviter.name, village=village_title, role=role, days=INVITE_DAYS, url=url),
    )
    return Invitation(token, url, identifier, emailed=email_possible and identifier.kind == "email")


def cancel_invitation(db: Session, village_id: int, token_id: int) -> OneTimeToken:
    row = db.exec(in_village(OneTimeToken, village_id).where(col(OneTimeToken.id) == token_id)).first()
    if row is None or row.purpose != "invite" or row.used_at is not None:
        raise InputError(_("Undangan tidak ditemukan atau sudah tidak berlaku."))
    row.used_at = utcnow()
    db.add(row)
    return row


def accept_invitation(
    db: Session, raw: str, village_id: int, *, name: str = "", password: str = "", village_name: str = ""
) -> tuple[User, Membership]:
    """Join with a new account (name + password) or, if the invited address already has an
    account, by proving it with that account's password."""
    row = _live_token(db, raw, "invite", village_id)
    if row.role is None:
        raise InputError(_("Tautan ini tidak valid. Periksa kembali tautan yang Anda terima."))
    kind = "email" if "@" in row.recipient else "phone"
    identifier = Identifier(kind, row.recipient)  # type: ignore[arg-type]
    user = find_user(db, identifier)
    if user is None:
        user = create_user(
            db,
            name=name,
            email=row.recipient if kind == "email" else "",
            phone=row.recipient if kind == "phone" else "",
            password=password,
            avoid=(village_name,),
        )
    elif not verify_password(user.password_hash, password):
        raise InputError(_("Kata sandi salah. Gunakan kata sandi akun Etalase Anda yang sudah ada."))
    membership = db.exec(in_village(Membership, village_id).where(col(Membership.user_id) == user.id)).first()
    if membership is None:
        assert user.id is not None
        membership = Membership(village_id=village_id, user_id=user.id, role=row.role)
        db.add(membership)
    row.used_at = utcnow()
    db.add(row)
    db.flush()
    return user, membership


def _member(db: Session, village_id: int, membership_id: int) -> Membership:
    row = db.exec(in_village(Membership, village_id).where(col(Membership.id) == membership_id)).first()
    if row is None:
        raise InputError(_("Anggota tidak ditemukan."))
    return row


def change_role(db: Session, village_id: int, membership_id: int, role: str) -> Membership:
    role = check_role(role)
    row = _member(db, village_id, membership_id)
    if row.role == "admin" and role != "admin" and admin_count(db, village_id) <= 1:
        raise InputError(
            _("Desa harus punya setidaknya satu admin. Jadikan anggota lain admin terlebih dahulu.")
        )
    row.role = role
    db.add(row)
    return row


def remove_member(db: Session, village_id: int, membership_id: int) -> tuple[Membership, User | None]:
    row = _member(db, village_id, membership_id)
    if row.role == "admin" and admin_count(db, village_id) <= 1:
        raise InputError(
            _("Admin terakhir tidak dapat dikeluarkan. Jadikan anggota lain admin terlebih dahulu.")
        )
    user = db.get(User, row.user_id)
    db.delete(row)
    db.flush()
    return row, user


def memberships_of(db: Session, user_id: int) -> list[tuple[Membership, Village]]:
    """A person's memberships in every village, with the village (the caller's session must be
    allowed to cross villages; the person's own rows are the only filter it needs)."""
    query = with_village(select(Membership), Membership).where(col(Membership.user_id) == user_id)
    return [(row[0], row[1]) for row in db.execute(query.order_by(col(Village.name))).all()]
