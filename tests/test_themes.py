"""Themes and each village's appearance (/admin/tampilan, /tema.css, /konsol/tema) on both stacks:
every theme renders the village's own content, colours that cannot be read are refused, the
preview saves nothing, applying shows at once, only the village's admin may change it, and a
supervisor's default theme reaches new villages of their scope only."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent, User
from etalase.platform.analytics.models import VillageDailyStats
from etalase.platform.content import workflow
from etalase.platform.content.models import Page
from etalase.platform.site import appearance, themes
from etalase.platform.site.models import Appearance
from etalase.tenants.models import Village
from etalase.tenants.scope import in_village
from tests.conftest import Stack, StatementLog
from tests.people import Browser, make_user, make_village, portal, village_host

CODE = "34.04.02.2003"  # Sidomulyo, Kecamatan Godean
OTHER = "33.74.10.1001"  # Meteseh, Kota Semarang
BASE = "/admin/tampilan"


class Desa:
    """A village with its admin, editor and kontributor signed in, a published post and a page."""

    def __init__(self, stack: Stack, code: str = CODE, prefix: str = "") -> None:
        self.stack = stack
        self.vid, slug = make_village(stack, code)
        self.base = village_host(stack, slug)
        self.browsers: dict[str, Browser] = {}
        for role in ("admin", "editor", "kontributor"):
            email = f"{prefix}{role}@contoh.id"
            make_user(stack, f"{prefix}{role}".title(), email=email, roles={self.vid: role})
            browser = Browser(stack)
            assert browser.login(self.base, email).status_code == 303
            self.browsers[role] = browser
        with stack.runtime.session(self.vid) as db:
            author = db.exec(select(User).where(col(User.email) == f"{prefix}admin@contoh.id")).one()
            post = workflow.create_draft(
                db, self.vid, author, title="Panen raya padi organik", body="<p>Hasil panen melimpah.</p>"
            )
            assert post.id is not None
            workflow.set_terms(db, self.vid, post.id, categories=["Pertanian"], tags=[])
            workflow.publish(db, self.vid, post.id)
            self.post_slug = post.slug
            db.add(
                Page(
                    village_id=self.vid,
                    title="Sejarah desa",
                    slug="sejarah",
                    body="<p>Berdiri sejak 1946.</p>",
                    status="published",
                )
            )

    @property
    def admin(self) -> Browser:
        return self.browsers["admin"]

    def form(self, **changes: str) -> dict[str, str]:
        """The appearance form as the page shows it (text inputs, checked radios and boxes,
        first option of selects), with ``changes`` on top."""
        html = self.admin.get(f"{self.base}{BASE}").text
        fields: dict[str, str] = {}
        for tag in re.findall(r"<input[^>]*>", html):
            name = re.search(r'name="([^"]+)"', tag)
            if not name or "default-submit" in tag:
                continue
            value = re.search(r'value="([^"]*)"', tag)
            kind = re.search(r'type="([^"]+)"', tag)
            if kind and kind.group(1) in ("radio", "checkbox") and " checked" not in tag:
                continue
            fields[name.group(1)] = value.group(1) if value else ""
        fields.update(changes)
        return fields

    def submit(self, **changes: str):  # type: ignore[no-untyped-def]
        return self.admin.post(f"{self.base}{BASE}", self.form(**changes))

    def home(self) -> str:
        response = Browser(self.stack).get(f"{self.base}/")
        assert response.status_code == 200
        return response.text

    def stored(self) -> tuple[str, Appearance | None]:
        with self.stack.runtime.session(self.vid) as db:
            village = db.get(Village, self.vid)
            assert village is not None
            row = db.exec(in_village(Appearance, self.vid)).first()
            return village.theme, row


# --- the registry -----------------------------------------------------------------
def test_every_manifest_is_valid_with_a_real_preview_image() -> None:
    found = themes.all_themes()
    assert {t.key for t in found} >= {"klasik", "sawah", "pesisir"}
    for theme in found:
        manifest = themes.load_manifest(theme.key)  # raises on anything invalid
        preview = themes.THEMES_DIR / theme.key / manifest.preview
        assert preview.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert manifest.default_layout in manifest.layouts
        assert themes.contrast_failures(manifest, manifest.colors) == []
        css = (themes.THEMES_DIR / theme.key / "static" / "style.css").read_text()
        assert "@import" not in css and "http" not in css  # no web font, no third-party request
        # The whole CSS of a page in this theme (shared base, the theme's, the village's colours)
        # stays small: the budget for CSS + JS is 15 KB gzip; a theme gets at most 8.
        shared = (themes.THEMES_DIR / "base" / "static" / "site.css").read_bytes()
        colours = themes.stylesheet(theme, {}).encode()
        assert len(gzip.compress(shared + css.encode() + colours, 9)) <= 8 * 1024, theme.key
    # Visibly different: each its own colours and its own layouts or templates.
    assert len({t.manifest.colors["primary"] for t in found}) == len(found)
    assert (themes.THEMES_DIR / "pesisir" / "home.html").is_file()
    assert themes.get_theme("sawah").manifest.default_layout == "sidebar-kiri"  # type: ignore[union-attr]


def test_contrast_arithmetic_follows_wcag() -> None:
    assert round(themes.contrast("#ffffff", "#000000"), 1) == 21.0
    assert round(themes.contrast("#767676", "#ffffff"), 2) == 4.54
    assert themes.contrast("#777777", "#ffffff") < 4.5
    fixed = themes.readable_variant("#9ccc65", "#ffffff")
    assert themes.contrast(fixed, "#ffffff") >= 4.5


def test_an_invalid_manifest_is_refused() -> None:
    good = json.loads((themes.THEMES_DIR / "klasik" / "theme.json").read_text())
    for broken in (
        {**good, "default_layout": "sidebar-kiri"},  # not among its layouts
        {**good, "colors": {**good["colors"], "primary": "#f2f2f2"}},  # white on near-white
        {**good, "colors": {**good["colors"], "text": "green"}},
        {**good, "default_widgets": ["iklan"]},
        {**good, "script": "alert(1)"},  # nothing outside the schema
    ):
        with pytest.raises(ValueError):
            themes.Manifest.model_validate(broken)


# --- every theme renders the village's content ----------------------------------------------------
def test_every_theme_renders_home_post_and_page(stack: Stack) -> None:
    desa = Desa(stack)
    for theme in themes.all_themes():
        widgets = {"w_count": "3", "w0_type": "kategori", "w1_type": "arsip", "w2_type": "cari"}
        response = desa.submit(tema=theme.key, tata=theme.manifest.default_layout, aksi="terapkan", **widgets)
        assert response.status_code == 303, response.text
        pages = {
            "/": "Panen raya padi organik",
            f"/berita/{desa.post_slug}": "Hasil panen melimpah.",
            "/halaman/sejarah": "Berdiri sejak 1946.",
        }
        for path, text in pages.items():
            page = Browser(stack).get(f"{desa.base}{path}")
            assert page.status_code == 200, (theme.key, path)
            assert text in page.text, (theme.key, path)
            assert f'/static/{theme.key}/style.css"' in page.text
            assert f'class="theme-{theme.key} ' in page.text
            assert '<main id="isi">' in page.text and "Desa Sidomulyo" in page.text
        home = desa.home()
        if theme.key == "pesisir":
            assert 'class="post-grid"' in home  # the cards grid
        if theme.key == "sawah":
            # The sidebar on the left, with the village's own data in its widgets.
            assert "layout-sidebar-kiri" in home and '<aside class="sidebar"' in home
            assert 'href="/kategori/pertanian"' in home and "Pertanian" in home
            assert "Arsip bulanan" in home


# --- colours, layout, widgets, social profiles: checked -------------------------------------------
def test_an_unreadable_colour_is_refused_with_the_pair_and_a_suggestion(stack: Stack) -> None:
    desa = Desa(stack)
    refused = desa.submit(
        warna_bawaan="0",
        warna_text_teks="#777777",
        warna_background_teks="#ffffff",
        aksi="terapkan",
    )
    assert refused.status_code == 400
    text = refused.text
    assert "Warna teks #777777 di atas warna latar #ffffff" in text
    assert "4,48:1" in text and "minimal" in text
    suggestion = re.search(r"Coba (#[0-9a-f]{6}) untuk warna teks", text)
    assert suggestion and themes.contrast(suggestion.group(1), "#ffffff") >= 4.5
    assert 'value="#777777"' in text  # what was typed stays in the form
    assert desa.stored() == ("klasik", None)
    # A pale primary: links on the page background would be unreadable.
    refused = desa.submit(warna_bawaan="0", warna_primary_teks="#9ccc65", aksi="terapkan")
    assert refused.status_code == 400 and "Warna utama #9ccc65 di atas warna latar #fbfaf6" in refused.text
    assert desa.stored() == ("klasik", None)
    # The suggestion passes.
    applied = desa.submit(
        warna_bawaan="0",
        warna_text_teks=suggestion.group(1),
        warna_background_teks="#ffffff",
        aksi="terapkan",
    )
    assert applied.status_code == 303
    css = Browser(stack).get(f"{desa.base}/tema.css?v=0").text
    assert f"--text:{suggestion.group(1)}" in css


def test_options_are_checked_against_the_theme(stack: Stack) -> None:
    desa = Desa(stack)
    wrong_layout = desa.submit(tema="klasik", tata="sidebar-kiri", aksi="terapkan")
    assert wrong_layout.status_code == 400 and "tidak mendukung tata letak itu" in wrong_layout.text
    for url in (
        "https://facebook.com.evil.example/desa",  # not Facebook's host
        "facebook.com.evil.example/desa",
        "https://facebook.com/",  # no page
        "javascript:alert(1)",
    ):
        refused = desa.submit(sosial_facebook=url, aksi="terapkan")
        assert refused.status_code == 400, url
        assert "Facebook" in refused.text
    assert desa.stored() == ("klasik", None)
    # A good profile link, a sanitised text widget, the right layout.
    form = desa.form(
        tema="pesisir",
        tata="sidebar-kanan",
        sosial_whatsapp="https://whatsapp.com/channel/0029Va",
        # As copied from the app or typed: no scheme, or plain http; kept as https.
        sosial_facebook="facebook.com/desasidomulyo",
        sosial_instagram="http://www.instagram.com/desasidomulyo",
    )
    form.update({"w_count": "2", "w0_type": "teks", "w0_title": "Jam layanan"})
    form.update({"w0_text": "<p>Senin–Jumat 08.00</p><script>alert(1)</script>", "w1_type": "sosial"})
    form["aksi"] = "terapkan"
    assert desa.admin.post(f"{desa.base}{BASE}", form).status_code == 303
    home = desa.home()
    assert "Senin–Jumat 08.00" in home and "alert(1)" not in home
    assert 'href="https://whatsapp.com/channel/0029Va"' in home
    assert 'href="https://facebook.com/desasidomulyo"' in home
    assert 'href="https://www.instagram.com/desasidomulyo"' in home
    assert "layout-sidebar-kanan" in home


def test_widgets_are_added_moved_and_removed_without_javascript(stack: Stack) -> None:
    desa = Desa(stack)
    form = desa.form(tema="sawah", tata="sidebar-kiri")
    form.update({"w_count": "0", "widget_baru": "cari", "aksi": "tambah"})
    shown = desa.admin.post(f"{desa.base}{BASE}", form)
    assert shown.status_code == 200 and 'name="w0_type" value="cari"' in shown.text
    form.update({"w_count": "2", "w0_type": "cari", "w1_type": "agenda", "aksi": "naik:1"})
    shown = desa.admin.post(f"{desa.base}{BASE}", form)
    assert shown.text.index('value="agenda"') < shown.text.index('value="cari"')
    form.update({"aksi": "hapus:0"})
    shown = desa.admin.post(f"{desa.base}{BASE}", form)
    assert 'name="w0_type" value="agenda"' in shown.text and 'name="w1_type"' not in shown.text
    assert desa.stored() == ("klasik", None)  # nothing saved by editing the list


# --- preview and apply -----------------------------------------------------------------
def test_the_preview_shows_the_real_home_page_and_saves_nothing(stack: Stack) -> None:
    desa = Desa(stack)
    before = desa.home()
    redirect = desa.submit(
        tema="pesisir", tata="tanpa-sidebar", warna_bawaan="0", warna_primary_teks="#0a4f75", aksi="pratinjau"
    )
    assert redirect.status_code == 303
    target = redirect.headers["location"]
    assert target.startswith(f"{BASE}/pratinjau?tema=pesisir")
    preview = desa.admin.get(f"{desa.base}{target}")
    assert preview.status_code == 200
    assert "Pratinjau — belum diterapkan" in preview.text
    assert "Panen raya padi organik" in preview.text  # the village's own content
    assert "/static/pesisir/style.css" in preview.text and 'class="post-grid"' in preview.text
    assert preview.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in preview.headers["content-security-policy"]
    css_url = re.search(r'href="(/admin/tampilan/pratinjau\.css\?[^"]+)"', preview.text)
    assert css_url
    css = desa.admin.get(desa.base + css_url.group(1).replace("&amp;", "&"))
    assert css.status_code == 200 and "--primary:#0a4f75" in css.text
    # Nothing changed for visitors, nothing stored.
    assert desa.home() == before
    assert desa.stored() == ("klasik", None)
    # A theme card's own preview, and a forged option is refused, not shown.
    assert "Pratinjau — belum diterapkan" in desa.admin.get(f"{desa.base}{BASE}/pratinjau?tema=sawah").text
    opsi = parse_qs(urlsplit(target).query)["opsi"][0]
    forged = json.loads(opsi)
    forged["colors"] = {"text": "#eeeeee"}
    bad = desa.admin.get(
        f"{desa.base}{BASE}/pratinjau", params={"tema": "pesisir", "opsi": json.dumps(forged)}
    )
    assert bad.status_code == 400 and "kontrasnya" in bad.text


def test_applying_changes_the_home_page_at_once(stack: Stack) -> None:
    desa = Desa(stack)
    first = desa.home()
    old_css = re.search(r'href="(/tema\.css\?v=\d+)"', first)
    assert old_css and "theme-klasik" in first
    target = desa.submit(tema="pesisir", tata="tanpa-sidebar", aksi="pratinjau").headers["location"]
    preview = desa.admin.get(f"{desa.base}{target}").text
    opsi = re.search(r'name="opsi" value="([^"]+)"', preview)
    token = re.search(r'name="csrf_token" value="([^"]+)"', preview)
    assert opsi and token
    applied = desa.admin.post(
        f"{desa.base}{BASE}/terapkan",
        {
            "csrf_token": token.group(1),
            "tema": "pesisir",
            "opsi": opsi.group(1).replace("&#34;", '"').replace("&quot;", '"'),
        },
    )
    assert applied.status_code == 303 and applied.headers["location"] == f"{BASE}?pesan=diterapkan"
    now = desa.home()
    assert "theme-pesisir" in now and "/static/pesisir/style.css" in now
    new_css = re.search(r'href="(/tema\.css\?v=\d+)"', now)
    assert new_css and new_css.group(1) != old_css.group(1)  # the content version moved on
    css = Browser(stack).get(f"{desa.base}{new_css.group(1)}")
    assert "immutable" in css.headers["cache-control"] and "--primary:#0b5d8a" in css.text
    assert desa.stored()[0] == "pesisir"
    with stack.runtime.session(desa.vid) as db:
        events = db.exec(select(AuditEvent).where(col(AuditEvent.action) == "appearance_changed")).all()
    assert [e.target for e in events] == ["Pesisir"]
    assert "Tampilan baru sudah diterapkan" in desa.admin.get(f"{desa.base}{BASE}?pesan=diterapkan").text


def test_logo_and_header_come_from_the_village_library_only(stack: Stack) -> None:
    from tests.test_tenant_wall import TINY_PNG  # noqa: PLC0415

    desa = Desa(stack)
    other = Desa(stack, OTHER, prefix="b")
    uploaded = []
    for village in (desa, other):
        response = village.admin.post(
            f"{village.base}/admin/media/unggah",
            {"alt": "Balai desa"},
            form_url=f"{village.base}/admin/media",
            files={"berkas": ("balai.png", TINY_PNG, "image/png")},
        )
        assert response.status_code == 303
        with stack.runtime.session(village.vid) as db:
            from etalase.platform.media_library.models import MediaFile  # noqa: PLC0415

            uploaded.append(db.exec(in_village(MediaFile, village.vid)).one().id)
    mine, theirs = uploaded
    refused = desa.submit(logo=str(theirs), aksi="terapkan")
    assert refused.status_code == 400 and "pustaka media desa ini" in refused.text
    assert desa.submit(logo=str(mine), header=str(mine), aksi="terapkan").status_code == 303
    home = desa.home()
    assert 'class="logo"' in home and 'class="header-image"' in home and "srcset=" in home
    assert 'alt="Balai desa"' in home


# --- who may -----------------------------------------------------------------
def test_only_the_village_admin_changes_the_appearance(stack: Stack) -> None:
    desa = Desa(stack)
    other = Desa(stack, OTHER, prefix="b")
    token = desa.admin.csrf(f"{desa.base}{BASE}")
    for role in ("editor", "kontributor"):
        browser = desa.browsers[role]
        assert browser.get(f"{desa.base}{BASE}").status_code == 403
        assert browser.get(f"{desa.base}{BASE}/pratinjau?tema=sawah").status_code == 403
        own = browser.csrf(f"{desa.base}/akun")
        for path in (BASE, f"{BASE}/terapkan"):
            refused = browser.post(
                f"{desa.base}{path}", {"csrf_token": own, "tema": "sawah", "aksi": "terapkan", "opsi": "{}"}
            )
            assert refused.status_code == 403, (role, path)
    # B's admin signed in on A's host with their real password: not A's team.
    outsider = Browser(stack)
    assert outsider.login(desa.base, "badmin@contoh.id").status_code == 303
    assert outsider.get(f"{desa.base}{BASE}").status_code == 403
    theirs = outsider.csrf(f"{desa.base}/akun")
    for path in (BASE, f"{BASE}/terapkan"):
        refused = outsider.post(
            f"{desa.base}{path}", {"csrf_token": theirs, "tema": "sawah", "aksi": "terapkan", "opsi": "{}"}
        )
        assert refused.status_code == 403
    # A's admin's token is nothing on B's host.
    sent = desa.admin.post(
        f"{other.base}{BASE}/terapkan", {"csrf_token": token, "tema": "sawah", "opsi": "{}"}
    )
    assert sent.status_code in (303, 403) and sent.headers.get("location", "").startswith(("/akun/masuk", ""))
    assert desa.stored() == ("klasik", None)
    assert other.stored() == ("klasik", None)
    # A's admin applying changes A only.
    assert desa.submit(tema="sawah", aksi="terapkan").status_code == 303
    assert desa.stored()[0] == "sawah" and other.stored() == ("klasik", None)
    assert "theme-klasik" in other.home()


# --- the supervisor's default theme ---------------------------------------------------------------
def test_a_supervisor_default_theme_reaches_new_villages_in_scope_only(stack: Stack) -> None:
    make_user(stack, "Pendamping Godean", email="pd.godean@contoh.id", scope="34.04.02")
    supervisor = Browser(stack)
    base = portal(stack)
    assert supervisor.login(base, "pd.godean@contoh.id").status_code == 303
    page = supervisor.get(f"{base}/konsol/tema")
    assert (
        page.status_code == 200
        and "Kecamatan Godean" in page.text
        and "/static/sawah/preview.png" in page.text
    )
    assert supervisor.post(f"{base}/konsol/tema", {"tema": "tidak-ada"}).status_code == 400
    saved = supervisor.post(f"{base}/konsol/tema", {"tema": "sawah"})
    assert saved.status_code == 303
    inside_id, _slug = make_village(stack, "34.04.02.2001")  # Godean
    outside_id, _slug2 = make_village(stack, "34.04.01.2001")  # the next kecamatan
    with stack.runtime.session(all_villages=True) as db:
        assert db.get(Village, inside_id).theme == "sawah"  # type: ignore[union-attr]
        assert db.get(Village, outside_id).theme == "klasik"  # type: ignore[union-attr]
    # The operator's national default, under the kecamatan's own.
    make_user(stack, "Operator", email="operator@contoh.id", superuser=True)
    with stack.runtime.session(all_villages=True) as db:
        from etalase.platform.site.models import ThemeDefault  # noqa: PLC0415

        db.add(ThemeDefault(scope_code="", theme="pesisir"))
    third, _slug3 = make_village(stack, "34.04.01.2002")
    fourth, _slug4 = make_village(stack, "34.04.02.2002")
    with stack.runtime.session(all_villages=True) as db:
        assert db.get(Village, third).theme == "pesisir"  # type: ignore[union-attr]
        assert db.get(Village, fourth).theme == "sawah"  # type: ignore[union-attr]
    # A village team member is no supervisor.
    desa = Desa(stack)
    member = Browser(stack)
    assert member.login(base, "admin@contoh.id").status_code == 303
    assert member.get(f"{base}/konsol/tema").status_code == 403
    assert desa.stored()[0] == "sawah"  # Sidomulyo is in Godean too


# --- cost -------------------------------------------------------------------------------------------------
def test_the_look_and_its_sidebar_cost_a_few_queries_then_none(stack: Stack, sql_log: StatementLog) -> None:
    desa = Desa(stack)
    kinds = ("terbaru", "kategori", "agenda", "pengumuman", "arsip", "cari", "pengunjung")
    widgets = {f"w{i}_type": kind for i, kind in enumerate(kinds)}
    applied = desa.submit(
        tema="sawah", tata="sidebar-kiri", aksi="terapkan", w_count=str(len(kinds)), **widgets
    )
    assert applied.status_code == 303
    village = stack.runtime.resolver.resolve(urlsplit(desa.base).hostname).village
    assert village is not None and village.theme == "sawah"

    def queries() -> list[str]:
        look = appearance.look_for(stack.runtime, village)
        sidebar = look.sidebar()
        assert [w["type"] for w in sidebar] == list(kinds)
        assert sidebar[1]["items"][0]["title"] == "Pertanian"
        made = [s for s in sql_log.statements if "set_config" not in s]
        sql_log.statements.clear()
        return made

    sql_log.statements.clear()
    cold = queries()
    # The content version, the appearance row, and one query per widget that shows data.
    assert len(cold) <= 2 + 6, cold
    warm = queries()
    # Warm: at most the content version (read every time here: the tests' cache window is 0 s).
    assert len(warm) <= 1, warm
    assert not any("village_appearance" in s or "category" in s for s in warm)


def test_the_visitor_widget_shows_counted_visits_not_renders(stack: Stack) -> None:
    """The count comes from the analytics rollups (each visitor once a day, counted on cached
    pages too), so rendering the sidebar again adds nothing."""
    desa = Desa(stack)
    applied = desa.submit(
        tema="klasik", tata="sidebar-kanan", aksi="terapkan", w_count="1", w0_type="pengunjung"
    )
    assert applied.status_code == 303
    village = stack.runtime.resolver.resolve(urlsplit(desa.base).hostname).village
    assert village is not None
    with stack.runtime.session(village.id) as db:
        db.add(VillageDailyStats(village_id=village.id, day=date(2026, 11, 26), views=90, visitors=1200))
        db.add(VillageDailyStats(village_id=village.id, day=date(2026, 11, 27), views=40, visitors=34))
        workflow.bump_content_version(db, village.id)
    for _ in range(3):
        page = Browser(stack).get(f"{desa.base}/")
        assert page.status_code == 200
        assert re.search(r'class="visits"><strong>1\.234</strong>', page.text), page.text[-1500:]
