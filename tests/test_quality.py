"""The quality score of a post: each check can fail on its own, with a reason the writer can act on."""

from __future__ import annotations

import pytest

from etalase.platform.content.quality import THRESHOLD, assess, is_indonesian

GOOD_TITLE = "Musyawarah Desa Sepakati Tiga Prioritas Pembangunan Tahun Depan"
PARAGRAPH = (
    "<p>Musyawarah desa di balai desa dihadiri perwakilan RT, RW, kelompok tani, PKK, dan karang "
    "taruna. Forum itu menyepakati tiga prioritas pembangunan untuk tahun depan. Warga meminta "
    "perbaikan jalan usaha tani, saluran air bersih, dan pelatihan pemasaran produk UMKM. Kepala "
    "desa berjanji hasil musyawarah akan diumumkan di papan informasi dan website desa.</p>"
)
GOOD_BODY = PARAGRAPH * 3 + '<p><img src="/m/a.webp" alt="Warga mengikuti musyawarah di balai desa"></p>'


def keys(title: str, body: str, cover: bool = True) -> set[str]:
    return {c.key for c in assess(title, body, has_cover=cover).checks if not c.passed}


def test_a_good_post_passes_every_check() -> None:
    quality = assess(GOOD_TITLE, GOOD_BODY, has_cover=True)
    assert quality.score == 100 and quality.good
    assert all(c.passed for c in quality.checks)


@pytest.mark.parametrize(
    ("title", "body", "cover", "failed"),
    [
        (GOOD_TITLE, GOOD_BODY, False, {"cover"}),
        (GOOD_TITLE, GOOD_BODY.replace("Warga mengikuti musyawarah di balai desa", ""), True, {"alt"}),
        (GOOD_TITLE, GOOD_BODY.replace("Warga mengikuti musyawarah di balai desa", "foto"), True, {"alt"}),
        (GOOD_TITLE, PARAGRAPH, True, {"length"}),
        (
            GOOD_TITLE,
            "<p>" + " dan ".join(["warga desa bekerja"] * 30) + ".</p>" + PARAGRAPH * 3,
            True,
            {"sentences"},
        ),
        ("MUSYAWARAH DESA SEPAKATI TIGA PRIORITAS PEMBANGUNAN", GOOD_BODY, True, {"title"}),
        ("Musyawarah", GOOD_BODY, True, {"title"}),
    ],
)
def test_each_check_fails_on_its_own(title: str, body: str, cover: bool, failed: set[str]) -> None:
    assert keys(title, body, cover) == failed


def test_a_cover_without_a_description_fails_the_photo_check() -> None:
    """The cover is the photo every reader sees first: it needs its description too, and the
    reason says where to write it."""
    for alt in ("", "IMG_2031"):
        quality = assess(GOOD_TITLE, GOOD_BODY, has_cover=True, cover_alt=alt)
        (failed,) = [c for c in quality.checks if not c.passed]
        assert failed.key == "alt" and "foto sampul" in failed.reason and "Pustaka Media" in failed.reason
    described = assess(GOOD_TITLE, GOOD_BODY, has_cover=True, cover_alt="Warga bermusyawarah di balai desa")
    assert described.score == 100


def test_english_or_keyword_stuffing_is_not_indonesian() -> None:
    english = (
        "<p>The village council met on Monday evening to discuss the budget for next year. "
        "Residents asked for better roads, clean water and training for small businesses. "
        "The head of the village promised to publish the results on the website.</p>"
    ) * 4
    assert "language" in keys("Village Council Agrees on Three Priorities for Next Year", english)
    assert is_indonesian("pembangunan") and is_indonesian("dilaksanakan") and not is_indonesian("budget")


def test_the_reasons_say_what_to_do() -> None:
    quality = assess("Rapat", "<p>Singkat.</p>", has_cover=False)
    assert quality.score < THRESHOLD and not quality.good
    reasons = {c.key: c.reason for c in quality.checks}
    assert "foto sampul" in reasons["cover"] and "sekarang 1 paragraf" in reasons["length"]
    assert "5 sampai 15 kata" in reasons["title"]
