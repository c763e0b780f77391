"""The village's impact dashboard (/admin/dampak) and the "admin terlatih" mark, on both stacks.

Two villages are seeded with rollup rows (their months, days and page views); each village's team
sees its own numbers only: the meters' sentences, twelve months of trends, the month's most read
posts by title, where readers came from and where they shared. A stale or missing month is
recomputed inside the request. An admin marks members as trained; the indicator counts trained
members who signed in within 90 days."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from etalase.platform.accounts.models import AuditEvent, Membership, User
from etalase.platform.analytics import indicators
from etalase.platform.analytics.models import PageDailyViews, VillageDailyStats, VillageMonthlyStats
from etalase.platform.aspirations.models import Aspiration
from etalase.platform.content import workflow
from etalase.platform.content.quality import THRESHOLD
from etalase.platform.content.service import create_post
from etalase.platform.discussion.models import Comment
from etalase.platform.profile.models import VillageProfile
from etalase.platform.web.impact_admin import month_name
from etalase.tenants.models import Village, utcnow
from etalase.tenants.scope import in_village
from tests.conftest import Stack
from tests.people import Browser, make_user
from tests.test_gallery import Team
from tests.test_quality import GOOD_BODY, GOOD_TITLE

BASE = "/admin/dampak"


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def this_month() -> date:
    return indicators.month_of(utcnow())


def seed_month(stack: Stack, village_id: int, month: date, **values: object) -> None:
    with stack.runtime.session(village_id) as db:
        db.add(VillageMonthlyStats(village_id=village_id, month=month, **values))


def seed_village(stack: Stack, village_id: int, *, visitors: int, title: str, base: int) -> str:
    """A year of months (and one older month that must not show), two days of this month and one
    of last month, page views of two posts (and of the list page), a post never read. Returns the
    most read post's slug."""
    now, month = utcnow(), this_month()
    months = indicators.months_back(month, 13)
    with stack.runtime.session(village_id) as db:
        for i, m in enumerate(months):
            if m == month:
                continue
            older = i == 0  # 13 months back: outside the trend
            db.add(
                VillageMonthlyStats(
                    village_id=village_id,
                    month=m,
                    visitors=987_654 if older else base + i,
                    views=(base + i) * 3,
                    posts=i,
                    computed_at=now,
                )
            )
        db.add(
            VillageMonthlyStats(
                village_id=village_id,
                month=month,
                views=200,
                visitors=visitors,
                population=1000,
                shares=15,
                comments=10,
                reactions=5,
                posts=12,
                quality_posts=8,
                quality_total=12 * 75,
                trained_admins=3,
                platforms=2,
                apbdes=True,
                rpjm=False,
                last_post_at=now - timedelta(days=3, hours=1),
                last_active_at=now,
                computed_at=now,  # fresh: shown as it is
            )
        )
        first, today = month, now.date()
        last_month_day = month - timedelta(days=1)
        db.add(
            VillageDailyStats(
                village_id=village_id, day=first, from_whatsapp=7, from_search=30, shared_whatsapp=4
            )
        )
        if today != first:
            db.add(VillageDailyStats(village_id=village_id, day=today, from_whatsapp=5, shared_facebook=2))
        else:
            db.add(
                VillageDailyStats(
                    village_id=village_id, day=first + timedelta(days=1), from_whatsapp=5, shared_facebook=2
                )
            )
        db.add(VillageDailyStats(village_id=village_id, day=last_month_day, from_tiktok=999))
        read = create_post(db, village_id, title=title, body="<p>Isi</p>", published_at=now)
        second = create_post(
            db, village_id, title=f"Kerja bakti {title}", body="<p>Isi</p>", published_at=now
        )
        old = create_post(db, village_id, title=f"Berita lama {title}", body="<p>Isi</p>", published_at=now)
        for day, path, views in (
            (first, f"/berita/{read.slug}", 40),
            (first + timedelta(days=1), f"/berita/{read.slug}", 2),
            (first, f"/berita/{second.slug}", 17),
            (first, "/berita", 500),
            (last_month_day, f"/berita/{old.slug}", 9999),
        ):
            db.add(PageDailyViews(village_id=village_id, day=day, path=path, views=views))
        return read.slug


def table(text: str, table_id: str) -> list[list[str]]:
    """The rows of the table ``table_id`` as lists of cell texts (tags stripped)."""
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', text, re.S)
    assert match, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(0), re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
        for r in rows
    ]


def test_the_dashboard_shows_the_village_s_own_numbers(team: Team) -> None:
    stack = team.stack
    slug_a = seed_village(stack, team.vid, visitors=620, title="Posyandu balita Sidomulyo", base=100)
    seed_village(stack, team.other_vid, visitors=4242, title="Rahasia lumbung Meteseh", base=7000)

    page = team.browsers["kader"].get(f"{team.base}{BASE}")
    assert page.status_code == 200, page.text
    text = page.text
    # The meters' sentences, in Indonesian number format.
    assert "Jangkauan 62% dari target 80%" in text
    assert "620 pengunjung unik dari 1.000 penduduk." in text
    assert "Tingkat keterlibatan 15% dari target 15%" in text
    assert "Berita terbit 12 dari target 50" in text
    assert "Berita berkualitas 8 dari target 50" in text
    assert "Admin terlatih yang aktif 3 dari target 10" in text
    assert "Platform media sosial 2 dari target 3" in text
    assert re.search(r'<meter class="quota" min="0" max="0.8"[^>]*value="0.62"', text)
    assert "3 hari sejak berita terakhir terbit" in text
    transparency = text[text.index('id="indikator-transparansi"') :]
    transparency = transparency[: transparency.index("</ul>")]
    assert re.search(r"APBDes \d{4} diterbitkan</span>\s*<span><span class=\"badge on\">ya", transparency)
    assert re.search(
        r"RPJM Desa yang berlaku diterbitkan</span>\s*<span><span class=\"badge off\">belum", transparency
    )
    # Twelve months, oldest first, the current one last; the thirteenth month back is not there.
    trend = table(text, "tabel-tren")[1:]
    months = indicators.months_back(this_month(), 12)
    assert [r[0] for r in trend] == [month_name(m) for m in months]
    assert trend[0][1:] == ["101", "303", "1"] and trend[-1][1:] == ["620", "200", "12"]
    assert "987.654" not in text
    assert text.count('<svg class="chart"') == 5 and text.count('<title id="chart-') == 5
    # The month's most read posts, by title, the list page and last month's reads left out.
    assert table(text, "tabel-berita")[1:] == [
        ["1", "Posyandu balita Sidomulyo", "42"],
        ["2", "Kerja bakti Posyandu balita Sidomulyo", "17"],
    ]
    assert f'href="/berita/{slug_a}"' in text and "Berita lama" not in text
    # Sources and shares of this month only (last month's TikTok arrivals are not counted).
    sources = {r[0]: r[1:] for r in table(text, "tabel-sources")[1:]}
    assert sources["WhatsApp"] == ["12", "28,6%"] and sources["Mesin pencari"] == ["30", "71,4%"]
    assert sources["TikTok"] == ["0", "0%"]
    shares = {r[0]: r[1] for r in table(text, "tabel-shares")[1:]}
    assert shares == {"WhatsApp": "4", "Facebook": "2", "X": "0", "Telegram": "0"}
    # Nothing of the other village.
    for theirs in ("4.242", "4242", "Meteseh", "7.001"):
        assert theirs not in text
    # …which its own admin sees on its own host.
    other = team.browsers["admin_b"].get(f"{team.other_base}{BASE}").text
    assert "Jangkauan 424,2% dari target 80%" in other and "Rahasia lumbung Meteseh" in other
    assert "Sidomulyo" not in other.split("<main", 1)[1]


def test_who_may_open_the_dashboard(team: Team) -> None:
    for who in ("kader", "editor", "admin"):
        response = team.browsers[who].get(f"{team.base}{BASE}")
        assert response.status_code == 200, who
        assert 'href="/admin/dampak" aria-current="page"' in response.text
    # Links to the screens where a missing figure is filled in, for those who may use them.
    admin_page = team.browsers["admin"].get(f"{team.base}{BASE}").text
    kader_page = team.browsers["kader"].get(f"{team.base}{BASE}").text
    assert 'href="/admin/tampilan"' in admin_page and 'href="/admin/anggota"' in admin_page
    assert 'href="/admin/tampilan"' not in kader_page and 'href="/admin/anggota">Tandai' not in kader_page
    # Another village's admin (signed in on their own host only) and a stranger: sign in first. A
    # session sent to the wrong host on purpose is refused by the tenant wall's matrix.
    for browser in (team.browsers["admin_b"], Browser(team.stack)):
        refused = browser.get(f"{team.base}{BASE}")
        assert refused.status_code == 303 and "/akun/masuk" in refused.headers["location"]


def _month_row(stack: Stack, village_id: int) -> VillageMonthlyStats | None:
    with stack.runtime.session(village_id) as db:
        row = db.exec(
            in_village(VillageMonthlyStats, village_id).where(col(VillageMonthlyStats.month) == this_month())
        ).first()
        if row is not None:
            db.expunge(row)
        return row


def test_a_missing_or_stale_month_is_recomputed_when_the_dashboard_opens(team: Team) -> None:
    stack = team.stack
    now = utcnow()
    with stack.runtime.session(team.vid) as db:
        create_post(
            db,
            team.vid,
            title="Panen raya jagung",
            body="<p>Isi</p>",
            published_at=now - timedelta(minutes=5),
        )
    assert _month_row(stack, team.vid) is None
    text = team.browsers["editor"].get(f"{team.base}{BASE}").text
    assert "Berita terbit 1 dari target 50" in text
    # No population in the profile: said so, with the way to fill it in.
    assert "jumlah penduduk desa belum diisi" in text and 'href="/admin/profil"' in text
    row = _month_row(stack, team.vid)
    assert row is not None and row.posts == 1 and row.computed_at is not None

    # A row an hour old (views counted by the clock, content out of date) is recomputed; the
    # clock's views and visitors stay. The population filled in since now gives the reach.
    with stack.runtime.session(team.vid) as db:
        stored = db.exec(
            in_village(VillageMonthlyStats, team.vid).where(col(VillageMonthlyStats.month) == this_month())
        ).one()
        stored.computed_at = now - timedelta(hours=1)
        stored.visitors, stored.views, stored.posts = 450, 900, 0
        db.add(stored)
        db.add(VillageProfile(village_id=team.vid, population_total=600))
        create_post(
            db, team.vid, title="Lomba desa", body="<p>Isi</p>", published_at=now - timedelta(minutes=1)
        )
    text = team.browsers["editor"].get(f"{team.base}{BASE}").text
    assert "Berita terbit 2 dari target 50" in text and "Jangkauan 75% dari target 80%" in text
    row = _month_row(stack, team.vid)
    assert row is not None and (row.posts, row.visitors, row.views, row.population) == (2, 450, 900, 600)

    # A fresh row is shown as it is (no recomputation on every visit).
    with stack.runtime.session(team.vid) as db:
        create_post(db, team.vid, title="Belum dihitung", body="<p>Isi</p>", published_at=now)
    assert "Berita terbit 2 dari target 50" in team.browsers["editor"].get(f"{team.base}{BASE}").text


# --- admin terlatih ---------------------------------------------------------------------------------
def _membership(stack: Stack, village_id: int, email: str) -> Membership:
    with stack.runtime.session(all_villages=True) as db:
        user = db.exec(select(User).where(col(User.email) == email)).one()
        row = db.exec(in_village(Membership, village_id).where(col(Membership.user_id) == user.id)).one()
        db.expunge(row)
        return row


def _trained_count(stack: Stack, village_id: int) -> int:
    with stack.runtime.session(village_id) as db:
        village = db.get(Village, village_id)
        assert village is not None
        return int(indicators.compute(db, village, this_month())["trained_admins"])


def test_an_admin_marks_members_trained_and_the_indicator_counts_them(team: Team) -> None:
    stack = team.stack
    editor = _membership(stack, team.vid, "editor@contoh.id")
    make_user(stack, "Joko Jarang Masuk", email="jarang@contoh.id", roles={team.vid: "kontributor"})
    absent = _membership(stack, team.vid, "jarang@contoh.id")
    admin = team.browsers["admin"]
    members_page = f"{team.base}/admin/anggota"
    assert "Tandai sudah dilatih" in admin.get(members_page).text
    assert _trained_count(stack, team.vid) == 0

    for member in (editor, absent):
        marked = admin.post(
            f"{team.base}/admin/anggota/{member.id}/terlatih", {"terlatih": "1"}, form_url=members_page
        )
        assert marked.status_code == 303 and marked.headers["location"] == "/admin/anggota?pesan=terlatih"
    assert _membership(stack, team.vid, "editor@contoh.id").trained_at is not None
    page = admin.get(f"{members_page}?pesan=terlatih").text
    assert "Anggota sudah ditandai terlatih." in page and page.count("terlatih sejak") == 2
    assert "Hapus tanda terlatih" in page
    # The editor signed in (their sign-in is in the village's log); Joko never did: not counted.
    assert _trained_count(stack, team.vid) == 1
    with stack.runtime.session(team.vid) as db:
        actions = [
            (e.action, e.target)
            for e in db.exec(
                in_village(AuditEvent, team.vid).where(col(AuditEvent.action) == "member_trained")
            )
        ]
    assert sorted(actions) == [("member_trained", "Budi Editor"), ("member_trained", "Joko Jarang Masuk")]
    assert "Anggota ditandai terlatih" in admin.get(f"{team.base}/admin/log").text

    # A kontributor or editor cannot mark anyone; another village's admin cannot aim at A's members.
    for who in ("kader", "editor"):
        refused = team.post(who, f"/admin/anggota/{absent.id}/terlatih", {"terlatih": "0"})
        assert refused.status_code == 403, who  # type: ignore[attr-defined]
    b_admin = team.browsers["admin_b"]
    aimed = b_admin.post(
        f"{team.other_base}/admin/anggota/{editor.id}/terlatih",
        {"terlatih": "0"},
        form_url=f"{team.other_base}/admin/anggota",
    )
    assert aimed.status_code == 404
    assert _membership(stack, team.vid, "editor@contoh.id").trained_at is not None

    # Unmarked: no longer counted, and logged.
    unmarked = admin.post(
        f"{team.base}/admin/anggota/{editor.id}/terlatih", {"terlatih": "0"}, form_url=members_page
    )
    assert unmarked.status_code == 303 and unmarked.headers["location"].endswith("belum-terlatih")
    assert _membership(stack, team.vid, "editor@contoh.id").trained_at is None
    assert _trained_count(stack, team.vid) == 0
    with stack.runtime.session(team.vid) as db:
        assert db.exec(
            in_village(AuditEvent, team.vid).where(col(AuditEvent.action) == "member_untrained")
        ).first()


def test_published_quality_posts_are_counted(team: Team) -> None:
    """Post.quality is kept at each save; compute counts the month's published posts at or above
    the threshold (and sums their scores for the average)."""
    stack = team.stack
    with stack.runtime.session(team.vid) as db:
        author = db.exec(select(User).where(col(User.email) == "editor@contoh.id")).one()
        good = workflow.create_draft(db, team.vid, author, title=GOOD_TITLE, body=GOOD_BODY)
        poor = workflow.create_draft(db, team.vid, author, title="RAPAT", body="<p>Singkat.</p>")
        draft = workflow.create_draft(db, team.vid, author, title=GOOD_TITLE, body=GOOD_BODY)
        scores = (good.quality, poor.quality, draft.quality)
        for post in (good, poor):
            assert post.id is not None
            workflow.publish(db, team.vid, post.id)
    assert scores[0] == 85 and scores[2] == 85  # everything but a cover photo
    assert scores[1] is not None and scores[1] < THRESHOLD
    with stack.runtime.session(team.vid) as db:
        village = db.get(Village, team.vid)
        assert village is not None
        values = indicators.compute(db, village, this_month())
    assert (values["posts"], values["quality_posts"]) == (2, 1)
    assert values["quality_total"] == 85 + scores[1]


def test_the_nav_link_is_there_for_the_team(team: Team) -> None:
    text = team.browsers["kader"].get(f"{team.base}/admin").text
    assert '<a href="/admin/dampak">Dampak</a>' in text


def test_a_failed_recomputation_shows_the_row_as_it_was(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_month(
        team.stack, team.vid, this_month(), views=80, posts=4, computed_at=utcnow() - timedelta(hours=2)
    )

    def broken(db: Session, *_args: object) -> None:
        db.execute(text("SELECT nothing FROM no_such_table"))  # on PostgreSQL: an aborted transaction

    monkeypatch.setattr(indicators, "refresh", broken)
    page = team.browsers["editor"].get(f"{team.base}{BASE}")
    assert page.status_code == 200 and "Berita terbit 4 dari target 50" in page.text


def test_the_admin_home_shows_this_month_and_what_waits(team: Team) -> None:
    """The first screen after signing in: this month against the targets, and what waits for the
    team (new aspirations, held comments) for those who handle them; nothing of another village."""
    stack = team.stack
    seed_village(stack, team.vid, visitors=620, title="Posyandu balita Sidomulyo", base=100)
    seed_village(stack, team.other_vid, visitors=4242, title="Rahasia lumbung Meteseh", base=7000)
    with stack.runtime.session(team.vid) as db:
        post = create_post(db, team.vid, title="Kerja bakti", body="<p>Isi.</p>", published_at=utcnow())
        assert post.id is not None
        for n in range(3):
            db.add(
                Aspiration(village_id=team.vid, code=f"HOMEA{n}23", category="lainnya", message=f"Pesan {n}")
            )
        done = Aspiration(village_id=team.vid, code="HOMEB923", category="lainnya", message=".")
        done.status = "selesai"
        db.add(done)
        db.add(Comment(village_id=team.vid, post_id=post.id, name="Warga", commenter="k", body="Mantap"))
    with stack.runtime.session(team.other_vid) as db:
        for n in range(5):
            db.add(Aspiration(village_id=team.other_vid, code=f"HOMEC{n}23", category="lainnya", message="y"))

    editor = team.browsers["editor"].get(f"{team.base}/admin").text
    this = month_name(this_month())
    assert f"Dampak bulan {this}" in editor
    assert "Jangkauan 62% dari target 80%" in editor and "Berita terbit 12 dari target 50" in editor
    assert "hari sejak berita terakhir terbit" in editor and 'href="/admin/dampak">Lihat dampak' in editor
    assert '<a href="/admin/aspirasi?status=diterima">3 aspirasi warga belum ditanggapi</a>' in editor
    assert '<a href="/admin/komentar">1 komentar menunggu persetujuan</a>' in editor
    # A kader sees the month, not the inbox (aspirations hold residents' personal data).
    kader = team.browsers["kader"].get(f"{team.base}/admin").text
    assert f"Dampak bulan {this}" in kader and "aspirasi warga belum ditanggapi" not in kader
    # Another village's home: its own numbers.
    other = team.browsers["admin_b"].get(f"{team.other_base}/admin").text
    assert "Jangkauan 424,2% dari target 80%" in other and "5 aspirasi warga belum ditanggapi" in other
    assert "komentar menunggu" not in other
