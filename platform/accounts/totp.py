"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) and recovery codes.

Any authenticator app works (Google Authenticator, Aegis, 2FAS…). A code works once: the last
accepted time step is stored, so a code read over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import re
import secrets
import time

import pyotp
import segno

from etalase.platform.accounts.tokens import token_hash

ISSUER = "Etalase"
RECOVERY_CODES = 10
_SIX_DIGITS = re.compile(r"[0-9]{6}")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code as inline SVG: drawn on our page, no third-party image service."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#111", light="#fff")
    return svg


def accepted_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step the code belongs to (this one or its neighbours, for clock drift), if the code
    is right and newer than ``last_step``; None otherwise."""
    digits = "".join(code.split())
    if not _SIX_DIGITS.fullmatch(digits):  # str.isdigit() would let "１２３４５６" through to a crash
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in (current, current - 1, current + 1):
        if step > last_step and secrets.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like ``k7m2q-9xw4t``: easy to copy by hand, 50 bits each."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_hash(code: str) -> str:
    return token_hash("".join(code.lower().split()).replace("-", ""))
