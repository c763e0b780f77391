"""The supervision console in a real browser (issue 7, item 10): a kabupaten supervisor signs in on
a phone, opens the indicator table of Kabupaten Sleman, sorts it by reach, drills down to a
kecamatan and a village, comes back and exports the table as CSV. The CSV holds exactly the
kecamatan of Sleman, nothing of the kabupaten next door; no request leaves the portal's host."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlmodel import col, select

from etalase.platform.analytics.indicators import Attention, month_of, rebuild_regions
from etalase.platform.analytics.models import VillageMonthlyStats
from etalase.tenants.models import Region, utcnow
from tests.conftest import BASE_DOMAIN, Stack
from tests.people import PASSWORD, make_user, make_village, totp_now
from tests.test_browser import PHONE, chromium, fits_the_screen, server  # noqa: F401  (fixtures)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# (code, unique visitors of 1.000 people): Godean's two villages, Gamping's one, and Bantul's.
VILLAGES = (
    ("34.04.02.2002", 100),  # Sidoluhur
    ("34.04.02.2003", 300),  # Sidomulyo
    ("34.04.01.2001", 900),  # Balecatur (Gamping)
    ("34.02.01.2001", 950),  # Poncosari (Bantul: another kabupaten)
)


def _seed(stack: Stack) -> list[str]:
    """The villages' month as the analytics clock would leave it; returns Sleman's kecamatan."""
    month = month_of(utcnow())
    now = utcnow()
    ids = {code: make_village(stack, code)[0] for code, _visitors in VILLAGES}
    with stack.runtime.session(all_villages=True) as db:
        for code, visitors in VILLAGES:
            db.add(
                VillageMonthlyStats(
                    village_id=ids[code],
                    month=month,
                    views=visitors * 2,
                    visitors=visitors,
                    population=1000,
                    quality_posts=10,
                    platforms=1,
                    last_post_at=now - timedelta(days=3),
                    last_active_at=now - timedelta(days=1),
                    attention=int(Attention.FEW_PLATFORMS),
                )
            )
        db.flush()
        rebuild_regions(db, month)
        return sorted(db.exec(select(Region.code).where(col(Region.parent_code) == "34.04")).all())


def _row_names(page: object) -> list[str]:
    return page.locator("table.console-table tbody th a").all_inner_texts()  # type: ignore[attr-defined,no-any-return]


def test_a_kabupaten_supervisor_sorts_drills_down_and_exports(
    chromium: object,  # noqa: F811  (the fixture of tests/test_browser.py)
    server: int,  # noqa: F811
    embedded_stack: Stack,
    tmp_path: Path,
) -> None:
    kecamatan = _seed(embedded_stack)
    make_user(
        embedded_stack, "Pendamping Sleman", email="sleman@contoh.id", scope="34.04", totp_secret=SECRET
    )
    portal = f"http://{BASE_DOMAIN}:{server}"
    context = chromium.new_context(viewport=PHONE, locale="id-ID", accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    hosts: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)

    # Sign in: password, then the authenticator's code (kabupaten level needs two-factor).
    page.goto(f"{portal}/konsol")
    assert "/akun/masuk" in page.url
    page.fill("input[name=identifier]", "sleman@contoh.id")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/akun/masuk/kode"))
    page.fill("input[name=code]", totp_now(SECRET))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/konsol", (page.url, re.sub(r"\s+", " ", page.content())[-3000:])

    # The indicator table of the kabupaten: its kecamatan, by name.
    page.click("nav a[href='/konsol/wilayah']")
    page.wait_for_url(f"{portal}/konsol/wilayah")
    assert page.locator("h1").inner_text() == "Kabupaten Sleman"
    names = _row_names(page)
    assert len(names) == len(kecamatan) and names == sorted(names, key=str.casefold)
    assert fits_the_screen(page)  # the wide table scrolls inside its own box

    # Sort by reach: the kecamatan with data, weakest first (Godean 20,0%, Gamping 90,0%), then
    # those without data.
    page.click("table.console-table thead a:has-text('Jangkauan')")
    page.wait_for_url(re.compile(r"urut=jangkauan"))
    assert _row_names(page)[:2] == ["Kecamatan Godean", "Kecamatan Gamping"]
    assert page.locator("th[aria-sort='ascending']").inner_text().startswith("Jangkauan")
    godean = page.locator("table.console-table tbody tr").first
    assert "20,0%" in godean.inner_text() and "merah: jauh dari target" in godean.inner_text()

    # Drill down: the kecamatan, then a village and its page.
    page.click("table.console-table tbody a:has-text('Kecamatan Godean')")
    page.wait_for_url(re.compile(r"/konsol/wilayah/34\.04\.02"))
    assert _row_names(page) == ["Desa Sidoluhur", "Desa Sidomulyo"]
    page.click("table.console-table tbody a:has-text('Desa Sidoluhur')")
    page.wait_for_url(re.compile(r"/konsol/desa/34\.04\.02\.2002"))
    html = page.content()
    assert "Desa Sidoluhur" in html and "10,0%" in html and "Tren 12 bulan" in html
    assert "Kurang dari 3 platform media sosial" in html
    assert page.locator("svg.chart title").count() > 0

    # Back to the kabupaten's table (sorted by reach) and export it.
    page.go_back()
    page.go_back()
    page.wait_for_url(re.compile(r"/konsol/wilayah\?.*urut=jangkauan"))
    with page.expect_download() as downloaded:
        page.click("a.btn:has-text('CSV')")
    download = downloaded.value
    month = month_of(utcnow())
    assert download.suggested_filename == f"konsol-34.04-{month.year:04d}-{month.month:02d}.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    lines = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    codes = [line[0] for line in lines[1:]]
    assert sorted(codes) == kecamatan and len(codes) == len(set(codes))
    assert codes[:2] == ["34.04.02", "34.04.01"]  # the order of the screen
    assert not [c for c in codes if not c.startswith("34.04.")]
    assert "Poncosari" not in target.read_text(encoding="utf-8-sig")

    context.close()
    assert problems == []
    assert hosts <= {BASE_DOMAIN}, hosts
