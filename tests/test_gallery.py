"""The gallery (galeri) on both stacks, through the team's forms and the public pages: albums made
of the village's own photos, captions and order, several photos uploaded at once (a bad one reported
by name, the good ones kept), what a kontributor may not do, other villages' ids, and a photo in an
album that the media library does not delete silently."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent
from etalase.platform.content import gallery
from etalase.platform.content.models import Album, AlbumPhoto
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.tenants.scope import in_village
from tests.conftest import Stack
from tests.people import PASSWORD, Browser, make_user, make_village, village_host
from tests.test_browser import PHONE, chromium, fits_the_screen, server  # noqa: F401  (fixtures)
from tests.test_media_library import purge, stored_keys

CODE_A = "34.04.02.2003"
CODE_B = "33.74.10.1001"


def jpeg(width: int = 900, height: int = 600, color: tuple[int, int, int] = (30, 120, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Team:
    """Village A with two kader, an editor and an admin signed in; village B with its admin."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.vid, slug = make_village(stack, CODE_A)
        self.other_vid, other_slug = make_village(stack, CODE_B)
        for village_id in (self.vid, self.other_vid):
            purge(stack, village_id)  # ids come back on SQLite once a test wiped its villages
        self.base = village_host(stack, slug)
        self.other_base = village_host(stack, other_slug)
        people = {
            "kader": ("Rina Kader", "kontributor", self.vid),
            "kader2": ("Tono Kader", "kontributor", self.vid),
            "editor": ("Budi Editor", "editor", self.vid),
            "admin": ("Sari Admin", "admin", self.vid),
            "admin_b": ("Rahayu Meteseh", "admin", self.other_vid),
        }
        self.browsers: dict[str, Browser] = {}
        for key, (name, role, village_id) in people.items():
            make_user(stack, name, email=f"{key}@contoh.id", roles={village_id: role})
            browser = Browser(stack)
            base = self.base if village_id == self.vid else self.other_base
            assert browser.login(base, f"{key}@contoh.id").status_code == 303
            self.browsers[key] = browser

    def media(self, data: bytes, name: str, alt: str = "", *, village_id: int | None = None) -> int:
        """A file in the library (through the service), in A unless said otherwise."""
        vid = village_id or self.vid
        with self.stack.runtime.session(vid) as db:
            row = media_service.upload(
                db,
                self.stack.runtime.media,
                vid,
                filename=name,
                stream=io.BytesIO(data),
                alt=alt,
                user=None,
                settings=self.stack.settings,
            )
            assert row.id is not None
            return row.id

    def file(self, media_id: int) -> MediaFile:
        with self.stack.runtime.session(all_villages=True) as db:
            row = db.get(MediaFile, media_id)
            assert row is not None
            db.expunge(row)
            return row

    def post(self, who: str, path: str, data: dict[str, str] | None = None, **kw: object) -> object:
        base = self.other_base if who == "admin_b" else self.base
        token_page = f"{base}/admin/galeri"
        return self.browsers[who].post(f"{base}{path}", data or {}, form_url=token_page, **kw)

    def upload(self, who: str, path: str, files: list[tuple[str, bytes, str]], **data: str) -> object:
        browser = self.browsers[who]
        token = browser.csrf(f"{self.base}/admin/galeri")
        return browser.client.post(
            f"{self.base}{path}",
            data={"csrf_token": token, **data},
            files=[("berkas", f) for f in files],
            headers={"origin": self.base},
        )


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def new_album(team: Team, who: str, title: str, **extra: str) -> int:
    response = team.post(who, "/admin/galeri/baru", {"title": title, **extra})
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    match = re.match(r"/admin/galeri/(\d+)\?pesan=dibuat", response.headers["location"])  # type: ignore[attr-defined]
    assert match
    return int(match.group(1))


def album_photos(stack: Stack, village_id: int, album_id: int) -> list[tuple[int, str]]:
    with stack.runtime.session(village_id) as db:
        return [(row.media_id, row.caption) for row, _media in gallery.photos(db, village_id, album_id)]


def test_an_album_of_library_photos_goes_public_in_order_with_captions(team: Team) -> None:
    base, kader, editor = team.base, team.browsers["kader"], team.browsers["editor"]
    sawah = team.media(jpeg(1800, 1200), "sawah.jpg", "Sawah menguning di Dusun Krajan")
    balai = team.media(jpeg(color=(200, 30, 30)), "balai.jpg", "Warga kerja bakti di balai desa")
    document = team.media(PDF, "perdes.pdf")

    # An empty title: refused, with what was typed still there.
    refused = team.post("kader", "/admin/galeri/baru", {"title": " ", "description": "Panen raya 2026"})
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Isi judul album." in refused.text and "Panen raya 2026" in refused.text  # type: ignore[attr-defined]
    bad_day = team.post("kader", "/admin/galeri/baru", {"title": "Panen", "taken_on": "kemarin"})
    assert bad_day.status_code == 400 and "Tanggal kegiatan tidak dapat dibaca" in bad_day.text  # type: ignore[attr-defined]

    album_id = new_album(team, "kader", "Panen Raya Sidomulyo", taken_on="2026-11-20")
    page = kader.get(f"{base}/admin/galeri/{album_id}")
    assert page.status_code == 200
    # The picker: the village's photos as checkboxes, newest first; documents are not offered.
    assert page.text.index(f'value="{balai}"') < page.text.index(f'value="{sawah}"')
    assert f'name="media" value="{document}"' not in page.text
    assert 'type="file" multiple required accept="image/*"' in page.text
    assert "<script" not in page.text

    added = team.post("kader", f"/admin/galeri/{album_id}/tambah", {"media": [str(sawah), str(balai)]})  # type: ignore[dict-item]
    assert added.status_code == 303  # type: ignore[attr-defined]
    assert album_photos(team.stack, team.vid, album_id) == [(sawah, ""), (balai, "")]
    # Nothing ticked: back to the form with a message.
    empty = team.post("kader", f"/admin/galeri/{album_id}/tambah", {})
    assert "galat=kosong" in empty.headers["location"]  # type: ignore[attr-defined]
    assert "Pilih minimal satu foto" in kader.get(f"{base}{empty.headers['location']}").text  # type: ignore[attr-defined]

    # Captions typed, and the first photo moved down: both at once.
    arranged = team.post(
        "kader",
        f"/admin/galeri/{album_id}/foto",
        {f"caption-{sawah}": "Padi siap dipanen", f"caption-{balai}": "Gotong royong", "turun": str(sawah)},
    )
    assert arranged.status_code == 303  # type: ignore[attr-defined]
    assert album_photos(team.stack, team.vid, album_id) == [
        (balai, "Gotong royong"),
        (sawah, "Padi siap dipanen"),
    ]
    team.post("kader", f"/admin/galeri/{album_id}/foto", {"naik": str(sawah)})
    assert [m for m, _c in album_photos(team.stack, team.vid, album_id)] == [sawah, balai]
    too_long = team.post("kader", f"/admin/galeri/{album_id}/foto", {f"caption-{sawah}": "x" * 301})
    assert too_long.status_code == 400 and "Keterangan foto terlalu panjang" in too_long.text  # type: ignore[attr-defined]
    assert 'value="' + "x" * 301 + '"' in too_long.text  # type: ignore[attr-defined]

    # A draft is not public; a kontributor does not publish.
    visitor = Browser(team.stack)
    assert "Panen Raya Sidomulyo" not in visitor.get(f"{base}/galeri").text
    assert visitor.get(f"{base}/galeri/panen-raya-sidomulyo").status_code == 404
    assert team.post("kader", f"/admin/galeri/{album_id}/terbitkan").status_code == 403  # type: ignore[attr-defined]
    assert team.post("editor", f"/admin/galeri/{album_id}/terbitkan").status_code == 303  # type: ignore[attr-defined]

    listing = visitor.get(f"{base}/galeri")
    assert listing.status_code == 200 and "Panen Raya Sidomulyo" in listing.text
    assert "20 November 2026" in listing.text
    cover = team.file(sawah)  # no cover chosen: the first photo
    store = team.stack.runtime.media
    assert f'srcset="{media_service.srcset(cover, store)}"' in listing.text
    assert 'alt="Sawah menguning di Dusun Krajan"' in listing.text
    shown = visitor.get(f"{base}/galeri/panen-raya-sidomulyo")
    assert shown.status_code == 200
    html = shown.text
    assert html.index("Padi siap dipanen") < html.index("Gotong royong")
    assert "<figcaption>Padi siap dipanen</figcaption>" in html
    largest = store.url(str(cover.variant_list[-1]["key"]))
    assert (
        f'<a href="{largest}"><img src="{store.url(cover.key)}" srcset="{media_service.srcset(cover, store)}"'
        in html
    )
    assert (
        'sizes="(min-width: 46rem) 15rem, (min-width: 40rem) 33vw, 50vw"' in html and 'loading="lazy"' in html
    )
    assert 'width="1600" height="1067"' in html and 'alt="Sawah menguning di Dusun Krajan"' in html
    # Once published, the album is the editor's: the kader no longer changes it.
    assert kader.get(f"{base}/admin/galeri/{album_id}").status_code == 403
    # The cover chosen by the editor shows in the list.
    team.post("editor", f"/admin/galeri/{album_id}/foto", {"sampul": str(balai)})
    assert media_service.srcset(team.file(balai), store) in visitor.get(f"{base}/galeri").text

    # Taken down, trashed, restored: public only while published.
    assert team.post("editor", f"/admin/galeri/{album_id}/tarik").status_code == 303  # type: ignore[attr-defined]
    assert visitor.get(f"{base}/galeri/panen-raya-sidomulyo").status_code == 404
    assert team.post("admin", f"/admin/galeri/{album_id}/hapus").status_code == 303  # type: ignore[attr-defined]
    assert "Panen Raya Sidomulyo" in editor.get(f"{base}/admin/galeri?status=sampah").text
    assert team.post("admin", f"/admin/galeri/{album_id}/pulihkan").status_code == 303  # type: ignore[attr-defined]
    with team.stack.runtime.session(team.vid) as db:
        logged = db.exec(select(AuditEvent.action, AuditEvent.actor_name).order_by(col(AuditEvent.id))).all()
    assert [tuple(e) for e in logged if e[0].startswith("album_")] == [
        ("album_created", "Rina Kader"),
        ("album_photos_added", "Rina Kader"),
        ("album_published", "Budi Editor"),
        ("album_unpublished", "Budi Editor"),
        ("album_deleted", "Sari Admin"),
        ("album_restored", "Sari Admin"),
    ]


def test_an_album_without_photos_is_not_published(team: Team) -> None:
    album_id = new_album(team, "editor", "Album kosong")
    refused = team.post("editor", f"/admin/galeri/{album_id}/terbitkan")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Tambahkan minimal satu foto sebelum menerbitkan album." in refused.text  # type: ignore[attr-defined]


def test_another_villages_photo_or_a_document_is_never_added(team: Team) -> None:
    mine = team.media(jpeg(), "milik-a.jpg", "Milik Sidomulyo")
    theirs = team.media(jpeg(), "peta-meteseh.jpg", "Peta rahasia Meteseh", village_id=team.other_vid)
    document = team.media(PDF, "perdes.pdf")
    album_id = new_album(team, "editor", "Kegiatan Sidomulyo")
    for wrong, message in (
        (theirs, "Foto tidak ditemukan di pustaka media desa ini."),
        (document, "adalah dokumen, bukan foto"),
    ):
        response = team.post("editor", f"/admin/galeri/{album_id}/tambah", {"media": [str(mine), str(wrong)]})  # type: ignore[dict-item]
        assert response.status_code == 400 and message in response.text  # type: ignore[attr-defined]
        assert "Meteseh" not in response.text  # type: ignore[attr-defined]
        assert album_photos(team.stack, team.vid, album_id) == []  # not even the good one
    with team.stack.runtime.session(all_villages=True) as db:
        assert db.exec(select(AlbumPhoto).where(col(AlbumPhoto.media_id) == theirs)).all() == []
    # B's photo is not offered in A's picker either.
    page = team.browsers["editor"].get(f"{team.base}/admin/galeri/{album_id}")
    assert f'value="{theirs}"' not in page.text and "Meteseh" not in page.text


def test_another_villages_album_is_not_found(team: Team) -> None:
    theirs = team.media(jpeg(), "rahasia.jpg", "Rahasia Meteseh", village_id=team.other_vid)
    base_b = team.other_base
    created = team.browsers["admin_b"].post(
        f"{base_b}/admin/galeri/baru", {"title": "Album Meteseh"}, form_url=f"{base_b}/admin/galeri"
    )
    album_b = int(created.headers["location"].split("/")[3].split("?")[0])
    with team.stack.runtime.session(team.other_vid) as db:
        gallery.add_photos(db, team.other_vid, album_b, [theirs])
    admin = team.browsers["admin"]
    assert admin.get(f"{team.base}/admin/galeri/{album_b}").status_code == 404
    for action, form in (
        ("", {"title": "Diganti dari Sidomulyo"}),
        ("/foto", {"lepas": str(theirs)}),
        ("/tambah", {"media": str(theirs)}),
        ("/terbitkan", {}),
        ("/hapus", {}),
        ("/pulihkan", {}),
    ):
        response = team.post("admin", f"/admin/galeri/{album_b}{action}", form)
        assert response.status_code == 404, action  # type: ignore[attr-defined]
    upload = team.upload("admin", f"/admin/galeri/{album_b}/unggah", [("a.jpg", jpeg(), "image/jpeg")])
    assert upload.status_code == 404  # type: ignore[attr-defined]
    with team.stack.runtime.session(team.other_vid) as db:
        album = db.get(Album, album_b)
        assert album is not None and album.title == "Album Meteseh" and album.deleted_at is None
    assert album_photos(team.stack, team.other_vid, album_b) == [(theirs, "")]
    assert "Album Meteseh" not in admin.get(f"{team.base}/admin/galeri").text
    assert Browser(team.stack).get(f"{team.base}/galeri/album-meteseh").status_code == 404


def test_several_photos_uploaded_at_once_one_bad_file_is_named_and_the_good_ones_stay(team: Team) -> None:
    album_id = new_album(team, "kader", "Posyandu Balita")
    before = stored_keys(team.stack, team.vid)
    response = team.upload(
        "kader",
        f"/admin/galeri/{album_id}/unggah",
        [
            ("timbang.jpg", jpeg(color=(10, 90, 200)), "image/jpeg"),
            ("skrip.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg"),
            ("laporan.pdf", PDF, "application/pdf"),
            ("imunisasi.jpg", jpeg(color=(240, 200, 10)), "image/jpeg"),
        ],
        keterangan="Penimbangan bulan November",
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "Foto berikut tidak diunggah:" in text
    assert "<strong>skrip.jpg</strong>: Berkas ini bukan foto. Kirim foto JPG, PNG, WebP atau GIF." in text
    assert "<strong>laporan.pdf</strong>: ini dokumen, bukan foto." in text
    assert "2 foto sudah diunggah dan ditambahkan ke album." in text
    photos = album_photos(team.stack, team.vid, album_id)
    assert [caption for _m, caption in photos] == ["Penimbangan bulan November"] * 2
    files = [team.file(media_id) for media_id, _c in photos]
    assert [f.original_name for f in files] == ["timbang.jpg", "imunisasi.jpg"]
    assert {f.alt for f in files} == {"Posyandu Balita – Penimbangan bulan November"}
    # Nothing of the bad files was kept: only the two photos' objects are new.
    with team.stack.runtime.session(team.vid) as db:
        assert len(db.exec(in_village(MediaFile, team.vid)).all()) == 2
    assert stored_keys(team.stack, team.vid) - before == {k for f in files for k in f.keys}

    # All good: straight back to the album.
    good = team.upload("kader", f"/admin/galeri/{album_id}/unggah", [("a.jpg", jpeg(), "image/jpeg")])
    assert good.status_code == 303 and "pesan=diunggah" in good.headers["location"]  # type: ignore[attr-defined]
    assert len(album_photos(team.stack, team.vid, album_id)) == 3
    # Someone else's draft: a kontributor uploads nothing into it.
    other = team.upload("kader2", f"/admin/galeri/{album_id}/unggah", [("b.jpg", jpeg(), "image/jpeg")])
    assert other.status_code == 403  # type: ignore[attr-defined]
    assert len(album_photos(team.stack, team.vid, album_id)) == 3


def test_kontributor_changes_only_their_own_drafts(team: Team) -> None:
    album_id = new_album(team, "kader", "Lomba 17 Agustus")
    kader2 = team.browsers["kader2"]
    assert kader2.get(f"{team.base}/admin/galeri/{album_id}").status_code == 403
    assert team.post("kader2", f"/admin/galeri/{album_id}", {"title": "Diganti"}).status_code == 403  # type: ignore[attr-defined]
    for action in ("terbitkan", "tarik", "hapus"):
        assert team.post("kader", f"/admin/galeri/{album_id}/{action}").status_code == 403  # type: ignore[attr-defined]
    saved = team.post("kader", f"/admin/galeri/{album_id}", {"title": "Lomba 17 Agustus 2026"})
    assert saved.status_code == 303  # type: ignore[attr-defined]
    with team.stack.runtime.session(team.vid) as db:
        album = db.get(Album, album_id)
        assert album is not None and album.title == "Lomba 17 Agustus 2026" and album.status == "draft"
        assert album.slug == "lomba-17-agustus"  # the address stays


def test_a_photo_in_an_album_is_not_deleted_silently(team: Team) -> None:
    photo = team.media(jpeg(), "pasar.jpg", "Pasar desa")
    cover = team.media(jpeg(color=(1, 2, 3)), "sampul.jpg", "Sampul")
    album_id = new_album(team, "editor", "Pasar Desa")
    team.post("editor", f"/admin/galeri/{album_id}/tambah", {"media": [str(photo), str(cover)]})  # type: ignore[dict-item]
    team.post("editor", f"/admin/galeri/{album_id}/foto", {"sampul": str(cover)})
    admin, library = team.browsers["admin"], f"{team.base}/admin/media"
    refused = admin.post(f"{library}/{photo}/hapus", form_url=library)
    assert refused.status_code == 409
    assert "masih dipakai di 1 tempat" in refused.text and "Galeri (draf): “Pasar Desa”" in refused.text
    assert team.file(photo).id == photo
    with team.stack.runtime.session(team.vid) as db:
        places = media_service.where_used(db, team.vid, cover)
    assert [(p.what, p.title) for p in places] == [("Galeri (draf)", "Pasar Desa")]
    # Deleting anyway (asked for): the photo leaves the album, the album stays.
    forced = admin.post(f"{library}/{photo}/hapus", {"paksa": "1"}, form_url=library)
    assert forced.status_code == 303
    assert album_photos(team.stack, team.vid, album_id) == [(cover, "")]
    forced = admin.post(f"{library}/{cover}/hapus", {"paksa": "1"}, form_url=library)
    assert forced.status_code == 303
    assert album_photos(team.stack, team.vid, album_id) == []
    with team.stack.runtime.session(team.vid) as db:
        album = db.get(Album, album_id)
        assert album is not None and album.cover_media_id is None


# --- on a phone ---------------------------------------------------------------------------------------
def test_the_album_on_a_360_pixel_phone(
    chromium: object,  # noqa: F811
    server: int,  # noqa: F811
    embedded_stack: Stack,
) -> None:
    """Two photos a row on a 360-pixel phone, nothing scrolls sideways, and the team's album page
    (no JavaScript, strict CSP) shows its thumbnails without a complaint in the console."""
    stack = embedded_stack
    village_id, slug = make_village(stack, CODE_A)
    purge(stack, village_id)
    user = make_user(stack, "Rina Kader", email="rina@contoh.id", roles={village_id: "editor"})
    with stack.runtime.session(village_id) as db:
        ids = []
        for n, color in enumerate(((200, 30, 30), (30, 200, 30), (30, 30, 200))):
            row = media_service.upload(
                db,
                stack.runtime.media,
                village_id,
                filename=f"foto-{n}.jpg",
                stream=io.BytesIO(jpeg(1200, 900, color)),
                alt=f"Foto kegiatan {n}",
                user=None,
                settings=stack.settings,
            )
            assert row.id is not None
            ids.append(row.id)
        album = gallery.create_album(db, village_id, user, title="Bersih Desa", taken_on=None)
        assert album.id is not None
        gallery.add_photos(db, village_id, album.id, ids)
        gallery.publish(db, village_id, album.id)
        album_id = album.id
    site = f"http://{slug}.etalase.test:{server}"
    context = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{site}/galeri/bersih-desa")
    boxes = [page.locator(".photo-grid img").nth(i).bounding_box() for i in range(3)]
    assert all(boxes)
    first, second, third = boxes
    assert first["y"] == second["y"] and second["x"] > first["x"]  # type: ignore[index]
    assert third["y"] > first["y"] and first["width"] > 130  # type: ignore[index]
    assert fits_the_screen(page)
    page.goto(f"{site}/galeri")
    assert fits_the_screen(page) and page.locator(".album-grid img").count() == 1

    page.goto(f"{site}/admin/galeri/{album_id}")
    page.fill("input[name=identifier]", "rina@contoh.id")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/admin/galeri/{album_id}")
    assert fits_the_screen(page)
    page.fill(f"input[name=caption-{ids[2]}]", "Warga membersihkan selokan")
    page.click(f"button[name=naik][value='{ids[2]}']")
    page.wait_for_url(re.compile(r".*pesan=foto.*"))
    assert album_photos(stack, village_id, album_id)[1] == (ids[2], "Warga membersihkan selokan")
    assert fits_the_screen(page)
    assert [p for p in problems if "status of 4" not in p] == []
    context.close()
    purge(stack, village_id)
