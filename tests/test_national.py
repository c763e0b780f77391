"""National monitoring (/konsol/nasional): the numbers by province and by month come from the
region rollups seeded here (village rows + rebuild_regions); only the operator and national-scope
supervisors may open it. Both stacks."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from etalase.platform.analytics.indicators import month_of, previous_month, rebuild_regions
from etalase.platform.analytics.models import VillageMonthlyStats
from etalase.tenants.models import utcnow
from tests.conftest import Stack
from tests.people import Browser, make_user, make_village, portal, totp_now

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SIDOMULYO, GODEAN_OTHER, METESEH = "34.04.02.2003", "34.04.02.2001", "33.74.10.1001"


def seed(stack: Stack) -> tuple[date, date, dict[str, str]]:
    """Three villages in two provinces, this month and (one village) the month before:
    DIY 2 villages, 1 active in 30 days, 15 posts, reach 400/2000; Jawa Tengah 1 village, active,
    7 posts, population unknown. Returns the two months and the villages' slugs by code."""
    now = utcnow()
    month, before = month_of(now), previous_month(month_of(now))
    slugs = {}
    ids = {}
    for code in (SIDOMULYO, GODEAN_OTHER, METESEH):
        ids[code], slugs[code] = make_village(stack, code)
    rows = [
        (SIDOMULYO, month, 12, 5, 300, 1000, now - timedelta(days=2)),
        (GODEAN_OTHER, month, 3, 0, 100, 1000, now - timedelta(days=40)),
        (METESEH, month, 7, 2, 50, None, now - timedelta(days=10)),
        (SIDOMULYO, before, 4, 1, 90, 1000, now - timedelta(days=35)),
    ]
    with stack.runtime.session(all_villages=True) as db:
        for code, m, posts, quality, visitors, population, active in rows:
            db.add(
                VillageMonthlyStats(
                    village_id=ids[code],
                    month=m,
                    posts=posts,
                    quality_posts=quality,
                    visitors=visitors,
                    views=visitors * 3,
                    population=population,
                    last_active_at=active,
                    comments=1,
                    attention=1 if code == GODEAN_OTHER else 0,
                )
            )
        db.flush()
        for m in (month, before):
            rebuild_regions(db, m, now)
    return month, before, slugs


def sign_in(stack: Stack, email: str, *, two_factor: bool = True) -> Browser:
    browser = Browser(stack)
    response = browser.login(portal(stack), email)
    assert response.status_code == 303, response.text
    if two_factor:
        assert response.headers["location"].startswith("/akun/masuk/kode")
        response = browser.post(f"{portal(stack)}/akun/masuk/kode", {"code": totp_now(SECRET), "next": ""})
        assert response.status_code == 303, response.text
    return browser


def table_rows(html: str, table_id: str) -> dict[str, list[str]]:
    """The rows of a table as {first cell text: other cells' text}, tags stripped."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", c).split())
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        found[cells[0]] = cells[1:]
    return found


def month_label(month: datetime | date) -> str:
    return f"{month:%Y-%m}"


def test_national_numbers_by_province_and_month(stack: Stack) -> None:
    _month, before, _slugs = seed(stack)
    make_user(stack, "Kementerian", email="pusat@contoh.id", superuser=True, totp_secret=SECRET)
    browser = sign_in(stack, "pusat@contoh.id")
    response = browser.get(f"{portal(stack)}/konsol/nasional")
    assert response.status_code == 200, response.text
    html = response.text
    provinces = table_rows(html, "tabel-provinsi")
    assert len(provinces) == 38
    diy = next(cells for name, cells in provinces.items() if name.endswith(" 34"))
    jateng = next(cells for name, cells in provinces.items() if name.endswith(" 33"))
    # villages, active 30 days (share and count), live, posts (quality), reach, attention
    assert diy[0] == "2" and diy[1] == "50,0% (1)" and diy[2] == "1"
    assert diy[3].startswith("15 (5 ") and diy[4].startswith("20,0%") and diy[5] == "1"
    assert jateng[0] == "1" and jateng[1] == "100,0% (1)" and jateng[3].startswith("7 (2 ")
    assert jateng[4].startswith("—")  # no population given: no reach, not 0%
    papua = next(cells for name, cells in provinces.items() if name.endswith(" 91"))
    assert papua[0] == "0" and papua[1].startswith("—")

    trend = table_rows(html, "tabel-bulan")
    assert len(trend) == 12
    values = list(trend.values())
    assert values[-1] == ["3", "66,7%", "22", "20,0%"]
    assert values[-2] == ["1", "0,0%", "4", "9,0%"]
    assert values[0] == ["0", "—", "0", "—"]
    # Charts are inline SVG with a title and a description, and nothing is loaded from elsewhere.
    assert html.count("<svg") == 4 and '<title id="grafik-berita-judul">' in html
    assert "<desc id=" in html and "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    # The summary of this month.
    assert "66,7%" in html and "22</strong>" in html

    # Another month through the picker.
    older = browser.get(f"{portal(stack)}/konsol/nasional?bulan={month_label(before)}").text
    diy_before = next(c for n, c in table_rows(older, "tabel-provinsi").items() if n.endswith(" 34"))
    assert diy_before[0] == "1" and diy_before[3].startswith("4 (1 ")
    # A month outside the last twelve falls back to the current one.
    fallback = browser.get(f"{portal(stack)}/konsol/nasional?bulan=1999-01").text
    assert list(table_rows(fallback, "tabel-bulan").values())[-1][2] == "22"


def test_only_the_ministry_opens_national_monitoring(stack: Stack) -> None:
    seed(stack)
    base = f"{portal(stack)}/konsol/nasional"
    make_user(stack, "Pusat", email="nasional@contoh.id", scope="", totp_secret=SECRET)
    national = sign_in(stack, "nasional@contoh.id").get(base)
    assert national.status_code == 200 and "tabel-provinsi" in national.text
    for email, scope in (
        ("provinsi@contoh.id", "34"),
        ("kabupaten@contoh.id", "34.04"),
        ("kecamatan@contoh.id", "34.04.02"),
    ):
        two_factor = scope != "34.04.02"  # kecamatan supervisors sign in without a code by default
        make_user(
            stack, f"Pendamping {scope}", email=email, scope=scope, totp_secret=SECRET if two_factor else None
        )
        refused = sign_in(stack, email, two_factor=two_factor).get(base)
        assert refused.status_code == 403, (scope, refused.status_code)
        assert "tabel-provinsi" not in refused.text and "66,7%" not in refused.text
    anonymous = Browser(stack).get(base)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/akun/masuk")
