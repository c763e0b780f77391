"""The village team's news screens (/admin/berita) on both stacks, through the browser's forms:
write, submit, send back, resubmit, schedule, publish, unpublish, two people saving at once,
revisions, trash, and what a kontributor may not do."""

from __future__ import annotations

import io
import re
from datetime import UTC, timedelta

import pytest
from PIL import Image
from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent
from etalase.platform.content.models import Post, Revision
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.tenants.models import utcnow
from etalase.tenants.timezones import zone_for
from tests.conftest import Stack, StatementLog
from tests.people import Browser, make_user, make_village, village_host
from tests.test_gallery import PDF, jpeg

CODE = "34.04.02.2003"
VERSION = re.compile(r'name="version" value="(\d+)"')


class Team:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.vid, slug = make_village(stack, CODE)
        self.base = village_host(stack, slug)
        roles = {
            "kader": ("Rina Kader", "kontributor"),
            "kader2": ("Tono Kader", "kontributor"),
            "editor": ("Budi Editor", "editor"),
            "admin": ("Sari Admin", "admin"),
        }
        self.browsers: dict[str, Browser] = {}
        for key, (name, role) in roles.items():
            make_user(stack, name, email=f"{key}@contoh.id", roles={self.vid: role})
            browser = Browser(stack)
            assert browser.login(self.base, f"{key}@contoh.id").status_code == 303
            self.browsers[key] = browser

    def token(self, who: str) -> str:
        return self.browsers[who].csrf(f"{self.base}/admin/berita")

    def act(self, who: str, post_id: int, action: str, **form: str) -> int:
        response = self.browsers[who].post(
            f"{self.base}/admin/berita/{post_id}/{action}", {**form, "csrf_token": self.token(who)}
        )
        return response.status_code

    def post(self, post_id: int) -> Post:
        with self.stack.runtime.session(self.vid) as db:
            row = db.get(Post, post_id)
            assert row is not None
            db.expunge(row)
            return row

    def home(self) -> str:
        return Browser(self.stack).get(f"{self.base}/").text

    def version(self, who: str, post_id: int) -> str:
        match = VERSION.search(self.browsers[who].get(f"{self.base}/admin/berita/{post_id}").text)
        assert match
        return match.group(1)


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def _new(team: Team, who: str, title: str, body: str = "<p>Isi berita.</p>", **extra: str) -> int:
    response = team.browsers[who].post(
        f"{team.base}/admin/berita/baru", {"title": title, "summary": "", "body": body, **extra}
    )
    assert response.status_code == 303, response.text
    match = re.match(r"/admin/berita/(\d+)\?pesan=dibuat", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def test_a_post_from_draft_to_the_public_site_and_back(team: Team) -> None:
    base, kader, editor = team.base, team.browsers["kader"], team.browsers["editor"]
    assert kader.get(f"{base}/admin/berita/baru").status_code == 200
    # An empty title: refused, with everything typed still in the form.
    refused = kader.post(
        f"{base}/admin/berita/baru",
        {"title": " ", "summary": "Ringkasan saya", "body": "<p>Teks panjang saya</p>", "tags": "posyandu"},
    )
    assert refused.status_code == 400
    assert "Isi judul tulisan." in refused.text and "Ringkasan saya" in refused.text
    assert "Teks panjang saya" in refused.text and 'value="posyandu"' in refused.text

    post_id = _new(
        team, "kader", "Posyandu Balita Dusun Krajan", categories="Kesehatan", tags="posyandu, balita"
    )
    page = kader.get(f"{base}/admin/berita/{post_id}")
    assert page.status_code == 200 and 'value="Kesehatan"' in page.text and "balita, posyandu" in page.text
    assert team.act("kader", post_id, "ajukan") == 303
    assert team.post(post_id).status == "review"
    # Submitted: the kontributor's to read in the list, the editor's to change.
    assert kader.get(f"{base}/admin/berita/{post_id}").status_code == 403
    assert "Posyandu Balita" in kader.get(f"{base}/admin/berita?status=tinjauan").text

    # The editor sends it back; a comment is required.
    assert team.act("editor", post_id, "kembalikan", comment="  ") == 400
    assert team.act("editor", post_id, "kembalikan", comment="Tambahkan jam dan tempat kegiatan.") == 303
    assert team.post(post_id).status == "draft"
    assert "Tambahkan jam dan tempat kegiatan." in kader.get(f"{base}/admin/berita?status=draf").text
    page = kader.get(f"{base}/admin/berita/{post_id}")
    assert "Tambahkan jam dan tempat kegiatan." in page.text

    # The kontributor edits and resubmits.
    saved = kader.post(
        f"{base}/admin/berita/{post_id}",
        {
            "version": team.version("kader", post_id),
            "title": "Posyandu Balita Dusun Krajan",
            "summary": "Sabtu pagi di balai dusun.",
            "body": "<p>Sabtu, 28 November, pukul 08.00 di balai dusun.</p>",
            "categories": "Kesehatan",
            "tags": "posyandu",
        },
    )
    assert saved.status_code == 303
    assert "pukul 08.00" in team.post(post_id).body
    assert team.act("kader", post_id, "ajukan") == 303

    # Scheduled for tomorrow (village time): not public yet.
    zone, _name = zone_for(CODE)
    tomorrow = (utcnow().astimezone(zone) + timedelta(days=1)).replace(second=0, microsecond=0)
    assert team.act("editor", post_id, "terbitkan", jadwal=tomorrow.strftime("%Y-%m-%dT%H:%M")) == 303
    row = team.post(post_id)
    assert row.status == "scheduled" and row.published_at is not None
    when = row.published_at if row.published_at.tzinfo else row.published_at.replace(tzinfo=UTC)
    assert abs((when - tomorrow).total_seconds()) < 1  # the time typed, read in the village's zone
    assert "Posyandu Balita" not in team.home()
    assert "Posyandu Balita" in editor.get(f"{base}/admin/berita?status=terjadwal").text

    # Published now: on the village's home page.
    assert team.act("editor", post_id, "terbitkan") == 303
    assert team.post(post_id).status == "published"
    assert "Posyandu Balita Dusun Krajan" in team.home()
    # Taken down: gone from the home page, a draft again.
    assert team.act("editor", post_id, "tarik") == 303
    assert team.post(post_id).status == "draft"
    assert "Posyandu Balita" not in team.home()

    with team.stack.runtime.session(team.vid) as db:
        actions = {
            e.action for e in db.exec(select(AuditEvent).where(col(AuditEvent.target).contains("Posyandu")))
        }
    assert {
        "post_submitted",
        "post_sent_back",
        "post_scheduled",
        "post_published",
        "post_unpublished",
    } <= actions


def test_two_people_saving_at_once_lose_nothing(team: Team) -> None:
    base = team.base
    post_id = _new(team, "editor", "Jadwal Ronda Malam")
    version = team.version("editor", post_id)
    assert team.version("admin", post_id) == version  # both opened the same version
    first = team.browsers["editor"].post(
        f"{base}/admin/berita/{post_id}",
        {"version": version, "title": "Jadwal Ronda Malam", "summary": "", "body": "<p>Versi editor</p>"},
    )
    assert first.status_code == 303
    second = team.browsers["admin"].post(
        f"{base}/admin/berita/{post_id}",
        {
            "version": version,
            "title": "Jadwal Ronda Malam Desember",
            "summary": "",
            "body": "<p>Versi admin</p>",
        },
        form_url=f"{base}/admin/berita",
    )
    assert second.status_code == 409
    assert "Budi Editor menyimpan tulisan ini setelah Anda membukanya" in second.text
    assert "Versi admin" in second.text  # what was typed is still in the form
    assert "Versi editor" in second.text  # next to what is saved now
    assert f"/admin/berita/{post_id}/revisi?revisi=" in second.text
    assert team.post(post_id).body == "<p>Versi editor</p>"
    with team.stack.runtime.session(team.vid) as db:
        kept = db.exec(
            select(Revision).where(col(Revision.post_id) == post_id, col(Revision.reason) == "conflict")
        ).one()
        assert kept.body == "<p>Versi admin</p>" and kept.author_name == "Sari Admin"
        kept_id = kept.id

    # The revisions page compares the kept text with the saved one; restoring it brings it back.
    revisions = team.browsers["admin"].get(f"{base}/admin/berita/{post_id}/revisi?revisi={kept_id}")
    assert (
        revisions.status_code == 200 and "Versi admin" in revisions.text and "Versi editor" in revisions.text
    )
    assert '<span class="del">− &lt;p&gt;Versi admin&lt;/p&gt;</span>' in revisions.text
    assert '<span class="ins">+ &lt;p&gt;Versi editor&lt;/p&gt;</span>' in revisions.text
    current = team.post(post_id).version
    stale = team.act("admin", post_id, f"revisi/{kept_id}/pulihkan", version=str(current - 1))
    assert stale == 409
    assert (
        team.act("admin", post_id, f"revisi/{kept_id}/pulihkan", version=str(team.post(post_id).version))
        == 303
    )
    restored = team.post(post_id)
    assert restored.body == "<p>Versi admin</p>" and restored.title == "Jadwal Ronda Malam Desember"


def test_scripts_are_cleaned_and_trash_can_be_undone(team: Team) -> None:
    base = team.base
    post_id = _new(team, "editor", "Kerja Bakti", body='<p onclick="x()">Bersih</p><script>alert(1)</script>')
    body = team.post(post_id).body
    assert "<script" not in body and "onclick" not in body and "Bersih" in body
    assert team.act("editor", post_id, "terbitkan") == 303
    slug = team.post(post_id).slug
    assert "Kerja Bakti" in team.home()

    assert team.act("editor", post_id, "hapus") == 303
    assert team.post(post_id).deleted_at is not None
    # A trashed post is off the public site even though its status is still "published".
    assert team.post(post_id).status == "published"
    assert "Kerja Bakti" not in team.home()
    assert Browser(team.stack).get(f"{base}/berita/{slug}").status_code == 410  # gone, not unknown
    assert "Kerja Bakti" not in team.browsers["editor"].get(f"{base}/admin/berita?status=terbit").text
    assert "Kerja Bakti" in team.browsers["editor"].get(f"{base}/admin/berita?status=sampah").text
    assert team.act("kader", post_id, "pulihkan") == 403
    assert team.act("editor", post_id, "pulihkan") == 303
    assert team.post(post_id).deleted_at is None
    assert "Kerja Bakti" in team.home()
    assert Browser(team.stack).get(f"{base}/berita/{slug}").status_code == 200


def test_a_kontributor_edits_only_their_own_drafts_and_never_publishes(team: Team) -> None:
    base, kader = team.base, team.browsers["kader"]
    theirs = _new(team, "kader2", "Draf Milik Tono")
    forbidden = kader.get(f"{base}/admin/berita/{theirs}")
    assert forbidden.status_code == 403 and "draf tulisan Anda sendiri" in forbidden.text
    changed = kader.post(
        f"{base}/admin/berita/{theirs}",
        {"version": "1", "title": "Diubah orang lain", "summary": "", "body": ""},
        form_url=f"{base}/admin/berita",
    )
    assert changed.status_code == 403
    assert team.act("kader", theirs, "ajukan") == 403
    assert team.act("kader", theirs, "hapus") == 403
    assert "Draf Milik Tono" not in kader.get(f"{base}/admin/berita?status=draf").text

    own = _new(team, "kader", "Draf Milik Rina")
    for action in ("terbitkan", "tarik", "pulihkan"):
        assert team.act("kader", own, action) == 403, action
    assert team.act("kader", own, "kembalikan", comment="x") == 403
    row = team.post(own)
    assert row.status == "draft" and row.title == "Draf Milik Rina"
    assert team.post(theirs).title == "Draf Milik Tono"
    # Their own draft they may trash.
    assert team.act("kader", own, "hapus") == 303


def _photo(team: Team, village_id: int, name: str, alt: str) -> int:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 120, 60)).save(buffer, "JPEG")
    buffer.seek(0)
    with team.stack.runtime.session(village_id) as db:
        media = media_service.upload(
            db,
            team.stack.runtime.media,
            village_id,
            filename=name,
            stream=buffer,
            alt=alt,
            user=None,
            settings=team.stack.settings,
        )
        assert media.id is not None
        return media.id


def test_the_cover_photo_is_chosen_from_the_villages_own_photos(team: Team) -> None:
    photo = _photo(team, team.vid, "sawah.jpg", "Sawah menguning di Dusun Krajan")
    other_vid, _slug = make_village(team.stack, "34.04.02.2004")
    foreign = _photo(team, other_vid, "tetangga.jpg", "Foto desa tetangga")
    kader = team.browsers["kader"]
    form = kader.get(f"{team.base}/admin/berita/baru").text
    assert "Foto sampul" in form and "Tanpa foto sampul" in form and 'href="/admin/media"' in form
    assert f'name="cover_media_id" value="{photo}"' in form and "Sawah menguning" in form
    assert f'value="{foreign}"' not in form and "Foto desa tetangga" not in form

    # Another village's photo: refused with a sentence, no post is made.
    refused = kader.post(
        f"{team.base}/admin/berita/baru",
        {"title": "Panen raya", "body": "Padi menguning.", "cover_media_id": str(foreign)},
    )
    assert refused.status_code == 400 and "Foto sampul tidak ditemukan" in refused.text
    with team.stack.runtime.session(team.vid) as db:
        assert db.exec(select(Post).where(col(Post.title) == "Panen raya")).first() is None

    post_id = _new(team, "kader", "Panen raya", "Padi menguning.", cover_media_id=str(photo))
    assert team.post(post_id).cover_media_id == photo
    page = kader.get(f"{team.base}/admin/berita/{post_id}").text
    assert f'value="{photo}" checked' in page
    # Editing: a document or another village's file is refused and the cover stays.
    version = team.version("kader", post_id)
    edit = {
        "version": version,
        "title": "Panen raya",
        "body": "Padi menguning.",
        "cover_media_id": str(foreign),
    }
    bad = kader.post(f"{team.base}/admin/berita/{post_id}", edit)
    assert bad.status_code == 400 and "Foto sampul tidak ditemukan" in bad.text
    assert team.post(post_id).cover_media_id == photo

    assert team.act("kader", post_id, "ajukan") == 303
    assert team.act("editor", post_id, "terbitkan") == 303
    home = team.home()
    assert 'alt="Sawah menguning di Dusun Krajan"' in home and "srcset=" in home and 'loading="lazy"' in home
    public = Browser(team.stack).get(f"{team.base}/berita/{team.post(post_id).slug}").text
    assert 'class="cover"' in public and "320w" in public

    # No cover: the post goes back to having none.
    version = team.version("editor", post_id)
    cleared = team.browsers["editor"].post(
        f"{team.base}/admin/berita/{post_id}",
        {"version": version, "title": "Panen raya", "body": "Padi menguning.", "cover_media_id": ""},
    )
    assert cleared.status_code == 303
    assert team.post(post_id).cover_media_id is None


def test_the_home_page_reads_every_cover_in_one_query(team: Team, sql_log: StatementLog) -> None:
    for number in range(3):
        photo = _photo(team, team.vid, f"foto-{number}.jpg", f"Kegiatan warga {number}")
        post_id = _new(team, "editor", f"Kegiatan {number}", "Isi.", cover_media_id=str(photo))
        assert team.act("editor", post_id, "terbitkan") == 303
    sql_log.statements.clear()
    home = team.home()
    assert all(f'alt="Kegiatan warga {n}"' in home for n in range(3))
    assert len(sql_log.touching("media_file")) == 1, sql_log.touching("media_file")


def _send_with_cover(
    team: Team, who: str, path: str, fields: dict[str, str], photo: tuple[str, bytes, str]
) -> object:
    """The post form as a phone sends it with a cover photo taken for it (multipart)."""
    browser = team.browsers[who]
    return browser.client.post(
        f"{team.base}{path}",
        data={"csrf_token": team.token(who), **fields},
        files=[("sampul_baru", photo)],
        headers={"origin": team.base},
    )


def test_a_cover_photo_taken_with_the_phone_goes_with_the_post(team: Team) -> None:
    """The operator writes the news and takes its photo in one form: no trip to the media library
    first. The photo is stored in the library (GPS removed there) with the title as its alt text;
    a form refused for another reason comes back with the text and the stored photo chosen."""
    form = team.browsers["kader"].get(f"{team.base}/admin/berita/baru").text
    assert 'enctype="multipart/form-data"' in form and 'name="sampul_baru"' in form
    assert 'accept="image/*"' in form

    # No title: refused, but the photo is kept in the library and stays chosen, the body too.
    refused = _send_with_cover(
        team,
        "kader",
        "/admin/berita/baru",
        {"title": "", "body": "<p>Warga menanam padi.</p>"},
        ("sawah.jpg", jpeg(), "image/jpeg"),
    )
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Warga menanam padi." in refused.text  # type: ignore[attr-defined]
    with team.stack.runtime.session(team.vid) as db:
        (kept,) = db.exec(media_service.library(team.vid)).all()
        assert kept.original_name == "sawah.jpg" and kept.kind == "image"
        assert db.exec(select(Post)).first() is None
    assert f'name="cover_media_id" value="{kept.id}" checked' in refused.text  # type: ignore[attr-defined]

    # Sent again with the title: the post has that photo as its cover.
    made = team.browsers["kader"].post(
        f"{team.base}/admin/berita/baru",
        {
            "title": "Tanam Padi Serentak",
            "body": "<p>Warga menanam padi.</p>",
            "cover_media_id": str(kept.id),
        },
    )
    assert made.status_code == 303
    post_id = int(re.findall(r"/admin/berita/(\d+)", made.headers["location"])[0])
    assert team.post(post_id).cover_media_id == kept.id

    # Editing: a document sent as the cover is refused, the cover and the typed title stay.
    edit = {
        "version": team.version("kader", post_id),
        "title": "Tanam Padi Serentak 2026",
        "body": "<p>Isi.</p>",
    }
    bad = _send_with_cover(
        team,
        "kader",
        f"/admin/berita/{post_id}",
        edit | {"cover_media_id": str(kept.id)},
        ("nota.pdf", PDF, "application/pdf"),
    )
    assert bad.status_code == 400 and "“nota.pdf” adalah dokumen, bukan foto." in bad.text  # type: ignore[attr-defined]
    assert 'value="Tanam Padi Serentak 2026"' in bad.text  # type: ignore[attr-defined]
    assert team.post(post_id).cover_media_id == kept.id and team.post(post_id).title == "Tanam Padi Serentak"

    # A web page named like a photo: refused as "not a photo", without offering documents.
    page = b"<!doctype html><script>alert(1)</script>"
    fake = _send_with_cover(
        team,
        "kader",
        f"/admin/berita/{post_id}",
        edit | {"cover_media_id": str(kept.id)},
        ("foto.jpg", page, "image/jpeg"),
    )
    assert fake.status_code == 400 and "“foto.jpg”: Berkas ini bukan foto." in fake.text  # type: ignore[attr-defined]
    assert "PDF" not in fake.text.split('class="box error"')[1][:400]  # type: ignore[attr-defined]
    # A new photo replaces the chosen one; its alt text is the post's title.
    replaced = _send_with_cover(
        team,
        "kader",
        f"/admin/berita/{post_id}",
        edit | {"cover_media_id": str(kept.id)},
        ("panen.jpg", jpeg(color=(200, 160, 40)), "image/jpeg"),
    )
    assert replaced.status_code == 303, replaced.text  # type: ignore[attr-defined]
    cover = team.post(post_id).cover_media_id
    assert cover is not None and cover != kept.id
    with team.stack.runtime.session(team.vid) as db:
        stored = db.exec(media_service.library(team.vid).where(col(MediaFile.id) == cover)).one()
        assert stored.alt == "Tanam Padi Serentak 2026" and stored.original_name == "panen.jpg"

    # A form too big to read says so in Bahasa Indonesia.
    too_big = team.browsers["kader"].get(f"{team.base}/admin/berita/baru?galat=besar").text
    assert "Foto sampul terlalu besar" in too_big
