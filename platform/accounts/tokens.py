"""Random tokens and the keyed hashes that stand in for them in the database."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> tuple[str, str]:
    """A URL-safe random token (256 bits) and the SHA-256 the database keeps instead."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def keyed(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value``, separated by purpose so one hash never stands in for another."""
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def hash_ip(secret: str, ip: str) -> str:
    """A keyed hash: unlike a plain SHA-256 of an IPv4 address, it cannot be reversed by trying all 2³²."""
    return keyed(secret, "ip", ip)[:16] if ip else ""
