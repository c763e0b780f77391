"""Passwords: argon2id hashes and a policy that stops the guessable without being hostile.

No rules about capitals or symbols: length and guessability only (NIST SP 800-63B). zxcvbn knows
the common passwords and keyboard walks; we add the person's own name, email, number and the
village's name so ``sidomulyo2026`` is refused at Sidomulyo.
"""

from __future__ import annotations

import contextlib
import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from etalase.platform.accounts.identity import InputError
from etalase.platform.i18n import _

MIN_LENGTH = 8
MAX_LENGTH = 128  # argon2 takes any length, but a megabyte "password" is a denial-of-service
LOCAL_WORDS = ("desa", "kelurahan", "indonesia", "bismillah", "sayang", "rahasia", "katasandi", "etalase")

# argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane) rather than argon2-cffi's default
# 64 MiB: sign-ins run in a thread pool of up to 40 threads, and a training morning when a whole
# kabupaten signs in at once must not take 2.5 GiB (tests/bench/bench_login.py). Hashes made with
# other parameters are upgraded at the next sign-in (needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    # Checked when the account does not exist, so a wrong email costs what a wrong password does.
    # Made on first use, not at import: every process (and CLI command) would pay for it otherwise.
    return _hasher.hash("etalase-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash or len(password) > MAX_LENGTH:
        burn_time()
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def burn_time() -> None:
    """Spend what a password check costs (for logins to accounts that do not exist)."""
    with contextlib.suppress(VerifyMismatchError):
        _hasher.verify(_dummy_hash(), "not-the-password")


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_policy(password: str, personal: list[str] | None = None) -> None:
    """Raise :class:`InputError` with a helpful message when the password is too weak."""
    if len(password) < MIN_LENGTH:
        raise InputError(_("Kata sandi minimal 8 karakter. Kalimat pendek yang mudah diingat juga boleh."))
    if len(password) > MAX_LENGTH:
        raise InputError(_("Kata sandi maksimal 128 karakter."))
    inputs = [word for word in (personal or []) if word] + list(LOCAL_WORDS)
    result = zxcvbn(password[:100], user_inputs=inputs)
    if result["score"] < 2:
        raise InputError(
            _(
                "Kata sandi ini terlalu mudah ditebak. Hindari nama, tanggal, nama desa, dan kata sandi "
                "yang umum. Coba gabungkan tiga atau empat kata, misalnya: kopi pagi sawah hijau."
            )
        )
