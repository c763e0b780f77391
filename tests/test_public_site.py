"""The public news pages of a village site on both stacks: /berita, category, tag, author, the
monthly archive (in the village's own zone), pagination, 410 for a removed post and 404 for one
that never was, 301 from a changed slug and from an old blog's addresses, robots.txt and sitemaps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlmodel import col, select

from etalase.platform.content import workflow
from etalase.platform.content.models import Event, Page, Post
from etalase.platform.importers.model import ImportedItem, ImportResult
from etalase.platform.importers.writer import write_import
from etalase.platform.site import redirects
from etalase.platform.site.models import SlugRedirect
from etalase.platform.web import sitemaps
from etalase.tenants.models import utcnow
from tests.conftest import Stack
from tests.people import Browser, make_user, make_village, portal, village_host

CODE = "34.04.02.2003"  # Sidomulyo, Godean (WIB)
OTHER = "34.04.02.2004"
SULAWESI = "73.22.01.2001"  # Pattimang, Luwu Utara (WITA, UTC+8)
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
CARD = re.compile(r'<article class="card[^"]*">.*?<a href="/berita/([^"]+)">', re.S)


def add_post(
    stack: Stack,
    village_id: int,
    title: str,
    *,
    when: datetime | None = None,
    status: str = "published",
    body: str = "<p>Isi berita.</p>",
    summary: str = "",
    author_id: int | None = None,
    author_name: str = "",
    categories: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    slug: str | None = None,
) -> Post:
    with stack.runtime.session(village_id) as db:
        post = Post(
            village_id=village_id,
            title=title,
            slug=slug or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
            summary=summary,
            body=body,
            status=status,
            published_at=when or (utcnow() if status == "published" else None),
            author_id=author_id,
            author_name=author_name,
        )
        db.add(post)
        db.flush()
        assert post.id is not None
        if categories or tags:
            workflow.set_terms(db, village_id, post.id, categories=list(categories), tags=list(tags))
        db.expunge(post)
        return post


def slugs_on(html: str) -> list[str]:
    return CARD.findall(html)


def test_all_posts_paginate_ten_a_page_with_rel_links_and_404_past_the_end(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    base = village_host(stack, slug)
    start = utcnow() - timedelta(days=30)
    for n in range(23):
        add_post(stack, vid, f"Berita nomor {n:02d}", when=start + timedelta(hours=n))
    add_post(stack, vid, "Draf rahasia", status="draft")
    browser = Browser(stack)

    first = browser.get(f"{base}/berita")
    assert first.status_code == 200
    assert slugs_on(first.text) == [f"berita-nomor-{n:02d}" for n in range(22, 12, -1)]  # newest first
    assert '<link rel="next" href="/berita?halaman=2">' in first.text and 'rel="prev"' not in first.text
    assert "draf-rahasia" not in first.text

    second = browser.get(f"{base}/berita?halaman=2")
    assert slugs_on(second.text) == [f"berita-nomor-{n:02d}" for n in range(12, 2, -1)]
    assert 'rel="prev" href="/berita"' in second.text and 'rel="next" href="/berita?halaman=3"' in second.text

    third = browser.get(f"{base}/berita?halaman=3")
    assert slugs_on(third.text) == ["berita-nomor-02", "berita-nomor-01", "berita-nomor-00"]
    assert 'rel="next"' not in third.text

    for beyond in ("4", "0", "-1", "dua", "99999999999999999999999"):
        assert browser.get(f"{base}/berita?halaman={beyond}").status_code == 404


def test_category_tag_and_author_pages_show_their_posts_only(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    other_vid, other_slug = make_village(stack, OTHER)
    base = village_host(stack, slug)
    writer = make_user(
        stack, "Budi Santoso", email="budi@contoh.id", phone="081234567890", roles={vid: "editor"}
    )
    add_post(
        stack,
        vid,
        "Jalan baru",
        categories=("Pembangunan",),
        tags=("jalan",),
        author_id=writer.id,
        author_name="Budi Santoso",
    )
    add_post(stack, vid, "Posyandu balita", categories=("Kesehatan",), tags=("posyandu",))
    add_post(
        stack,
        vid,
        "Draf jalan",
        status="draft",
        categories=("Pembangunan",),
        author_id=writer.id,
        author_name="Budi Santoso",
    )
    add_post(stack, other_vid, "Jembatan desa lain", categories=("Pembangunan",), tags=("jalan",))
    add_post(stack, other_vid, "Hanya di desa lain", categories=("Rahasia Lain",))
    browser = Browser(stack)

    category = browser.get(f"{base}/kategori/pembangunan")
    assert category.status_code == 200 and "Kategori: Pembangunan" in category.text
    assert slugs_on(category.text) == ["jalan-baru"]
    assert "/kategori/pembangunan/feed.xml" in category.text  # its feed, in the head

    tag = browser.get(f"{base}/tag/posyandu")
    assert tag.status_code == 200 and slugs_on(tag.text) == ["posyandu-balita"]

    author = browser.get(f"{base}/penulis/{writer.id}")
    assert author.status_code == 200 and "Budi Santoso" in author.text
    assert slugs_on(author.text) == ["jalan-baru"]
    assert "budi@contoh.id" not in author.text and "081234567890" not in author.text
    assert browser.get(f"{base}/penulis/{writer.id}-budi-santoso").status_code == 200

    assert browser.get(f"{base}/kategori/tidak-ada").status_code == 404
    assert browser.get(f"{base}/kategori/rahasia-lain").status_code == 404  # another village's category
    assert browser.get(f"{base}/tag/tidak-ada").status_code == 404
    assert browser.get(f"{base}/penulis/999999").status_code == 404
    assert browser.get(f"{base}/penulis/budi").status_code == 404
    # The other village's site shows its own posts in the same category, never these.
    other = browser.get(f"{village_host(stack, other_slug)}/kategori/pembangunan")
    assert slugs_on(other.text) == ["jembatan-desa-lain"]
    # The post itself links to its category and tags (the only way a reader finds them in a
    # theme without a sidebar); never to the other village's terms.
    post = browser.get(f"{base}/berita/jalan-baru").text
    assert '<a href="/kategori/pembangunan">Pembangunan</a>' in post
    assert '<a href="/tag/jalan" rel="tag">#jalan</a>' in post
    assert "Rahasia Lain" not in post and "/kategori/" not in browser.get(f"{base}/berita/draf-jalan").text


def test_monthly_archive_follows_the_villages_clock(stack: Stack) -> None:
    """WITA is UTC+8: 31 Oct 16:30 UTC is already 1 November there, 30 Nov 16:00 UTC is December."""
    vid, slug = make_village(stack, SULAWESI)
    base = village_host(stack, slug)
    add_post(stack, vid, "Akhir Oktober", when=datetime(2026, 10, 31, 15, 59, tzinfo=UTC))
    add_post(stack, vid, "Awal November", when=datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    add_post(stack, vid, "Akhir November", when=datetime(2026, 11, 30, 15, 59, tzinfo=UTC))
    add_post(stack, vid, "Awal Desember", when=datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    browser = Browser(stack)

    november = browser.get(f"{base}/arsip/2026/11")
    assert november.status_code == 200 and "Arsip November 2026" in november.text
    assert slugs_on(november.text) == ["akhir-november", "awal-november"]
    assert slugs_on(browser.get(f"{base}/arsip/2026/10").text) == ["akhir-oktober"]
    assert slugs_on(browser.get(f"{base}/arsip/2026/12").text) == ["awal-desember"]
    # The archive list counts on the same calendar.
    assert re.search(r'href="/arsip/2026/11"[^>]*>November 2026</a> \(2\)', november.text)
    assert re.search(r'href="/arsip/2026/12">Desember 2026</a> \(1\)', november.text)
    index = browser.get(f"{base}/arsip")
    assert index.status_code == 200 and "Oktober 2026" in index.text
    assert browser.get(f"{base}/arsip/2026/13").status_code == 404
    assert browser.get(f"{base}/arsip/2026/11?halaman=2").status_code == 404


def test_a_removed_post_is_gone_and_a_never_published_one_is_not_found(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    base = village_host(stack, slug)
    trashed = add_post(stack, vid, "Berita dibuang")
    pulled = add_post(stack, vid, "Berita ditarik")
    draft = add_post(stack, vid, "Draf saja", status="draft")
    later = add_post(stack, vid, "Nanti terbit", status="scheduled", when=utcnow() + timedelta(days=2))
    with stack.runtime.session(vid) as db:
        assert trashed.id is not None and pulled.id is not None
        workflow.trash(db, vid, trashed.id)
        workflow.unpublish(db, vid, pulled.id)
    browser = Browser(stack)

    for gone in (trashed, pulled):
        page = browser.get(f"{base}/berita/{gone.slug}")
        assert page.status_code == 410
        assert "Berita ini sudah dihapus" in page.text and 'href="/berita"' in page.text
        assert "Isi berita." not in page.text
    for never in ("tidak-pernah-ada", draft.slug, later.slug):
        page = browser.get(f"{base}/berita/{never}")
        assert page.status_code == 404, never
        assert "Halaman tidak ditemukan" in page.text
    # Restored: public again.
    with stack.runtime.session(vid) as db:
        assert trashed.id is not None
        workflow.restore(db, vid, trashed.id)
    assert browser.get(f"{base}/berita/{trashed.slug}").status_code == 200


def _editor_team(stack: Stack) -> tuple[int, str, Browser, Browser]:
    vid, slug = make_village(stack, CODE)
    base = village_host(stack, slug)
    make_user(stack, "Budi Editor", email="editor@contoh.id", roles={vid: "editor"})
    make_user(stack, "Rina Kader", email="kader@contoh.id", roles={vid: "kontributor"})
    editor, kader = Browser(stack), Browser(stack)
    assert editor.login(base, "editor@contoh.id").status_code == 303
    assert kader.login(base, "kader@contoh.id").status_code == 303
    return vid, base, editor, kader


def _save(browser: Browser, base: str, post: Post, version: int, **fields: str) -> int:
    form = {"version": str(version), "title": post.title, "summary": "", "body": post.body, **fields}
    url = f"{base}/admin/berita/{post.id}"
    return browser.post(url, form).status_code


def test_an_editor_changes_a_slug_and_the_old_address_answers_301(stack: Stack) -> None:
    vid, base, editor, kader = _editor_team(stack)
    post = add_post(stack, vid, "Kerja bakti", slug="kerja-bakti")
    add_post(stack, vid, "Lain", slug="sudah-dipakai")

    form = editor.get(f"{base}/admin/berita/{post.id}")
    assert 'name="slug"' in form.text and 'value="kerja-bakti"' in form.text
    assert _save(editor, base, post, 1, slug="Kerja Bakti Massal 2026") == 303

    visitor = Browser(stack)
    old = visitor.get(f"{base}/berita/kerja-bakti")
    assert old.status_code == 301 and old.headers["location"] == "/berita/kerja-bakti-massal-2026"
    assert visitor.get(f"{base}/berita/kerja-bakti-massal-2026").status_code == 200
    # Changed again: both old addresses go straight to the current one (no chain).
    assert _save(editor, base, post, 1, slug="kerja-bakti-akbar") == 303
    for old_slug in ("kerja-bakti", "kerja-bakti-massal-2026"):
        assert visitor.get(f"{base}/berita/{old_slug}").headers["location"] == "/berita/kerja-bakti-akbar"

    # A slug another post has is refused, what was typed stays in the form, nothing changes.
    refused = editor.post(
        f"{base}/admin/berita/{post.id}",
        {"version": "1", "title": "Judul baru", "summary": "", "body": post.body, "slug": "sudah-dipakai"},
    )
    assert (
        refused.status_code == 400
        and "sudah dipakai" in refused.text
        and 'value="sudah-dipakai"' in refused.text
    )
    with stack.runtime.session(vid) as db:
        row = db.get(Post, post.id)
        assert row is not None and row.slug == "kerja-bakti-akbar" and row.title == "Kerja bakti"

    # A kontributor's draft: no address field, and a forged one is ignored.
    own = kader.post(f"{base}/admin/berita/baru", {"title": "Draf kader", "body": "Isi"})
    assert own.status_code == 303
    draft_id = int(own.headers["location"].split("/")[-1].split("?")[0])
    assert 'name="slug"' not in kader.get(f"{base}/admin/berita/{draft_id}").text
    with stack.runtime.session(vid) as db:
        draft = db.get(Post, draft_id)
        assert draft is not None
        db.expunge(draft)
    assert _save(kader, base, draft, draft.version, slug="alamat-palsu") == 303
    with stack.runtime.session(vid) as db:
        again = db.get(Post, draft_id)
        assert again is not None and again.slug == "draf-kader"


def test_old_blog_addresses_answer_301(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    other_vid, _other = make_village(stack, OTHER)
    base = village_host(stack, slug)
    user = make_user(stack, "Siti Aminah", email="siti@contoh.id", roles={vid: "admin"})
    result = ImportResult(
        source="wordpress",
        items=[
            ImportedItem(
                kind="post", source_id="1", title="Panen raya", slug="panen-raya", body_html="<p>Panen</p>",
                published_at=datetime(2023, 5, 2, tzinfo=UTC), source_path="/2023/05/panen-raya-desa.html",
            ),
            ImportedItem(
                kind="post", source_id="2", title="Lomba", slug="lomba", body_html="<p>Lomba</p>",
                published_at=datetime(2023, 6, 2, tzinfo=UTC), source_path="/?p=123",
            ),
            ImportedItem(
                kind="page", source_id="3", title="Profil", slug="profil-desa", body_html="<p>Profil</p>",
                source_path="/profil/",
            ),
        ],
    )  # fmt: skip
    assert user.id is not None
    with stack.runtime.session(vid) as db:
        write_import(db, vid, result, author_id=user.id, author_name=user.name, fetch=None,
                     media_store=stack.runtime.media, settings=stack.settings, user=None)  # fmt: skip
    with stack.runtime.session(vid) as db:
        kinds = {(r.kind, r.old_slug) for r in db.exec(select(SlugRedirect)).all()}
    assert kinds == {
        ("legacy", "/2023/05/panen-raya-desa.html"),
        ("legacy", "/?p=123"),
        ("legacy_page", "/profil/"),
    }
    add_post(stack, vid, "Musyawarah", slug="musyawarah")
    add_post(stack, other_vid, "Rahasia", slug="rahasia")
    browser = Browser(stack)

    moved = browser.get(f"{base}/2023/05/panen-raya-desa.html")
    assert moved.status_code == 301 and moved.headers["location"] == "/berita/panen-raya"
    assert browser.get(f"{base}/2023/05/panen-raya-desa.html?m=1").headers["location"] == "/berita/panen-raya"
    assert browser.get(f"{base}/profil/").headers["location"] == "/halaman/profil-desa"
    # Not recorded, but the old address ends in a post's slug here.
    assert browser.get(f"{base}/2022/01/musyawarah.html").headers["location"] == "/berita/musyawarah"
    assert browser.get(f"{base}/berita/musyawarah/").headers["location"].endswith("/berita/musyawarah")
    # WordPress's plain permalinks come to the home page: resolve() gives the target for them.
    with stack.runtime.session(vid) as db:
        assert redirects.resolve(db, vid, "/", "p=123&utm_source=wa") == "/berita/lomba"
        assert redirects.resolve(db, vid, "/", "p=999") is None
    # …and the home page answers them with that 301 (an unknown one is just the home page).
    assert browser.get(f"{base}/?p=123").headers["location"] == "/berita/lomba"
    assert browser.get(f"{base}/?p=999").status_code == 200
    # Another village's slug is not found here, and nonsense stays a 404.
    assert browser.get(f"{base}/2022/01/rahasia.html").status_code == 404
    assert browser.get(f"{base}/2022/01/tidak-ada.html").status_code == 404


def test_pages_and_events_keep_old_slugs_through_recorded_redirects(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    base = village_host(stack, slug)
    with stack.runtime.session(vid) as db:
        page = Page(village_id=vid, title="Profil", slug="profil-baru", status="published")
        event = Event(
            village_id=vid, title="Rapat", slug="rapat-baru", status="published", starts_at=utcnow()
        )
        db.add(page)
        db.add(event)
        db.flush()
        assert page.id is not None and event.id is not None
        db.add(SlugRedirect(village_id=vid, kind="page", old_slug="profil-lama", target_id=page.id))
        db.add(SlugRedirect(village_id=vid, kind="event", old_slug="rapat-lama", target_id=event.id))
    browser = Browser(stack)
    assert browser.get(f"{base}/halaman/profil-lama").headers["location"] == "/halaman/profil-baru"
    assert browser.get(f"{base}/agenda/rapat-lama").headers["location"] == "/agenda/rapat-baru"
    assert browser.get(f"{base}/halaman/tidak-ada").status_code == 404


def test_robots_and_sitemaps_of_a_village(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    base = village_host(stack, slug)
    for n in range(3):
        add_post(stack, vid, f"Berita {n}", categories=("Kegiatan",))
    add_post(stack, vid, "Draf", status="draft")
    with stack.runtime.session(vid) as db:
        db.add(Page(village_id=vid, title="Profil", slug="profil", status="published"))
        db.add(Page(village_id=vid, title="Draf halaman", slug="draf-halaman", status="draft"))
    browser = Browser(stack)
    url = stack.settings.village_url(slug, "")  # the absolute address the site gives itself

    robots = browser.get(f"{base}/robots.txt")
    assert robots.status_code == 200 and robots.headers["content-type"].startswith("text/plain")
    assert "User-agent: *" in robots.text and "Allow: /" in robots.text
    assert f"Sitemap: {url}/sitemap.xml" in robots.text
    assert "Disallow: /bagikan" in robots.text  # the share hops count shares: not for crawlers

    index = ET.fromstring(browser.get(f"{base}/sitemap.xml").content)
    assert index.tag == f"{SM}sitemapindex"
    locs = [e.text for e in index.iter(f"{SM}loc")]
    assert locs == [f"{url}/sitemap-halaman.xml", f"{url}/sitemap-berita-1.xml"]

    posts = ET.fromstring(browser.get(f"{base}/sitemap-berita-1.xml").content)
    assert posts.tag == f"{SM}urlset"
    urls = [e.text for e in posts.iter(f"{SM}loc")]
    assert urls == [f"{url}/berita/berita-{n}" for n in range(3)]
    assert len(list(posts.iter(f"{SM}lastmod"))) == 3
    assert browser.get(f"{base}/sitemap-berita-2.xml").status_code == 404

    pages = ET.fromstring(browser.get(f"{base}/sitemap-halaman.xml").content)
    other = {e.text for e in pages.iter(f"{SM}loc")}
    assert {f"{url}/", f"{url}/berita", f"{url}/agenda", f"{url}/galeri", f"{url}/dokumen"} <= other
    assert f"{url}/halaman/profil" in other and f"{url}/kategori/kegiatan" in other
    assert f"{url}/halaman/draf-halaman" not in other


def test_robots_and_sitemap_indexes_of_the_portal(stack: Stack) -> None:
    slugs = [make_village(stack, code)[1] for code in (CODE, OTHER)]
    make_village(stack, SULAWESI, active=False)  # not open yet: not listed
    browser = Browser(stack)
    home = stack.settings.public_url(path="").rstrip("/")
    robots = browser.get(f"{portal(stack)}/robots.txt")
    assert (
        f"Sitemap: {home}/sitemap.xml" in robots.text and f"Sitemap: {home}/sitemap-desa-1.xml" in robots.text
    )
    assert "sitemap-desa-2.xml" not in robots.text

    own = ET.fromstring(browser.get(f"{portal(stack)}/sitemap.xml").content)
    assert own.tag == f"{SM}urlset"
    assert f"{home}/wilayah/34" in {e.text for e in own.iter(f"{SM}loc")}

    villages = ET.fromstring(browser.get(f"{portal(stack)}/sitemap-desa-1.xml").content)
    assert villages.tag == f"{SM}sitemapindex"
    locs = [e.text for e in villages.iter(f"{SM}loc")]
    assert locs == [
        stack.settings.village_url(s, name)
        for s in slugs
        for name in ("/sitemap-halaman.xml", "/sitemap-berita-1.xml")
    ]
    assert browser.get(f"{portal(stack)}/sitemap-desa-2.xml").status_code == 404


def test_sitemap_paging_holds_every_village_of_indonesia() -> None:
    assert sitemaps.pages_needed(0) == 1 and sitemaps.pages_needed(50_000) == 1
    assert sitemaps.pages_needed(50_001) == 2
    villages = 83_762
    files = sitemaps.pages_needed(villages, sitemaps.VILLAGES_PER_INDEX)
    assert files == 4
    entries = [
        min(sitemaps.VILLAGES_PER_INDEX, villages - i * sitemaps.VILLAGES_PER_INDEX) * 2 for i in range(files)
    ]
    assert sum(entries) == villages * 2 and max(entries) <= sitemaps.MAX_ENTRIES
    assert sitemaps.page_slice(4, villages, sitemaps.VILLAGES_PER_INDEX) == (75_000, 25_000)
    assert sitemaps.page_slice(2, 120_000) == (50_000, 50_000)
    for bad in (0, 5):
        with pytest.raises(Exception, match="404"):
            sitemaps.page_slice(bad, villages, sitemaps.VILLAGES_PER_INDEX)


def test_a_post_stays_reachable_only_on_its_own_village(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    _other_vid, other_slug = make_village(stack, OTHER)
    add_post(stack, vid, "Hanya di sini", slug="hanya-di-sini")
    with stack.runtime.session(vid) as db:
        post = db.exec(select(Post).where(col(Post.slug) == "hanya-di-sini")).one()
        db.add(SlugRedirect(village_id=vid, kind="post", old_slug="lama", target_id=post.id or 0))
    browser = Browser(stack)
    other = village_host(stack, other_slug)
    assert browser.get(f"{other}/berita/hanya-di-sini").status_code == 404
    assert browser.get(f"{other}/berita/lama").status_code == 404
    assert browser.get(f"{village_host(stack, slug)}/berita/lama").status_code == 301
