"""The media adapter against local disk and a real S3 HTTP endpoint (moto server on loopback)."""

from __future__ import annotations

import boto3
import pytest
from fastapi.testclient import TestClient

from etalase.platform.app import create_app
from etalase.platform.media import LocalMediaStore, MediaKeyError, S3MediaStore, village_key
from tests.conftest import Stack


def test_put_get_delete_through_the_adapter(stack: Stack) -> None:
    media = stack.runtime.media
    expected = S3MediaStore if stack.settings.s3_bucket else LocalMediaStore
    assert isinstance(media, expected)
    key = village_key(42, "2026/11/panen.webp")
    assert key == "v/42/2026/11/panen.webp"
    media.put(key, b"RIFF....WEBP", "image/webp")
    assert media.get(key) == b"RIFF....WEBP"
    assert media.url(key) == stack.settings.media_url + key
    media.delete(key)
    assert media.get(key) is None
    media.delete(key)  # deleting twice is not an error


def test_s3_object_lands_in_the_bucket_with_its_type(production_stack: Stack) -> None:
    settings = production_stack.settings
    key = village_key(7, "galeri/a.jpg")
    production_stack.runtime.media.put(key, b"\xff\xd8\xff", "image/jpeg")
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name=settings.s3_region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    head = client.head_object(Bucket=settings.s3_bucket, Key=key)
    assert head["ContentType"] == "image/jpeg" and head["ContentLength"] == 3
    production_stack.runtime.media.delete(key)


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs/../x", "a//b", "UPPER.jpg", "spasi .jpg", ""])
def test_keys_cannot_escape_the_village_namespace(stack: Stack, name: str) -> None:
    with pytest.raises(MediaKeyError):
        stack.runtime.media.put(village_key(1, name), b"x", "text/plain")


def test_local_media_is_served_under_media_url(embedded_stack: Stack) -> None:
    key = village_key(3, "media/2026/11/abc/apbdes.txt")
    private = village_key(3, "private/2026/11/abc/foto-warga.jpg")
    embedded_stack.runtime.media.put(key, b"APBDes 2026", "text/plain")
    embedded_stack.runtime.media.put(private, b"\xff\xd8 warga", "image/jpeg")
    client = TestClient(create_app(embedded_stack.settings, embedded_stack.runtime))
    response = client.get("/media/" + key, headers={"host": "anything.example"})
    assert response.status_code == 200 and response.content == b"APBDes 2026"
    # Private files (residents' photos) and anything outside a village's media/ are not served.
    for path in (
        private,
        "v/3/media/../private/2026/11/abc/foto-warga.jpg",
        "v/3/media/%2e%2e/private/2026/11/abc/foto-warga.jpg",
        "v/3/../../etalase.db",
        "etalase.db",
    ):
        assert client.get("/media/" + path).status_code == 404, path
    for stored in (key, private):
        embedded_stack.runtime.media.delete(stored)
