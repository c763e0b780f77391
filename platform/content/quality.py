"""The quality of a post ("konten berkualitas"): the field's target is 50 *quality* posts a month,
so each post gets a score out of 100 with the reasons, which the writer sees as a checklist.

The checks (weights in :data:`CHECKS`) are what an editor in the field looks for:

- a cover photo (news with a photo is read and shared far more);
- every photo in the text has alternative text, and it says something (at least three words, so it
  serves as the photo's caption too);
- enough text: at least three paragraphs and 150 words;
- readable sentences: on average at most 25 words, none over 50;
- a title of sensible length (5 to 15 words) and not written in capitals;
- written in Indonesian: at least 70% of the words are Indonesian root words once their affixes
  are stripped (PySastrawi's stemmer and its kata-dasar list), so a copied English press release
  or a page of keywords does not count.

A post at or above :data:`THRESHOLD` counts toward the monthly indicator. Pure functions of the
text: no database, cheap enough to run on every save (about a millisecond per 100 words).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from etalase.platform.i18n import _

THRESHOLD = 70
MIN_PARAGRAPHS = 3
MIN_WORDS = 150
MAX_AVERAGE_SENTENCE = 25
MAX_SENTENCE = 50
TITLE_WORDS = (5, 15)
INDONESIAN_SHARE = 0.7

_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")


@dataclass(frozen=True)
class Check:
    key: str
    weight: int
    passed: bool
    reason: str  # what to do (when failed) or what is good (when passed), in the person's language


@dataclass(frozen=True)
class Quality:
    score: int
    checks: tuple[Check, ...]

    @property
    def good(self) -> bool:
        return self.score >= THRESHOLD


class _Text(HTMLParser):
    """The words of a body, paragraph by paragraph, and its images' alt texts."""

    BLOCKS = frozenset({"p", "li", "h2", "h3", "h4", "blockquote", "td", "th", "figcaption"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.alts: list[str] = []
        self._current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.alts.append((dict(attrs).get("alt") or "").strip())
        elif tag in self.BLOCKS or tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self._current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.paragraphs.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._flush()


@functools.cache
def _stemmer() -> Callable[[str], str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # noqa: PLC0415  (loaded on first use)

    stem: Callable[[str], str] = StemmerFactory().create_stemmer().stem
    return stem


@functools.cache
def _root_words() -> frozenset[str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory  # noqa: PLC0415

    return frozenset(StemmerFactory().get_words())


@functools.lru_cache(maxsize=50_000)
def is_indonesian(word: str) -> bool:
    """A root word of the list once its affixes are stripped (``pembangunan`` → ``bangun``)."""
    lower = word.lower()
    words = _root_words()
    if lower in words:
        return True
    return _stemmer()(lower) in words


def _sentences(paragraphs: list[str]) -> list[int]:
    """Word counts of the sentences."""
    counts: list[int] = []
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph):
            n = len(_WORD.findall(sentence))
            if n:
                counts.append(n)
    return counts


def assess(title: str, body: str, *, has_cover: bool, cover_alt: str | None = None) -> Quality:
    """The score of a post and every check with its reason. ``cover_alt`` is the cover photo's
    alternative text: a cover without one fails the check of described photos like a photo in
    the text would (the cover is the photo every reader sees first)."""
    parser = _Text()
    parser.feed(body)
    parser.close()
    words = [w for p in parser.paragraphs for w in _WORD.findall(p)]
    sentences = _sentences(parser.paragraphs)
    title_words = _WORD.findall(title)
    letters = [c for c in title if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.6
    indonesian = sum(is_indonesian(w) for w in words) / len(words) if words else 0.0
    average = sum(sentences) / len(sentences) if sentences else 0.0
    longest = max(sentences, default=0)
    cover_described = not has_cover or cover_alt is None or len(_WORD.findall(cover_alt)) >= 3
    alts_ok = cover_described and all(len(_WORD.findall(alt)) >= 3 for alt in parser.alts)

    checks = (
        Check(
            "cover",
            15,
            has_cover,
            _("Ada foto sampul.")
            if has_cover
            else _("Pasang foto sampul: berita berfoto lebih banyak dibaca."),
        ),
        Check(
            "alt",
            15,
            alts_ok,
            _("Setiap foto punya keterangan.")
            if alts_ok
            else _("Beri setiap foto keterangan (teks alternatif) minimal tiga kata: apa dan siapa di foto.")
            if cover_described
            else _(
                "Beri foto sampul keterangan (teks alternatif) minimal tiga kata di Pustaka Media: "
                "apa dan siapa di foto."
            ),
        ),
        Check(
            "length",
            20,
            len(parser.paragraphs) >= MIN_PARAGRAPHS and len(words) >= MIN_WORDS,
            _("Isi cukup panjang ({words} kata, {paragraphs} paragraf).").format(
                words=len(words), paragraphs=len(parser.paragraphs)
            )
            if len(parser.paragraphs) >= MIN_PARAGRAPHS and len(words) >= MIN_WORDS
            else _(
                "Tambah isi: minimal {min_paragraphs} paragraf dan {min_words} kata (sekarang "
                "{paragraphs} paragraf, {words} kata). Ceritakan apa, siapa, kapan, di mana, mengapa."
            ).format(
                min_paragraphs=MIN_PARAGRAPHS,
                min_words=MIN_WORDS,
                paragraphs=len(parser.paragraphs),
                words=len(words),
            ),
        ),
        Check(
            "sentences",
            15,
            bool(sentences) and average <= MAX_AVERAGE_SENTENCE and longest <= MAX_SENTENCE,
            _("Kalimat mudah dibaca.")
            if sentences and average <= MAX_AVERAGE_SENTENCE and longest <= MAX_SENTENCE
            else _(
                "Pendekkan kalimat: rata-rata paling banyak {avg} kata, tidak ada yang lebih dari {max} kata."
            ).format(avg=MAX_AVERAGE_SENTENCE, max=MAX_SENTENCE),
        ),
        Check(
            "title",
            15,
            TITLE_WORDS[0] <= len(title_words) <= TITLE_WORDS[1] and not shouting,
            _("Judul pas.")
            if TITLE_WORDS[0] <= len(title_words) <= TITLE_WORDS[1] and not shouting
            else _(
                "Tulis judul {low} sampai {high} kata, dengan huruf biasa (bukan huruf kapital semua)."
            ).format(low=TITLE_WORDS[0], high=TITLE_WORDS[1]),
        ),
        Check(
            "language",
            20,
            indonesian >= INDONESIAN_SHARE,
            _("Ditulis dalam bahasa Indonesia.")
            if indonesian >= INDONESIAN_SHARE
            else _("Tulis dalam bahasa Indonesia yang baik: banyak kata yang tidak dikenali."),
        ),
    )
    return Quality(sum(c.weight for c in checks if c.passed), checks)
