"""Post bodies are sanitised with nh3 before they are stored."""

from __future__ import annotations

from pathlib import Path

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


def test_content_models_stand_alone() -> None:
    """A script or a worker job that imports only the content models can still write a post: the
    tables its foreign keys name (app_user, media_file) come with it."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "from sqlalchemy import create_engine\n"
        "from sqlmodel import Session, SQLModel\n"
        "from etalase.platform.content.models import Post\n"
        "engine = create_engine('sqlite://')\n"
        "SQLModel.metadata.create_all(engine)\n"
        "with Session(engine) as s:\n"
        "    s.add(Post(village_id=1, title='t', slug='t')); s.flush()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-800:]


def test_rupiah_is_written_the_indonesian_way(tmp_path: Path) -> None:
    from etalase.platform.web.templates import make_templates  # noqa: PLC0415
    from tests.conftest import embedded_settings  # noqa: PLC0415

    env = make_templates(embedded_settings(tmp_path)).env
    written = env.from_string("{{ 1500000 | rupiah }} · {{ 15000 | rupiah }}").render()
    assert written == "Rp1.500.000 · Rp15.000"
