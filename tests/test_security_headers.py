"""Every response leaves with security headers; the public pages with a policy that allows nothing
from a third-party host but the media store and the four embed players."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.conftest import Stack
from tests.people import Browser, make_user, make_village, portal, village_host


def test_public_pages_allow_only_their_own_site_and_media(stack: Stack) -> None:
    _vid, slug = make_village(stack, "34.04.02.2003")
    page = Browser(stack).get(f"{village_host(stack, slug)}/")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and "'unsafe-inline'" not in csp
    media = urlsplit(stack.settings.media_url)
    if media.netloc:  # S3 or a CDN: its origin may serve images, nothing else
        assert f"{media.scheme}://{media.netloc}" in directives["img-src"]
        assert media.netloc not in directives["script-src"]
    assert directives["frame-src"].split() == [
        "https://www.youtube-nocookie.com",
        "https://www.facebook.com",
        "https://www.instagram.com",
        "https://www.tiktok.com",
    ]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_team_pages_keep_their_stricter_policy(stack: Stack) -> None:
    vid, slug = make_village(stack, "34.04.02.2003")
    make_user(stack, "Siti", email="siti@contoh.id", roles={vid: "admin"})
    browser = Browser(stack)
    base = village_host(stack, slug)
    assert browser.login(base, "siti@contoh.id").status_code == 303
    admin = browser.get(f"{base}/admin")
    assert admin.headers.get_list("content-security-policy") == [admin.headers["content-security-policy"]]
    assert "script-src 'none'" in admin.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in admin.headers["content-security-policy"]


def test_the_favicon_answers_on_every_host(stack: Stack) -> None:
    _vid, slug = make_village(stack, "34.04.02.2003")
    for base in (village_host(stack, slug), portal(stack), "http://tidak-ada.example"):
        icon = Browser(stack).get(f"{base}/favicon.ico")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
        assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
