"""Readable, unique subdomain names for villages.

Names repeat across Indonesia (98 villages are called Sidomulyo). The first village created with a
name gets the plain slug; later ones get the kecamatan, then the kabupaten, then the province added,
and as a last resort the official code, which is unique. Creating the same villages in the same order
always gives the same slugs; bulk creation goes in code order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

MAX_SLUG = 63  # one DNS label
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Subdomains that mean something to the platform or to people (mail, www) are never a village.
RESERVED = frozenset(
    {
        "www",
        "api",
        "admin",
        "portal",
        "static",
        "media",
        "mail",
        "smtp",
        "imap",
        "pop",
        "ftp",
        "cdn",
        "assets",
        "app",
        "status",
        "docs",
        "help",
        "support",
        "login",
        "auth",
        "akun",
        "konsol",
        "console",
        "dashboard",
        "test",
        "dev",
        "staging",
        "ns1",
        "ns2",
        "localhost",
    }
)

_REGION_PREFIX = re.compile(r"^(kabupaten|kab\.|kota administrasi|kota adm\.)\s+", re.IGNORECASE)


def slugify(text: str) -> str:
    """``Regapu’u`` → ``regapuu``, ``Pa'lalakang`` → ``palalakang``, ``Sido Mulyo`` → ``sido-mulyo``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’`]", "", ascii_text.lower())
    return _NOT_ALNUM.sub("-", ascii_text).strip("-")


def region_part(name: str) -> str:
    """A kabupaten's slug part: ``Kabupaten Semarang`` → ``semarang``; ``Kota Semarang`` keeps ``kota``."""
    return slugify(_REGION_PREFIX.sub("", name))


def _fit(parts: list[str]) -> str:
    slug = "-".join(p for p in parts if p)
    if len(slug) <= MAX_SLUG:
        return slug
    return slug[:MAX_SLUG].rsplit("-", 1)[0].strip("-")


def candidates(code: str, name: str, kecamatan: str, kabupaten: str, provinsi: str) -> Iterator[str]:
    base = slugify(name) or "desa"
    yield _fit([base])
    yield _fit([base, slugify(kecamatan)])
    yield _fit([base, slugify(kecamatan), region_part(kabupaten)])
    yield _fit([base, slugify(kecamatan), region_part(kabupaten), slugify(provinsi)])
    yield _fit([base[: MAX_SLUG - 11], code.replace(".", "")])


def choose_slug(
    code: str, name: str, kecamatan: str, kabupaten: str, provinsi: str, *, taken: Callable[[str], bool]
) -> str:
    for slug in candidates(code, name, kecamatan, kabupaten, provinsi):
        if slug and slug not in RESERVED and not slug.isdigit() and not taken(slug):
            return slug
    # The last candidate holds the unique official code; reaching here means it was taken by hand.
    raise ValueError(f"no free slug for {code}")


def valid_slug(slug: str) -> bool:
    return (
        bool(re.fullmatch(r"(?!-)[a-z0-9-]{1,63}(?<!-)", slug))
        and slug not in RESERVED
        and not slug.isdigit()
    )
