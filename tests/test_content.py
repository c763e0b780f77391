"""Post bodies are sanitised with nh3 before they are stored."""

from __future__ import annotations

import pytest

from etalase.platform.content.sanitize import clean_html


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>hai</p><script>alert(1)</script>", "<script"),
        ('<img src="x.jpg" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">klik</a>', "javascript:"),
        ('<p style="position:fixed">x</p>', "style="),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ],
)
def test_dangerous_markup_does_not_survive(dirty: str, forbidden: str) -> None:
    assert forbidden.lower() not in clean_html(dirty).lower()


def test_ordinary_formatting_survives() -> None:
    html = (
        '<h2>Judul</h2><p><strong>Tebal</strong> <a href="https://desa.id">tautan</a></p><ul><li>a</li></ul>'
    )
    cleaned = clean_html(html)
    assert "<h2>Judul</h2>" in cleaned and "<strong>Tebal</strong>" in cleaned and "<li>a</li>" in cleaned
    assert 'rel="noopener nofollow ugc"' in cleaned
