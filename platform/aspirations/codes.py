"""Tracking codes: ``ASP-7K3M-Q9XW``, easy to read aloud over a phone call and to type on one.

The alphabet leaves out 0/O and 1/I, which look and sound alike. Eight characters of 32 give 40
bits: with the lookup's rate limit, guessing someone's code is hopeless. Codes are stored without
the prefix and dashes, and anything a person types is read generously (lower case, spaces, dashes,
with or without ``ASP``).
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: 5 bits each
LENGTH = 8  # 40 bits
PREFIX = "ASP"


def new_code() -> str:
    """A fresh random code, stored form (``7K3MQ9XW``)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """``7K3MQ9XW`` → ``ASP-7K3M-Q9XW``."""
    return f"{PREFIX}-{code[:4]}-{code[4:]}"


def parse(typed: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one."""
    text = "".join(ch for ch in (typed or "")[:40].upper() if ch.isalnum())
    if text.startswith(PREFIX) and len(text) == len(PREFIX) + LENGTH:
        text = text[len(PREFIX) :]
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text
