"""One adapter for media files: local disk in the embedded default, S3 (any compatible store) in
production. Keys are namespaced by village (``v/<village_id>/…``) so one village's files can be
listed, measured against its quota and deleted without touching another's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from etalase.platform.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_KEY = re.compile(r"^[a-z0-9][a-z0-9._/-]{0,500}$")


class MediaKeyError(ValueError):
    pass


def village_key(village_id: int, name: str) -> str:
    """The storage key of a village's file, e.g. ``v/42/2026/11/panen.webp``."""
    return check_key(f"v/{int(village_id)}/{name.lstrip('/')}")


def check_key(key: str) -> str:
    # Keys come from our own code, but a traversal here would read or overwrite another village's file.
    if not _KEY.match(key) or ".." in key or "//" in key or key.endswith("/"):
        raise MediaKeyError(f"invalid media key: {key!r}")
    return key


# What a media URL may serve: ``v/<village_id>/media/…``. Private files (residents' photos) live
# under ``v/<village_id>/private/…`` in the same store and are read only by the app.
PUBLIC_KEY = re.compile(r"^v/[0-9]+/media/")


def is_public_key(key: str) -> bool:
    return PUBLIC_KEY.match(key) is not None


class MediaStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes | None: ...
    def delete(self, key: str) -> None: ...
    def url(self, key: str) -> str: ...


class LocalMediaStore:
    def __init__(self, root: Path, base_url: str) -> None:
        self.root = root
        self.base_url = base_url

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside, then rename: a reader never sees half a file.
        tmp = path.with_name(path.name + ".part")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)  # a full disk must not leave half a file behind
            raise

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return self.base_url + check_key(key)


class S3MediaStore:
    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self.base_url = settings.media_url
        self.client: S3Client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=settings.s3_secret_access_key or None,
            config=BotoConfig(
                retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30
            ),
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=check_key(key),
            Body=data,
            ContentType=content_type,
            CacheControl="public, max-age=31536000, immutable" if is_public_key(key) else "private, no-store",
        )

    def get(self, key: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise
        body: bytes = response["Body"].read()
        return body

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def url(self, key: str) -> str:
        return self.base_url + check_key(key)


def make_media_store(settings: Settings) -> MediaStore:
    if settings.s3_bucket:
        return S3MediaStore(settings)
    return LocalMediaStore(settings.local_media_root, settings.media_url)
