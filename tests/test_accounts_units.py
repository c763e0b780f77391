"""The account building blocks on their own: identifiers, names, password policy, TOTP steps,
recovery codes, and the rate limiter on both cache backends."""

from __future__ import annotations

import re
import uuid

import pyotp
import pytest

from etalase.platform.accounts import ratelimit, totp
from etalase.platform.accounts.identity import InputError, clean_name, parse_identifier
from etalase.platform.accounts.passwords import check_policy
from etalase.platform.cache import MemoryCache, RedisCache
from tests.conftest import Stack

E164 = "+6281234567890"
NOW = 1_800_000_015.0  # a fixed instant, 15 s into its 30-second step


# --- identifiers ---------------------------------------------------------------------------------
def test_a_mobile_number_written_three_ways_is_one_identifier() -> None:
    for written in (
        "0812-3456-7890",
        "0812 3456 7890",
        "+62 812-3456-7890",
        "6281234567890",
        " 081234567890 ",
    ):
        identifier = parse_identifier(written)
        assert (identifier.kind, identifier.value) == ("phone", E164), written
    email = parse_identifier("  Budi@Contoh.ID ")
    assert (email.kind, email.value) == ("email", "budi@contoh.id")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0274 123456", "bukan nomor telepon rumah atau kantor"),  # Yogyakarta landline
        ("(021) 5551234", "bukan nomor telepon rumah atau kantor"),
        ("budi@cоntoh.id", "huruf latin biasa"),  # Cyrillic "о"
        ("budi@contoh", "Alamat email tidak valid"),
        ("a" * 250 + "@contoh.id", "Alamat email terlalu panjang"),
        ("0812 3456 7890 1234 5678 9012", "Nomor HP terlalu panjang"),
        ("0812", "Nomor HP tidak valid"),
        ("x" * 5000, "Isi dengan alamat email atau nomor HP"),
        ("<script>alert(1)</script>", "Isi dengan alamat email atau nomor HP"),
        ("' OR 1=1 --", "Isi dengan alamat email atau nomor HP"),
        ("   ", "Isi email atau nomor HP"),
    ],
)
def test_bad_identifiers_are_refused_with_their_reason(raw: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_identifier(raw)


def test_names_are_collapsed_and_markup_or_control_characters_refused() -> None:
    assert clean_name("  Siti \t Aminah\n ") == "Siti Aminah"
    assert clean_name("Ni Luh Putu Ayu") == "Ni Luh Putu Ayu"
    for bad in ("<b>Siti</b>", "Siti\x00Aminah", "Siti\u200bAminah", "{{ 7*7 }}"):
        with pytest.raises(InputError, match="tidak boleh berisi"):
            clean_name(bad)
    with pytest.raises(InputError, match="minimal 2 huruf"):
        clean_name("  A  ")
    with pytest.raises(InputError, match="terlalu panjang"):
        clean_name("x" * 101)


# --- passwords -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("password", "personal", "message"),
    [
        ("pendek", None, "minimal 8 karakter"),
        ("password123", None, "terlalu mudah ditebak"),
        ("bismillah123", None, "terlalu mudah ditebak"),
        ("sidomulyo2026", ["Sidomulyo"], "terlalu mudah ditebak"),
        ("x" * 129, None, "maksimal 128 karakter"),
    ],
)
def test_weak_passwords_are_refused(password: str, personal: list[str] | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_policy(password, personal)


def test_a_short_sentence_is_a_good_password() -> None:
    check_policy("kopi pagi sawah hijau", ["Siti Aminah", "siti@contoh.id", "Sidomulyo"])
    check_policy("y" * 40 + " kopi pagi sawah hijau")  # long is fine up to 128


# --- TOTP ----------------------------------------------------------------------------------------
def test_totp_steps_accept_once_and_tolerate_a_neighbour() -> None:
    secret = pyotp.random_base32()
    code = pyotp.TOTP(secret)
    step = int(NOW // 30)
    right = code.at(NOW)
    assert totp.accepted_step(secret, right, 0, now=NOW) == step
    assert totp.accepted_step(secret, f" {right[:3]} {right[3:]} ", 0, now=NOW) == step  # "123 456"
    # The same step again is a replay.
    assert totp.accepted_step(secret, right, step, now=NOW) is None
    # A phone clock 30 s behind or ahead still works, once.
    previous, following = code.at(NOW - 30), code.at(NOW + 30)
    assert totp.accepted_step(secret, previous, 0, now=NOW) == step - 1
    assert totp.accepted_step(secret, following, step, now=NOW) == step + 1
    assert totp.accepted_step(secret, previous, step, now=NOW) is None  # older than the last one
    # Two steps away is too far.
    assert totp.accepted_step(secret, code.at(NOW - 90), 0, now=NOW) is None
    for garbage in ("", "12345", "1234567", "abcdef", "12345a", "12-456", "+12345"):
        assert totp.accepted_step(secret, garbage, 0, now=NOW) is None, garbage


def test_non_ascii_digits_are_a_wrong_code_not_a_crash() -> None:
    secret = pyotp.random_base32()
    for typed in ("１２３４５６", "١٢٣٤٥٦"):  # full-width, Arabic-Indic
        assert totp.accepted_step(secret, typed, 0, now=NOW) is None


def test_recovery_codes_are_ten_readable_codes_and_typing_is_forgiven() -> None:
    codes = totp.new_recovery_codes()
    assert len(codes) == totp.RECOVERY_CODES == 10 and len(set(codes)) == 10
    for code in codes:
        assert re.fullmatch(r"[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}", code), code
    code = codes[0]
    bare = code.replace("-", "")
    expected = totp.recovery_hash(code)
    for typed in (code.upper(), f" {bare[:5]} {bare[5:]} ", bare, bare.upper(), f"{code}\n"):
        assert totp.recovery_hash(typed) == expected, typed
    assert totp.recovery_hash(codes[1]) != expected
    assert re.fullmatch(r"[0-9a-f]{64}", expected)  # stored as SHA-256, never the code


# --- rate limits ---------------------------------------------------------------------------------
def _exercise_limiter(limiter: ratelimit.Limiter, subject: str) -> None:
    rule = ratelimit.ACCOUNT_FAILURES
    other = subject + "-other"
    assert limiter.wait(rule, subject) == 0
    for _ in range(rule.limit - 1):
        limiter.hit(rule, subject)
    assert limiter.wait(rule, subject) == 0  # one more try left
    limiter.hit(rule, subject)
    assert limiter.wait(rule, subject) == 15  # the window started with the first failure
    assert limiter.wait(rule, other) == 0  # per subject
    assert limiter.wait(ratelimit.RESET_REQUESTS, subject) == 0  # per rule
    limiter.clear(rule, subject)
    assert limiter.wait(rule, subject) == 0
    # A window shorter than a minute still says "1 minute", never "0 minutes".
    short = ratelimit.Rule(f"test-{subject}", 2, 5.0)
    limiter.hit(short, subject)
    limiter.hit(short, subject)
    assert limiter.wait(short, subject) == 1
    limiter.clear(short, subject)
    assert limiter.wait(short, subject) == 0


def test_limiter_on_the_in_process_cache() -> None:
    _exercise_limiter(ratelimit.Limiter(MemoryCache()), "budi@contoh.id")


def test_limiter_on_redis(production_stack: Stack) -> None:
    cache = production_stack.runtime.cache
    assert isinstance(cache, RedisCache)
    subject = f"unit-{uuid.uuid4().hex}@contoh.id"
    try:
        _exercise_limiter(ratelimit.Limiter(cache), subject)
        # Shared by every process: a second client on the same Redis sees the same counter.
        limiter = ratelimit.Limiter(cache)
        for _ in range(ratelimit.ACCOUNT_FAILURES.limit):
            limiter.hit(ratelimit.ACCOUNT_FAILURES, subject)
        other_process = ratelimit.Limiter(RedisCache(production_stack.settings.redis_url or "", cache.prefix))
        assert other_process.wait(ratelimit.ACCOUNT_FAILURES, subject) == 15
    finally:
        production_stack.clear_rate_limits()
        assert not list(cache.client.scan_iter(f"{cache.prefix}rl:*"))
