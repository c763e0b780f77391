"""The anonymous visitor: a hash of a salt that lives one day, the village, the IP address and the
user agent. The salt is random, kept in the shared cache (so every process of a deployment counts
the same reader once) and expires after its day: after that nobody, Etalase included, can link a
visitor id back to an address or to the next day's id. No cookie, no stored IP."""

from __future__ import annotations

import hashlib
import secrets
import threading
from datetime import date

from etalase.platform.cache import Cache

SALT_SECONDS = 2 * 24 * 3600  # yesterday's salt may still be read near midnight, then it is gone

_local: dict[str, bytes] = {}
_lock = threading.Lock()


def salt_for(cache: Cache, day: date) -> bytes:
    """The day's salt: made once per deployment (the first process to need it wins)."""
    key = f"salt:{day.isoformat()}"
    with _lock:
        known = _local.get(key)
    if known is not None:
        return known
    fresh = secrets.token_hex(32).encode()
    cache.add(key, fresh, SALT_SECONDS)  # only if absent: another process may have made it
    value = cache.get(key) or fresh
    with _lock:
        for old in [k for k in _local if k != key]:  # the day moved on: forget the old salt
            del _local[old]
        _local[key] = value
    return value


def visitor_id(salt: bytes, village_id: int, ip: str, user_agent: str) -> str:
    digest = hashlib.blake2b(digest_size=12, key=salt[:64])
    digest.update(f"{village_id}\0{ip}\0{user_agent}".encode())
    return digest.hexdigest()
