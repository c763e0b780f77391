"""RSS 2.0 and Atom feeds of a village and of its categories, on both stacks: they parse, hold the
20 newest published posts with absolute links, escape what the posts say, and stay in their village."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

from etalase.tenants.models import utcnow
from tests.conftest import Stack
from tests.people import Browser, make_village, village_host
from tests.test_public_site import add_post

CODE = "34.04.02.2003"
OTHER = "34.04.02.2004"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_village_rss_has_the_20_newest_published_posts(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    other_vid, _other = make_village(stack, OTHER)
    start = utcnow() - timedelta(days=40)
    for n in range(25):
        add_post(stack, vid, f"Kabar {n:02d}", when=start + timedelta(days=n), summary=f"Ringkasan {n}")
    add_post(stack, vid, "Draf", status="draft")
    add_post(stack, other_vid, "Kabar desa lain")
    url = stack.settings.village_url(slug, "")
    response = Browser(stack).get(f"{village_host(stack, slug)}/feed.xml")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("link") == f"{url}/berita"
    assert channel.find(f"{ATOM}link") is not None  # rel=self
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == [f"Kabar {n:02d}" for n in range(24, 4, -1)]
    first = items[0]
    assert first.findtext("link") == f"{url}/berita/kabar-24" == first.findtext("guid")
    assert first.findtext("description") == "Ringkasan 24"
    assert (
        parsedate_to_datetime(first.findtext("pubDate") or "").date() == (start + timedelta(days=24)).date()
    )
    assert Browser(stack).get(f"{village_host(stack, slug)}/rss.xml").content == response.content


def test_atom_feed_and_category_feeds(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    add_post(stack, vid, "Sawah & irigasi <baru>", categories=("Pertanian",), body="<p>Air &amp; sawah</p>",
             author_name="Budi Santoso")  # fmt: skip
    add_post(stack, vid, "Posyandu", categories=("Kesehatan",))
    base = village_host(stack, slug)
    url = stack.settings.village_url(slug, "")
    browser = Browser(stack)

    atom = browser.get(f"{base}/atom.xml")
    assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(atom.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") and feed.findtext(f"{ATOM}updated")
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert set(titles) == {"Sawah & irigasi <baru>", "Posyandu"}
    assert b"<baru>" not in atom.content  # escaped by the serializer
    sawah = entries[titles.index("Sawah & irigasi <baru>")]
    link = sawah.find(f"{ATOM}link")
    assert link is not None and link.get("href") == f"{url}/berita/sawah-irigasi-baru"
    assert sawah.findtext(f"{ATOM}summary") == "Air & sawah"
    assert sawah.findtext(f"{ATOM}author/{ATOM}name") == "Budi Santoso"

    rss = ET.fromstring(browser.get(f"{base}/kategori/pertanian/feed.xml").content)
    assert [i.findtext("title") for i in rss.iter("item")] == ["Sawah & irigasi <baru>"]
    category_atom = ET.fromstring(browser.get(f"{base}/kategori/kesehatan/atom.xml").content)
    assert [e.findtext(f"{ATOM}title") for e in category_atom.iter(f"{ATOM}entry")] == ["Posyandu"]
    assert browser.get(f"{base}/kategori/tidak-ada/feed.xml").status_code == 404

    # The lists name their feeds for feed readers.
    listing = browser.get(f"{base}/berita")
    assert '<link rel="alternate" type="application/rss+xml" href="/feed.xml"' in listing.text
    assert '<link rel="alternate" type="application/atom+xml" href="/atom.xml"' in listing.text


def test_an_empty_village_has_valid_empty_feeds(stack: Stack) -> None:
    _vid, slug = make_village(stack, CODE)
    browser = Browser(stack)
    rss = ET.fromstring(browser.get(f"{village_host(stack, slug)}/feed.xml").content)
    assert rss.find("channel/item") is None and rss.findtext("channel/title")
    atom = ET.fromstring(browser.get(f"{village_host(stack, slug)}/atom.xml").content)
    assert atom.find(f"{ATOM}entry") is None and atom.findtext(f"{ATOM}updated")
