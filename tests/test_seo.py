"""Sharing and discovery on both stacks: what a chat app, a social site or a search engine reads
from a village page (canonical URL, Open Graph, Twitter Card, JSON-LD), the share card images it
fetches, and the share links under a post. Every page is parsed as a scraper would parse it."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from httpx import Response
from PIL import Image
from sqlmodel import col, select

from etalase.platform.content import workflow
from etalase.platform.content.models import Page, Post
from etalase.platform.media_library import service as media_service
from etalase.platform.site import cards
from etalase.platform.site.models import Appearance
from etalase.platform.web.templates import make_templates
from etalase.tenants.models import utcnow
from tests.conftest import Stack, embedded_settings
from tests.people import Browser, make_village, village_host
from tests.test_browser import PHONE, chromium, fits_the_screen, server  # noqa: F401  (fixtures)
from tests.test_media_library import purge

CODE_A = "34.04.02.2003"  # Desa Sidomulyo, Godean, Sleman
CODE_B = "33.74.10.1001"
HOSTILE = '</script><script>alert(1)</script> & "Panen" <b>raya</b>'
FACEBOOK = "https://www.facebook.com/desasidomulyo"
YOUTUBE = "https://www.youtube.com/@sidomulyo"


class Head(HTMLParser):
    """The meta a scraper reads: ``<meta property|name>``, ``<link rel=canonical>``, JSON-LD, links."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.canonical: list[str] = []
        self.json_ld: list[str] = []
        self.links: list[dict[str, str]] = []
        self.inputs: list[dict[str, str]] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content", ""))
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical.append(a["href"])
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")
        elif tag == "a":
            self.links.append(a)
        elif tag == "input":
            self.inputs.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld[-1] += data

    def one(self, name: str) -> str:
        values = self.meta.get(name, [])
        assert len(values) >= 1, f"no {name}"
        return values[0]

    def graph(self) -> dict[str, dict[str, object]]:
        """The JSON-LD nodes by @type (each script must parse as JSON)."""
        nodes: dict[str, dict[str, object]] = {}
        for text in self.json_ld:
            data = json.loads(text)
            assert data["@context"] == "https://schema.org"
            for node in data["@graph"]:
                nodes[node["@type"]] = node
        return nodes


def parse(response: Response) -> Head:
    assert response.status_code == 200, response.text[:300]
    head = Head()
    head.feed(response.text)
    assert len(head.canonical) == 1
    return head


@dataclass
class Site:
    stack: Stack
    vid: int
    slug: str
    base: str  # the URL the tests browse (http://sidomulyo.etalase.test)
    home: str  # the village's canonical address (settings.village_url)
    cover_post: Post
    plain_post: Post
    page: Page
    parent: Page
    browser: Browser

    def image(self, url: str) -> Response:
        """Fetch an og:image the way a scraper would: a card from the app, a photo from the media
        store's public URL (on the production stack that host is S3, read here through the store)."""
        media_url = self.stack.settings.media_url
        if media_url.startswith("https://") and url.startswith(media_url):
            data = self.stack.runtime.media.get(url.removeprefix(media_url))
            assert data is not None, url
            kinds = {"png": "image/png", "webp": "image/webp"}
            kind = kinds.get(url.rsplit(".", 1)[-1], "image/jpeg")
            return Response(200, content=data, headers={"content-type": kind})
        return self.browser.get(url)


def _photo(stack: Stack, village_id: int, width: int, height: int) -> int:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 60)).save(buffer, "JPEG")
    buffer.seek(0)
    with stack.runtime.session(village_id) as db:
        media = media_service.upload(
            db,
            stack.runtime.media,
            village_id,
            filename="sawah.jpg",
            stream=buffer,
            alt="Sawah menguning di Dusun Krajan",
            user=None,
            settings=stack.settings,
        )
        assert media.id is not None
        return media.id


@pytest.fixture
def site(stack: Stack) -> Site:
    vid, slug = make_village(stack, CODE_A)
    purge(stack, vid)
    photo = _photo(stack, vid, 1400, 900)
    now = utcnow()
    with stack.runtime.session(vid) as db:
        cover_post = Post(
            village_id=vid,
            title="Panen raya padi",
            slug="panen-raya-padi",
            summary="Warga Sidomulyo memanen padi bersama.",
            body="<p>Isi berita panen.</p>",
            status="published",
            published_at=now,
            author_name="Budi Santoso",
            cover_media_id=photo,
        )
        plain_post = Post(
            village_id=vid,
            title=HOSTILE,
            slug="kabar-tanpa-foto",
            body="<p>" + "Musyawarah dusun membahas jalan usaha tani dan irigasi. " * 8 + "</p>",
            status="published",
            published_at=now,
        )
        parent = Page(
            village_id=vid, title="Profil Desa", slug="profil", body="<p>Profil.</p>", status="published"
        )
        db.add_all([cover_post, plain_post, parent])
        db.flush()
        page = Page(
            village_id=vid,
            title="Sejarah Desa",
            slug="sejarah",
            body="<h2>Asal-usul</h2><p>Desa ini berdiri pada tahun 1946 &amp; tumbuh bersama sawahnya.</p>",
            status="published",
            parent_id=parent.id,
        )
        db.add(page)
        options = {"colors": {"primary": "#8a1c1c"}, "social": {"youtube": YOUTUBE, "facebook": FACEBOOK}}
        db.add(Appearance(village_id=vid, options=json.dumps(options)))
        workflow.bump_content_version(db, vid)
        db.flush()
        for row in (cover_post, plain_post, page, parent):
            db.refresh(row)
    return Site(
        stack,
        vid,
        slug,
        village_host(stack, slug),
        stack.settings.village_url(slug, ""),
        cover_post,
        plain_post,
        page,
        parent,
        Browser(stack),
    )


def _card_ok(site: Site, url: str) -> Response:
    assert url.startswith(site.home + "/kartu/"), url
    response = site.image(url)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert image.size == (1200, 630)
    return response


def test_the_home_page_tells_who_the_village_is(site: Site) -> None:
    head = parse(site.browser.get(f"{site.base}/?utm_source=wa"))
    assert head.canonical == [site.home + "/"]  # no query string
    assert head.one("og:url") == site.home + "/"
    assert head.one("og:type") == "website"
    assert head.one("og:site_name") == "Desa Sidomulyo"
    assert head.one("og:title") == "Desa Sidomulyo"
    assert head.one("og:locale") == "id_ID"
    assert head.one("twitter:card") == "summary_large_image"
    assert head.one("og:image:width") == "1200" and head.one("og:image:height") == "630"
    card = _card_ok(site, head.one("og:image"))
    with Image.open(io.BytesIO(card.content)) as image:  # drawn in the village's own colour
        red, green, blue = image.convert("RGB").getpixel((5, 600))  # type: ignore[misc]
        assert abs(red - 0x8A) + abs(green - 0x1C) + abs(blue - 0x1C) <= 6

    nodes = head.graph()
    org = nodes["GovernmentOrganization"]
    assert org["name"] == "Desa Sidomulyo" and org["url"] == site.home + "/"
    assert org["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "Kode Wilayah Kemendagri",
        "value": CODE_A,
    }
    place = org["location"]
    assert isinstance(place, dict) and place["@type"] == "Place"
    assert "Kecamatan Godean" in str(place["address"]) and "Kabupaten Sleman" in str(place["address"])
    assert org["sameAs"] == [FACEBOOK, YOUTUBE]  # the village's profiles, in the fixed order

    # A page number is the one query a canonical address keeps.
    page_two = parse(site.browser.get(f"{site.base}/galeri?halaman=2&urut=baru"))
    assert page_two.canonical == [site.home + "/galeri?halaman=2"]

    # In English the locale says so.
    assert site.browser.get(f"{site.base}/bahasa/en?next=/").status_code == 303
    assert parse(site.browser.get(f"{site.base}/")).one("og:locale") == "en_US"


def test_a_post_with_a_cover_shares_its_photo(site: Site) -> None:
    post = site.cover_post
    canonical = f"{site.home}/berita/{post.slug}"
    head = parse(site.browser.get(f"{site.base}/berita/{post.slug}?fbclid=abc"))
    assert head.canonical == [canonical] and head.one("og:url") == canonical
    assert head.one("og:type") == "article"
    assert head.one("og:title") == "Panen raya padi"
    assert head.one("og:description") == "Warga Sidomulyo memanen padi bersama."
    assert head.one("article:published_time").startswith(str(post.published_at.year))
    assert head.meta["article:modified_time"]

    # The stored JPEG (chat apps read it best) as the one og:image; JSON-LD adds the 1024 WebP.
    images = head.meta["og:image"]
    assert len(images) == 1 and images[0].endswith(".jpg")
    assert head.meta["og:image:type"] == ["image/jpeg"]
    assert head.meta["og:image:width"] == ["1400"] and head.meta["og:image:height"] == ["900"]
    assert head.one("og:image:alt") == "Sawah menguning di Dusun Krajan"
    assert all(urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc for url in images)
    photo = site.image(images[0])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.width >= 600

    nodes = head.graph()
    article = nodes["NewsArticle"]
    assert article["headline"] == "Panen raya padi" and article["mainEntityOfPage"] == canonical
    assert isinstance(article["image"], list) and article["image"][0] == images[0]
    assert article["image"][1].endswith("-1024.webp")
    webp = site.image(article["image"][1])
    assert webp.status_code == 200
    with Image.open(io.BytesIO(webp.content)) as image:
        assert image.format == "WEBP" and image.width == 1024
    assert article["author"] == [{"@type": "Person", "name": "Budi Santoso"}]
    assert article["datePublished"] == head.one("article:published_time")
    assert article["dateModified"]
    publisher = article["publisher"]
    assert isinstance(publisher, dict)
    assert publisher["@type"] == "GovernmentOrganization" and publisher["name"] == "Desa Sidomulyo"
    crumbs = nodes["BreadcrumbList"]["itemListElement"]
    assert isinstance(crumbs, list)
    assert [c["name"] for c in crumbs] == ["Beranda", "Berita", "Panen raya padi"]
    assert crumbs[0]["item"] == site.home + "/" and crumbs[-1]["item"] == canonical


def test_share_links_carry_the_title_and_the_address(site: Site) -> None:
    post = site.cover_post
    canonical = f"{site.home}/berita/{post.slug}"
    response = site.browser.get(f"{site.base}/berita/{post.slug}")
    head = parse(response)
    shares = {a["aria-label"]: a for a in head.links if a.get("aria-label", "").startswith("Bagikan ke ")}
    assert set(shares) == {
        "Bagikan ke WhatsApp",
        "Bagikan ke Facebook",
        "Bagikan ke X",
        "Bagikan ke Telegram",
    }
    for link in shares.values():
        assert link["target"] == "_blank" and "noopener" in link["rel"]

    # Each button goes through the site (/bagikan/…, which counts the share), then on to the network.
    def query(label: str) -> tuple[str, dict[str, list[str]]]:
        href = shares[label]["href"]
        assert href.startswith("/bagikan/"), href
        hop = site.browser.client.get(f"{site.base}{href}", follow_redirects=False)
        assert hop.status_code == 302 and hop.headers["cache-control"] == "no-store"
        parts = urlsplit(hop.headers["location"])
        return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)

    assert query("Bagikan ke WhatsApp") == ("https://wa.me/", {"text": [f"Panen raya padi {canonical}"]})
    assert query("Bagikan ke Facebook") == ("https://www.facebook.com/sharer/sharer.php", {"u": [canonical]})
    assert query("Bagikan ke X") == (
        "https://x.com/intent/post",
        {"text": ["Panen raya padi"], "url": [canonical]},
    )
    assert query("Bagikan ke Telegram") == (
        "https://t.me/share/url",
        {"url": [canonical], "text": ["Panen raya padi"]},
    )
    # Copy-link without JavaScript: a read-only box with the address; the button comes with share.js.
    box = next(i for i in head.inputs if i.get("id") == "tautan-berita")
    assert box["value"] == canonical and "readonly" in box
    assert '<script src="/static/base/share.js" defer></script>' in response.text
    script = site.browser.get(f"{site.base}/static/base/share.js")
    assert (
        script.status_code == 200 and len(script.content) < 1024 and b"navigator.clipboard" in script.content
    )

    # A hostile title is encoded in the links, not cut short by its & or quotes.
    hostile = parse(site.browser.get(f"{site.base}/berita/{site.plain_post.slug}"))
    wa = next(a for a in hostile.links if a.get("aria-label") == "Bagikan ke WhatsApp")
    hop = site.browser.client.get(f"{site.base}{wa['href']}", follow_redirects=False)
    assert parse_qs(urlsplit(hop.headers["location"]).query)["text"] == [
        f"{HOSTILE} {site.home}/berita/{site.plain_post.slug}"
    ]
    # Pages that are not posts have no share links.
    assert "Bagikan ke WhatsApp" not in site.browser.get(f"{site.base}/").text


def test_a_post_without_a_photo_gets_a_generated_card(site: Site) -> None:
    post = site.plain_post
    response = site.browser.get(f"{site.base}/berita/{post.slug}")
    head = parse(response)
    # The hostile title cannot close the JSON-LD script or open a new one.
    assert "<script>alert(1)" not in response.text and "<b>raya</b>" not in response.text
    assert head.one("og:title") == HOSTILE and head.one("og:image:alt") == HOSTILE
    article = head.graph()["NewsArticle"]
    assert article["headline"] == HOSTILE
    assert article["author"] == [
        {"@type": "GovernmentOrganization", "@id": f"{site.home}/#desa", "name": "Desa Sidomulyo"}
    ]
    # No summary: the first words of the body, cut at a word.
    description = head.one("og:description")
    assert description.startswith("Musyawarah dusun membahas jalan usaha tani") and description.endswith("…")
    assert len(description) <= 160

    url = head.one("og:image")
    assert url.startswith(f"{site.home}/kartu/berita/{post.slug}.png?v=")
    assert article["image"] == [url]
    first = _card_ok(site, url)
    assert "max-age=31536000" in first.headers["cache-control"]
    etag = first.headers["etag"]
    again = site.browser.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert site.browser.get(url).content == first.content  # drawn once, served from the cache
    # Without the version the card still answers, for a shorter while.
    bare = site.browser.get(url.split("?")[0])
    assert bare.status_code == 200 and "max-age=3600" in bare.headers["cache-control"]

    # A new title is a new card at a new address.
    with site.stack.runtime.session(site.vid) as db:
        row = db.exec(select(Post).where(col(Post.id) == post.id)).one()
        row.title = "Jalan usaha tani selesai dibangun"
        row.version += 1
        workflow.bump_content_version(db, site.vid)
    newer = parse(site.browser.get(f"{site.base}/berita/{post.slug}")).one("og:image")
    assert newer != url
    changed = _card_ok(site, newer)
    assert changed.headers["etag"] != etag and changed.content != first.content
    assert site.browser.get(newer, headers={"if-none-match": etag}).status_code == 200


def test_cards_exist_only_for_public_posts_of_this_village(site: Site) -> None:
    with site.stack.runtime.session(site.vid) as db:
        db.add(Post(village_id=site.vid, title="Draf rahasia", slug="draf-rahasia", status="draft"))
    assert site.browser.get(f"{site.base}/kartu/berita/draf-rahasia.png").status_code == 404
    assert site.browser.get(f"{site.base}/kartu/berita/tidak-ada.png").status_code == 404
    _other_vid, other_slug = make_village(site.stack, CODE_B)
    other = village_host(site.stack, other_slug)
    assert site.browser.get(f"{other}/kartu/berita/{site.plain_post.slug}.png").status_code == 404
    # The other village's own card shows its own name.
    assert site.browser.get(f"{other}/kartu/desa.png").status_code == 200


def test_a_page_has_its_place_in_the_menu_as_breadcrumbs(site: Site) -> None:
    canonical = f"{site.home}/halaman/sejarah"
    head = parse(site.browser.get(f"{site.base}/halaman/sejarah"))
    assert head.canonical == [canonical] and head.one("og:url") == canonical
    assert head.one("og:type") == "website" and head.one("og:title") == "Sejarah Desa"
    assert (
        head.one("og:description") == "Asal-usul Desa ini berdiri pada tahun 1946 & tumbuh bersama sawahnya."
    )
    assert "article:published_time" not in head.meta
    _card_ok(site, head.one("og:image"))
    crumbs = head.graph()["BreadcrumbList"]["itemListElement"]
    assert isinstance(crumbs, list)
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Beranda", site.home + "/"),
        (2, "Profil Desa", f"{site.home}/halaman/profil"),
        (3, "Sejarah Desa", canonical),
    ]


def test_the_card_follows_the_village_colour() -> None:
    on_dark = cards.render_card(cards.CardText("Desa Sidomulyo", "Judul", "Sleman", "#1f3f8a"))
    on_light = cards.render_card(cards.CardText("Desa Sidomulyo", "Judul", "Sleman", "#fafafa"))
    with Image.open(io.BytesIO(on_dark)) as dark, Image.open(io.BytesIO(on_light)) as light:
        assert dark.size == light.size == (1200, 630)
        assert dark.convert("RGB").getpixel((600, 400)) == (0x1F, 0x3F, 0x8A)
        # The ink is the one that reads: white on dark blue, near-black on near-white.
        assert dark.convert("RGB").getpixel((5, 5)) == (255, 255, 255)
        assert light.convert("RGB").getpixel((5, 5)) == (20, 24, 22)
    long_title = "Pembangunan " * 60
    assert len(cards.render_card(cards.CardText("Desa X", long_title, "Y"))) > 1000
    assert cards.card_key(cards.CardText("a", "b", "c")) != cards.card_key(cards.CardText("a", "b2", "c"))


def test_social_profiles_partial(tmp_path: Path) -> None:
    partial = make_templates(embedded_settings(tmp_path)).env.get_template("base/_social.html")
    shown = partial.render(
        profiles={
            "youtube": YOUTUBE,
            "facebook": FACEBOOK,
            "x": "javascript:alert(1)",
            "myspace": "https://myspace.com/x",
        }
    )
    assert shown.index("Facebook") < shown.index("YouTube")  # a fixed order
    assert f'href="{FACEBOOK}"' in shown and 'rel="me noopener"' in shown
    assert "javascript:" not in shown and "myspace" not in shown
    # The appearance's own list of (network, name, url) works as well.
    listed = partial.render(profiles=[("youtube", "YouTube", YOUTUBE), ("x", "X", "javascript:alert(1)")])
    assert f'href="{YOUTUBE}"' in listed and "javascript:" not in listed and ">X<" not in listed
    assert partial.render(profiles={}).strip() == ""
    assert partial.render().strip() == ""


# --- in Chromium, on a phone ------------------------------------------------------------------------
def test_sharing_from_a_phone_with_and_without_javascript(
    chromium: object,  # noqa: F811
    server: int,  # noqa: F811
    embedded_stack: Stack,
) -> None:
    """A reader on a 360-pixel phone: the preview a chat app builds from the page's tags, the share
    links, and copying the address (a button with JavaScript, a selectable box without)."""
    stack = embedded_stack
    vid, slug = make_village(stack, CODE_A)
    with stack.runtime.session(vid) as db:
        db.add(
            Post(
                village_id=vid,
                title="Kerja bakti bersih sungai",
                slug="kerja-bakti",
                summary="Warga membersihkan sungai bersama.",
                body="<p>Isi.</p>",
                status="published",
                published_at=utcnow(),
            )
        )
        workflow.bump_content_version(db, vid)
    site = f"http://{slug}.etalase.test:{server}"
    hosts: set[str] = set()
    problems: list[str] = []
    context = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    page = context.new_page()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    # Console errors (a CSP refusal, a script error); the browser's own /favicon.ico probe aside.
    page.on(
        "console",
        lambda msg: (
            problems.append(f"{msg.text} {msg.location.get('url')}")
            if msg.type == "error" and not str(msg.location.get("url", "")).endswith("/favicon.ico")
            else None
        ),
    )
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.goto(f"{site}/berita/kerja-bakti")
    tags = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('meta[property^=\"og:\"]')]"
        ".map(m => [m.getAttribute('property'), m.content]))"
    )
    assert tags["og:title"] == "Kerja bakti bersih sungai" and tags["og:url"] == f"{site}/berita/kerja-bakti"
    width = page.evaluate(
        "url => new Promise(done => { const i = new Image(); i.onload = () => done(i.naturalWidth); "
        "i.onerror = () => done(0); i.src = url; })",
        tags["og:image"],
    )
    assert width == 1200  # the generated card loads and decodes
    assert fits_the_screen(page)
    button = page.get_by_role("button", name="Salin tautan")
    assert button.is_visible()
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44
    whatsapp = page.get_by_role("link", name="Bagikan ke WhatsApp")
    assert whatsapp.is_visible() and (whatsapp.bounding_box() or {"height": 0})["height"] >= 44
    button.click()
    page.get_by_role("button", name="Tautan disalin").wait_for()
    assert hosts == {f"{slug}.etalase.test"}
    assert missing == [] and problems == [], (missing, problems)
    context.close()

    no_js = chromium.new_context(viewport=PHONE, locale="id-ID", java_script_enabled=False)  # type: ignore[attr-defined]
    page = no_js.new_page()
    page.goto(f"{site}/berita/kerja-bakti")
    assert page.get_by_role("button", name="Salin tautan").count() == 0  # hidden: it would do nothing
    address = page.get_by_label("Tautan berita ini")
    assert address.is_visible() and address.input_value() == f"{site}/berita/kerja-bakti"
    assert page.get_by_role("link", name="Bagikan ke Telegram").is_visible()
    no_js.close()
