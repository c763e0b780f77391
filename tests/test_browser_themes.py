"""A theme switch with its preview, in Chromium on a phone-sized screen: the village admin picks
Pesisir, looks at the preview of the real home page (visitors still see Klasik), applies it, and
the visitor's next page is Pesisir with its colours, all from this machine."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import col, select

from etalase.platform.accounts.models import User
from etalase.platform.content import workflow
from tests.conftest import BASE_DOMAIN, Stack
from tests.people import make_user, make_village
from tests.test_browser import PHONE, _sign_in, chromium, fits_the_screen, server  # noqa: F401

PESISIR_PRIMARY = "rgb(11, 93, 138)"  # #0b5d8a
KLASIK_PRIMARY = "rgb(31, 111, 67)"  # #1f6f43


def _masthead_colour(page: object) -> str:
    return str(
        page.evaluate(  # type: ignore[attr-defined]
            "getComputedStyle(document.querySelector('.masthead')).backgroundColor"
        )
    )


def test_an_admin_previews_and_applies_a_theme_from_their_phone(
    chromium: object,  # noqa: F811
    server: int,  # noqa: F811
    embedded_stack: Stack,
) -> None:
    village_id, slug = make_village(embedded_stack, "34.04.02.2003")
    make_user(embedded_stack, "Siti Aminah", email="siti@contoh.id", roles={village_id: "admin"})
    with embedded_stack.runtime.session(village_id) as db:
        author = db.exec(select(User).where(col(User.email) == "siti@contoh.id")).one()
        post = workflow.create_draft(
            db, village_id, author, title="Festival perahu nelayan", body="<p>Meriah.</p>"
        )
        assert post.id is not None
        workflow.publish(db, village_id, post.id)
    site = f"http://{slug}.{BASE_DOMAIN}:{server}"
    hosts: set[str] = set()

    visitor = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    reader = visitor.new_page()
    reader.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    reader.goto(f"{site}/")
    assert "theme-klasik" in (reader.get_attribute("body", "class") or "")
    assert _masthead_colour(reader) == KLASIK_PRIMARY
    assert fits_the_screen(reader)

    admin = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    page = admin.new_page()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    _sign_in(page, site, "siti@contoh.id")
    page.goto(f"{site}/admin/tampilan")
    assert fits_the_screen(page)
    assert page.locator("img[src='/static/pesisir/preview.png']").count() == 1
    page.check("input[name=tema][value=pesisir]")
    page.click("button[name=aksi][value=pratinjau]:not(.default-submit)")
    page.wait_for_url(f"{site}/admin/tampilan/pratinjau?*")
    assert "Pratinjau — belum diterapkan" in page.content()
    assert "Festival perahu nelayan" in page.content()  # the village's real home page
    assert page.locator(".post-grid").count() == 1
    assert _masthead_colour(page) == PESISIR_PRIMARY
    assert fits_the_screen(page)

    # Visitors still see the old look while the admin only previews.
    reader.reload()
    assert "theme-klasik" in (reader.get_attribute("body", "class") or "")

    page.click("text=Terapkan tampilan ini")
    page.wait_for_url(f"{site}/admin/tampilan?pesan=diterapkan")
    assert "Tampilan baru sudah diterapkan" in page.content()

    reader.reload()
    assert "theme-pesisir" in (reader.get_attribute("body", "class") or "")
    assert _masthead_colour(reader) == PESISIR_PRIMARY
    assert reader.locator(".post-grid").count() == 1
    assert fits_the_screen(reader)

    admin.close()
    visitor.close()
    assert hosts <= {f"{slug}.{BASE_DOMAIN}"}, hosts
