"""Fixtures for both stacks Etalase runs on.

- ``embedded``: SQLite file, in-process cache, media on local disk (the one-command default).
- ``production``: the PostgreSQL and Redis on this machine, and a real S3-compatible HTTP endpoint
  (moto's server mode) started here on loopback.

Tests that take the ``stack`` fixture run once on each. With ``CI=true`` an unreachable service
stops the whole run with a clear message; on a developer machine those tests are skipped, loudly.
The region list is loaded once per stack; village data is wiped after every test.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import psycopg
import pytest
import redis
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer
from sqlalchemy import event, text

from etalase.platform import migrate, rls
from etalase.platform.app import create_app
from etalase.platform.cache import MemoryCache, RedisCache
from etalase.platform.runtime import Runtime
from etalase.platform.settings import Settings
from etalase.tenants.regions import load_regions

CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("ETALASE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("ETALASE_TEST_REDIS", "redis://127.0.0.1:6379/15")
BASE_DOMAIN = "etalase.test"
REPO = Path(__file__).resolve().parent.parent


def service_missing(name: str, detail: str) -> None:
    message = f"{name} is not reachable ({detail}). The production-path tests need it."
    if CI:
        pytest.exit(f"CI=true and {message} Start it (see README, 'Running the tests').", returncode=3)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- services -------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, owned by a fresh login role that is neither
    superuser nor BYPASSRLS, as in production (a superuser would walk through row-level security);
    the app and the migrations connect as that role. Both are dropped at the end."""
    name = f"etalase_test_{uuid.uuid4().hex[:10]}"  # the role and the database share it
    password = uuid.uuid4().hex  # ignored under trust auth, used under password auth
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        service_missing("PostgreSQL", str(error).strip().splitlines()[0])
    with admin:
        admin.execute(
            f'CREATE ROLE "{name}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE '
            f"PASSWORD '{password}'"
        )
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
    hostport = PG_ADMIN_URL.rsplit("/", 1)[0].split("://", 1)[1].rsplit("@", 1)[-1]
    yield f"postgresql+psycopg://{name}:{password}@{hostport}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'DROP ROLE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        service_missing("Redis", str(error))
    return REDIS_TEST_URL


@dataclass
class S3Endpoint:
    url: str
    bucket: str


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Endpoint]:
    """moto in server mode: a real S3 HTTP API on loopback, not an in-process mock."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    bucket = "etalase-media-test"
    boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=bucket)
    yield S3Endpoint(url, bucket)
    server.stop()


# Children before parents; app_user takes memberships, sessions and recovery codes with it.
WIPED_TABLES = (
    "project_progress",
    "project",
    "apbdes_line",
    "apbdes_year",
    "region_monthly_stats",
    "village_daily_stats",
    "village_monthly_stats",
    "page_daily_views",
    "village_appearance",
    "slug_redirect",
    "theme_default",
    "import_run",
    "aspiration_reply",
    "aspiration",
    "product_photo",
    "product",
    "potensi_photo",
    "potensi",
    "village_official",
    "village_profile",
    "document",
    "album_photo",
    "album",
    "event",
    "announcement",
    "page",
    "post_comment",
    "post_reaction",
    "comment_settings",
    "post",
    "media_file",
    "audit_event",
    "one_time_token",
    "mentoring_note",
    "membership",
    "outbox_message",
    "app_user",
    "village_domain",
    "village",
)


# --- the two stacks -----------------------------------------------------------------------------
@dataclass
class Stack:
    name: str
    settings: Settings
    runtime: Runtime

    def wipe(self) -> None:
        """Remove every village and its data; keep the region list."""
        with self.runtime.engine.begin() as connection:
            rls.set_context(connection, None, all_villages=True)  # the wipe crosses villages
            for table in WIPED_TABLES:
                connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(text("UPDATE site_generation SET generation = generation + 1"))
        self.runtime.resolver.forget()
        self.runtime.derived.clear()  # SQLite hands out the ids of deleted villages again
        self.clear_rate_limits()

    def clear_rate_limits(self) -> None:
        cache = self.runtime.cache
        if isinstance(cache, RedisCache):
            for key in cache.client.scan_iter(f"{cache.prefix}rl:*"):
                cache.client.delete(key)
        elif isinstance(cache, MemoryCache):
            cache.clear()


def embedded_settings(var_dir: Path) -> Settings:
    return Settings(
        env="development",
        var_dir=var_dir,
        database_url=f"sqlite:///{var_dir / 'etalase.db'}",
        base_domain=BASE_DOMAIN,
        secret_key="t" * 40,
        site_cache_seconds=0.0,
    )


def production_settings(pg: str, redis_url: str, s3: S3Endpoint, var_dir: Path) -> Settings:
    return Settings(
        env="production",
        var_dir=var_dir,
        database_url=pg,
        redis_url=redis_url,
        redis_prefix=f"etalase-test-{uuid.uuid4().hex[:8]}:",  # test runs never share keys
        base_domain=BASE_DOMAIN,
        public_scheme="https",
        secret_key="p" * 40,
        s3_bucket=s3.bucket,
        s3_endpoint_url=s3.url,
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
        media_url="https://media.etalase.test/",
        site_cache_seconds=0.0,
    )


def build_stack(name: str, settings: Settings) -> Stack:
    migrate.upgrade(settings.sqlalchemy_url)
    runtime = Runtime.build(settings)
    load_regions(runtime.engine)
    return Stack(name, settings, runtime)


@pytest.fixture(scope="session")
def embedded_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = build_stack("embedded", embedded_settings(tmp_path_factory.mktemp("embedded")))
    yield stack
    stack.runtime.close()


@pytest.fixture(scope="session")
def production_stack(
    pg_url: str, redis_url: str, s3: S3Endpoint, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    stack = build_stack(
        "production", production_settings(pg_url, redis_url, s3, tmp_path_factory.mktemp("prod"))
    )
    yield stack
    stack.runtime.close()


@pytest.fixture(params=["embedded", "production"])
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    chosen: Stack = request.getfixturevalue(f"{request.param}_stack")
    chosen.wipe()
    yield chosen
    chosen.wipe()


@pytest.fixture
def client(stack: Stack) -> Iterator[TestClient]:
    app = create_app(stack.settings, stack.runtime)
    # Not a context manager: the lifespan would dispose the session-wide engine.
    yield TestClient(app, base_url=f"http://{BASE_DOMAIN}")


class StatementLog:
    """Every SQL statement the engine sends while recording."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def touching(self, table: str) -> list[str]:
        return [s for s in self.statements if f" {table}" in s.lower() or f'"{table}"' in s.lower()]


@pytest.fixture
def sql_log(stack: Stack) -> Iterator[StatementLog]:
    log = StatementLog()

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        log.statements.append(statement)

    event.listen(stack.runtime.engine, "before_cursor_execute", record)
    yield log
    event.remove(stack.runtime.engine, "before_cursor_execute", record)


def settings_env(settings: Settings) -> dict[str, str]:
    """The ETALASE_ variables that recreate these settings in another process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETALASE_")}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"ETALASE_{name.upper()}"] = str(value)
    return env
