"""Spam protection of the public form, without a third-party CAPTCHA.

- A honeypot field, hidden from people and screen readers: a bot that fills every field fills it.
- A signed stamp in the form (issued time + a random nonce + an HMAC): a message sent less than
  :data:`MIN_FILL_SECONDS` after the form was issued is refused as too fast, a stamp older than
  :data:`MAX_FORM_AGE` as stale (the form comes back with a fresh one, the text kept), and a forged
  stamp as invalid. The nonce makes the same form sent twice (a reload) one message.
- Rate limits per address and per village in the shared cache (Redis in production, so they hold
  across every worker process), see :mod:`etalase.platform.accounts.ratelimit`.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

from etalase.platform.accounts.ratelimit import Rule
from etalase.platform.accounts.tokens import keyed

HONEYPOT_FIELD = "situs_web"  # a name bots like to fill
STAMP_FIELD = "cap"
MIN_FILL_SECONDS = 3.0
MAX_FORM_AGE = 24 * 3600.0

# Messages stored (or caught by the honeypot) and too-fast tries, per address and per village.
# Mobile carriers put many residents behind one address (CGNAT), so the address limit is not tight.
SUBMIT_ADDRESS = Rule("aspirasi-ip", 5, 30 * 60)
SUBMIT_VILLAGE = Rule("aspirasi-desa", 60, 60 * 60)
# Lookups of a code that finds nothing, per address and per village (guessing).
LOOKUP_ADDRESS = Rule("aspirasi-lacak-ip", 10, 15 * 60)
LOOKUP_VILLAGE = Rule("aspirasi-lacak-desa", 200, 60 * 60)


@dataclass(frozen=True, slots=True)
class Stamp:
    issued: float
    nonce: str


def now() -> float:
    """The clock a stamp is read against (tests move it; stamps are issued on the real one)."""
    return time.time()


def _signature(secret: str, village_id: int, issued: int, nonce: str) -> str:
    return keyed(secret, "aspirasi-form", f"{village_id}:{issued}:{nonce}")[:32]


def make_stamp(secret: str, village_id: int, at: float | None = None) -> str:
    """The value of the form's hidden stamp field (bound to the village)."""
    issued = int(time.time() if at is None else at)
    nonce = secrets.token_hex(8)
    return f"{issued}.{nonce}.{_signature(secret, village_id, issued, nonce)}"


def read_stamp(secret: str, village_id: int, raw: str) -> Stamp | None:
    """The stamp's time and nonce, or None when it is missing, malformed or forged."""
    parts = (raw or "")[:100].split(".")
    if len(parts) != 3 or not parts[0].isdecimal() or len(parts[0]) > 12:
        return None
    issued, nonce, signature = int(parts[0]), parts[1], parts[2]
    if not (nonce.isalnum() and len(nonce) == 16):
        return None
    if not hmac.compare_digest(signature, _signature(secret, village_id, issued, nonce)):
        return None
    return Stamp(float(issued), nonce)
