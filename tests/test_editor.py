"""The rich-text editor's server side: the page that carries it, autosave, hostile bodies, and
tap-to-load embeds (on both stacks). The editor itself is driven in tests/test_browser.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from etalase.platform.content import embeds
from etalase.platform.content.models import Post, Revision
from etalase.platform.content.richtext import render_body, to_safe_html
from tests.conftest import Stack
from tests.test_posts_admin import Team, _new

VENDOR = Path(__file__).resolve().parent.parent / "themes" / "admin" / "static" / "vendor"


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def test_the_editor_page_runs_only_its_own_scripts(team: Team) -> None:
    page = team.browsers["kader"].get(f"{team.base}/admin/berita/baru")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    for script in (
        "/static/admin/vendor/squire.js",
        "/static/admin/vendor/purify.min.js",
        "/static/admin/editor.js",
    ):
        assert f'src="{script}"' in page.text
        assert team.browsers["kader"].get(f"{team.base}{script}").status_code == 200
    # The editor's words come translated in a JSON block (data, not a script to run).
    assert '<script type="application/json" id="editor-text">' in page.text and "Sisipkan tabel" in page.text
    # Pages without the editor keep scripts off.
    assert (
        "script-src 'none'"
        in team.browsers["kader"].get(f"{team.base}/admin").headers["content-security-policy"]
    )


def test_autosave_keeps_the_text_without_touching_the_post(team: Team) -> None:
    post_id = _new(team, "kader", "Kerja bakti Minggu pagi", "<p>Awal.</p>")
    kader = team.browsers["kader"]
    url = f"{team.base}/api/v1/berita/{post_id}/autosimpan"
    token = team.token("kader")
    sent = {
        "title": "Kerja bakti Minggu pagi",
        "summary": "",
        "body": "<p>Setengah jadi <script>x()</script></p>",
    }
    response = kader.client.post(url, data=sent, headers={"x-csrf-token": token, "origin": team.base})
    assert response.status_code == 200, response.text
    first = response.json()["revision"]
    sent["body"] = "<p>Hampir selesai, warga membersihkan selokan.</p>"
    again = kader.client.post(url, data=sent, headers={"x-csrf-token": token, "origin": team.base})
    assert again.json()["revision"] == first  # one autosave per person, replaced
    post = team.post(post_id)
    assert post.version == 1 and post.body == "<p>Awal.</p>"  # the post is untouched: no conflicts
    with team.stack.runtime.session(team.vid) as db:
        kept = db.exec(select(Revision).where(col(Revision.post_id) == post_id)).all()
    assert [(r.reason, r.body) for r in kept] == [
        ("autosave", "<p>Hampir selesai, warga membersihkan selokan.</p>")
    ]
    # The edit page offers it back; the revisions page labels it.
    assert "Bandingkan dan pulihkan" in kader.get(f"{team.base}/admin/berita/{post_id}").text
    assert "tersimpan otomatis" in kader.get(f"{team.base}/admin/berita/{post_id}/revisi").text
    # Without the token, refused; another person's draft, refused (a kontributor edits only their own).
    assert kader.client.post(url, data=sent, headers={"origin": team.base}).status_code == 403
    other = team.browsers["kader2"].client.post(
        url, data=sent, headers={"x-csrf-token": team.token("kader2"), "origin": team.base}
    )
    assert other.status_code == 403
    # A real save supersedes the autosave.
    saved = kader.post(
        f"{team.base}/admin/berita/{post_id}",
        {"version": "1", "title": sent["title"], "summary": "", "body": sent["body"]},
    )
    assert saved.status_code == 303
    with team.stack.runtime.session(team.vid) as db:
        reasons = [r.reason for r in db.exec(select(Revision).where(col(Revision.post_id) == post_id))]
    assert reasons == ["saved"]
    assert "Bandingkan dan pulihkan" not in kader.get(f"{team.base}/admin/berita/{post_id}").text


@pytest.mark.parametrize(
    "hostile",
    [
        '<p onclick="steal()">Halo</p><script>alert(1)</script>',
        '<a href="javascript:alert(1)">klik</a>',
        '<p style="background:url(javascript:alert(1))">gaya</p>',
        '<img src="x" onerror="alert(1)">',
        '<iframe src="https://evil.example/"></iframe>',
        "<svg><script>alert(1)</script></svg>",
        '<a href="JaVaScRiPt:alert(1)">x</a><form action="/x"><input name="a"></form>',
    ],
)
def test_hostile_bodies_lose_every_active_part(hostile: str) -> None:
    cleaned = to_safe_html(hostile).lower()
    for bad in (
        "<script",
        "onclick",
        "onerror",
        "javascript:",
        "style=",
        "<iframe",
        "<svg",
        "<form",
        "<input",
    ):
        assert bad not in cleaned, (bad, cleaned)


def test_the_editors_formats_survive_sanitising() -> None:
    html = (
        "<h2>Judul</h2><h3>Sub</h3><p><b>tebal</b> <i>miring</i> <a href='https://desa.id'>tautan</a></p>"
        "<ul><li>satu</li></ul><ol><li>dua</li></ol><blockquote><p>kutipan</p></blockquote>"
        "<table><thead><tr><th>Kolom</th></tr></thead><tbody><tr><td>isi</td></tr></tbody></table>"
        '<p><img src="/media/v/1/a.webp" alt="Balai desa" srcset="/media/v/1/a-320.webp 320w"'
        ' width="320" height="200"></p>'
    )
    cleaned = to_safe_html(html)
    for kept in (
        "<h2>",
        "<h3>",
        "<b>",
        "<i>",
        'href="https://desa.id"',
        "<ul>",
        "<ol>",
        "<blockquote>",
        "<table>",
        "<th>",
        "<td>",
        'alt="Balai desa"',
        "320w",
    ):
        assert kept in cleaned, kept


@pytest.mark.parametrize(
    ("url", "provider", "player"),
    [
        (
            "https://youtu.be/dQw4w9WgXcQ",
            "YouTube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1",
        ),
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=30",
            "YouTube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1",
        ),
        (
            "https://m.youtube.com/shorts/abcdEFGH123",
            "YouTube",
            "https://www.youtube-nocookie.com/embed/abcdEFGH123?autoplay=1",
        ),
        (
            "https://www.instagram.com/p/Cx1234abc/",
            "Instagram",
            "https://www.instagram.com/p/Cx1234abc/embed",
        ),
        (
            "https://www.tiktok.com/@desa.maju/video/7301234567890123456",
            "TikTok",
            "https://www.tiktok.com/embed/v2/7301234567890123456",
        ),
        (
            "https://www.facebook.com/desasukamaju/videos/1234567890/",
            "Facebook",
            "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fdesasukamaju%2Fvideos%2F1234567890%2F&show_text=true",
        ),
    ],
)
def test_a_lone_post_address_becomes_a_tap_to_load_embed(url: str, provider: str, player: str) -> None:
    for typed in (url, f'<p><a href="{url}">{url}</a></p>', f"<p>{url}<br></p>"):
        shown = str(render_body(to_safe_html(typed)))
        assert f'data-provider="{provider}"' in shown, typed
        assert f'data-embed="{player.replace("&", "&amp;")}"' in shown
        assert "<iframe" not in shown  # nothing from the other site until the tap
        assert shown.count('<script src="/static/base/embed.js" defer></script>') == 1


@pytest.mark.parametrize(
    "body",
    [
        "<p>Tonton https://youtu.be/dQw4w9WgXcQ bersama warga</p>",  # not alone on its line
        "<p>https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ</p>",  # a look-alike host
        "<p>https://www.youtube.com/watch?v=%22onload%3D</p>",  # not a video id
        "<p>https://desa.example/video/123</p>",
    ],
)
def test_anything_else_stays_text_or_a_link(body: str) -> None:
    shown = str(render_body(to_safe_html(body)))
    assert "figure" not in shown and "embed.js" not in shown
    assert embeds.recognise("javascript:alert(1)") is None


def test_embeds_on_the_public_post(team: Team) -> None:
    post_id = _new(team, "editor", "Video gotong royong", "Lihat videonya:\n\nhttps://youtu.be/dQw4w9WgXcQ")
    assert team.act("editor", post_id, "terbitkan") == 303
    with team.stack.runtime.session(team.vid) as db:
        slug = db.exec(select(Post.slug).where(col(Post.id) == post_id)).one()
    page = team.browsers["editor"].get(f"{team.base}/berita/{slug}").text
    assert 'class="embed"' in page and 'href="https://youtu.be/dQw4w9WgXcQ"' in page
    assert "<iframe" not in page and "youtube-nocookie.com/embed/dQw4w9WgXcQ" in page


def test_vendored_assets_match_their_pinned_manifest() -> None:
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    assert {p["name"] for p in manifest["packages"]} == {"squire-rte", "dompurify"}
    for package in manifest["packages"]:
        assert package["version"].count(".") == 2 and package["integrity"].startswith("sha512-")
        assert any("LICENSE" in name for name in package["sha256"]), package["name"]
        for name, digest in package["sha256"].items():
            assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("<p>Isi berita.</p><p><br></p>", "<p>Isi berita.</p>"),  # the editor's last empty line
        ("<p><br></p><p>Isi.</p><p> </p><p><br/></p>", "<p>Isi.</p>"),
        ("<p>a</p><p><br></p><p>b</p>", "<p>a</p><p><br></p><p>b</p>"),  # a blank line between stays
        ("<p><br></p>", ""),
    ],
)
def test_empty_paragraphs_at_the_edges_are_not_stored(sent: str, stored: str) -> None:
    assert to_safe_html(sent) == stored


def test_trimming_blank_paragraphs_stays_linear() -> None:
    hostile = "<p></p>" * 20_000 + "<p>x</p>" + "<p><br></p>" * 20_000
    assert to_safe_html(hostile) == "<p>x</p>"
