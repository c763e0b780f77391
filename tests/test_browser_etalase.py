"""The village's shop window in a real browser on a phone-sized screen (issue 6): a buyer orders a
product through the "Pesan via WhatsApp" button (the wa.me address is caught in the browser, never
fetched), a resident files an aspiration with a photo and looks it up by its code, and a village
admin imports an APBDes spreadsheet whose totals the public infographic then shows."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlmodel import col

from etalase.platform.aspirations import spam
from etalase.platform.potensi.models import Product
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village
from tests.conftest import BASE_DOMAIN, Stack
from tests.people import make_user, make_village
from tests.test_browser import PHONE, _sign_in, chromium, fits_the_screen, server  # noqa: F401  (fixtures)
from tests.test_gallery import jpeg

FIXTURES = Path(__file__).parent / "fixtures"
SELLER = "6281234567890"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 11; SM-A125F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)


def _phone(browser: object) -> tuple[object, object, set[str], list[str]]:
    # A phone's own user agent: headless Chromium names itself, and machines' taps are not counted.
    context = browser.new_context(viewport=PHONE, locale="id-ID", user_agent=ANDROID)  # type: ignore[attr-defined]
    page = context.new_page()
    hosts: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    return context, page, hosts, problems


def test_a_buyer_orders_a_product_on_whatsapp(
    chromium: object,  # noqa: F811
    server: int,  # noqa: F811
    embedded_stack: Stack,
) -> None:
    village_id, slug = make_village(embedded_stack, "34.04.02.2003")
    with embedded_stack.runtime.session(village_id) as db:
        db.add(
            Product(
                village_id=village_id,
                name="Keripik Tempe Bu Sri",
                slug="keripik-tempe-bu-sri",
                description="Keripik tempe renyah dari kedelai lokal.",
                price=15000,
                unit="bungkus",
                category="kuliner",
                seller_name="Bu Sri",
                whatsapp="+" + SELLER,
                status="published",
                published_at=utcnow(),
            )
        )
    site = f"http://{slug}.{BASE_DOMAIN}:{server}"
    context, page, hosts, problems = _phone(chromium)
    ordered: list[str] = []

    def to_whatsapp(route: object) -> None:
        ordered.append(route.request.url)  # type: ignore[attr-defined]
        route.fulfill(status=200, content_type="text/html", body="<title>WhatsApp</title>")  # type: ignore[attr-defined]

    context.route("https://wa.me/**", to_whatsapp)  # type: ignore[attr-defined]
    assert page.goto(f"{site}/produk").status == 200  # type: ignore[attr-defined]
    assert fits_the_screen(page)
    page.locator("a", has_text="Keripik Tempe Bu Sri").first.click()  # type: ignore[attr-defined]
    page.wait_for_url(f"{site}/produk/keripik-tempe-bu-sri")  # type: ignore[attr-defined]
    assert fits_the_screen(page)
    html = page.content()  # type: ignore[attr-defined]
    assert "Rp15.000" in html and "Bu Sri" in html
    assert "81234567890" not in html and "3456" not in html  # the number is only behind the button
    page.locator("a", has_text="Pesan via WhatsApp").click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"https://wa\.me/.*"))  # type: ignore[attr-defined]
    (url,) = ordered
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("wa.me", f"/{SELLER}")
    message = unquote(parse_qs(parts.query)["text"][0])
    assert "Keripik Tempe Bu Sri" in message and "Desa Sidomulyo" in message
    assert "/produk/keripik-tempe-bu-sri" in message  # the buyer's message links the product
    with embedded_stack.runtime.session(village_id) as db:
        clicks = list(db.exec(in_village(Product, village_id).with_only_columns(col(Product.order_clicks))))
    assert clicks == [1]  # the tap is counted
    context.close()  # type: ignore[attr-defined]
    assert hosts <= {f"{slug}.{BASE_DOMAIN}", "wa.me"}, hosts  # wa.me answered by the test itself
    assert problems == []


def test_a_resident_files_an_aspiration_and_looks_it_up(
    chromium: object,  # noqa: F811
    server: int,  # noqa: F811
    embedded_stack: Stack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(spam, "now", lambda: time.time() + 10)  # the resident took their time
    _village_id, slug = make_village(embedded_stack, "34.04.02.2003")
    site = f"http://{slug}.{BASE_DOMAIN}:{server}"
    context, page, hosts, problems = _phone(chromium)
    assert page.goto(f"{site}/aspirasi").status == 200  # type: ignore[attr-defined]
    assert fits_the_screen(page)
    page.select_option("select[name=kategori]", "infrastruktur")  # type: ignore[attr-defined]
    message = "Lampu jalan di depan balai dusun Krajan mati sejak seminggu, jalan gelap sekali."
    page.fill("textarea[name=pesan]", message)  # type: ignore[attr-defined]
    page.fill("input[name=nama]", "Siti Pelapor")  # type: ignore[attr-defined]
    page.fill("input[name=hp]", "0812-3456-7890")  # type: ignore[attr-defined]
    page.set_input_files(  # type: ignore[attr-defined]
        "input[type=file]", {"name": "lampu.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    page.check("input[name=boleh_publikasi]")  # type: ignore[attr-defined]
    page.click("button[type=submit]:has-text('Kirim aspirasi')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    found = re.search(r"ASP-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", page.content())  # type: ignore[attr-defined]
    assert found, page.content()  # type: ignore[attr-defined]
    code = found.group(0)
    assert fits_the_screen(page)

    # Later, on the same phone: the code typed in lower case, with spaces.
    assert page.goto(f"{site}/aspirasi/lacak").status == 200  # type: ignore[attr-defined]
    page.fill("input[name=kode]", code.lower().replace("-", " "))  # type: ignore[attr-defined]
    page.click("button[type=submit]:has-text('Lihat status')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]
    html = page.content()  # type: ignore[attr-defined]
    assert "Diterima" in html and message in html
    assert "Siti Pelapor" not in html and "3456" not in html  # never the sender, not even to them
    assert fits_the_screen(page)
    context.close()  # type: ignore[attr-defined]
    assert hosts <= {f"{slug}.{BASE_DOMAIN}"}, hosts
    assert problems == []


def test_an_admin_imports_the_apbdes_and_the_infographic_adds_up(
    chromium: object,  # noqa: F811
    server: int,  # noqa: F811
    embedded_stack: Stack,
) -> None:
    village_id, slug = make_village(embedded_stack, "34.04.02.2003")
    make_user(embedded_stack, "Siti Aminah", email="siti@contoh.id", roles={village_id: "admin"})
    site = f"http://{slug}.{BASE_DOMAIN}:{server}"
    context, page, hosts, problems = _phone(chromium)
    _sign_in(page, site, "siti@contoh.id")
    assert page.goto(f"{site}/admin/apbdes").status == 200  # type: ignore[attr-defined]
    assert fits_the_screen(page)
    page.fill("#f-impor-tahun", "2026")  # type: ignore[attr-defined]
    page.set_input_files("#f-berkas", str(FIXTURES / "apbdes-2026.csv"))  # type: ignore[attr-defined]
    page.click("form[action='/admin/apbdes/impor'] button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r".*/admin/apbdes/\d+\?pesan=diimpor$"))  # type: ignore[attr-defined]
    assert "Berkas sudah diimpor" in page.content()  # type: ignore[attr-defined]
    page.click("button:has-text('Terbitkan APBDes')")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]

    assert page.goto(f"{site}/apbdes").status == 200  # type: ignore[attr-defined]
    assert fits_the_screen(page)

    def row(label: str) -> list[str]:
        cells = page.locator(f"tr:has(th[scope=row]:text-is('{label}')) td")  # type: ignore[attr-defined]
        return [c.strip() for c in cells.all_inner_texts()]

    # The fixture's totals: pendapatan 1.565 M budgeted, 960 M realised; belanja 1.515 M / 885 M.
    assert row("Pendapatan")[:3] == ["Rp1.565.000.000", "Rp960.000.000", "61,3%"]
    assert row("Belanja")[:3] == ["Rp1.515.000.000", "Rp885.000.000", "58,4%"]
    assert row("Surplus")[0] == "Rp50.000.000"
    # The infographic: a titled SVG whose bars are drawn to scale (pendapatan fills the width).
    chart = page.locator("svg[aria-labelledby^='chart1']")  # type: ignore[attr-defined]
    assert chart.count() == 1
    assert chart.locator("title").first.text_content() == "Pendapatan, belanja, dan pembiayaan 2026"
    widths = sorted(
        float(w) for w in chart.locator("rect").evaluate_all("rs => rs.map(r => r.getAttribute('width'))")
    )
    assert widths[-1] == 640.0 and 619.6 in widths and 361.9 in widths
    # The data as a spreadsheet.
    assert page.locator("a[href='/apbdes/2026.csv']").count() >= 1  # type: ignore[attr-defined]
    context.close()  # type: ignore[attr-defined]
    assert hosts <= {f"{slug}.{BASE_DOMAIN}"}, hosts
    assert problems == []
