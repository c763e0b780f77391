"""Configuration errors are one sentence naming the variable; the CLI drives the whole set-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from etalase.platform.settings import ConfigError, Settings, load_settings
from tests.conftest import REPO, Stack, free_port, settings_env

ETALASE = [sys.executable, "-m", "etalase.platform.cli"]


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ETALASE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETALASE_")}
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"ETALASE_ENV": "production"}, "ETALASE_SECRET_KEY"),
        ({"ETALASE_ENV": "production", "ETALASE_SECRET_KEY": "x" * 40}, "ETALASE_DATABASE_URL"),
        ({"ETALASE_ENV": "prod"}, "ETALASE_ENV"),
        ({"ETALASE_SECRET_KEY": "short"}, "ETALASE_SECRET_KEY"),
        ({"ETALASE_DATABASE_URL": "mysql://x"}, "ETALASE_DATABASE_URL"),
        ({"ETALASE_REDIS_URL": "localhost:6379"}, "ETALASE_REDIS_URL"),
        ({"ETALASE_BASE_DOMAIN": "http://desa.id/"}, "ETALASE_BASE_DOMAIN"),
        ({"ETALASE_SITE_CACHE_SIZE": "banyak"}, "ETALASE_SITE_CACHE_SIZE"),
        ({"ETALASE_S3_ACCESS_KEY_ID": "AKIA"}, "ETALASE_S3_SECRET_ACCESS_KEY"),
        ({"ETALASE_S3_BUCKET": "media"}, "ETALASE_MEDIA_URL"),
        ({"ETALASE_DB_POOL_SIZE": "0"}, "ETALASE_DB_POOL_SIZE"),
    ],
)
def test_bad_configuration_is_one_sentence_naming_the_variable(
    env: dict[str, str], variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in list(os.environ):
        if key.startswith("ETALASE_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert variable in message and message.count("\n") == 0 and message.endswith(".")
    if "SECRET" in variable:
        assert "short" not in message  # secrets are never echoed


def test_cli_and_app_stop_with_the_sentence_not_a_traceback(tmp_path: Path) -> None:
    env = clean_env(ETALASE_ENV="production")
    result = run(["db", "upgrade"], env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "Configuration error: ETALASE_SECRET_KEY is required in production."
    server = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--factory", "etalase.platform.app:create_app"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert server.returncode != 0
    assert "ETALASE_SECRET_KEY is required in production" in server.stderr
    assert "Traceback" not in server.stderr


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETALASE_MEDIA_ROOT", "")
    monkeypatch.setenv("ETALASE_PUBLIC_PORT", "")
    settings = load_settings()
    assert settings.media_root is None and settings.public_port is None


def test_no_secret_has_a_production_default() -> None:
    secrets = [name for name in Settings.model_fields if "secret" in name]
    assert secrets
    for name in secrets:
        assert Settings.model_fields[name].default in ("", None), name


def test_development_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    first = settings.effective_secret_key
    assert len(first) >= 32 and first == Settings(var_dir=tmp_path).effective_secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_cli_regions_villages_and_domains(stack: Stack, tmp_path: Path) -> None:
    env = settings_env(stack.settings)
    loaded = run(["regions", "load"], env, tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert (
        "38 provinces, 514 kabupaten/kota, 7,285 kecamatan, 83,762 desa/kelurahan; 0 written" in loaded.stdout
    )

    created = run(["villages", "create", "3404022003", "33.22.19.1001"], env, tmp_path)
    assert created.returncode == 0, created.stderr
    assert (
        "sidomulyo.etalase.test" in created.stdout
        and "sidomulyo-ungaran-timur.etalase.test" in created.stdout
    )

    for args, message in [
        (["villages", "create", "34.04.02"], "is a kecamatan, not a desa/kelurahan"),
        (["villages", "create", "34.04.02.2003"], "already has a site"),
        (["villages", "create", "99.99.99.9999"], "not in the official list"),
        (["villages", "create-under"], "Give a region code"),
        (["villages", "add-domain", "tidak-ada", "desa.id"], "No village site"),
    ]:
        result = run(args, env, tmp_path)
        assert result.returncode == 1 and message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr

    bulk = run(["villages", "create-under", "34.04.02"], env, tmp_path)
    assert bulk.returncode == 0 and "Created 6 village sites (1 already existed)" in bulk.stdout

    assert run(["villages", "add-domain", "sidomulyo", "sidomulyo.desa.id"], env, tmp_path).returncode == 0
    taken = run(["villages", "add-domain", "sidorejo", "sidomulyo.desa.id"], env, tmp_path)
    assert taken.returncode == 1 and "already mapped to the village sidomulyo" in taken.stderr
    listing = run(["villages", "list", "--under", "34.04.02"], env, tmp_path)
    assert listing.stdout.count("etalase.test") == 7


def test_demo_provisions_once(stack: Stack, tmp_path: Path) -> None:
    env = settings_env(stack.settings)
    first = run(["demo"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Demo: 13 villages and 52 posts created." in first.stdout
    assert "sidomulyo-ungaran-timur.etalase.test" in first.stdout
    second = run(["demo"], env, tmp_path)
    assert "Demo: 0 villages and 0 posts created." in second.stdout


def test_layout_does_not_shadow_the_standard_library() -> None:
    for command in (
        "import platform; platform.system()",
        "import platform, pydantic, httpx, sqlalchemy; print(platform.python_version())",
    ):
        result = subprocess.run(
            [sys.executable, "-c", command], cwd=REPO, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
    assert not (REPO / "platform" / "__init__.py").exists()
    assert not (REPO / "alembic" / "__init__.py").exists()


def test_serve_on_another_port_prints_and_links_that_port(tmp_path: Path) -> None:
    """`etalase serve --demo --port 8765` (8000 taken on a laptop): the printed addresses and the
    app's own links name 8765, not the development default."""
    port = free_port()
    env = clean_env(ETALASE_VAR_DIR=str(tmp_path / "var"))
    server = subprocess.Popen(
        [*ETALASE, "serve", "--demo", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        printed: list[str] = []
        for line in server.stdout:
            printed.append(line)
            if "Application startup complete" in line:
                break
        output = "".join(printed)
        assert f"Portal:   http://localhost:{port}/" in output, output
        assert f".localhost:{port}/akun/masuk" in output and ":8000" not in output
        home = httpx.get(f"http://127.0.0.1:{port}/", headers={"host": f"sidorejo.localhost:{port}"})
        assert home.status_code == 200 and f"http://sidorejo.localhost:{port}/" in home.text
    finally:
        server.terminate()
        server.wait(timeout=30)
