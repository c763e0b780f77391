"""The impact indicators: computed from a village's own rows, added to its regions as it changes,
and the same sums when every region is rebuilt from the villages at once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta

from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent, Membership
from etalase.platform.analytics import indicators
from etalase.platform.analytics.indicators import Attention, Indicators
from etalase.platform.analytics.models import RegionMonthlyStats, VillageDailyStats, VillageMonthlyStats
from etalase.platform.budget.models import ApbdesYear
from etalase.platform.content import workflow
from etalase.platform.content.models import Post
from etalase.platform.discussion.models import Comment, Reaction
from etalase.platform.profile.models import VillageProfile
from etalase.platform.site.models import Appearance
from etalase.tenants.models import Village
from tests.conftest import Stack
from tests.people import make_user, make_village

SIDOMULYO = "34.04.02.2003"  # Godean, Sleman, DI Yogyakarta
SIDOLUHUR = "34.04.02.2004"  # the same kecamatan
PANDOWOHARJO = "34.04.12.2001"  # Sleman, another kecamatan
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MONTH = date(2026, 11, 1)
REGION_SUMS = ("views", "visitors", "posts", "quality_posts", "villages", "population", "villages_posted")


def regions(stack: Stack, month: date = MONTH) -> dict[str, dict[str, int]]:
    with stack.runtime.session(all_villages=True) as db:
        rows = db.exec(select(RegionMonthlyStats).where(col(RegionMonthlyStats.month) == month)).all()
        return {r.region_code: {name: getattr(r, name) for name in indicators.REGION_COLUMNS} for r in rows}


def store(stack: Stack, village_id: int, **values: object) -> None:
    with stack.runtime.session(all_villages=True) as db:
        village = db.get(Village, village_id)
        assert village is not None
        indicators.store(db, village, MONTH, values, NOW)
        db.commit()


def test_a_village_s_change_is_added_to_its_four_regions(stack: Stack) -> None:
    a, _ = make_village(stack, SIDOMULYO)
    b, _ = make_village(stack, SIDOLUHUR)
    c, _ = make_village(stack, PANDOWOHARJO)
    store(stack, a, views=100, visitors=40, population=50, posts=3, quality_posts=2)
    store(stack, b, views=10, visitors=5, posts=0)
    store(stack, c, views=7, visitors=7, population=1000)
    store(stack, a, views=150, visitors=60)  # later in the month: only the change is added
    found = regions(stack)
    assert found["34.04.02"]["views"] == 160 and found["34.04.02"]["visitors"] == 65
    assert found["34.04"]["views"] == 167 and found[""]["views"] == 167 and found["34"]["villages"] == 3
    assert found["34.04.02"]["population"] == 50 and found["34.04"]["population"] == 1050
    assert found["34.04.02"]["visitors_counted"] == 60  # only villages that gave their population
    assert found["34.04.02"]["villages_reach_met"] == 1  # 60 / 50 readers
    assert found["34.04"]["villages_posted"] == 1 and found["34.04"]["quality_posts"] == 2
    assert "34.04.12" in found and found["34.04.12"]["villages"] == 1
    # Rebuilt from the villages' rows at once: the same sums.
    with stack.runtime.session(all_villages=True) as db:
        assert indicators.rebuild_regions(db, MONTH, NOW) == 5  # 2 kecamatan, kabupaten, province, nation
        db.commit()
    rebuilt = regions(stack)
    for code, sums in found.items():
        for name in REGION_SUMS:
            assert rebuilt[code][name] == sums[name], (code, name)


def test_the_indicators_are_read_from_the_village_s_own_rows(stack: Stack) -> None:
    vid, _ = make_village(stack, SIDOMULYO)
    other, _ = make_village(stack, SIDOLUHUR)
    writer = make_user(stack, "Siti Operator", email="siti@contoh.id").id
    assert writer is not None
    with stack.runtime.session(all_villages=True) as db:
        db.add(Membership(village_id=vid, user_id=writer, role="admin", trained_at=NOW - timedelta(days=40)))
        db.add(AuditEvent(village_id=vid, actor_id=writer, action="login", at=NOW - timedelta(days=2)))
        for n, score in enumerate((90, 75, 40)):
            db.add(
                Post(
                    village_id=vid,
                    title=f"Berita {n}",
                    slug=f"berita-{n}",
                    status="published",
                    published_at=NOW - timedelta(days=n + 1),
                    quality=score,
                )
            )
        db.add(
            Post(
                village_id=other, title="Lain", slug="lain", status="published", published_at=NOW, quality=99
            )
        )
        db.add(
            Post(
                village_id=vid,
                title="Lama",
                slug="lama",
                status="published",
                published_at=datetime(2026, 10, 3, tzinfo=UTC),
            )
        )
        db.flush()
        post = db.exec(select(Post).where(col(Post.slug) == "berita-0")).one()
        assert post.id is not None
        db.add(
            Comment(
                village_id=vid,
                post_id=post.id,
                name="Warga",
                commenter="x",
                body="Mantap",
                status="published",
                created_at=NOW,
            )
        )
        db.add(
            Comment(
                village_id=vid,
                post_id=post.id,
                name="Spam",
                commenter="y",
                body="beli",
                status="spam",
                created_at=NOW,
            )
        )
        db.add(Reaction(village_id=vid, post_id=post.id, day=NOW.date(), visitor="v1"))
        db.add(
            VillageDailyStats(
                village_id=vid, day=NOW.date(), views=200, visitors=90, shared_whatsapp=4, shared_facebook=1
            )
        )
        social = {"facebook": "https://facebook.com/desa", "tiktok": "https://tiktok.com/@desa", "x": ""}
        db.add(Appearance(village_id=vid, options=json.dumps({"social": social})))
        db.add(VillageProfile(village_id=vid, population_total=4321))
        db.add(ApbdesYear(village_id=vid, year=2026, status="published"))
        village = db.get(Village, vid)
        assert village is not None
        values = indicators.compute(db, village, MONTH, NOW)
    assert values["posts"] == 3 and values["quality_posts"] == 2 and values["quality_total"] == 205
    assert values["comments"] == 1 and values["reactions"] == 1 and values["shares"] == 5
    assert values["platforms"] == 2 and values["population"] == 4321 and values["trained_admins"] == 1
    assert values["apbdes"] is True and values["rpjm"] is False
    assert indicators.linked_platforms(json.dumps({"social": social})) == ["facebook", "tiktok"]
    last = values["last_post_at"]
    assert last is not None and indicators._aware(last) == NOW - timedelta(days=1)
    assert Attention(values["attention"]) == Attention.FEW_PLATFORMS
    shown = Indicators.of_village(
        VillageMonthlyStats(
            village_id=vid,
            month=MONTH,
            views=200,
            visitors=90,
            **{
                k: v
                for k, v in values.items()
                if k
                in (
                    "population",
                    "shares",
                    "comments",
                    "reactions",
                    "posts",
                    "quality_posts",
                    "quality_total",
                )
            },
        )
    )
    assert shown.engagement == 7 / 200 and shown.reach == 90 / 4321 and shown.quality_average == 205 / 3
    assert indicators.status(shown.engagement, indicators.TARGETS.engagement) == "merah"
    assert indicators.status(0.1, 0.15) == "kuning" and indicators.status(0.2, 0.15) == "hijau"


def test_the_clock_recomputes_villages_whose_content_changed(stack: Stack) -> None:
    vid, _ = make_village(stack, SIDOMULYO)
    assert indicators.refresh_changed(stack.runtime, NOW) == 1  # a new village: never computed
    assert indicators.refresh_changed(stack.runtime, NOW) == 0
    with stack.runtime.session(vid) as db:
        db.add(
            Post(village_id=vid, title="Baru", slug="baru", status="published", published_at=NOW, quality=80)
        )
        workflow.bump_content_version(db, vid)
        db.commit()
    assert indicators.refresh_changed(stack.runtime, NOW) == 1
    with stack.runtime.session(all_villages=True) as db:
        row = db.exec(select(VillageMonthlyStats).where(col(VillageMonthlyStats.village_id) == vid)).one()
        assert row.posts == 1 and row.quality_posts == 1
    assert regions(stack)["34.04.02"]["posts"] == 1
    assert indicators.refresh_all(stack.runtime, NOW) == 1
    assert regions(stack)["34.04.02"]["posts"] == 1  # recomputing adds nothing twice


def test_months() -> None:
    assert indicators.months_back(date(2026, 2, 1), 3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    assert indicators.next_month(date(2026, 12, 1)) == date(2027, 1, 1)


def test_the_daily_sweep_goes_through_every_village_in_slices(stack: Stack) -> None:
    make_village(stack, SIDOMULYO)
    make_village(stack, SIDOLUHUR)
    make_village(stack, PANDOWOHARJO)
    assert indicators.sweep(stack.runtime, NOW, batch=2) == 2
    assert indicators.sweep(stack.runtime, NOW, batch=2) == 1
    assert indicators.sweep(stack.runtime, NOW, batch=2) == 0  # done for the day
    assert indicators.sweep(stack.runtime, NOW + timedelta(days=1), batch=5) == 3  # the next day
    assert regions(stack)[""]["villages"] == 3


def test_two_writers_of_one_village_add_each_change_once(production_stack: Stack) -> None:
    """The clock and a dashboard recomputing the same village at once: the second waits for the
    first and adds its change on top of it (reading the same "before", both changes were added)."""
    stack = production_stack
    a, _ = make_village(stack, SIDOMULYO)
    store(stack, a, views=10, posts=1)
    started, done = threading.Event(), threading.Event()

    def second_writer() -> None:
        started.set()
        store(stack, a, views=30, posts=4)
        done.set()

    with stack.runtime.session(all_villages=True) as db:
        village = db.get(Village, a)
        assert village is not None
        indicators.store(db, village, MONTH, {"views": 20, "posts": 2}, NOW)
        writer = threading.Thread(target=second_writer)
        writer.start()
        started.wait(5)
        assert not done.wait(0.5)  # it waits for this transaction
        db.commit()
    writer.join(10)
    assert done.is_set()
    found = regions(stack)
    assert (found["34.04.02"]["views"], found["34.04.02"]["posts"]) == (30, 4)  # the last write, once
    assert (found[""]["views"], found[""]["posts"]) == (30, 4)
