"""A regular install carries the themes (templates, static files, manifests) and the migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from etalase.platform.settings import Settings
from tests.conftest import REPO

DATA_SUFFIXES = {".html", ".css", ".js", ".svg", ".png", ".json", ".txt", ".py", ".mako", ".po", ".pot"}


def test_wheel_contains_every_theme_file_and_migration(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("etalase-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = []
    for folder, package in (
        ("themes", "etalase/themes"),
        ("alembic", "etalase/migrations"),
        ("platform", "etalase/platform"),
        ("tenants", "etalase/tenants"),
    ):
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and path.suffix in DATA_SUFFIXES and "__pycache__" not in path.parts:
                expected.append(f"{package}/{path.relative_to(REPO / folder).as_posix()}")
    missing = sorted(name for name in expected if name not in names)
    assert missing == []
    assert "etalase/themes/base/layout.html" in names and "etalase/migrations/env.py" in names
    assert "etalase/platform/locale/en/LC_MESSAGES/messages.po" in names
    # Nothing importable as a bare top-level name that could shadow the standard library.
    tops = {name.split("/", 1)[0] for name in names if not name.startswith("etalase-")}
    assert tops == {"etalase"}


def test_readme_documents_every_variable_and_the_ci_command() -> None:
    readme = (REPO / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`ETALASE_{name.upper()}`" in readme, f"ETALASE_{name.upper()} is not in the README table"
    ci_command = (REPO / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci_command in readme
