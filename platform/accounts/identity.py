"""Who someone says they are: an email address or an Indonesian mobile number, normalised.

``0812-3456-7890``, ``+62 812 3456 7890`` and ``6281234567890`` are one person (``lokal-id``
parses them to E.164). Email addresses must be plain ASCII: a Cyrillic ``а`` in ``gmаil.com``
looks identical on a phone and would make a second, spoofed account.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from email_validator import EmailNotValidError, validate_email
from lokal.phone import parse_phone

from etalase.platform.i18n import _

MAX_EMAIL = 254
MAX_NAME = 100


class InputError(ValueError):
    """Bad input, with a message fit to show the person who typed it (already translated)."""


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: Literal["email", "phone"]
    value: str  # lower-case email, or E.164 number


def normalize_email(raw: str) -> str:
    value = raw.strip()
    if not value:
        raise InputError(_("Isi alamat email."))
    if len(value) > MAX_EMAIL:
        raise InputError(_("Alamat email terlalu panjang."))
    if not value.isascii():
        raise InputError(
            _("Alamat email hanya boleh berisi huruf latin biasa (a–z), angka, dan tanda baca yang umum.")
        )
    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise InputError(_("Alamat email tidak valid. Contoh yang benar: nama@contoh.id")) from None
    return result.normalized.lower()


def normalize_phone(raw: str) -> str:
    value = raw.strip()
    if len(value) > 25:
        raise InputError(_("Nomor HP terlalu panjang."))
    info = parse_phone(value)
    if not info.valid or info.e164 is None:
        raise InputError(_("Nomor HP tidak valid. Contoh yang benar: 0812 3456 7890"))
    if info.type != "mobile":
        raise InputError(_("Gunakan nomor HP (seluler), bukan nomor telepon rumah atau kantor."))
    return info.e164


_PHONEISH = re.compile(r"^[+()0-9\s.-]+$")


def parse_identifier(raw: str) -> Identifier:
    """An email (has ``@``) or a mobile number; anything else is a clear error."""
    value = (raw or "").strip()
    if not value:
        raise InputError(_("Isi email atau nomor HP."))
    if "@" in value:
        return Identifier("email", normalize_email(value))
    if _PHONEISH.match(value):
        return Identifier("phone", normalize_phone(value))
    raise InputError(_("Isi dengan alamat email atau nomor HP, misalnya nama@contoh.id atau 0812 3456 7890."))


def display_phone(e164: str) -> str:
    """``+6281234567890`` → ``0812-3456-7890``, the way villagers write it."""
    info = parse_phone(e164)
    return info.national or e164


def clean_name(raw: str) -> str:
    """A person's name as shown to others: trimmed, single-spaced, no markup or control characters."""
    value = unicodedata.normalize("NFC", " ".join((raw or "").split()))
    if len(value) < 2:
        raise InputError(_("Isi nama (minimal 2 huruf)."))
    if len(value) > MAX_NAME:
        raise InputError(_("Nama terlalu panjang (maksimal 100 karakter)."))
    if any(ch in value for ch in "<>{}") or any(unicodedata.category(ch).startswith("C") for ch in value):
        raise InputError(_("Nama tidak boleh berisi tanda < > { } atau karakter kendali."))
    return value
