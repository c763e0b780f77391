"""Translations: Indonesian unless the visitor chose English, and every text has its English."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from etalase.platform import i18n
from etalase.platform.app import create_app
from etalase.platform.web.language import LanguageMiddleware, local_path
from etalase.platform.web.templates import angka, tanggal
from etalase.tenants.service import create_village, find_village, set_status
from tests.conftest import BASE_DOMAIN, REPO, Stack

VILLAGE = f"sidomulyo.{BASE_DOMAIN}"
ENGLISH_PHONE = {"accept-language": "en-US,en;q=0.9"}


@pytest.fixture
def village(stack: Stack) -> None:
    with stack.runtime.session() as session:
        create_village(session, "34.04.02.2003")  # Sidomulyo, Godean


def lang_of(html: str) -> str:
    match = re.search(r'<html lang="([a-z]+)">', html)
    assert match, html[:200]
    return match.group(1)


def choose(client: TestClient, host: str, code: str, target: str = "/") -> str:
    """Follow the language switch like a browser would; returns the Cookie header it earned."""
    response = client.get(
        f"/bahasa/{code}", params={"next": target}, headers={"host": host}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == target
    morsel = response.headers["set-cookie"]
    cookie = morsel.split(";", 1)[0]
    assert cookie == f"bahasa={code}"
    return cookie


def get(client: TestClient, host: str, path: str = "/", cookie: str = "") -> tuple[int, str]:
    headers = {"host": host, **ENGLISH_PHONE}
    if cookie:
        headers["cookie"] = cookie
    response = client.get(path, headers=headers)
    return response.status_code, response.text


# --- the catalog --------------------------------------------------------------------------------
def test_english_catalog_translates_every_text_in_the_code(tmp_path: Path) -> None:
    """Extract with babel.cfg as `scripts/i18n extract` does; a new untranslated text fails here."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "--quiet", "extract", "-F", str(REPO / "babel.cfg"), "-o", str(pot), str(REPO)]
    )
    with pot.open("rb") as f:
        template = read_po(f)
    with i18n.catalog_path("en").open("rb") as f:
        catalog = read_po(f, locale="en")
    assert len(template) > 50  # the extraction found the templates and the Python code
    untranslated = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, message.context)
        strings = found.string if found else ""
        complete = all(strings) if isinstance(strings, (list, tuple)) else bool(strings)
        if found is None or found.fuzzy or not complete:
            untranslated.append(message.id)
    assert not untranslated, "Run scripts/i18n extract and translate in platform/locale/en: " + "".join(
        f"\n  {msgid!r}" for msgid in untranslated
    )
    broken = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert broken == []  # placeholders of every translation match their msgid


def test_no_compiled_catalogs_are_committed() -> None:
    assert list((REPO / "platform" / "locale").rglob("*.mo")) == []


def test_gettext_follows_the_current_language() -> None:
    assert i18n.current_language() == "id"  # outside a request
    assert i18n._("Halaman tidak ditemukan") == "Halaman tidak ditemukan"
    assert i18n._("") == ""
    with i18n.use_language("en"):
        assert i18n._("Halaman tidak ditemukan") == "Page not found"
        assert i18n._("Teks yang belum ada di katalog") == "Teks yang belum ada di katalog"
        assert i18n._("") == ""
        assert i18n.pgettext("daftar", "Kecamatan") == "Districts"
        assert i18n._("Kecamatan") == "District"
        many = "%(sites)s situs dari %(villages)s desa/kelurahan"
        assert i18n.ngettext(many, many, 1) % {"sites": 0, "villages": 1} == "0 of 1 village with a website"
        assert i18n.ngettext(many, many, 5) % {"sites": 2, "villages": 5} == "2 of 5 villages with a website"
        with i18n.use_language("xx"):  # unknown: Indonesian
            assert i18n._("Halaman tidak ditemukan") == "Halaman tidak ditemukan"
        assert i18n.current_language() == "en"
    assert i18n.current_language() == "id"


def test_dates_and_numbers_follow_the_language() -> None:
    day = datetime(2026, 8, 17, tzinfo=UTC)
    assert tanggal(day) == "17 Agustus 2026" and angka(83762) == "83.762"
    with i18n.use_language("en"):
        assert tanggal(day) == "17 August 2026" and angka(83762) == "83,762"


# --- pages --------------------------------------------------------------------------------------
def test_pages_are_indonesian_by_default_even_for_an_english_browser(
    client: TestClient, village: None
) -> None:
    status, html = get(client, BASE_DOMAIN)
    assert status == 200 and lang_of(html) == "id"
    assert "<h1>Website desa se-Indonesia</h1>" in html and "Village websites" not in html
    assert '<a href="/bahasa/en?next=/"' in html and ">English</a>" in html
    status, html = get(client, VILLAGE)
    assert status == 200 and lang_of(html) == "id"
    assert "Selamat datang di website Desa Sidomulyo" in html and "Welcome" not in html
    status, html = get(client, VILLAGE, "/berita/tidak-ada")
    assert status == 404 and lang_of(html) == "id" and "Halaman tidak ditemukan" in html


def test_choosing_english_translates_portal_village_and_error_pages(
    client: TestClient, village: None
) -> None:
    cookie = choose(client, BASE_DOMAIN, "en", "/cari?q=sidomulyo")
    status, html = get(client, BASE_DOMAIN, cookie=cookie)
    assert status == 200 and lang_of(html) == "en"
    assert "<h1>Village websites across Indonesia</h1>" in html and "Website desa se-Indonesia" not in html
    assert re.search(r"\d+ villages? already ha(s|ve) a website, out of \d{2},\d{3} across Indonesia", html)
    assert '<a href="/bahasa/id?next=/"' in html and ">Bahasa Indonesia</a>" in html
    status, html = get(client, BASE_DOMAIN, "/cari?q=sidomulyo", cookie=cookie)
    assert status == 200 and "Find a village" in html and "Village" in html
    assert 'href="/bahasa/id?next=/cari%3Fq%3Dsidomulyo"' in html  # back to the same search
    status, html = get(client, BASE_DOMAIN, "/wilayah/34.04.02", cookie=cookie)
    assert status == 200 and "<h1>Godean District</h1>" in html and "no website yet" in html
    status, html = get(client, BASE_DOMAIN, "/tidak-ada", cookie=cookie)
    assert status == 404 and lang_of(html) == "en"
    assert "Page not found" in html and "Halaman tidak ditemukan" not in html

    # The cookie is the visitor's, whichever host set it; the switch answers on village hosts too.
    assert choose(client, VILLAGE, "en") == cookie
    status, html = get(client, VILLAGE, cookie=cookie)
    assert status == 200 and lang_of(html) == "en"
    assert "Welcome to the website of Desa Sidomulyo" in html and "No news has been published yet." in html
    assert "Official website of Desa Sidomulyo, Kecamatan Godean" in html
    status, html = get(client, VILLAGE, "/berita/tidak-ada", cookie=cookie)
    assert status == 404 and lang_of(html) == "en"
    assert "Page not found" in html and "Back to the Desa Sidomulyo home page" in html
    response = client.get("/api/v1/tidak-ada", headers={"host": BASE_DOMAIN, "cookie": cookie})
    assert response.status_code == 404 and response.json() == {"detail": "Page not found"}

    # And back.
    cookie = choose(client, VILLAGE, "id")
    status, html = get(client, VILLAGE, cookie=cookie)
    assert lang_of(html) == "id" and "Selamat datang" in html


def test_closed_village_and_server_error_pages_are_translated(stack: Stack, village: None) -> None:
    with stack.runtime.session() as session:
        set_status(session, find_village(session, "sidomulyo"), active=False)
    app: FastAPI = create_app(stack.settings, stack.runtime)

    @app.get("/rusak")
    def broken() -> None:
        raise RuntimeError("boom")

    client = TestClient(app, base_url=f"http://{BASE_DOMAIN}", raise_server_exceptions=False)
    status, html = get(client, VILLAGE, cookie="bahasa=en")
    assert status == 404 and "Village website not open yet" in html
    assert "has been set up but is not open to the public yet" in html
    # A server error is rendered by Starlette's outermost middleware, outside LanguageMiddleware.
    status, html = get(client, BASE_DOMAIN, "/rusak", cookie="bahasa=en")
    assert status == 500 and lang_of(html) == "en" and "Something went wrong" in html
    status, html = get(client, BASE_DOMAIN, "/rusak")
    assert status == 500 and lang_of(html) == "id" and "Terjadi gangguan" in html


def test_switch_cookie_attributes(stack: Stack, client: TestClient) -> None:
    response = client.get("/bahasa/en", headers={"host": BASE_DOMAIN}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    attributes = {
        part.strip().split("=", 1)[0].lower(): part for part in response.headers["set-cookie"].split(";")
    }
    assert "max-age=31536000" in attributes["max-age"].lower()
    assert attributes["path"].strip() == "Path=/"
    assert attributes["samesite"].strip().lower() == "samesite=lax"
    assert ("secure" in attributes) == (stack.settings.public_scheme == "https")
    assert "httponly" not in attributes


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "https://evil.example/",
        "evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",  # browsers drop tabs and newlines: that would be //evil.example
        "/\n/evil.example",
        "",
    ],
)
def test_switch_never_redirects_off_site(client: TestClient, target: str) -> None:
    response = client.get(
        "/bahasa/en", params={"next": target}, headers={"host": BASE_DOMAIN}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert local_path(target) == "/"


def test_switch_answers_on_any_host_and_refuses_unknown_languages(client: TestClient) -> None:
    for host in (BASE_DOMAIN, f"www.{BASE_DOMAIN}", f"tidakada.{BASE_DOMAIN}", "evil.example"):
        response = client.get("/bahasa/en?next=/wilayah/34", headers={"host": host}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/wilayah/34"
    for code in ("fr", "EN", "id-ID", ""):
        response = client.get(f"/bahasa/{code}", headers={"host": BASE_DOMAIN}, follow_redirects=False)
        assert response.status_code == 404 and "set-cookie" not in response.headers


@pytest.mark.parametrize("value", ["EN", "fr", "en-US", "", "id"])
def test_only_a_known_cookie_value_switches(client: TestClient, value: str) -> None:
    status, html = get(client, BASE_DOMAIN, cookie=f"bahasa={value}")
    assert status == 200 and lang_of(html) == "id"


def test_language_does_not_leak_between_requests(client: TestClient, village: None) -> None:
    status, html = get(client, BASE_DOMAIN, cookie="bahasa=en")
    assert status == 200 and lang_of(html) == "en"
    status, html = get(client, BASE_DOMAIN)  # the next visitor has no cookie
    assert status == 200 and lang_of(html) == "id" and "Website desa se-Indonesia" in html
    assert i18n.current_language() == "id"

    def visit(n: int) -> tuple[str, str]:
        want = "en" if n % 2 else "id"
        host = VILLAGE if n % 3 else BASE_DOMAIN
        return want, lang_of(get(client, host, cookie=f"bahasa={want}" if want == "en" else "")[1])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(visit, range(40)))
    assert all(want == got for want, got in results), results


def test_middleware_sets_the_language_for_the_request_only() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(i18n.current_language())
        if scope["path"] == "/rusak":
            raise RuntimeError("boom")

    middleware = LanguageMiddleware(app)

    async def nothing() -> dict[str, object]:
        return {}

    async def drop(_message: object) -> None:
        return None

    def scope(path: str, cookie: bytes = b"") -> Scope:
        return {"type": "http", "path": path, "headers": [(b"cookie", cookie)] if cookie else []}

    async def visits() -> None:
        await middleware(scope("/", b"bahasa=en"), nothing, drop)
        seen.append(i18n.current_language())  # back to Indonesian after the request
        with pytest.raises(RuntimeError):
            await middleware(scope("/rusak", b"theme=x; bahasa=en"), nothing, drop)
        seen.append(i18n.current_language())  # also after a failed one
        await middleware(scope("/"), nothing, drop)

    asyncio.run(visits())
    assert seen == ["en", "id", "en", "id", "id"]
