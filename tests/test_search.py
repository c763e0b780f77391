"""Searching a village's news on both stacks (PostgreSQL full-text with the Indonesian
configuration; SQLite FTS5): ranked, highlighted, safe with hostile input and text, and never
showing another village's post or an unpublished one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from etalase.platform.content import workflow
from etalase.platform.content.models import Post
from etalase.platform.site import search
from tests.conftest import Stack
from tests.people import Browser, make_village, village_host
from tests.test_public_site import add_post, slugs_on

CODE = "34.04.02.2003"
OTHER = "34.04.02.2004"


def test_the_best_match_comes_first_with_the_words_marked(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    base = village_host(stack, slug)
    add_post(
        stack,
        vid,
        "Rapat desa",
        slug="isi-saja",
        body="<p>Warga membahas <strong>posyandu</strong> bulan depan.</p>",
    )
    add_post(stack, vid, "Jadwal posyandu balita", slug="judul", body="<p>Bawa buku KIA.</p>")
    add_post(stack, vid, "Kerja bakti", slug="ringkasan", summary="Setelah posyandu, warga kerja bakti.")
    add_post(stack, vid, "Panen raya", slug="lain", body="<p>Padi melimpah.</p>")
    page = Browser(stack).get(f"{base}/cari?q=Posyandu")
    assert page.status_code == 200
    assert slugs_on(page.text) == ["judul", "ringkasan", "isi-saja"]  # title, then summary, then body
    assert "Jadwal <mark>posyandu</mark> balita" in page.text
    assert "Setelah <mark>posyandu</mark>, warga" in page.text
    assert "membahas <mark>posyandu</mark> bulan" in page.text  # the body's tags stripped
    assert "&lt;strong&gt;" not in page.text


def test_search_text_from_a_post_cannot_inject_markup(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    base = village_host(stack, slug)
    add_post(
        stack,
        vid,
        'Sumur <script>alert(1)</script> bor \x02 "baru"',
        slug="sumur",
        summary="<img src=x onerror=alert(1)> sumur \x03 <b>bor</b>",
    )
    page = Browser(stack).get(f"{base}/cari?q=sumur")
    assert slugs_on(page.text) == ["sumur"]
    assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<b>bor" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text  # shown as text
    marks = re.findall(r"</?mark>", page.text)
    assert marks and marks.count("<mark>") == marks.count("</mark>")  # balanced, whatever the text holds


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        '"posyandu',
        "posyandu OR",
        "NEAR(posyandu balita)",
        "posyandu* AND -balita",
        "title:posyandu",
        "!(&|:*)",
        "\\",
        "%_",
        "a" * 2000,
        "posyandu " * 400,
        "",
        "   ",
        "<script>alert(1)</script>",
        "'; DROP TABLE post; --",
    ],
)
def test_hostile_queries_answer_normally(stack: Stack, query: str) -> None:
    vid, slug = make_village(stack, CODE)
    base = village_host(stack, slug)
    add_post(stack, vid, "Jadwal posyandu balita", slug="posyandu")
    page = Browser(stack).get(f"{base}/cari", params={"q": query})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    if query.strip('"* ') == "posyandu":  # every word must match; operators are only words
        assert slugs_on(page.text) == ["posyandu"]


def test_only_this_villages_published_posts_are_found(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    other_vid, other_slug = make_village(stack, OTHER)
    add_post(stack, vid, "Bantuan sembako terbit", slug="terbit")
    add_post(stack, vid, "Bantuan sembako draf", slug="draf", status="draft")
    trashed = add_post(stack, vid, "Bantuan sembako dibuang", slug="dibuang")
    add_post(stack, other_vid, "Bantuan sembako desa tetangga", slug="tetangga")
    with stack.runtime.session(vid) as db:
        assert trashed.id is not None
        workflow.trash(db, vid, trashed.id)
    browser = Browser(stack)
    assert slugs_on(browser.get(f"{village_host(stack, slug)}/cari?q=sembako").text) == ["terbit"]
    assert slugs_on(browser.get(f"{village_host(stack, other_slug)}/cari?q=sembako").text) == ["tetangga"]
    # The search function itself, given the other village's id, finds only that village's post.
    with stack.runtime.session(vid) as db:
        assert [h.post.slug for h in search.search(db, vid, "sembako", offset=0, limit=10)] == ["terbit"]


def test_results_paginate_and_follow_edits(stack: Stack) -> None:
    vid, slug = make_village(stack, CODE)
    base = village_host(stack, slug)
    for n in range(12):
        add_post(stack, vid, f"Musyawarah dusun {n}", slug=f"musdus-{n}")
    browser = Browser(stack)
    first = browser.get(f"{base}/cari?q=musyawarah")
    assert (
        len(slugs_on(first.text)) == 10 and 'rel="next" href="/cari?q=musyawarah&amp;halaman=2"' in first.text
    )
    assert len(slugs_on(browser.get(f"{base}/cari?q=musyawarah&halaman=2").text)) == 2
    assert browser.get(f"{base}/cari?q=musyawarah&halaman=3").status_code == 404
    # A saved edit is searchable at once (the index follows the post).
    with stack.runtime.session(vid) as db:
        post = db.exec(search._published(vid).where(Post.slug == "musdus-3")).one()  # type: ignore[arg-type]
        post.title = "Pelatihan pertanian organik"
        db.add(post)
    assert slugs_on(browser.get(f"{base}/cari?q=organik").text) == ["musdus-3"]
    assert "musdus-3" not in slugs_on(browser.get(f"{base}/cari?q=musyawarah&halaman=2").text)


def test_postgresql_uses_the_indonesian_configuration_and_its_index(stack: Stack) -> None:
    if stack.name != "production":
        pytest.skip("PostgreSQL only")
    vid, slug = make_village(stack, CODE)
    add_post(stack, vid, "Pembangunan jembatan", slug="jembatan")
    # The Indonesian stemmer: "membangun" and "pembangunan" share their stem.
    page = Browser(stack).get(f"{village_host(stack, slug)}/cari?q=membangun")
    assert slugs_on(page.text) == ["jembatan"]
    with stack.runtime.session(vid) as db:
        assert search.pg_config(db.connection()) == "indonesian"
        index = db.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_post_search'")
        ).scalar_one()
        assert "gin" in index and "indonesian" in index


def test_terms_keep_words_only() -> None:
    assert search.terms('"Posyandu" OR -balita* NEAR(x) posyandu') == [
        "posyandu",
        "or",
        "balita",
        "near",
        "x",
    ]
    assert search.terms("") == [] and search.terms("!!! ***") == []
    assert len(search.terms(" ".join(f"kata{n}" for n in range(100)))) == search.MAX_TERMS
    assert (
        str(search.safe_highlight("a \x02<b>\x03 \x03 c \x02")) == "a <mark>&lt;b&gt;</mark>  c <mark></mark>"
    )
