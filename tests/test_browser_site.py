"""The public site in a real browser, for every theme (issue 5): the home page, a post, search, the
link preview a chat app would draw (the Open Graph tags and the card image), on a phone-sized
screen, with no request leaving the village's own host, and nothing broken with JavaScript off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import col, update

from etalase.platform.content.models import Category, PostCategory
from etalase.platform.content.service import create_post
from etalase.platform.site.themes import registry
from etalase.tenants.models import Village, utcnow
from tests.conftest import BASE_DOMAIN, Stack
from tests.people import make_village
from tests.test_browser import PHONE, chromium, fits_the_screen, server  # noqa: F401  (fixtures)

THEMES = sorted(registry())
TITLE = "Panen Raya Jagung di Dusun Krajan Melimpah Tahun Ini"


@pytest.fixture
def site(server: int, embedded_stack: Stack) -> Iterator[tuple[str, int]]:  # noqa: F811
    """A village with a few posts in a category, served on loopback."""
    village_id, slug = make_village(embedded_stack, "34.04.02.2003")
    with embedded_stack.runtime.session(village_id) as db:
        category = Category(village_id=village_id, name="Pertanian", slug="pertanian")
        db.add(category)
        db.flush()
        for n, title in enumerate((TITLE, "Posyandu Balita Bulan Ini", "Kerja Bakti Saluran Irigasi")):
            post = create_post(
                db,
                village_id,
                title=title,
                summary="Warga Dusun Krajan memanen jagung bersama.",
                body="<p>Warga memanen jagung di ladang. Hasilnya lebih baik dari tahun lalu.</p>" * 3,
                published_at=utcnow() - timedelta(days=n + 1),
            )
            assert post.id is not None and category.id is not None
            db.add(PostCategory(village_id=village_id, post_id=post.id, category_id=category.id))
    yield f"http://{slug}.{BASE_DOMAIN}:{server}", village_id


def _use_theme(stack: Stack, village_id: int, theme: str) -> None:
    with stack.runtime.session(all_villages=True) as db:
        db.exec(  # type: ignore[call-overload]
            update(Village)
            .where(col(Village.id) == village_id)
            .values(theme=theme, content_version=col(Village.content_version) + 1)
        )
    stack.runtime.resolver.forget()


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_every_theme_on_a_phone(
    chromium: object,  # noqa: F811  (the fixture of tests/test_browser.py)
    site: tuple[str, int],
    embedded_stack: Stack,
    theme: str,
    javascript: bool,
) -> None:
    base, village_id = site
    _use_theme(embedded_stack, village_id, theme)
    context = chromium.new_context(viewport=PHONE, locale="id-ID", java_script_enabled=javascript)  # type: ignore[attr-defined]
    page = context.new_page()
    hosts: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)

    assert page.goto(f"{base}/").status == 200  # type: ignore[union-attr]
    assert fits_the_screen(page)
    assert page.locator(f"link[href='/static/{theme}/style.css']").count() == 1
    assert page.locator("a", has_text=TITLE).count() >= 1
    # The menu opens without JavaScript (a <details> on a phone).
    page.locator("a", has_text=TITLE).first.click()
    page.wait_for_url(re.compile(r".*/berita/[a-z0-9-]+$"))
    assert fits_the_screen(page)
    assert page.locator("h1", has_text=TITLE).count() == 1
    # The share button goes through the site (counted), then on to WhatsApp with the title.
    share = page.locator("a[aria-label='Bagikan ke WhatsApp']")
    href = share.get_attribute("href") or ""
    assert share.count() == 1 and href.startswith("/bagikan/whatsapp/")
    hop = httpx.get(f"http://127.0.0.1:{urlsplit(base).port}{href}", headers={"host": urlsplit(base).netloc})
    assert hop.status_code == 302 and hop.headers["location"].startswith("https://wa.me/?text=Panen%20Raya")

    # The category and the search, with the matched words marked.
    assert page.goto(f"{base}/kategori/pertanian").status == 200  # type: ignore[union-attr]
    assert fits_the_screen(page) and page.locator("a", has_text=TITLE).count() >= 1
    assert page.goto(f"{base}/cari?q=jagung").status == 200  # type: ignore[union-attr]
    assert fits_the_screen(page)
    assert page.locator("mark").count() >= 1 and page.locator("a", has_text=TITLE).count() >= 1

    context.close()
    assert hosts <= {urlsplit(base).hostname}, hosts
    assert [p for p in problems if "status of 404" not in p] == []


def test_a_shared_link_draws_a_card(site: tuple[str, int], embedded_stack: Stack) -> None:
    """What WhatsApp or Facebook reads from a post's address: the Open Graph tags and the image."""
    base, _village_id = site
    host = urlsplit(base).netloc
    port = urlsplit(base).port
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"host": host}) as client:
        home = client.get("/")
        link = re.search(r'href="(/berita/[a-z0-9-]+)"', home.text)
        assert link
        html = client.get(link.group(1), headers={"user-agent": "WhatsApp/2.23.20.0 A"}).text
        tags = dict(re.findall(r'<meta property="(og:[a-z:_]+)" content="([^"]*)"', html))
        assert tags["og:title"].startswith("Panen Raya Jagung") and tags["og:type"] == "article"
        assert tags["og:url"].endswith(link.group(1)) and tags["og:url"].startswith("http")
        image = urlsplit(tags["og:image"])
        card = client.get(image.path)
        assert card.status_code == 200 and card.headers["content-type"] in ("image/png", "image/jpeg")
        assert int(tags["og:image:width"]) >= 600
