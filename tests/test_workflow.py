"""A post's life on both stacks: draft, review, send back, schedule, publish, unpublish, trash,
revisions, and two people saving at once (nothing lost)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from etalase.platform.accounts.authz import ROLE_PERMISSIONS, Auth, VillageActor, may_edit_post
from etalase.platform.accounts.models import User, UserSession
from etalase.platform.content import ticker, workflow
from etalase.platform.content.models import (
    Album,
    Announcement,
    Category,
    Event,
    Page,
    Post,
    PostCategory,
    Revision,
)
from etalase.platform.media_library.models import MediaFile
from etalase.tenants.models import Village, utcnow
from tests.conftest import Stack
from tests.people import make_user, make_village


@pytest.fixture
def team(stack: Stack) -> tuple[int, User, User]:
    vid, _slug = make_village(stack, "34.04.02.2003")
    kader = make_user(stack, "Rina Kader", email="rina@contoh.id", roles={vid: "kontributor"})
    editor = make_user(stack, "Budi Editor", email="budi@contoh.id", roles={vid: "editor"})
    return vid, kader, editor


def content_version(stack: Stack, vid: int) -> int:
    with stack.runtime.session(all_villages=True) as db:
        village = db.get(Village, vid)
        assert village is not None
        return village.content_version


def test_draft_review_send_back_publish(stack: Stack, team: tuple[int, User, User]) -> None:
    vid, kader, _editor = team
    with stack.runtime.session(vid) as db:
        post = workflow.create_draft(
            db, vid, kader, title="  Kerja bakti   dusun ", body="<p>Gotong royong</p>"
        )
        assert (
            post.title == "Kerja bakti dusun" and post.slug == "kerja-bakti-dusun" and post.status == "draft"
        )
        post_id = post.id
        assert post_id is not None
    with stack.runtime.session(vid) as db:
        assert workflow.submit(db, vid, post_id).status == "review"
        with pytest.raises(workflow.ContentError, match="Hanya draf"):
            workflow.submit(db, vid, post_id)
    with stack.runtime.session(vid) as db:
        with pytest.raises(workflow.ContentError, match="Tulis catatan"):
            workflow.send_back(db, vid, post_id, "   ")
        back = workflow.send_back(db, vid, post_id, "Tambahkan foto kegiatan.")
        assert back.status == "draft" and back.review_comment == "Tambahkan foto kegiatan."
    before = content_version(stack, vid)
    with stack.runtime.session(vid) as db:
        workflow.submit(db, vid, post_id)
        published = workflow.publish(db, vid, post_id)
        assert published.status == "published" and published.published_at is not None
        assert published.review_comment == ""
    assert content_version(stack, vid) == before + 1  # the public cache moves on
    with stack.runtime.session(vid) as db:
        assert workflow.unpublish(db, vid, post_id).status == "draft"
    assert content_version(stack, vid) == before + 2


def test_scheduled_posts_go_live_when_due(stack: Stack, team: tuple[int, User, User]) -> None:
    vid, kader, _editor = team
    when = utcnow() + timedelta(hours=2)
    with stack.runtime.session(vid) as db:
        post = workflow.create_draft(db, vid, kader, title="Jadwal posyandu")
        assert post.id is not None
        scheduled = workflow.publish(db, vid, post.id, at=when)
        assert scheduled.status == "scheduled"
        post_id = post.id
    with stack.runtime.session(all_villages=True) as db:
        assert workflow.publish_due(db, now=when - timedelta(minutes=1)) == 0
    with stack.runtime.session(all_villages=True) as db:
        assert workflow.publish_due(db, now=when + timedelta(seconds=1)) == 1
    with stack.runtime.session(vid) as db:
        assert workflow.get_post(db, vid, post_id).status == "published"


def test_every_save_keeps_a_revision_and_any_revision_comes_back(
    stack: Stack, team: tuple[int, User, User]
) -> None:
    vid, kader, editor = team
    with stack.runtime.session(vid) as db:
        post = workflow.create_draft(db, vid, kader, title="Pasar desa", body="<p>Versi satu</p>")
        assert post.id is not None
        post_id = post.id
    with stack.runtime.session(vid) as db:
        saved = workflow.save(
            db,
            vid,
            post_id,
            editor,
            expected_version=1,
            title="Pasar desa",
            summary="",
            body="<p>Versi dua</p>",
        )
        assert saved.version == 2
        # An autosave of the same text adds nothing.
        again = workflow.save(
            db,
            vid,
            post_id,
            editor,
            expected_version=2,
            title="Pasar desa",
            summary="",
            body="<p>Versi dua</p>",
        )
        assert again.version == 2
    with stack.runtime.session(vid) as db:
        history = workflow.revisions(db, vid, post_id)
        assert [r.body for r in history] == ["<p>Versi satu</p>"]
        diff = workflow.compare(history[0].body, workflow.get_post(db, vid, post_id).body)
        assert ("-", "<p>Versi satu</p>") in diff and ("+", "<p>Versi dua</p>") in diff
        restored = workflow.restore_revision(db, vid, post_id, history[0].id or 0, editor, expected_version=2)
        assert restored.body == "<p>Versi satu</p>" and restored.version == 3


def test_two_people_saving_at_once_lose_nothing(stack: Stack, team: tuple[int, User, User]) -> None:
    vid, kader, editor = team
    with stack.runtime.session(vid) as db:
        post = workflow.create_draft(db, vid, kader, title="Musyawarah", body="<p>awal</p>")
        assert post.id is not None
        post_id = post.id
    # Both opened version 1. The editor saves first.
    with stack.runtime.session(vid) as db:
        workflow.save(
            db, vid, post_id, editor, expected_version=1, title="Musyawarah", summary="", body="<p>editor</p>"
        )
    conflict = None
    with stack.runtime.session(vid) as db:
        try:
            workflow.save(
                db,
                vid,
                post_id,
                kader,
                expected_version=1,
                title="Musyawarah",
                summary="",
                body="<p>kader</p>",
            )
        except workflow.ConflictError as error:
            conflict = error
            message = str(error)
    assert conflict is not None and "Budi Editor" in message and "tidak hilang" in message
    with stack.runtime.session(vid) as db:
        current = workflow.get_post(db, vid, post_id)
        assert current.body == "<p>editor</p>"  # the first save stands
        kept = db.exec(
            select(Revision).where(col(Revision.post_id) == post_id, col(Revision.reason) == "conflict")
        ).all()
        assert [r.body for r in kept] == ["<p>kader</p>"]  # …and the second is kept, not lost


def test_trash_and_restore(stack: Stack, team: tuple[int, User, User]) -> None:
    vid, kader, _editor = team
    with stack.runtime.session(vid) as db:
        post = workflow.create_draft(db, vid, kader, title="Salah ketik")
        assert post.id is not None
        post_id = post.id
        workflow.trash(db, vid, post_id)
    with stack.runtime.session(vid) as db:
        with pytest.raises(workflow.ContentError, match="tidak ditemukan"):
            workflow.get_post(db, vid, post_id)
        assert workflow.restore(db, vid, post_id).deleted_at is None
        workflow.trash(db, vid, post_id)
    with stack.runtime.session(all_villages=True) as db:
        assert workflow.purge_trash(db, now=utcnow() + timedelta(days=29)) == 0
        assert workflow.purge_trash(db, now=utcnow() + timedelta(days=31)) == 1
        assert db.get(Post, post_id) is None


def test_every_kind_of_content_leaves_the_trash_after_30_days(
    stack: Stack, team: tuple[int, User, User]
) -> None:
    vid, _kader, _editor = team
    gone = utcnow()
    with stack.runtime.session(vid) as db:
        rows = [
            Page(village_id=vid, title="Lama", slug="lama", deleted_at=gone),
            Page(village_id=vid, title="Tetap", slug="tetap"),
            Event(village_id=vid, title="Rapat", slug="rapat", starts_at=gone, deleted_at=gone),
            Announcement(village_id=vid, title="Info", expires_at=gone, deleted_at=gone),
            Album(village_id=vid, title="Foto", slug="foto", deleted_at=gone),
        ]
        db.add_all(rows)
    with stack.runtime.session(all_villages=True) as db:
        assert workflow.purge_trash(db, now=gone + timedelta(days=29)) == 0
        assert workflow.purge_trash(db, now=gone + timedelta(days=31)) == 4
        assert [p.title for p in db.exec(select(Page)).all()] == ["Tetap"]


def test_bad_input_changes_nothing(stack: Stack, team: tuple[int, User, User]) -> None:
    vid, kader, _editor = team
    for title, body, message in (
        ("   ", "", "Isi judul"),
        ("x" * 201, "", "Judul terlalu panjang"),
        ("Judul", "x" * 200_001, "terlalu panjang"),
    ):
        with stack.runtime.session(vid) as db, pytest.raises(workflow.ContentError, match=message):
            workflow.create_draft(db, vid, kader, title=title, body=body)
    with stack.runtime.session(vid) as db:
        assert db.exec(select(Post)).all() == []
        post = workflow.create_draft(
            db, vid, kader, title="Aman", body='<p onclick="x()">a</p><script>alert(1)</script>'
        )
        assert "onclick" not in post.body and "<script" not in post.body


def test_categories_and_tags_are_the_villages_own(stack: Stack, team: tuple[int, User, User]) -> None:
    vid, kader, _editor = team
    other, _ = make_village(stack, "33.74.10.1001")
    with stack.runtime.session(vid) as db:
        post = workflow.create_draft(db, vid, kader, title="BLT Dana Desa")
        assert post.id is not None
        workflow.set_terms(
            db, vid, post.id, categories=["Berita Desa", "berita desa", "APBDes"], tags=["BLT"]
        )
    with stack.runtime.session(vid) as db:
        names = sorted(c.name for c in db.exec(select(Category)).all() if c.village_id == vid)
        assert names == ["APBDes", "Berita Desa"]
        assert len(db.exec(select(PostCategory)).all()) == 2
    with stack.runtime.session(other) as db, pytest.raises(workflow.ContentError, match="tidak ditemukan"):
        workflow.set_terms(db, other, post.id, categories=["Curian"], tags=[])


def test_who_may_edit_a_post() -> None:
    def actor(role: str, user_id: int) -> VillageActor:
        user = User(id=user_id, name="x")
        auth = Auth(
            user=user, session=UserSession(token_hash="", user_id=user_id, host="", expires_at=utcnow())
        )
        return VillageActor(auth, None, role, ROLE_PERMISSIONS[role])  # type: ignore[arg-type]

    assert may_edit_post(actor("kontributor", 1), 1, "draft")
    assert not may_edit_post(actor("kontributor", 1), 2, "draft")  # someone else's
    assert not may_edit_post(actor("kontributor", 1), 1, "review")  # submitted: the editor's now
    assert not may_edit_post(actor("kontributor", 1), 1, "published")
    assert may_edit_post(actor("editor", 2), 1, "published")
    assert may_edit_post(actor("admin", 3), 1, "review")


def test_the_ticker_publishes_once_whatever_the_number_of_processes(
    stack: Stack, team: tuple[int, User, User]
) -> None:
    vid, kader, _editor = team
    with stack.runtime.session(vid) as db:
        post = workflow.create_draft(db, vid, kader, title="Siaran pers")
        assert post.id is not None
        workflow.publish(db, vid, post.id, at=utcnow() + timedelta(minutes=5))
        post.published_at = utcnow() - timedelta(seconds=1)  # its time has come
        db.add(post)
    stack.runtime.cache.delete("ticker:claim")
    assert ticker.tick(stack.runtime) == (1, 0)
    # A second process in the same round finds the claim taken and does nothing.
    assert ticker.tick(stack.runtime) == (0, 0)
    stack.runtime.cache.delete("ticker:claim")


def test_plain_text_from_a_phone_becomes_paragraphs(stack: Stack, team: tuple[int, User, User]) -> None:
    vid, kader, _editor = team
    with stack.runtime.session(vid) as db:
        post = workflow.create_draft(
            db,
            vid,
            kader,
            title="Kerja bakti",
            body="Warga berkumpul pukul 7.\nMembawa cangkul.\n\nSelesai 11 < 12 & rapi.",
        )
    assert post.body == (
        "<p>Warga berkumpul pukul 7.<br>Membawa cangkul.</p><p>Selesai 11 &lt; 12 &amp; rapi.</p>"
    )


def _media(stack: Stack, vid: int, kind: str, key: str) -> int:
    with stack.runtime.session(vid) as db:
        media = MediaFile(
            village_id=vid,
            kind=kind,
            original_name=key,
            content_type="image/jpeg" if kind == "image" else "application/pdf",
            key=f"v/{vid}/media/2026/11/{key}",
        )
        db.add(media)
        db.flush()
        assert media.id is not None
        return media.id


def test_a_cover_is_a_photo_of_the_same_village(stack: Stack, team: tuple[int, User, User]) -> None:
    vid, kader, _editor = team
    other_vid, _slug = make_village(stack, "34.04.02.2004")
    photo = _media(stack, vid, "image", "sawah.jpg")
    document = _media(stack, vid, "document", "apbdes.pdf")
    foreign = _media(stack, other_vid, "image", "tetangga.jpg")
    with stack.runtime.session(vid) as db:
        post = workflow.create_draft(db, vid, kader, title="Panen raya", body="Padi menguning.")
        post_id = post.id
        assert post_id is not None
    with stack.runtime.session(vid) as db:
        assert workflow.set_cover(db, vid, post_id, photo).cover_media_id == photo
    for refused, message in ((foreign, "tidak ditemukan"), (document, "bukan dokumen"), (10**9, "tidak")):
        with stack.runtime.session(vid) as db, pytest.raises(workflow.ContentError, match=message):
            workflow.set_cover(db, vid, post_id, refused)
    with stack.runtime.session(vid) as db:
        kept = db.get(Post, post_id)
        assert kept is not None and kept.cover_media_id == photo  # nothing changed by the refusals
        assert workflow.set_cover(db, vid, post_id, None).cover_media_id is None
    with stack.runtime.session(vid) as db:
        cleared = db.get(Post, post_id)
        assert cleared is not None and cleared.cover_media_id is None
