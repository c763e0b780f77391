"""Configuration from ``ETALASE_`` environment variables (pydantic-settings).

The embedded default (no variables at all) runs on a SQLite file, local disk and an in-process
cache. Production is selected with ``ETALASE_ENV=production`` and then refuses to start without
a real secret and a real database. A bad value stops start-up with one sentence naming the
variable: see :func:`load_settings`.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "ETALASE_"


class ConfigError(Exception):
    """A configuration problem, worded as one sentence for the operator."""


class Settings(BaseSettings):
    # env_ignore_empty: `ETALASE_MEDIA_ROOT=` in an env file means "not set", not "the current folder".
    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", frozen=True, env_ignore_empty=True)

    env: Literal["development", "production"] = Field(
        "development", description="`development` (embedded default) or `production`."
    )
    var_dir: Path = Field(Path("var"), description="Where the embedded default keeps its files.")
    database_url: str = Field(
        "", description="SQLAlchemy URL. Empty: SQLite file `<VAR_DIR>/etalase.db` (development only)."
    )
    db_pool_size: int = Field(
        10, ge=1, le=100, description="Database connections each process keeps open (twice that in bursts)."
    )
    redis_url: str = Field(
        "", description="Redis URL for cache, rate limits, counters and jobs. Empty: in-process."
    )
    redis_prefix: str = Field(
        "etalase:", description="Prefix of every Redis key; deployments sharing one Redis need their own."
    )
    secret_key: str = Field(
        "", description="Signs sessions and tokens; at least 32 characters. Required in production."
    )
    base_domain: str = Field(
        "localhost", description="Villages are served at `<slug>.<BASE_DOMAIN>`; the portal at the domain."
    )
    public_scheme: Literal["http", "https"] = Field(
        "http", description="Scheme of the public URLs the app prints and links to."
    )
    public_port: int | None = Field(
        None, description="Port shown in public URLs, when not the scheme's default (development: 8000)."
    )
    media_root: Path | None = Field(
        None, description="Local media folder when S3 is not configured. Empty: `<VAR_DIR>/media`."
    )
    media_url: str = Field(
        "/media/", description="URL prefix under which media files are served (a CDN or bucket URL)."
    )
    media_max_upload_mb: int = Field(
        20, ge=1, le=1024, description="Largest file one upload may be (MB); refused while it is read."
    )
    media_quota_mb: int = Field(
        500, ge=1, description="Media storage of each village (MB), every stored size of a photo counted."
    )
    monthly_post_target: int = Field(
        50,
        ge=1,
        description="Posts a month a village aims for; the team's content calendar shows the progress.",
    )
    s3_bucket: str = Field("", description="S3 bucket for media. Setting it switches media to S3.")
    s3_endpoint_url: str = Field(
        "", description="S3-compatible endpoint (MinIO, R2…). Empty: AWS for the region."
    )
    s3_region: str = Field("ap-southeast-3", description="S3 region (Jakarta by default).")
    s3_access_key_id: str = Field("", description="S3 access key. Empty: boto3's usual credential chain.")
    s3_secret_access_key: str = Field("", description="S3 secret key, set together with the access key.")
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="Proxies whose X-Forwarded-For/-Proto headers are trusted (comma list or `*`).",
    )
    site_cache_seconds: float = Field(
        1.0, ge=0, description="How often a process re-checks the shared tenant version (seconds)."
    )
    site_cache_size: int = Field(
        200_000, ge=1000, description="Host resolutions each process keeps in memory."
    )

    session_days: int = Field(
        30, ge=1, le=365, description="Days a sign-in lasts without use before it must be repeated."
    )
    require_2fa: str = Field(
        "kabupaten,provinsi,nasional,superuser",
        description=(
            "Who must use two-factor sign-in (comma list of admin, editor, kontributor, kecamatan, "
            "kabupaten, provinsi, nasional, superuser). Empty: optional for everyone."
        ),
    )
    smtp_host: str = Field(
        "", description="Mail server for invitations and password resets. Empty: kept in the outbox only."
    )
    smtp_port: int = Field(587, description="Mail server port (587 STARTTLS, 465 TLS, 25 plain).")
    smtp_username: str = Field("", description="Mail server user name, if it requires one.")
    smtp_password: str = Field("", description="Mail server password.")
    smtp_from: str = Field(
        "Etalase <no-reply@localhost>", description="Sender of outgoing mail (`Name <address>`)."
    )

    @field_validator("require_2fa")
    @classmethod
    def _require_2fa(cls, value: str) -> str:
        known = {"admin", "editor", "kontributor", "kecamatan", "kabupaten", "provinsi", "nasional"}
        known.add("superuser")
        items = [item.strip().lower() for item in value.split(",") if item.strip()]
        unknown = [item for item in items if item not in known]
        if unknown:
            raise ValueError(f"has unknown role {unknown[0]!r}; use {', '.join(sorted(known))}")
        return ",".join(items)

    @field_validator("base_domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        value = value.strip().lower().rstrip(".")
        if not value or "/" in value or ":" in value or " " in value:
            raise ValueError("must be a bare domain name such as desa.example.id")
        return value

    @field_validator("media_url")
    @classmethod
    def _media_url(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql://")
        if value.startswith("postgres://") or value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; accept the short form operators copy from providers.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("secret_key")
    @classmethod
    def _secret(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @model_validator(mode="after")
    def _production(self) -> Settings:
        if self.env == "production":
            if not self.secret_key:
                raise ValueError("ETALASE_SECRET_KEY is required in production")
            if not self.database_url:
                raise ValueError("ETALASE_DATABASE_URL is required in production")
        if self.s3_bucket and not self.media_url.startswith(("https://", "http://")):
            raise ValueError(
                "ETALASE_MEDIA_URL must be the bucket's public URL or a CDN (https://…) "
                "when ETALASE_S3_BUCKET is set"
            )
        if bool(self.s3_access_key_id) != bool(self.s3_secret_access_key):
            raise ValueError("ETALASE_S3_ACCESS_KEY_ID and ETALASE_S3_SECRET_ACCESS_KEY must be set together")
        return self

    # Derived values: one place decides the embedded fallbacks.
    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'etalase.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def roles_requiring_2fa(self) -> frozenset[str]:
        return frozenset(item for item in self.require_2fa.split(",") if item)

    @property
    def local_media_root(self) -> Path:
        return self.media_root or self.var_dir / "media"

    @property
    def effective_secret_key(self) -> str:
        """The configured secret; in development a random one kept in VAR_DIR so restarts keep sessions."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def public_url(self, host: str | None = None, path: str = "/") -> str:
        port = self.public_port
        if port is None and self.env == "development":
            port = 8000
        default = 443 if self.public_scheme == "https" else 80
        netloc = host or self.base_domain
        if port and port != default:
            netloc = f"{netloc}:{port}"
        return f"{self.public_scheme}://{netloc}{path}"

    def village_url(self, slug: str, path: str = "/") -> str:
        return self.public_url(f"{slug}.{self.base_domain}", path)


def _sentence(error: ValidationError) -> str:
    first = error.errors()[0]
    loc = [str(part) for part in first.get("loc", ()) if part != "__root__"]
    message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    if not loc:
        return f"Configuration error: {message[:1].upper()}{message[1:]}."
    variable = PREFIX + loc[0].upper()
    given = first.get("input")
    hidden = any(word in variable.lower() for word in ("secret", "password")) or isinstance(given, dict)
    shown = "" if hidden else f" (got {given!r})"
    return f"Configuration error: {variable} {message}{shown}."


def load_settings() -> Settings:
    """Read the environment, or raise ConfigError with one sentence naming the variable."""
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigError(_sentence(error)) from None
