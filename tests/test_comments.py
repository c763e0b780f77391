"""Comments and "bermanfaat" on both stacks: a first comment held then approved, the same person's
next one shown at once, links and blocked words held (or refused), comments switched off, the
honeypot, the form's stamp and the rate limits, one reaction per visitor and day, another village's
post not found, personal data never public, and the page cache showing an approved comment at once."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import cast

import pytest
from httpx import Response
from sqlmodel import Session, col

from etalase.platform.accounts.ratelimit import Limiter
from etalase.platform.content import workflow
from etalase.platform.content.models import Post
from etalase.platform.content.service import create_post
from etalase.platform.discussion import moderation, service
from etalase.platform.discussion.models import Comment, Reaction
from etalase.platform.site import page_cache, themes
from etalase.tenants.models import Village, utcnow
from etalase.tenants.scope import in_village
from tests.conftest import Stack
from tests.people import Browser
from tests.test_gallery import Team

EMAIL = "Warga.Satu@Contoh.ID"


class Site(Team):
    """The gallery's team (A: kader, editor, admin; B: its admin), a published post in each
    village, and a reader with no account."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack)
        self.slug = publish(stack, self.vid, "Panen Raya Padi Organik")
        self.other_slug = publish(stack, self.other_vid, "Rahasia Meteseh")
        self.reader = Browser(stack)

    @property
    def post_id(self) -> int:
        with self.stack.runtime.session(self.vid) as db:
            return post_id_of(db, self.vid, self.slug)

    def page(self, browser: Browser | None = None, query: str = "") -> str:
        response = (browser or self.reader).get(f"{self.base}/berita/{self.slug}{query}")
        assert response.status_code == 200
        return response.text

    def stamp(
        self, seconds_ago: float = 30, village_id: int | None = None, post_id: int | None = None
    ) -> str:
        secret = self.stack.settings.effective_secret_key
        return moderation.stamp(
            secret, village_id or self.vid, post_id or self.post_id, time.time() - seconds_ago
        )

    def comment(
        self,
        name: str,
        text: str,
        email: str = "",
        *,
        browser: Browser | None = None,
        slug: str | None = None,
        stamp: str | None = None,
        headers: dict[str, str] | None = None,
        limited: bool = False,
        **extra: str,
    ) -> Response:
        """Post the form as a reader (the rate limits forgotten first, unless ``limited``)."""
        if not limited:
            self.stack.clear_rate_limits()
        fields = {"nama": name, "email": email, "komentar": text, "stempel": stamp or self.stamp(), **extra}
        return (browser or self.reader).client.post(
            f"{self.base}/berita/{slug or self.slug}/komentar",
            data=fields,
            headers={"origin": self.base, **(headers or {})},
        )

    def comments(self) -> list[Comment]:
        with self.stack.runtime.session(self.vid) as db:
            rows = list(db.exec(in_village(Comment, self.vid).order_by(col(Comment.id))).all())
            for row in rows:
                db.expunge(row)
            return rows

    def post(self, who: str, path: str, data: dict[str, str] | None = None, **kw: object) -> Response:
        return cast(Response, super().post(who, path, data, **kw))

    def moderate(self, who: str, comment_id: int, action: str) -> Response:
        return self.post(who, f"/admin/komentar/{comment_id}/{action}")


def publish(stack: Stack, village_id: int, title: str) -> str:
    with stack.runtime.session(village_id) as db:
        post = create_post(db, village_id, title=title, body="<p>Isi berita.</p>", published_at=utcnow())
        workflow.bump_content_version(db, village_id)
        return post.slug


def post_id_of(db: Session, village_id: int, slug: str) -> int:
    found = db.exec(in_village(Post, village_id).where(col(Post.slug) == slug)).first()
    assert found is not None and found.id is not None
    return int(found.id)


@pytest.fixture
def site(stack: Stack) -> Site:
    return Site(stack)


def location(response: Response) -> str:
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_a_first_comment_waits_then_the_same_person_is_shown_at_once(site: Site) -> None:
    page = site.page()
    # The form is on the shared (cacheable) page: a stamp and a honeypot, no per-reader token.
    assert 'action="/berita/' in page and 'name="stempel"' in page and 'name="situs_web"' in page
    assert 'name="csrf_token"' not in page and "Belum ada komentar" in page
    assert "0</span> orang merasa berita ini bermanfaat" in page

    first = site.comment("Bu Sri", "Semoga panen tahun depan lebih melimpah.", EMAIL)
    assert location(first) == f"/berita/{site.slug}?komentar=menunggu#komentar"
    after = site.page(query="?komentar=menunggu")
    assert "akan tampil setelah diperiksa tim desa" in after
    assert "Semoga panen tahun depan" not in after
    (held,) = site.comments()
    assert (held.status, held.held_for, held.email) == ("pending", "first", "warga.satu@contoh.id")

    # The team's queue: tab counts, the reason, the address (team only); a kontributor cannot see it.
    editor = site.browsers["editor"]
    queue = editor.get(f"{site.base}/admin/komentar").text
    assert 'Menunggu <span class="count">(1)</span>' in queue
    assert "Semoga panen tahun depan lebih melimpah." in queue and "komentar pertama" in queue
    assert "warga.satu@contoh.id" in queue and "Panen Raya Padi Organik" in queue
    assert site.browsers["kader"].get(f"{site.base}/admin/komentar").status_code == 403
    assert location(site.moderate("editor", held.id or 0, "setujui")).startswith("/admin/komentar")
    shown = site.page()
    assert "<strong>Bu Sri</strong>" in shown and "Semoga panen tahun depan lebih melimpah." in shown
    assert "Komentar (1)" in shown

    # The same address, typed differently: known now, so shown at once.
    again = site.comment("Bu Sri", "Terima kasih infonya.", "  warga.satu@contoh.id ")
    assert location(again).endswith("?komentar=terbit#komentar")
    assert "Terima kasih infonya." in site.page()
    # Without an address: by name and the address of the day; held first, then known.
    site.comment("Pak Darmo", "Kapan ada pelatihan pupuk?")
    assert site.comments()[-1].status == "pending"
    site.moderate("admin", site.comments()[-1].id or 0, "setujui")
    assert location(site.comment("Pak Darmo", "Saya ikut.")).endswith("?komentar=terbit#komentar")
    # Someone else by the same address is someone new.
    assert location(site.comment("Orang Lain", "Halo semua.")).endswith("?komentar=menunggu#komentar")

    # Line breaks kept, markup printed as text.
    site.comment("Bu Sri", "Baris satu\n<b>baris</b> dua", EMAIL)
    final = site.page()
    assert "Baris satu<br>&lt;b&gt;baris&lt;/b&gt; dua" in final

    # The JSON: published comments, name and text only; never an e-mail address.
    data = site.reader.get(f"{site.base}/api/v1/berita/{site.slug}/komentar").json()
    assert data["comments"][0] == {"name": "Bu Sri", "text": "Semoga panen tahun depan lebih melimpah."}
    assert [c["name"] for c in data["comments"]] == ["Bu Sri", "Bu Sri", "Pak Darmo", "Pak Darmo", "Bu Sri"]
    for public in (final, str(data), site.page(query="?komentar=terbit")):
        assert "contoh.id" not in public.lower() and "Halo semua." not in public
    # Control characters (a NUL breaks PostgreSQL) are dropped, not a server error.
    assert site.comment("Bu\x00 Sri", "Halo\x00 warga\r\nsemua", EMAIL).status_code == 303
    assert site.comments()[-1].body == "Halo warga\nsemua" and site.comments()[-1].name == "Bu Sri"
    # Audit log names the action.
    log = site.browsers["admin"].get(f"{site.base}/admin/log").text
    assert "Komentar disetujui" in log


def test_links_are_held_and_blocked_words_held_or_refused(site: Site) -> None:
    # A known commenter first.
    site.comment("Bu Sri", "Salam dari warga.", EMAIL)
    site.moderate("editor", site.comments()[0].id or 0, "setujui")
    for text in ("Info lengkap di www.contoh-promo.net", "Hubungi wa.me/628123", "Kunjungi tokoku.com ya"):
        assert location(site.comment("Bu Sri", text, EMAIL)).endswith("?komentar=menunggu#komentar")
        assert (site.comments()[-1].status, site.comments()[-1].held_for) == ("pending", "link")
    assert "tokoku.com" not in site.page()

    # The blocklist: editors keep it; held by default.
    assert site.browsers["kader"].get(f"{site.base}/admin/komentar/pengaturan").status_code == 403
    saved = site.post(
        "editor", "/admin/komentar/kata", {"kata": "Judi Online\nTOGEL, pinjol", "tindakan": "hold"}
    )
    assert location(saved).endswith("pesan=kata")
    settings_page = site.browsers["editor"].get(f"{site.base}/admin/komentar/pengaturan").text
    assert "judi online\ntogel\npinjol</textarea>" in settings_page
    assert location(site.comment("Bu Sri", "Ayo main togel!", EMAIL)).endswith("?komentar=menunggu#komentar")
    assert site.comments()[-1].held_for == "word"
    # A word inside another word does not count.
    assert location(site.comment("Bu Sri", "Pinjolan sawah?", EMAIL)).endswith("?komentar=terbit#komentar")
    # Refused outright: the page comes back with the text kept and the reason.
    site.post("editor", "/admin/komentar/kata", {"kata": "togel", "tindakan": "refuse"})
    before = len(site.comments())
    refused = site.comment("Bu Sri", "Main TOGEL yuk", EMAIL)
    assert refused.status_code == 400
    assert "tidak diizinkan di situs desa ini" in refused.text
    assert ">Main TOGEL yuk</textarea>" in refused.text and 'value="Bu Sri"' in refused.text
    assert len(site.comments()) == before
    # A bad list is refused with what was typed kept.
    bad = site.post("editor", "/admin/komentar/kata", {"kata": "x" * 50, "tindakan": "hold"})
    assert bad.status_code == 400 and "terlalu panjang" in bad.text and "x" * 50 in bad.text

    # Spam and delete from the queue: counts move, the public page follows.
    spam_id = next(c.id for c in site.comments() if c.body == "Pinjolan sawah?") or 0
    assert location(site.moderate("editor", spam_id, "spam")).endswith("pesan=spam")
    assert "Pinjolan sawah?" not in site.page()
    queue = site.browsers["editor"].get(f"{site.base}/admin/komentar?status=spam").text
    assert 'Spam <span class="count">(1)</span>' in queue and "Pinjolan sawah?" in queue
    assert location(site.moderate("editor", spam_id, "hapus")).endswith("pesan=dihapus")
    assert all(c.id != spam_id for c in site.comments())


def test_comments_switched_off_keep_what_was_published(site: Site) -> None:
    site.comment("Bu Sri", "Komentar lama.", EMAIL)
    site.moderate("editor", site.comments()[0].id or 0, "setujui")
    # Only the admin opens and closes; an editor may not.
    assert site.post("editor", "/admin/komentar/pengaturan", {"aktif": "0"}).status_code == 403
    assert location(site.post("admin", "/admin/komentar/pengaturan", {"aktif": "0"})).endswith(
        "pesan=ditutup"
    )
    page = site.page()
    assert 'name="komentar"' not in page and "Komentar untuk berita ini ditutup." in page
    assert "Komentar lama." in page
    refused = site.comment("Bu Sri", "Boleh komentar?", EMAIL)
    assert refused.status_code == 403 and "sedang ditutup" in refused.text
    assert len(site.comments()) == 1
    assert location(site.post("admin", "/admin/komentar/pengaturan", {"aktif": "1"})).endswith("pesan=dibuka")
    assert 'name="komentar"' in site.page()


def test_bots_fast_forms_other_origins_and_floods_are_refused(site: Site) -> None:
    # The honeypot: answered like a held comment, nothing stored.
    trap = site.comment("Bot", "Beli sekarang", situs_web="http://spam.example")
    assert location(trap).endswith("?komentar=menunggu#komentar") and site.comments() == []
    # Too fast (the stamp of the page just printed), forged, or for another post: refused, text kept.
    page = site.page()
    fresh = re.search(r'name="stempel" value="([^"]+)"', page)
    assert fresh
    fast = site.comment("Bu Sri", "Cepat sekali", EMAIL, stamp=fresh.group(1))
    assert (
        fast.status_code == 400 and "terlalu cepat" in fast.text and ">Cepat sekali</textarea>" in fast.text
    )
    for stamp in (
        "123.abc",
        "bukan",
        site.stamp(post_id=site.post_id + 1000),
        site.stamp(seconds_ago=10 * 86400),
    ):
        wrong = site.comment("Bu Sri", "Stempel salah", EMAIL, stamp=stamp)
        assert wrong.status_code == 400 and ">Stempel salah</textarea>" in wrong.text
    # Another origin: refused before anything is read.
    other = site.comment("Bu Sri", "Dari situs lain", EMAIL, headers={"origin": "https://jahat.example"})
    assert other.status_code == 403
    # Limits: a name, a text, an address, sizes.
    for fields, reason in (
        (("", "Isi komentar"), "Isi nama Anda."),
        (("Bu Sri", ""), "Tulis komentar Anda."),
        (("Bu Sri", "x" * 2001), "Komentar terlalu panjang"),
        (("N" * 81, "Halo"), "Nama terlalu panjang"),
    ):
        refused = site.comment(*fields, EMAIL)
        assert refused.status_code == 400 and reason in refused.text, reason
    bad_email = site.comment("Bu Sri", "Halo", "bukan-email")
    assert bad_email.status_code == 400 and 'value="bukan-email"' in bad_email.text
    assert site.comments() == []
    # Rate limit per address: six in ten minutes, then refused with the text kept.
    for n in range(moderation.PER_ADDRESS.limit):
        posted = site.comment(f"Warga {n}", f"Komentar nomor {n}", limited=n > 0)
        assert posted.status_code == 303
    flood = site.comment("Warga lagi", "Satu lagi", limited=True)
    assert (
        flood.status_code == 429 and "Coba lagi dalam" in flood.text and ">Satu lagi</textarea>" in flood.text
    )
    assert len(site.comments()) == moderation.PER_ADDRESS.limit
    # The village's own limit holds whatever the address (a flood from many addresses).
    site.stack.clear_rate_limits()
    limiter = Limiter(site.stack.runtime.cache)
    for _n in range(moderation.PER_VILLAGE.limit):
        limiter.hit(moderation.PER_VILLAGE, str(site.vid))
    village_wide = site.comment("Warga jauh", "Dari alamat lain", limited=True)
    assert village_wide.status_code == 429 and ">Dari alamat lain</textarea>" in village_wide.text


def test_bermanfaat_counts_once_per_visitor_per_day(site: Site) -> None:
    url = f"{site.base}/berita/{site.slug}/bermanfaat"
    origin = {"origin": site.base}
    first = site.reader.client.post(url, headers=origin)
    assert location(first) == f"/berita/{site.slug}?bermanfaat=terima-kasih#bermanfaat"
    assert "Tanggapan Anda sudah dihitung" in site.page(query="?bermanfaat=terima-kasih")
    again = site.reader.client.post(url, headers=origin)
    assert location(again).endswith("?bermanfaat=sudah#bermanfaat")
    assert "1</span> orang merasa berita ini bermanfaat" in site.page()
    # Another browser (another visitor hash), with JavaScript: JSON and the new count.
    phone = site.reader.client.post(
        url, headers={**origin, "accept": "application/json", "user-agent": "HP Murah"}
    )
    assert phone.json()["count"] == 2 and phone.json()["counted"] is True
    repeat = site.reader.client.post(
        url, headers={**origin, "accept": "application/json", "user-agent": "HP Murah"}
    )
    assert repeat.json() == {**repeat.json(), "count": 2, "counted": False}
    # The next day the same visitor counts again (a new day, a new salt).
    with site.stack.runtime.session(site.vid) as db:
        rows = db.exec(in_village(Reaction, site.vid)).all()
        for row in rows:
            row.day = row.day - timedelta(days=1)
            db.add(row)
        workflow.bump_content_version(db, site.vid)
    assert location(site.reader.client.post(url, headers=origin)).endswith("terima-kasih#bermanfaat")
    assert "3</span> orang merasa" in site.page()
    assert site.reader.client.post(url, headers={"origin": "https://jahat.example"}).status_code == 403
    # Past the address's limit nothing is counted, and the reader is told.
    limiter = Limiter(site.stack.runtime.cache)
    for _n in range(moderation.REACTIONS_PER_ADDRESS.limit):
        limiter.hit(moderation.REACTIONS_PER_ADDRESS, "testclient")
    busy = site.reader.client.post(url, headers={**origin, "user-agent": "HP Lain"})
    assert location(busy).endswith("?bermanfaat=nanti#bermanfaat")
    assert "Coba lagi nanti" in site.page(query="?bermanfaat=nanti")
    assert "3</span> orang merasa" in site.page()
    # The engagement hook for the reports: per day, on the village's calendar, and per month.
    site.comment("Bu Sri", "Bermanfaat sekali.", EMAIL)
    site.moderate("editor", site.comments()[0].id or 0, "setujui")
    with site.stack.runtime.session(site.vid) as db:
        today = max(r.day for r in db.exec(in_village(Reaction, site.vid)).all())
        days = service.engagement(db, site.vid, "34.04.02.2003", today - timedelta(days=3), today)
        months = service.engagement(
            db, site.vid, "34.04.02.2003", today - timedelta(days=3), today, by_month=True
        )
    assert days[today] == service.Engagement(comments=1, reactions=1)
    assert days[today - timedelta(days=1)] == service.Engagement(comments=0, reactions=2)
    assert sum(e.reactions for e in months.values()) == 3 and sum(e.comments for e in months.values()) == 1


def test_another_villages_post_is_not_found_here(site: Site) -> None:
    stamp = site.stamp(
        village_id=site.other_vid, post_id=post_id_of_stack(site, site.other_vid, site.other_slug)
    )
    for path in (
        f"/berita/{site.other_slug}/komentar",
        f"/berita/{site.other_slug}/bermanfaat",
        "/berita/tidak-ada/komentar",
    ):
        response = site.reader.client.post(
            f"{site.base}{path}",
            data={"nama": "Bu Sri", "komentar": "Halo", "stempel": stamp},
            headers={"origin": site.base},
        )
        assert response.status_code == 404, path
        assert "Rahasia Meteseh" not in response.text
    assert site.reader.get(f"{site.base}/api/v1/berita/{site.other_slug}/komentar").status_code == 404
    with site.stack.runtime.session(site.other_vid) as db:
        assert db.exec(in_village(Comment, site.other_vid)).all() == []
        assert db.exec(in_village(Reaction, site.other_vid)).all() == []
    # Another village's comment id on this village's screens: not found.
    other = site.reader.client.post(
        f"{site.other_base}/berita/{site.other_slug}/komentar",
        data={"nama": "Warga B", "komentar": "Komentar di B", "stempel": stamp},
        headers={"origin": site.other_base},
    )
    assert location(other).endswith("?komentar=menunggu#komentar")
    with site.stack.runtime.session(site.other_vid) as db:
        (b_comment,) = db.exec(in_village(Comment, site.other_vid)).all()
    for action in ("setujui", "spam", "hapus"):
        assert site.moderate("admin", b_comment.id or 0, action).status_code == 404
    assert "Komentar di B" not in site.browsers["admin"].get(f"{site.base}/admin/komentar").text


def post_id_of_stack(site: Site, village_id: int, slug: str) -> int:
    with site.stack.runtime.session(village_id) as db:
        return post_id_of(db, village_id, slug)


@pytest.fixture
def cached(stack: Stack) -> Iterator[Stack]:
    """The production freshness (as in tests/test_page_cache.py): the page cache on."""
    book = page_cache.version_book(stack.runtime)
    book.clear()
    stack.runtime.resolver.check_seconds = 1.0
    yield stack
    stack.runtime.resolver.check_seconds = 0.0
    book.clear()


def test_the_page_cache_shows_an_approved_comment_at_once(cached: Stack) -> None:
    site = Site(cached)
    url = f"{site.base}/berita/{site.slug}"
    site.reader.get(url)
    hit = site.reader.get(url)
    assert hit.headers.get("x-cache") == "hit" and 'name="stempel"' in hit.text
    site.comment("Bu Sri", "Dari halaman tersimpan.", EMAIL)
    site.moderate("editor", site.comments()[0].id or 0, "setujui")
    fresh = site.reader.get(url)
    assert "Dari halaman tersimpan." in fresh.text
    # A known commenter's next comment and a reaction show at once as well.
    site.comment("Bu Sri", "Komentar kedua.", EMAIL)
    site.reader.client.post(f"{url}/bermanfaat", headers={"origin": site.base})
    again = site.reader.get(url)
    assert "Komentar kedua." in again.text and "1</span> orang merasa" in again.text


def test_every_theme_shows_the_comments_and_the_button(site: Site) -> None:
    site.comment("Bu Sri", "Komentar di semua tema.", EMAIL)
    site.moderate("editor", site.comments()[0].id or 0, "setujui")
    for theme in themes.all_themes():
        applied = site.post(
            "admin",
            "/admin/tampilan",
            {"tema": theme.key, "tata": theme.manifest.default_layout, "aksi": "terapkan"},
        )
        assert location(applied).startswith("/admin/tampilan"), theme.key
        page = site.page()
        assert f'/static/{theme.key}/style.css"' in page, theme.key
        assert "Komentar di semua tema." in page and 'action="/berita/' in page, theme.key
        assert '<button type="submit" class="reaksi-tombol">Bermanfaat</button>' in page, theme.key
        assert '<script src="/static/base/comments.js" defer></script>' in page
    script = site.reader.get(f"{site.base}/static/base/comments.js")
    assert script.status_code == 200 and "data-bermanfaat" in script.text


def test_a_post_deleted_for_good_takes_its_comments_and_reactions(site: Site) -> None:
    site.comment("Bu Sri", "Akan hilang bersama beritanya.", EMAIL)
    site.reader.client.post(f"{site.base}/berita/{site.slug}/bermanfaat", headers={"origin": site.base})
    assert len(site.comments()) == 1
    with site.stack.runtime.session(site.vid) as db:
        post = db.get(Post, site.post_id)
        assert post is not None
        post.deleted_at = utcnow() - timedelta(days=workflow.TRASH_DAYS + 1)
        db.add(post)
    with site.stack.runtime.session(all_villages=True) as db:
        assert workflow.purge_trash(db) == 1
    assert site.comments() == []
    with site.stack.runtime.session(site.vid) as db:
        assert db.exec(in_village(Reaction, site.vid)).all() == []


def test_a_tap_does_not_throw_away_the_villages_stored_pages(site: Site) -> None:
    """A "bermanfaat" tap used to bump the village's content version: every stored page of the
    village was thrown away on every tap. Now the tapper sees the new count on an unstored page,
    and the clock moves the shared pages on once a round, for every village tapped since."""
    stack = site.stack
    book = page_cache.version_book(stack.runtime)
    book.clear()
    stack.runtime.resolver.check_seconds = 60.0  # the page cache on, versions read once here
    try:
        with stack.runtime.session(site.vid) as db:
            before = db.get(Village, site.vid)
            assert before is not None
            version = before.content_version
        assert "0</span> orang merasa" in site.page()
        assert "0</span> orang merasa" in site.page()  # stored
        url = f"{site.base}/berita/{site.slug}/bermanfaat"
        assert location(site.reader.client.post(url, headers={"origin": site.base})).endswith(
            "terima-kasih#bermanfaat"
        )
        mine = site.reader.get(f"{site.base}/berita/{site.slug}?bermanfaat=terima-kasih")
        assert "1</span> orang merasa" in mine.text and mine.headers["cache-control"] == "no-store"
        with stack.runtime.session(site.vid) as db:
            assert db.get(Village, site.vid).content_version == version  # type: ignore[union-attr]
        assert "0</span> orang merasa" in site.page()  # the shared page, as stored
        # The clock's round: one bump for the village, however many taps; the next round none.
        assert service.refresh_reaction_counts(stack.runtime) == 1
        assert service.refresh_reaction_counts(stack.runtime) == 0
        with stack.runtime.session(all_villages=True) as db:
            assert db.get(Village, site.vid).content_version == version + 1  # type: ignore[union-attr]
        book.forget(site.vid)  # another worker would read the new version within its window
        assert "1</span> orang merasa" in site.page()
    finally:
        stack.runtime.resolver.check_seconds = 0.0
        book.clear()
