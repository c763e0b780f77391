"""The "Konten berkualitas" checklist in the post editor, on both stacks: the score is stored with
the post at every save (Post.quality, what the monthly indicator counts), the editor shows each
check with its reason after the save, without JavaScript, and the team can re-check the text being
typed through POST /api/v1/berita/kualitas (nothing stored)."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import col

from etalase.platform.content import workflow
from etalase.platform.content.models import Post
from etalase.platform.content.quality import THRESHOLD, assess
from etalase.tenants.scope import in_village
from tests.conftest import Stack
from tests.test_gallery import Team, jpeg
from tests.test_quality import GOOD_BODY, GOOD_TITLE

BASE = "/admin/berita"
CAPITALS = "RAPAT DESA MEMBAHAS JALAN USAHA TANI"
TITLE_REASON = "Tulis judul 5 sampai 15 kata, dengan huruf biasa (bukan huruf kapital semua)."


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def stored(stack: Stack, village_id: int, post_id: int) -> Post:
    with stack.runtime.session(village_id) as db:
        post = db.exec(in_village(Post, village_id).where(col(Post.id) == post_id)).one()
        db.expunge(post)
        return post


def checklist(text: str) -> dict[str, tuple[bool, str]]:
    """The checklist on the editor page: check key -> (passed, reason)."""
    section = text[text.index('id="kualitas-berita"') :]
    section = section[: section.index("</section>")]
    found = {}
    for key, state, reason in re.findall(
        r'<li data-check="(\w+)" class="(passed|failed)">.*?<span class="quality-reason">(.*?)</span>',
        section,
        re.S,
    ):
        found[key] = (state == "passed", reason)
    return found


def test_the_score_is_stored_at_each_save_and_the_checklist_shown(team: Team) -> None:
    stack, kader = team.stack, team.browsers["kader"]
    new_form = kader.get(f"{team.base}{BASE}/baru").text
    assert "Konten berkualitas" in new_form and "muncul di sini setelah draf disimpan" in new_form

    created = team.post("kader", f"{BASE}/baru", {"title": CAPITALS, "body": "<p>Rapat singkat.</p>"})
    assert created.status_code == 303  # type: ignore[attr-defined]
    post_id = int(re.findall(r"/(\d+)\?", created.headers["location"])[0])  # type: ignore[attr-defined]
    post = stored(stack, team.vid, post_id)
    expected = assess(CAPITALS, post.body, has_cover=False)
    assert post.quality == expected.score and post.quality < THRESHOLD

    page = kader.get(f"{team.base}{BASE}/{post_id}").text
    shown = checklist(page)
    assert shown["title"] == (False, TITLE_REASON)  # a title in capitals gets that reason
    assert shown["cover"] == (False, "Pasang foto sampul: berita berfoto lebih banyak dibaca.")
    assert shown["language"][0] is True and set(shown) == {
        "cover",
        "alt",
        "length",
        "sentences",
        "title",
        "language",
    }
    assert f"Skor {expected.score} dari 100" in page and f"belum berkualitas (minimal {THRESHOLD})" in page
    assert '<script src="/static/admin/quality.js" defer></script>' in page
    assert "data-quality-check hidden" in page  # the JS button is there only when scripts run

    # Saved again with a good title, text and a cover photo: stored 100, every check passed.
    cover = team.media(jpeg(), "musdes.jpg", "Warga mengikuti musyawarah desa")
    saved = team.post(
        "kader",
        f"{BASE}/{post_id}",
        {"version": str(post.version), "title": GOOD_TITLE, "body": GOOD_BODY, "cover_media_id": str(cover)},
    )
    assert saved.status_code == 303, saved.text  # type: ignore[attr-defined]
    assert stored(stack, team.vid, post_id).quality == 100
    page = kader.get(f"{team.base}{BASE}/{post_id}").text
    assert all(passed for passed, _reason in checklist(page).values())
    assert "Skor 100 dari 100" in page and '<span class="badge on quality-verdict">berkualitas</span>' in page

    # Taking the cover away is a save of its own: the score follows.
    post = stored(stack, team.vid, post_id)
    team.post(
        "kader",
        f"{BASE}/{post_id}",
        {"version": str(post.version), "title": GOOD_TITLE, "body": GOOD_BODY, "cover_media_id": ""},
    )
    assert stored(stack, team.vid, post_id).quality == 85
    assert checklist(kader.get(f"{team.base}{BASE}/{post_id}").text)["cover"][0] is False

    # A cover without a description: the photo check fails and says where to write one.
    bare = team.media(jpeg(), "IMG_20261208.jpg", "")
    post = stored(stack, team.vid, post_id)
    fields = {
        "version": str(post.version),
        "title": GOOD_TITLE,
        "body": GOOD_BODY,
        "cover_media_id": str(bare),
    }
    assert team.post("kader", f"{BASE}/{post_id}", fields).status_code == 303  # type: ignore[attr-defined]
    assert stored(stack, team.vid, post_id).quality == 85
    passed, reason = checklist(kader.get(f"{team.base}{BASE}/{post_id}").text)["alt"]
    assert not passed and "foto sampul" in reason and "Pustaka Media" in reason
    live = team.post(
        "kader",
        "/api/v1/berita/kualitas",
        {"title": GOOD_TITLE, "body": GOOD_BODY, "cover_media_id": str(bare)},
    )
    assert live.json()["score"] == 85  # type: ignore[attr-defined]
    # Described in the media library: the post's stored score follows at once.
    described = team.post("kader", f"/admin/media/{bare}/alt", {"alt": "Warga bermusyawarah di balai desa"})
    assert described.status_code == 303  # type: ignore[attr-defined]
    assert stored(stack, team.vid, post_id).quality == 100
    # A photo chosen on the phone is stored with the title as its description: it passes.
    taken = team.post(
        "kader", "/api/v1/berita/kualitas", {"title": GOOD_TITLE, "body": GOOD_BODY, "cover": "baru"}
    )
    assert taken.json()["score"] == 100  # type: ignore[attr-defined]


def test_the_text_being_typed_is_checked_on_demand(team: Team) -> None:
    fields = {"title": CAPITALS, "body": "Baris pertama.\n\nBaris kedua.", "cover": ""}
    answer = team.post("kader", "/api/v1/berita/kualitas", fields)
    assert answer.status_code == 200  # type: ignore[attr-defined]
    found = json.loads(answer.text)  # type: ignore[attr-defined]
    assert found["threshold"] == THRESHOLD and found["good"] is False
    checks = {c["key"]: c for c in found["checks"]}
    assert checks["title"]["passed"] is False and checks["title"]["reason"] == TITLE_REASON
    assert "2 paragraf" in checks["length"]["reason"]  # plain text: blank lines are paragraphs
    photo = str(team.media(jpeg(), "musdes.jpg", "Warga mengikuti musyawarah desa"))
    good = json.loads(
        team.post(
            "editor", "/api/v1/berita/kualitas", {"title": GOOD_TITLE, "body": GOOD_BODY, "cover": photo}
        ).text  # type: ignore[attr-defined]
    )
    assert good["score"] == 100 and good["good"] is True
    # Without the form token it is refused; nothing is stored either way.
    bare = team.browsers["kader"].client.post(
        f"{team.base}/api/v1/berita/kualitas", data=fields, headers={"origin": team.base}
    )
    assert bare.status_code == 403
    with team.stack.runtime.session(team.vid) as db:
        assert db.exec(in_village(Post, team.vid)).first() is None


def test_imported_posts_are_scored_too(stack: Stack) -> None:
    from tests.test_import_writer import WXR, posts, run, setup  # noqa: PLC0415

    village_id, user = setup(stack)
    run(stack, village_id, user, WXR, None)
    imported = posts(stack, village_id)
    assert imported
    with stack.runtime.session(village_id) as db:
        for post in imported.values():
            # The cover's description counts: what the import stored is what the checklist says.
            assert post.quality == workflow.assess(db, post).score, post.slug
