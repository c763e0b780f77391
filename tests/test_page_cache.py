"""The full-page cache of the public village sites (etalase.platform.site.page_cache), on both stacks:
what an anonymous reader gets from storage, and what must never come from it."""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Iterator
from datetime import timedelta

import brotli
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content import workflow
from etalase.platform.content.models import Announcement, Post
from etalase.platform.content.service import create_post
from etalase.platform.site import page_cache
from etalase.platform.site.page_cache import PageCacheMiddleware
from etalase.platform.web.routing import VillageRoute
from etalase.tenants.models import utcnow
from tests.conftest import Stack, StatementLog
from tests.people import Browser, make_user, make_village, village_host

SIDOMULYO = "34.04.02.2003"
SIDOLUHUR = "34.04.02.2004"
LONG_BODY = "<p>Warga bergotong royong membersihkan saluran irigasi sebelum musim tanam tiba.</p>" * 30


@pytest.fixture
def cached(stack: Stack) -> Iterator[Stack]:
    """The production freshness (ETALASE_SITE_CACHE_SECONDS=1): the suite's default of 0 turns the
    page cache off, so that other tests see every change at once."""
    book = page_cache.version_book(stack.runtime)
    book.clear()
    stack.runtime.resolver.check_seconds = 1.0
    yield stack
    stack.runtime.resolver.check_seconds = 0.0
    book.clear()


def cache_of(browser: Browser) -> PageCacheMiddleware:
    app = browser.client.app
    assert isinstance(app, FastAPI)
    node = app.middleware_stack
    while node is not None:
        if isinstance(node, PageCacheMiddleware):
            return node
        node = getattr(node, "app", None)
    raise AssertionError("no page cache in the app (is it registered in create_app?)")


def publish_post(stack: Stack, village_id: int, title: str, body: str = LONG_BODY) -> str:
    """A post published the way the CMS does it (bumping the content version), outside any request:
    as another process would."""
    with stack.runtime.session(village_id) as db:
        post = create_post(db, village_id, title=title, body=body, published_at=utcnow())
        workflow.bump_content_version(db, village_id)
        return post.slug


class Site:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.vid, slug = make_village(stack, SIDOMULYO)
        self.base = village_host(stack, slug)
        self.slug = publish_post(stack, self.vid, "Kerja Bakti Saluran Irigasi")
        self.reader = Browser(stack)

    def get(self, path: str = "/", **headers: str) -> object:
        return self.reader.get(f"{self.base}{path}", headers=headers)


def test_a_page_is_rendered_once_then_served_from_the_cache(cached: Stack, sql_log: StatementLog) -> None:
    # A window long enough that no background re-read of the versions falls due between the two
    # requests: on a slow machine the first render alone can pass half of a one-second window,
    # and that re-read (right, but not the request's own) would land in the statement log.
    cached.runtime.resolver.check_seconds = 60.0
    site = Site(cached)
    first = site.reader.get(f"{site.base}/")
    assert first.status_code == 200 and first.headers["x-cache"] == "miss"
    assert "Kerja Bakti Saluran Irigasi" in first.text
    sql_log.statements.clear()
    again = site.reader.get(f"{site.base}/")
    assert again.status_code == 200 and again.headers["x-cache"] == "hit"
    assert again.text == first.text
    assert sql_log.statements == [], "a warm hit reads no table"
    # What a browser and a CDN are told.
    assert "public" in again.headers["cache-control"] and "max-age=60" in again.headers["cache-control"]
    assert {v.strip().lower() for v in again.headers["vary"].split(",")} >= {"accept-encoding", "cookie"}
    assert int(again.headers["age"]) <= 60
    # The post page too; the security headers still go out with a stored page.
    post = site.reader.get(f"{site.base}/berita/{site.slug}")
    assert post.headers["x-cache"] == "miss" and "Warga bergotong royong" in post.text
    hit = site.reader.get(f"{site.base}/berita/{site.slug}")
    assert hit.headers["x-cache"] == "hit" and hit.text == post.text
    assert "content-security-policy" in hit.headers
    # Another process of the deployment: from Redis in production, rendered anew when embedded.
    other = Browser(cached).get(f"{site.base}/")
    assert other.text == first.text
    assert other.headers["x-cache"] == ("hit" if cached.name == "production" else "miss")


def test_click_ids_and_campaign_tags_share_the_page_of_the_plain_address(cached: Stack) -> None:
    """Facebook adds ``?fbclid=<random>`` to every shared link: those readers get the stored page,
    and the page they get never carries another reader's click id."""
    site = Site(cached)
    plain = site.get(f"/berita/{site.slug}")
    assert plain.headers["x-cache"] == "miss"
    shared = site.get(f"/berita/{site.slug}?fbclid=IwAR0abc123&utm_source=facebook&utm_medium=social")
    assert shared.status_code == 200 and shared.headers["x-cache"] == "hit"
    assert shared.text == plain.text and "IwAR0abc123" not in shared.text
    # A parameter that does change the page still counts; only the tracking ones are dropped.
    search = site.get("/cari?q=irigasi&utm_campaign=x")
    assert search.headers["x-cache"] == "miss" and "utm_campaign" not in search.text
    again = site.get("/cari?q=irigasi&gclid=zz")
    assert again.headers["x-cache"] == "hit" and again.text == search.text
    assert site.get("/cari?q=saluran").headers["x-cache"] == "miss"


def test_without_tracking_keeps_the_other_parameters_in_order() -> None:
    drop = page_cache.without_tracking
    assert drop(b"fbclid=1") == b""
    assert drop(b"q=a&utm_source=wa&halaman=2&gclid=x&UTM_Medium=y") == b"q=a&halaman=2"
    assert drop(b"q=utm_source&fbclidx=1") == b"q=utm_source&fbclidx=1"


def test_publishing_shows_at_once_without_waiting_for_the_cache(cached: Stack) -> None:
    site = Site(cached)
    editor_email = "editor@contoh.id"
    make_user(cached, "Budi Editor", email=editor_email, roles={site.vid: "editor"})
    editor = Browser(cached)
    assert editor.login(site.base, editor_email).status_code == 303
    assert site.reader.get(f"{site.base}/").headers["x-cache"] == "miss"
    assert site.reader.get(f"{site.base}/").headers["x-cache"] == "hit"

    # The team publishes through the site: the very next anonymous view has it.
    made = editor.post(
        f"{site.base}/admin/berita/baru",
        {"title": "Posyandu Balita Bulan Desember", "summary": "", "body": LONG_BODY},
    )
    assert made.status_code == 303
    post_id = int(re.findall(r"/admin/berita/(\d+)", made.headers["location"])[0])
    published = editor.post(
        f"{site.base}/admin/berita/{post_id}/terbitkan", form_url=f"{site.base}/admin/berita/{post_id}"
    )
    assert published.status_code == 303
    home = site.reader.get(f"{site.base}/")
    assert home.headers["x-cache"] == "miss" and "Posyandu Balita Bulan Desember" in home.text

    # A change made elsewhere (the scheduler, another worker) shows within the freshness window.
    cached.runtime.resolver.check_seconds = 0.05
    publish_post(cached, site.vid, "Pasar Desa Buka Setiap Minggu Pagi")
    time.sleep(0.1)
    assert "Pasar Desa Buka Setiap Minggu Pagi" in site.reader.get(f"{site.base}/").text


def test_a_signed_in_person_never_gets_or_leaves_a_stored_page(cached: Stack) -> None:
    site = Site(cached)
    make_user(cached, "Sari Admin", email="admin@contoh.id", roles={site.vid: "admin"})
    admin = Browser(cached)
    assert admin.login(site.base, "admin@contoh.id").status_code == 303
    mine = admin.get(f"{site.base}/")
    assert mine.status_code == 200 and "x-cache" not in mine.headers
    assert "public" not in mine.headers.get("cache-control", "")
    assert "private" in mine.headers["cache-control"]  # a CDN must not keep it either
    assert "x-cache" not in admin.get(f"{site.base}/").headers
    # What the signed-in view rendered was not stored: the reader's first view is a miss.
    assert site.reader.get(f"{site.base}/").headers["x-cache"] == "miss"


def test_etag_and_304(cached: Stack) -> None:
    site = Site(cached)
    first = site.reader.get(f"{site.base}/", headers={"accept-encoding": "identity"})
    tag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{24}"', tag)
    for asked in (tag, f"W/{tag}", tag[:-1] + '-gz"', f'"other", {tag}', "*"):
        again = site.reader.get(f"{site.base}/", headers={"if-none-match": asked})
        assert again.status_code == 304, asked
        assert again.content == b"" and again.headers["etag"].strip('"').startswith(tag.strip('"'))
        assert "cache-control" in again.headers and "vary" in again.headers
    assert site.reader.get(f"{site.base}/", headers={"if-none-match": '"stale"'}).status_code == 200
    # A new version of the page is a new ETag: the old one gets the whole page.
    publish_post(cached, site.vid, "Jadwal Ronda Malam Diperbarui")
    page_cache.version_book(cached.runtime).forget(site.vid)
    fresh = site.reader.get(f"{site.base}/", headers={"if-none-match": tag, "accept-encoding": "identity"})
    assert fresh.status_code == 200 and fresh.headers["etag"] != tag
    assert "Jadwal Ronda Malam Diperbarui" in fresh.text


def _raw(browser: Browser, url: str, encoding: str) -> tuple[dict[str, str], bytes]:
    with browser.client.stream("GET", url, headers={"accept-encoding": encoding}) as response:
        assert response.status_code == 200
        return dict(response.headers), b"".join(response.iter_raw())


def test_gzip_and_brotli_when_asked_and_the_same_page_inside(cached: Stack) -> None:
    site = Site(cached)
    url = f"{site.base}/berita/{site.slug}"
    for round_ in ("miss", "hit"):
        plain_headers, plain = _raw(site.reader, url, "identity")
        assert "content-encoding" not in plain_headers and plain_headers["x-cache"] in ("miss", "hit")
        gz_headers, gz = _raw(site.reader, url, "gzip, deflate")
        br_headers, br = _raw(site.reader, url, "gzip, deflate, br")
        assert gz_headers["content-encoding"] == "gzip" and gzip.decompress(gz) == plain
        assert br_headers["content-encoding"] == "br" and brotli.decompress(br) == plain
        assert len(br) < len(plain) / 3 and len(gz) < len(plain) / 3
        assert int(gz_headers["content-length"]) == len(gz) and int(br_headers["content-length"]) == len(br)
        for headers in (plain_headers, gz_headers, br_headers):
            assert "accept-encoding" in headers["vary"].lower(), round_
        # One ETag per encoding: a cache holding the gzip bytes never mixes them with brotli ones.
        assert len({plain_headers["etag"], gz_headers["etag"], br_headers["etag"]}) == 3
    refused_headers, _ = _raw(site.reader, url, "br;q=0, gzip")
    assert refused_headers["content-encoding"] == "gzip"


def test_head_and_the_language_of_the_reader(cached: Stack) -> None:
    site = Site(cached)
    site.reader.get(f"{site.base}/")
    head = site.reader.client.head(f"{site.base}/", headers={"accept-encoding": "identity"})
    assert head.status_code == 200 and head.content == b"" and head.headers["x-cache"] == "hit"
    assert int(head.headers["content-length"]) > 1000
    # An English reader gets an English page, not the stored Indonesian one.
    english = Browser(cached)
    english.client.cookies.set("bahasa", "en")
    page = english.get(f"{site.base}/")
    assert page.headers["x-cache"] == "miss" and 'lang="en"' in page.text
    assert english.get(f"{site.base}/").headers["x-cache"] == "hit"
    assert 'lang="id"' in site.reader.get(f"{site.base}/").text


def test_one_village_s_page_is_never_served_on_another_host(cached: Stack) -> None:
    site = Site(cached)
    other_id, other_slug = make_village(cached, SIDOLUHUR)
    publish_post(cached, other_id, "Panen Raya Padi di Sidoluhur")
    other = village_host(cached, other_slug)
    assert site.reader.get(f"{site.base}/").headers["x-cache"] == "miss"
    assert site.reader.get(f"{site.base}/").headers["x-cache"] == "hit"
    theirs = site.reader.get(f"{other}/")
    assert theirs.headers["x-cache"] == "miss"
    assert "Panen Raya Padi di Sidoluhur" in theirs.text and "Kerja Bakti Saluran Irigasi" not in theirs.text
    # A host nobody serves gets the portal's 404, never a stored village page.
    nobody = site.reader.get(f"{cached.settings.public_scheme}://tidakada.etalase.test/")
    assert nobody.status_code == 404 and "x-cache" not in nobody.headers


def test_errors_the_team_s_screens_and_sign_in_are_never_stored(cached: Stack) -> None:
    site = Site(cached)
    for _ in range(2):
        missing = site.reader.get(f"{site.base}/berita/belum-ada")
        assert missing.status_code == 404 and "x-cache" not in missing.headers
        sign_in = site.reader.get(f"{site.base}/akun/masuk")
        assert sign_in.status_code == 200 and "x-cache" not in sign_in.headers
        assert "public" not in sign_in.headers.get("cache-control", "")
        admin = site.reader.get(f"{site.base}/admin")
        assert admin.status_code in (303, 302) and "x-cache" not in admin.headers
    # The missing post is published: the page is there at once, not a stored 404.
    slug = publish_post(cached, site.vid, "Belum Ada")
    assert slug == "belum-ada"
    page_cache.version_book(cached.runtime).forget(site.vid)
    assert site.reader.get(f"{site.base}/berita/{slug}").status_code == 200


def test_personal_or_cookie_setting_responses_are_never_stored(cached: Stack) -> None:
    site = Site(cached)
    app = site.reader.client.app
    assert isinstance(app, FastAPI)
    router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

    @router.get("/uji-cache/kue")
    def sets_a_cookie() -> HTMLResponse:
        response = HTMLResponse("<p>kue</p>" * 200)
        response.set_cookie("rasa", "manis")
        return response

    @router.get("/uji-cache/formulir")
    def has_a_form_token() -> HTMLResponse:
        return HTMLResponse('<form><input type="hidden" name="csrf_token" value="rahasia"></form>' * 20)

    @router.get("/uji-cache/pribadi")
    def private_page() -> HTMLResponse:
        return HTMLResponse("<p>pribadi</p>" * 200, headers={"Cache-Control": "private, max-age=0"})

    @router.get("/uji-cache/biasa")
    def plain_page() -> HTMLResponse:
        return HTMLResponse("<p>biasa</p>" * 200)

    app.include_router(router)
    for path in ("kue", "formulir", "pribadi"):
        for _ in range(2):
            response = site.reader.get(f"{site.base}/uji-cache/{path}")
            assert response.status_code == 200 and "x-cache" not in response.headers, path
    assert site.reader.get(f"{site.base}/uji-cache/kue").headers.get("set-cookie")
    # The page with a form token is not even compressed (BREACH); the others are.
    form = site.reader.get(f"{site.base}/uji-cache/formulir", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in form.headers
    cookie = site.reader.get(f"{site.base}/uji-cache/kue", headers={"accept-encoding": "gzip"})
    assert (
        cookie.headers["content-encoding"] == "gzip" and "accept-encoding" in cookie.headers["vary"].lower()
    )
    # The control: the same kind of route without any of that is stored.
    assert site.reader.get(f"{site.base}/uji-cache/biasa").headers["x-cache"] == "miss"
    assert site.reader.get(f"{site.base}/uji-cache/biasa").headers["x-cache"] == "hit"


def test_an_expired_announcement_leaves_within_the_ttl(cached: Stack) -> None:
    site = Site(cached)
    with cached.runtime.session(site.vid) as db:
        notice = Announcement(
            village_id=site.vid,
            title="Pemadaman Listrik Sementara",
            body="<p>Listrik padam pukul 09.00 sampai 12.00.</p>",
            status="published",
            starts_at=utcnow() - timedelta(hours=1),
            expires_at=utcnow() + timedelta(hours=1),
        )
        db.add(notice)
        workflow.bump_content_version(db, site.vid)
    page_cache.version_book(cached.runtime).forget(site.vid)
    assert "Pemadaman Listrik Sementara" in site.reader.get(f"{site.base}/").text

    # Time passes: the notice's end is behind us; nothing was written, no version moved.
    with cached.runtime.session(site.vid) as db:
        row = db.exec(
            select(Announcement).where(col(Announcement.title) == "Pemadaman Listrik Sementara")
        ).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.add(row)
    stale = site.reader.get(f"{site.base}/")
    assert stale.headers["x-cache"] == "hit"  # within the bound a stored page may still show it
    assert "Pemadaman Listrik Sementara" in stale.text
    cache = cache_of(site.reader)
    assert cache.ttl <= 60
    rendered_at = cache.clock()
    cache.clock = lambda: rendered_at + cache.ttl + 1  # a minute later
    later = site.reader.get(f"{site.base}/")
    assert later.headers["x-cache"] == "miss" and "Pemadaman Listrik Sementara" not in later.text


def test_off_when_the_deployment_accepts_no_stale_data(stack: Stack) -> None:
    """ETALASE_SITE_CACHE_SECONDS=0 (the suite's default): nothing stored, pages still compressed."""
    vid, slug = make_village(stack, SIDOMULYO)
    publish_post(stack, vid, "Kerja Bakti Saluran Irigasi")
    reader = Browser(stack)
    for _ in range(2):
        page = reader.get(f"{village_host(stack, slug)}/", headers={"accept-encoding": "gzip"})
        assert page.status_code == 200 and "x-cache" not in page.headers
        assert page.headers["content-encoding"] == "gzip" and "Kerja Bakti" in page.text
    with stack.runtime.session(vid) as db:
        assert len(db.exec(select(Post)).all()) == 1
