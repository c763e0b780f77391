"""The rules a comment meets before anyone sees it, with no third-party CAPTCHA and no stored IP.

- **Who is new**: a commenter is a keyed hash of their normalised e-mail address or, without one, of
  their name, the IP address and the day (so "the same person" without an address lasts one day and
  nothing can be traced back to an address). A commenter with a published comment in the village is
  known: their next comments appear at once; a first comment waits for the team.
- **Links** (``http``, ``www.``, ``wa.me``, a domain such as ``contoh.com``) are held: they are what
  comment spam is for. Text is never turned into a link.
- **Blocked words**, per village: held or refused, as the village chose.
- **Bots**: a honeypot field humans never see, and a signed stamp of when the form was printed
  (too fast is a script; a forged or very old stamp is refused). The post page comes from the
  full-page cache, so the stamp is the render time of the cached copy, up to a minute older than the
  reader's visit: a speed bump, not a wall; the rate limits (:data:`PER_ADDRESS`,
  :data:`PER_VILLAGE`, in Redis in production) are the wall.
"""

from __future__ import annotations

import hmac
import re
from datetime import date

from etalase.platform.accounts.ratelimit import Rule
from etalase.platform.accounts.tokens import keyed

MAX_NAME = 80
MAX_EMAIL = 254
MIN_BODY = 2
MAX_BODY = 2000
MAX_WORDS = 200  # blocked words per village
MAX_WORD = 40
MAX_BLOCKLIST = MAX_WORDS * (MAX_WORD + 1)

MIN_FILL_SECONDS = 3  # a person reads, then types: faster is a script
MAX_STAMP_AGE = 3 * 24 * 3600  # a page kept open (or a CDN copy served stale) for a few days

HONEYPOT = "situs_web"  # the field humans never see (hidden by CSS, out of the tab order)

PER_ADDRESS = Rule("comment-ip", 6, 10 * 60)  # several people share a carrier's address (CGNAT)
PER_VILLAGE = Rule("comment-village", 60, 60 * 60)
REACTIONS_PER_ADDRESS = Rule("reaction-ip", 120, 60 * 60)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LINK = re.compile(
    r"(https?://|www\.|wa\.me|t\.me/|bit\.ly|s\.id/|"
    r"\b[a-z0-9-]+\.(com|net|org|id|co|info|biz|xyz|io|me|ly|site|online|shop|link|top|club)\b)",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[\n,;]+")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain(text: str) -> str:
    """Text without control characters (PostgreSQL refuses NUL; the rest only hides things)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def normal_email(raw: str) -> str:
    """The address as compared (trimmed, lower case); ``""`` when none was given."""
    return raw.strip().lower()


def valid_email(email: str) -> bool:
    return not email or (len(email) <= MAX_EMAIL and _EMAIL.match(email) is not None)


def commenter_key(secret: str, village_id: int, *, email: str, name: str, ip: str, day: date) -> str:
    """Who is commenting, as a keyed hash: by e-mail address, else by name + address of the day."""
    if email:
        return keyed(secret, "commenter", f"{village_id}:e:{email}")[:40]
    folded = " ".join(name.casefold().split())
    return keyed(secret, "commenter", f"{village_id}:n:{folded}:{ip}:{day.isoformat()}")[:40]


def has_link(text: str) -> bool:
    return _LINK.search(text) is not None


def parse_words(raw: str) -> list[str]:
    """The blocklist as typed (one per line or comma-separated): trimmed, lower case, no repeats."""
    words: list[str] = []
    for part in _SPLIT.split(plain(raw)):
        word = " ".join(part.casefold().split())
        if word and word not in words:
            words.append(word)
    return words


def blocked_word(words: list[str], *texts: str) -> str | None:
    """The first blocked word found as a whole word (or phrase) in any of the texts."""
    folded = [" ".join(t.casefold().split()) for t in texts]
    for word in words:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        if any(pattern.search(text) for text in folded):
            return word
    return None


# --- the form's stamp ------------------------------------------------------------------------------
def _signature(secret: str, village_id: int, post_id: int, at: int) -> str:
    return keyed(secret, "comment-stamp", f"{village_id}:{post_id}:{at}")[:20]


def stamp(secret: str, village_id: int, post_id: int, now: float) -> str:
    """``<unix time>.<signature>``: when the form was printed, for this village's post only."""
    at = int(now)
    return f"{at}.{_signature(secret, village_id, post_id, at)}"


def stamp_problem(secret: str, village_id: int, post_id: int, raw: str, now: float) -> str | None:
    """``None`` when the stamp is good; else ``"forged"``, ``"old"`` or ``"fast"``."""
    at_text, _dot, signature = raw.strip().partition(".")
    if not at_text.isdecimal() or len(at_text) > 12:
        return "forged"
    at = int(at_text)
    if not hmac.compare_digest(signature, _signature(secret, village_id, post_id, at)):
        return "forged"
    age = now - at
    if age > MAX_STAMP_AGE or age < -60:
        return "old"
    if age < MIN_FILL_SECONDS:
        return "fast"
    return None
