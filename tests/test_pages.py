"""Village pages (/admin/halaman and /halaman/{slug}) on both stacks, through the browser's forms:
writing, two people saving at once, the nested menu and its limits, ordering, the trash, the
usual pages of a Website Desa, who may write, and the wall between villages."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent
from etalase.platform.content import pages
from etalase.platform.content.models import Page
from etalase.platform.media_library import service as media_service
from etalase.tenants.models import Village
from tests.conftest import Stack, StatementLog
from tests.people import Browser, make_user, make_village, village_host

CODE = "34.04.02.2003"  # Sidomulyo, Godean
VERSION = re.compile(r'name="version" value="(\d+)"')
CREATED = re.compile(r"/admin/halaman/(\d+)\?pesan=dibuat")


class Team:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.vid, slug = make_village(stack, CODE)
        self.base = village_host(stack, slug)
        self.browsers: dict[str, Browser] = {}
        for key, (name, role) in {
            "kader": ("Rina Kader", "kontributor"),
            "editor": ("Budi Editor", "editor"),
            "admin": ("Sari Admin", "admin"),
        }.items():
            make_user(stack, name, email=f"{key}@contoh.id", roles={self.vid: role})
            browser = Browser(stack)
            assert browser.login(self.base, f"{key}@contoh.id").status_code == 303
            self.browsers[key] = browser

    def token(self, who: str) -> str:
        return self.browsers[who].csrf(f"{self.base}/admin/halaman")

    def new(self, title: str, body: str = "<p>Isi halaman.</p>", parent: int | None = None) -> int:
        response = self.browsers["editor"].post(
            f"{self.base}/admin/halaman/baru",
            {"title": title, "body": body, "parent_id": str(parent or "")},
        )
        assert response.status_code == 303, response.text
        match = CREATED.match(response.headers["location"])
        assert match, response.headers["location"]
        return int(match.group(1))

    def act(self, page_id: int, action: str, who: str = "editor") -> int:
        response = self.browsers[who].post(
            f"{self.base}/admin/halaman/{page_id}/{action}", {"csrf_token": self.token(who)}
        )
        return response.status_code

    def save(self, page_id: int, who: str = "editor", **form: str) -> tuple[int, str]:
        browser = self.browsers[who]
        if "version" not in form:
            form["version"] = self.version(page_id, who)
        response = browser.post(
            f"{self.base}/admin/halaman/{page_id}", form, form_url=f"{self.base}/admin/halaman/{page_id}"
        )
        return response.status_code, response.text

    def version(self, page_id: int, who: str = "editor") -> str:
        match = VERSION.search(self.browsers[who].get(f"{self.base}/admin/halaman/{page_id}").text)
        assert match
        return match.group(1)

    def row(self, page_id: int) -> Page:
        with self.stack.runtime.session(self.vid) as db:
            found = db.get(Page, page_id)
            assert found is not None
            db.expunge(found)
            return found

    def listing(self, query: str = "", who: str = "editor") -> str:
        """The list of pages (or the trash), without the box offering the usual pages."""
        html = self.browsers[who].get(f"{self.base}/admin/halaman{query}").text
        return html.partition('<nav class="tabs"')[2]

    def public(self, path: str = "/") -> tuple[int, str]:
        response = Browser(self.stack).get(f"{self.base}{path}")
        return response.status_code, response.text


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def _menu(html: str) -> str:
    """The phone menu's list (the desktop bar holds the same links)."""
    match = re.search(r'<ul class="nav-tree">(.*?)</ul>\s*</details>', html, re.S)
    assert match, "no menu on the page"
    return match.group(1)


def _squash(html: str) -> str:
    return re.sub(r"\s+", "", html)


# --- writing -----------------------------------------------------------------------------------------
def test_a_page_from_draft_to_the_public_site(team: Team) -> None:
    editor, base = team.browsers["editor"], team.base
    assert editor.get(f"{base}/admin/halaman/baru").status_code == 200
    refused = editor.post(f"{base}/admin/halaman/baru", {"title": "  ", "body": "Sejarah panjang desa kami"})
    assert refused.status_code == 400
    assert "Isi judul halaman." in refused.text and "Sejarah panjang desa kami" in refused.text

    page_id = team.new("Sejarah Desa", "Desa ini berdiri tahun 1920.\n\nDulu bernama Karanganyar.")
    row = team.row(page_id)
    assert (row.slug, row.status, row.version) == ("sejarah-desa", "draft", 1)
    assert row.body == "<p>Desa ini berdiri tahun 1920.</p><p>Dulu bernama Karanganyar.</p>"
    assert team.public("/halaman/sejarah-desa")[0] == 404  # a draft is not public

    status, _html = team.save(
        page_id, title="Sejarah Singkat Desa", body="<p>Berdiri 1920.</p>", parent_id=""
    )
    assert status == 303
    row = team.row(page_id)
    assert (row.title, row.slug, row.version) == ("Sejarah Singkat Desa", "sejarah-desa", 2)  # slug stays
    form = editor.get(f"{base}/admin/halaman/{page_id}").text
    assert 'value="/halaman/sejarah-desa"' in form and "readonly" in form

    assert team.act(page_id, "terbitkan") == 303
    status, html = team.public("/halaman/sejarah-desa")
    assert status == 200 and "Sejarah Singkat Desa" in html and "Berdiri 1920." in html
    assert team.act(page_id, "terbitkan") == 400  # already published: said, not repeated
    assert team.act(page_id, "tarik") == 303
    assert team.public("/halaman/sejarah-desa")[0] == 404
    with team.stack.runtime.session(team.vid) as db:
        actions = db.exec(
            select(AuditEvent.action).where(col(AuditEvent.target) == "Sejarah Singkat Desa")
        ).all()
        created = db.exec(select(AuditEvent.action).where(col(AuditEvent.target) == "Sejarah Desa")).all()
    assert created == ["page_created"]
    assert sorted(actions) == ["page_published", "page_unpublished"]


def test_a_save_over_someone_elses_keeps_the_typed_text(team: Team) -> None:
    page_id = team.new("Visi dan Misi", "<p>Visi lama.</p>")
    opened = team.version(page_id, "admin")  # the admin opens the form…
    assert (
        team.save(page_id, "editor", title="Visi dan Misi", body="<p>Visi editor.</p>", parent_id="")[0]
        == 303
    )
    # …and saves after the editor did: refused, nothing written, the admin's text still in the form.
    status, html = team.save(
        page_id, "admin", version=opened, title="Visi dan Misi 2026", body="<p>Visi admin yang panjang.</p>"
    )
    assert status == 409
    assert "sudah diubah orang lain" in html
    assert "Visi admin yang panjang." in html and 'value="Visi dan Misi 2026"' in html
    assert "Visi editor." in html  # what is saved now, to compare
    row = team.row(page_id)
    assert (row.title, row.body, row.version) == ("Visi dan Misi", "<p>Visi editor.</p>", 2)
    # The form now carries the saved version: saving again keeps the admin's text.
    newer = VERSION.search(html)
    assert newer and newer.group(1) == "2"
    status, _html = team.save(
        page_id, "admin", version="2", title="Visi dan Misi 2026", body="<p>Visi admin yang panjang.</p>"
    )
    assert status == 303 and team.row(page_id).body == "<p>Visi admin yang panjang.</p>"


def test_the_menu_never_loops_and_stays_three_levels_deep(team: Team) -> None:
    profil = team.new("Profil Desa")
    pemerintahan = team.new("Pemerintahan", parent=profil)
    struktur = team.new("Struktur Organisasi", parent=pemerintahan)
    # Under itself, under its child, under its grandchild: refused with the reason, form kept.
    for parent in (profil, pemerintahan, struktur):
        status, html = team.save(profil, title="Profil Desa Baru", body="<p>Isi.</p>", parent_id=str(parent))
        assert status == 400, parent
        assert "di bawah dirinya sendiri atau di bawah sub-halamannya" in html
        assert 'value="Profil Desa Baru"' in html
    assert team.row(profil).parent_id is None and team.row(profil).title == "Profil Desa"
    # A fourth level is refused, on creation and when moving a branch.
    refused = team.browsers["editor"].post(
        f"{team.base}/admin/halaman/baru", {"title": "Terlalu dalam", "body": "", "parent_id": str(struktur)}
    )
    assert refused.status_code == 400 and "paling banyak 3 tingkat" in refused.text
    kontak = team.new("Kontak")
    status, html = team.save(
        pemerintahan, title="Pemerintahan", body="<p>Isi halaman.</p>", parent_id=str(kontak)
    )
    assert status == 303  # Kontak › Pemerintahan › Struktur: three levels, fine
    status, html = team.save(kontak, title="Kontak", body="<p>Isi halaman.</p>", parent_id=str(profil))
    assert status == 400 and "paling banyak 3 tingkat" in html  # would make four
    # "+ Sub-halaman" in the list opens the form with the parent chosen, down to the third level.
    listing = team.listing()
    assert f"/admin/halaman/baru?induk={profil}" in listing and f"baru?induk={struktur}" not in listing
    form = team.browsers["editor"].get(f"{team.base}/admin/halaman/baru?induk={profil}").text
    assert f'<option value="{profil}" selected>' in form
    # The parent list of a page offers neither the page nor what is under it.
    form = team.browsers["editor"].get(f"{team.base}/admin/halaman/{kontak}").text
    offered = set(re.findall(r'<option value="(\d+)"', form))
    assert str(kontak) not in offered and str(pemerintahan) not in offered and str(struktur) not in offered


def test_ordering_the_menu(team: Team) -> None:
    first, second, third = (team.new(t) for t in ("Profil Desa", "Potensi Desa", "Kontak"))
    for page_id in (first, second, third):
        assert team.act(page_id, "terbitkan") == 303
    assert team.act(third, "naik") == 303
    assert team.act(first, "naik") == 303  # already first: nothing moves, nothing breaks
    _status, home = team.public("/")
    menu = _menu(home)
    assert menu.index("Profil Desa") < menu.index("Kontak") < menu.index("Potensi Desa")
    assert team.act(first, "turun") == 303
    menu = _menu(team.public("/")[1])
    assert menu.index("Kontak") < menu.index("Profil Desa") < menu.index("Potensi Desa")
    listing = team.listing()
    assert listing.index("Kontak") < listing.index("Profil Desa") < listing.index("Potensi Desa")


# --- the public menu and pages -----------------------------------------------------------------------
def test_the_nested_menu_on_the_home_page_and_on_a_page(team: Team) -> None:
    profil = team.new("Profil Desa", "<p>Desa di lereng bukit.</p>")
    sejarah = team.new("Sejarah Desa", "<p>Berdiri tahun 1920.</p>", parent=profil)
    team.new("Rencana Rahasia", parent=profil)  # a draft: never public
    kontak = team.new("Kontak")
    for page_id in (profil, sejarah, kontak):
        assert team.act(page_id, "terbitkan") == 303

    status, home = team.public("/")
    assert status == 200
    menu = _squash(_menu(home))
    # Sejarah is inside Profil's item, in a nested list; Kontak is a top item of its own.
    assert '<ahref="/halaman/profil-desa">ProfilDesa</a><ul><li><ahref="/halaman/sejarah-desa">' in menu
    assert '<li><ahref="/halaman/kontak">Kontak</a></li>' in menu
    assert "Rencana" not in home
    for fixed in ('href="/"', 'href="/agenda"', 'href="/pengumuman"', 'href="/galeri"', 'href="/dokumen"'):
        assert fixed in menu
    # The menu needs no JavaScript: the only <script> blocks are JSON-LD data.
    assert "<details" in home and "<summary>Menu</summary>" in home
    assert home.count("<script") == home.count('<script type="application/ld+json">')

    status, html = team.public("/halaman/sejarah-desa")
    assert status == 200 and "Berdiri tahun 1920." in html
    crumbs = _squash(re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0))  # type: ignore[union-attr]
    assert '<ahref="/">Beranda</a>' in crumbs and '<ahref="/halaman/profil-desa">ProfilDesa</a>' in crumbs
    assert '<spanaria-current="page">SejarahDesa</span>' in crumbs
    assert 'aria-current="page">Sejarah Desa</a>' in html  # the menu marks where the visitor is
    status, html = team.public("/halaman/profil-desa")
    assert status == 200 and "Halaman di bagian ini" in html and 'href="/halaman/sejarah-desa"' in html
    assert "Rencana" not in html
    assert team.public("/halaman/rencana-rahasia")[0] == 404
    assert team.public("/halaman/tidak-ada")[0] == 404
    # The menu is on other village pages too (a 404 page, here).
    assert "/halaman/profil-desa" in team.public("/halaman/tidak-ada")[1]


def test_a_warm_menu_reads_no_table_and_moves_on_with_a_publish(team: Team, sql_log: StatementLog) -> None:
    profil = team.new("Profil Desa")
    assert team.act(profil, "terbitkan") == 303
    team.stack.runtime.resolver.check_seconds = 60.0
    try:
        assert "Profil Desa" in team.public("/")[1]  # warm
        sql_log.statements.clear()
        for _ in range(3):
            assert "Profil Desa" in team.public("/")[1]
        assert sql_log.touching("page") == [] and sql_log.touching("village") == []
        # A publish in the team's screens shows in the menu at once (no waiting for the window).
        kontak = team.new("Kontak")
        assert team.act(kontak, "terbitkan") == 303
        assert "/halaman/kontak" in team.public("/")[1]
        assert team.act(kontak, "tarik") == 303
        assert "/halaman/kontak" not in team.public("/")[1]
    finally:
        team.stack.runtime.resolver.check_seconds = 0.0


def test_every_publish_moves_the_content_version(team: Team) -> None:
    def version() -> int:
        with team.stack.runtime.session() as db:
            village = db.get(Village, team.vid)
            assert village is not None
            return village.content_version

    page_id = team.new("Profil Desa")
    before = version()
    assert team.act(page_id, "terbitkan") == 303
    assert version() == before + 1
    assert team.save(page_id, title="Profil", body="<p>Baru.</p>", parent_id="")[0] == 303
    assert version() == before + 2
    assert team.act(page_id, "hapus") == 303
    assert version() == before + 3


# --- the trash ---------------------------------------------------------------------------------------
def test_trash_moves_the_children_up_and_restore_brings_the_page_back(team: Team) -> None:
    profil = team.new("Profil Desa")
    sejarah = team.new("Sejarah Desa", parent=profil)
    for page_id in (profil, sejarah):
        assert team.act(page_id, "terbitkan") == 303
    assert team.act(profil, "hapus") == 303
    assert team.row(sejarah).parent_id is None  # up to the trashed page's parent: the top
    assert team.public("/halaman/profil-desa")[0] == 404
    menu = _squash(_menu(team.public("/")[1]))
    assert "ProfilDesa" not in menu and '<li><ahref="/halaman/sejarah-desa">SejarahDesa</a></li>' in menu
    editor = team.browsers["editor"]
    assert "Profil Desa" not in team.listing()
    assert "Profil Desa" in team.listing("?tab=sampah")
    assert editor.get(f"{team.base}/admin/halaman/{profil}").status_code == 404  # trashed: restore first
    assert team.act(sejarah, "pulihkan") == 404  # not in the trash

    assert team.act(profil, "pulihkan") == 303
    row = team.row(profil)
    assert row.deleted_at is None and row.status == "published"
    assert team.public("/halaman/profil-desa")[0] == 200
    assert "Profil Desa" not in team.listing("?tab=sampah")
    with team.stack.runtime.session(team.vid) as db:
        actions = db.exec(select(AuditEvent.action).where(col(AuditEvent.target) == "Profil Desa")).all()
    assert "page_deleted" in actions and "page_restored" in actions


def test_a_file_in_a_trashed_pages_body_is_not_deleted_silently(team: Team) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 60)).save(buffer, "PNG")
    with team.stack.runtime.session(team.vid) as db:
        media = media_service.upload(
            db,
            team.stack.runtime.media,
            team.vid,
            filename="balai-desa.png",
            stream=io.BytesIO(buffer.getvalue()),
            alt="Balai desa",
            user=None,
            settings=team.stack.settings,
        )
        media_id, url = media.id, team.stack.runtime.media.url(media.key)
    page_id = team.new("Profil Desa", f'<p>Balai desa kami.</p><p><img src="{url}" alt="Balai desa"></p>')
    assert url in team.row(page_id).body
    assert team.act(page_id, "hapus") == 303  # in the trash, still restorable: still a use
    editor = team.browsers["editor"]
    refused = editor.post(f"{team.base}/admin/media/{media_id}/hapus", form_url=f"{team.base}/admin/media")
    assert refused.status_code in (400, 409)
    assert "masih dipakai" in refused.text and "Profil Desa" in refused.text
    with team.stack.runtime.session(team.vid) as db:
        assert media_id is not None
        places = media_service.where_used(db, team.vid, media_id)
    assert [(p.what, p.title) for p in places] == [("Halaman (di tempat sampah)", "Profil Desa")]


# --- the usual pages -----------------------------------------------------------------------------------
def test_the_usual_pages_of_a_website_desa_in_one_click(team: Team) -> None:
    editor = team.browsers["editor"]
    listing = editor.get(f"{team.base}/admin/halaman").text
    assert "Buat halaman baku" in listing
    done = editor.post(f"{team.base}/admin/halaman/baku", form_url=f"{team.base}/admin/halaman")
    assert done.status_code == 303
    with team.stack.runtime.session(team.vid) as db:
        rows = {p.slug: p for p in db.exec(select(Page)).all()}
    assert set(rows) == {"profil", "sejarah", "visi-misi", "struktur-pemerintahan", "kontak"}
    assert all(p.status == "draft" for p in rows.values())
    assert rows["profil"].title == "Profil Desa" and rows["profil"].parent_id is None
    for slug in ("sejarah", "visi-misi", "struktur-pemerintahan"):
        assert rows[slug].parent_id == rows["profil"].id
    assert rows["kontak"].parent_id is None and "Ganti teks ini" in rows["kontak"].body
    assert "perangkat desa" in rows["struktur-pemerintahan"].body
    listing = editor.get(f"{team.base}/admin/halaman").text
    assert "Buat halaman baku" not in listing and "Struktur Pemerintahan Desa" in listing
    assert team.public("/halaman/profil")[0] == 404  # drafts until the operator publishes them
    again = editor.post(f"{team.base}/admin/halaman/baku", form_url=f"{team.base}/admin/halaman")
    assert again.status_code == 303 and "lengkap" in again.headers["location"]
    with team.stack.runtime.session(team.vid) as db:
        assert len(db.exec(select(Page)).all()) == 5


def test_the_usual_pages_fill_in_only_what_is_missing(stack: Stack) -> None:
    vid, _slug = make_village(stack, CODE)
    with stack.runtime.session(vid) as db:
        # The operator already wrote a "Profil Desa" (another address): it is used, not doubled.
        own = pages.create(db, vid, title="Profil Desa", body="<p>Tulisan kami sendiri.</p>")
        assert own.slug == "profil-desa"
        assert pages.missing_standard_pages(db, vid) == [
            "Sejarah Desa",
            "Visi dan Misi",
            "Struktur Pemerintahan Desa",
            "Kontak",
        ]
        created = pages.standard_pages(db, vid)
        assert [p.slug for p in created] == ["sejarah", "visi-misi", "struktur-pemerintahan", "kontak"]
        assert [p.parent_id for p in created] == [own.id, own.id, own.id, None]
        assert pages.missing_standard_pages(db, vid) == [] and pages.standard_pages(db, vid) == []
    other, _slug = make_village(stack, "33.74.10.1001")
    with stack.runtime.session(other) as db:
        titles = [p.title for p in pages.standard_pages(db, other, "Kelurahan")]
    assert titles[:2] == ["Profil Kelurahan", "Sejarah Kelurahan"]


# --- who may do what -------------------------------------------------------------------------------------
def test_a_kontributor_reads_the_list_but_writes_nothing(team: Team) -> None:
    page_id = team.new("Profil Desa")
    kader, base = team.browsers["kader"], team.base
    listing = kader.get(f"{base}/admin/halaman")
    assert listing.status_code == 200 and "Profil Desa" in listing.text
    assert "Buat halaman baru" not in listing.text and "/naik" not in listing.text
    assert kader.get(f"{base}/admin/halaman/baru").status_code == 403
    assert kader.get(f"{base}/admin/halaman/{page_id}").status_code == 403
    token = team.token("kader")
    attempts = {
        "/admin/halaman/baru": {"title": "Halaman kader", "body": ""},
        "/admin/halaman/baku": {},
        f"/admin/halaman/{page_id}": {"version": "1", "title": "Diubah kader", "body": "", "parent_id": ""},
        **{f"/admin/halaman/{page_id}/{a}": {} for a in ("terbitkan", "naik", "turun", "hapus", "pulihkan")},
    }
    for path, form in attempts.items():
        response = kader.post(f"{base}{path}", {**form, "csrf_token": token})
        assert response.status_code == 403, path
    with team.stack.runtime.session(team.vid) as db:
        rows = db.exec(select(Page)).all()
    assert [(p.title, p.status, p.deleted_at) for p in rows] == [("Profil Desa", "draft", None)]


def test_another_villages_page_is_not_found(team: Team) -> None:
    other_id, _other_slug = make_village(team.stack, "33.74.10.1001")
    with team.stack.runtime.session(other_id) as db:
        theirs = pages.create(db, other_id, title="Profil Meteseh", body="<p>Rahasia Meteseh.</p>")
        pages.publish(db, other_id, theirs.id or 0)
        their_id = theirs.id
    assert their_id is not None
    editor, base = team.browsers["editor"], team.base
    assert editor.get(f"{base}/admin/halaman/{their_id}").status_code == 404
    token = team.token("editor")
    for action in ("terbitkan", "tarik", "naik", "turun", "hapus", "pulihkan"):
        response = editor.post(f"{base}/admin/halaman/{their_id}/{action}", {"csrf_token": token})
        assert response.status_code == 404, action
    saved = editor.post(
        f"{base}/admin/halaman/{their_id}",
        {"csrf_token": token, "version": "1", "title": "Dibajak", "body": "", "parent_id": ""},
    )
    assert saved.status_code == 404
    # Nor as a parent of one of ours.
    refused = editor.post(
        f"{base}/admin/halaman/baru",
        {"title": "Anak", "body": "", "parent_id": str(their_id), "csrf_token": token},
    )
    assert refused.status_code == 400 and "Halaman induk tidak ditemukan" in refused.text
    assert "Profil Meteseh" not in editor.get(f"{base}/admin/halaman").text
    assert team.public("/halaman/profil-meteseh")[0] == 404
    assert "Meteseh" not in team.public("/")[1]
    with team.stack.runtime.session(other_id) as db:
        row = db.get(Page, their_id)
        assert row is not None and (row.title, row.status, row.deleted_at) == (
            "Profil Meteseh",
            "published",
            None,
        )
