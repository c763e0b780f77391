"""Public region pages on the portal (/wilayah/<code>) list the latest posts of the villages under
the region, and only theirs, with links to each post on its village's site; their RSS and Atom
feeds parse and hold the same posts. Both stacks."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree as ET

from sqlmodel import col, select

from etalase.platform.content.models import Post
from etalase.platform.web.regions_public import cached_latest
from etalase.tenants.models import utcnow
from tests.conftest import Stack
from tests.people import Browser, make_village, portal, village_host
from tests.test_public_site import add_post

SIDOMULYO = "34.04.02.2003"  # Godean, Sleman, DIY
GODEAN_OTHER = "34.04.02.2001"
SIDOLUHUR = "34.04.02.2004"  # same kecamatan, site not open yet
METESEH = "33.74.10.1001"  # Kota Semarang, Jawa Tengah
ATOM = "{http://www.w3.org/2005/Atom}"


def _titles(html: str) -> list[str]:
    """The post titles of the region page's news list, in order."""
    section = html.split('id="berita-wilayah"', 1)[1]
    return re.findall(r'<li>\s*<a href="[^"]+">([^<]+)</a>', section)


def _world(stack: Stack) -> dict[str, str]:
    a, slug_a = make_village(stack, SIDOMULYO)
    c, slug_c = make_village(stack, GODEAN_OTHER)
    d, _slug_d = make_village(stack, SIDOLUHUR, active=False)
    b, slug_b = make_village(stack, METESEH)
    now = utcnow()
    add_post(stack, a, "Panen raya Sidomulyo", when=now - timedelta(days=3), summary="Padi melimpah.")
    add_post(stack, c, "Posyandu balita", when=now - timedelta(days=1))
    add_post(stack, a, "Draf rahasia", status="draft")
    trashed = add_post(stack, a, "Berita di tempat sampah", when=now - timedelta(days=2))
    add_post(stack, d, "Dari desa yang belum dibuka", when=now - timedelta(hours=5))
    add_post(stack, b, "Kerja bakti Meteseh", when=now - timedelta(hours=2))
    with stack.runtime.session(a) as db:
        row = db.exec(select(Post).where(col(Post.id) == trashed.id)).one()
        row.deleted_at = now
        db.add(row)
    return {"a": slug_a, "c": slug_c, "b": slug_b}


def test_a_region_page_lists_the_posts_of_its_villages_only(stack: Stack) -> None:
    slugs = _world(stack)
    browser = Browser(stack)
    kecamatan = browser.get(f"{portal(stack)}/wilayah/34.04.02")
    assert kecamatan.status_code == 200
    assert _titles(kecamatan.text) == ["Posyandu balita", "Panen raya Sidomulyo"]
    for hidden in ("Draf rahasia", "tempat sampah", "belum dibuka", "Meteseh</a>"):
        assert hidden not in kecamatan.text
    # Each post links to its village's own site; the village is named and linked.
    link = stack.settings.village_url(slugs["a"], "/berita/panen-raya-sidomulyo")
    assert f'href="{link}"' in kecamatan.text
    assert "Padi melimpah." in kecamatan.text
    assert f'href="{stack.settings.village_url(slugs["c"])}"' in kecamatan.text
    # Breadcrumbs and the directory are still there, and the feeds are announced.
    assert 'href="/wilayah/34.04"' in kecamatan.text and 'href="/wilayah/34"' in kecamatan.text
    assert 'type="application/rss+xml"' in kecamatan.text and "/wilayah/34.04.02/feed.xml" in kecamatan.text

    province = browser.get(f"{portal(stack)}/wilayah/34").text
    assert _titles(province) == ["Posyandu balita", "Panen raya Sidomulyo"]
    assert 'href="/wilayah/34.04"' in province  # its kabupaten are listed below
    semarang = browser.get(f"{portal(stack)}/wilayah/33.74").text
    assert _titles(semarang) == ["Kerja bakti Meteseh"]
    empty = browser.get(f"{portal(stack)}/wilayah/73").text
    assert _titles(empty) == [] and "Belum ada berita" in empty


def test_region_pages_page_through_older_posts(stack: Stack) -> None:
    vid, _slug = make_village(stack, SIDOMULYO)
    start = utcnow() - timedelta(days=30)
    for n in range(25):
        add_post(stack, vid, f"Kabar {n:02d}", when=start + timedelta(hours=n))
    browser = Browser(stack)
    base = f"{portal(stack)}/wilayah/3404"  # an undotted code works too
    first = browser.get(base)
    assert _titles(first.text) == [f"Kabar {n:02d}" for n in range(24, 4, -1)]
    assert 'href="/wilayah/34.04?halaman=2"' in first.text
    second = browser.get(f"{base}?halaman=2")
    assert _titles(second.text) == [f"Kabar {n:02d}" for n in range(4, -1, -1)]
    assert "halaman=3" not in second.text
    for bad in ("3", "0", "abc", "999999999999"):
        assert browser.get(f"{base}?halaman={bad}").status_code == 404, bad
    for bad in ("/wilayah/34.04.02.2003", "/wilayah/99", "/wilayah/99/feed.xml", "/wilayah/x/atom.xml"):
        assert browser.get(f"{portal(stack)}{bad}").status_code == 404, bad
    # A village host has no region pages.
    assert browser.get(f"{village_host(stack, _slug)}/wilayah/34/feed.xml").status_code == 404


def test_region_feeds_are_valid_and_hold_the_region_posts(stack: Stack) -> None:
    slugs = _world(stack)
    browser = Browser(stack)
    rss = browser.get(f"{portal(stack)}/wilayah/34.04/feed.xml")
    assert rss.status_code == 200 and rss.headers["content-type"].startswith("application/rss+xml")
    channel = ET.fromstring(rss.content).find("channel")
    assert channel is not None
    assert channel.findtext("link") == stack.settings.public_url(path="/wilayah/34.04")
    assert "Sleman" in (channel.findtext("title") or "")
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Posyandu balita", "Panen raya Sidomulyo"]
    assert items[1].findtext("link") == stack.settings.village_url(slugs["a"], "/berita/panen-raya-sidomulyo")
    assert items[1].findtext("guid") == items[1].findtext("link")
    assert items[0].findtext("link", "").startswith(stack.settings.village_url(slugs["c"], "/berita/"))

    atom = browser.get(f"{portal(stack)}/wilayah/33/atom.xml")
    assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(atom.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Kerja bakti Meteseh"]
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == stack.settings.village_url(slugs["b"], "/berita/kerja-bakti-meteseh")
    self_link = [x.get("href") for x in feed.findall(f"{ATOM}link") if x.get("rel") == "self"]
    assert self_link == [stack.settings.public_url(path="/wilayah/33/atom.xml")]


def test_the_portal_sitemap_lists_region_pages_down_to_kecamatan(stack: Stack) -> None:
    root = ET.fromstring(Browser(stack).get(f"{portal(stack)}/sitemap.xml").content)
    locs = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    for code in ("34", "34.04", "34.04.02"):
        assert stack.settings.public_url(path=f"/wilayah/{code}") in locs
    assert stack.settings.public_url(path="/wilayah/34.04.02.2003") not in locs


def test_a_deployment_with_a_cache_keeps_a_region_page_a_minute(stack: Stack) -> None:
    vid, _slug = make_village(stack, SIDOMULYO)
    add_post(stack, vid, "Kabar pertama")
    cached = stack.settings.model_copy(update={"site_cache_seconds": 1.0})
    stack.runtime.cache.delete("portal:news:34.04.02:1")
    with stack.runtime.session(all_villages=True) as db:
        first, more = cached_latest(stack.runtime, db, cached, "34.04.02", 1)
    add_post(stack, vid, "Kabar kedua")
    with stack.runtime.session(all_villages=True) as db:
        again, _more = cached_latest(stack.runtime, db, cached, "34.04.02", 1)
        fresh, _more = cached_latest(stack.runtime, db, stack.settings, "34.04.02", 1)
    assert [n.title for n in first] == [n.title for n in again] == ["Kabar pertama"] and not more
    assert again[0] == first[0] and again[0].published == first[0].published
    assert [n.title for n in fresh] == ["Kabar kedua", "Kabar pertama"]  # no cache: at once
    stack.runtime.cache.delete("portal:news:34.04.02:1")
