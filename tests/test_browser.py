"""A real browser on a phone-sized screen: Debian's chromium driven by Playwright.

The app runs under uvicorn on loopback (embedded stack); ``--host-resolver-rules`` sends every
``*.etalase.test`` name to 127.0.0.1, so village hosts work as in production and nothing ever
leaves the machine. A village operator signs in on a 360-pixel-wide screen, invites a kader by
mobile number, and the kader accepts on their own phone.
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import httpx
import pytest
import uvicorn
from PIL import ExifTags, Image

from etalase.platform.accounts.authz import api_routes
from etalase.platform.app import create_app
from etalase.platform.media_library import service as media_service
from etalase.platform.runtime import Runtime
from etalase.platform.web.routing import VillageTeamRoute
from tests.conftest import BASE_DOMAIN, CI, S3Endpoint, Stack, free_port
from tests.people import PASSWORD, make_user, make_village

CHROMIUM = Path(os.environ.get("ETALASE_TEST_CHROMIUM", "/usr/bin/chromium"))
PHONE = {"width": 360, "height": 740}

playwright_sync = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium); the browser tests need it."
        if CI:
            pytest.exit(f"CI=true and {message}", returncode=3)
        pytest.skip(message)
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--host-resolver-rules=MAP *.{BASE_DOMAIN} 127.0.0.1, MAP {BASE_DOMAIN} 127.0.0.1",
            ],
        )
        yield browser
        browser.close()


def _serve(stack: Stack, runtime: Runtime | None = None) -> Iterator[int]:
    stack.wipe()
    port = free_port()
    settings = (runtime.settings if runtime else stack.settings).model_copy(update={"public_port": port})
    app = create_app(settings, runtime or stack.runtime)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield port
    uv.should_exit = True
    thread.join(timeout=10)
    stack.wipe()


@pytest.fixture
def server(embedded_stack: Stack) -> Iterator[int]:
    yield from _serve(embedded_stack)


@pytest.fixture(params=["embedded", "production"])
def any_stack(request: pytest.FixtureRequest) -> Iterator[tuple[Stack, Runtime]]:
    """Each stack as a browser can reach it. The production stack (PostgreSQL, Redis, S3) serves
    plain HTTP on loopback here, and its photos come straight from the S3 endpoint (moto, on
    loopback too), as they would from a bucket or CDN."""
    stack: Stack = request.getfixturevalue(f"{request.param}_stack")
    if stack.name == "embedded":
        yield stack, stack.runtime
        return
    s3: S3Endpoint = request.getfixturevalue("s3")
    # Objects are public to read, as deploy/compose.yaml sets up the bucket (photos are public).
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{s3.bucket}/*",
            }
        ],
    }
    boto3.client(
        "s3",
        endpoint_url=s3.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).put_bucket_policy(Bucket=s3.bucket, Policy=json.dumps(public_read))
    settings = stack.settings.model_copy(
        update={"public_scheme": "http", "media_url": f"{s3.url}/{s3.bucket}/"}
    )
    runtime = Runtime.build(settings)
    yield stack, runtime
    runtime.close()


@pytest.fixture
def any_server(any_stack: tuple[Stack, Runtime]) -> Iterator[int]:
    yield from _serve(*any_stack)


def fits_the_screen(page: object) -> bool:
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    return int(width) <= PHONE["width"]


def test_operator_invites_a_kader_who_joins_from_their_phone(
    chromium: object, server: int, embedded_stack: Stack
) -> None:
    village_id, slug = make_village(embedded_stack, "34.04.02.2003")
    make_user(embedded_stack, "Siti Aminah", email="siti@contoh.id", roles={village_id: "admin"})
    site = f"http://{slug}.{BASE_DOMAIN}:{server}"
    hosts: set[str] = set()

    operator = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    page = operator.new_page()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    problems: list[str] = []  # console errors, e.g. a Content-Security-Policy violation
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{site}/admin")
    assert "/akun/masuk" in page.url
    assert fits_the_screen(page)
    # A wrong password: a clear message, the typed address kept, the password not.
    page.fill("input[name=identifier]", "siti@contoh.id")
    page.fill("input[name=password]", "bukan kata sandinya")
    page.click("button[type=submit]")
    html = page.content()
    assert "Email/nomor HP atau kata sandi salah." in html, re.sub(r"\s+", " ", html)[:3000]
    assert page.input_value("input[name=identifier]") == "siti@contoh.id"
    assert page.input_value("input[name=password]") == ""
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/admin")
    assert "Sidomulyo" in page.content()
    assert fits_the_screen(page)

    page.goto(f"{site}/admin/anggota")
    assert fits_the_screen(page)
    page.fill("input[name=recipient]", "0812-3456-7890")
    page.select_option("select[name=role]", "kontributor")
    page.click("form[action='/admin/anggota/undang'] button[type=submit]")
    link = page.input_value("#invite-link")
    assert link.startswith(f"{site}/akun/undangan/")
    whatsapp = page.get_attribute("a[href^='https://wa.me/6281234567890']", "href")
    assert whatsapp and "/akun/undangan/" in whatsapp
    assert fits_the_screen(page)

    kader = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    phone = kader.new_page()
    phone.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    phone.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    phone.goto(link)
    assert "Desa Sidomulyo" in phone.content()
    phone.fill("input[name=name]", "Rina Wulandari")
    phone.fill("input[name=password]", "teh manis sore hari")
    phone.fill("input[name=password2]", "teh manis sore hari")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{site}/admin")
    assert "Rina Wulandari" in phone.content() or "Kontributor" in phone.content()
    # A kader does not manage members: no link, and the page refuses.
    assert phone.locator("a[href='/admin/anggota']").count() == 0
    assert phone.goto(f"{site}/admin/anggota").status == 403  # type: ignore[union-attr]
    # The link worked once.
    assert phone.goto(link).status == 400  # type: ignore[union-attr]
    assert "sudah pernah dipakai" in phone.content()
    # The 403 and 400 pages log themselves as failed loads; nothing else may complain.
    assert [p for p in problems if "status of 40" not in p] == []

    operator.close()
    kader.close()
    # Every request stayed on this machine: no fonts, CDNs or trackers.
    assert hosts <= {f"{slug}.{BASE_DOMAIN}"}, hosts


def _sign_in(page: object, site: str, who: str) -> None:
    page.goto(f"{site}/admin")  # type: ignore[attr-defined]
    assert "/akun/masuk" in page.url  # type: ignore[attr-defined]
    page.fill("input[name=identifier]", who)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{site}/admin")  # type: ignore[attr-defined]
    assert fits_the_screen(page)


def test_a_kader_posts_news_with_a_photo_from_their_phone(
    chromium: object, any_server: int, any_stack: tuple[Stack, Runtime], tmp_path: Path
) -> None:
    """On both stacks: on the production one the photos travel through S3."""
    stack, runtime = any_stack
    server = any_server
    village_id, slug = make_village(stack, "34.04.02.2003")
    make_user(stack, "Rina Kader", email="rina@contoh.id", roles={village_id: "kontributor"})
    make_user(stack, "Budi Editor", email="budi@contoh.id", roles={village_id: "editor"})
    site = f"http://{slug}.{BASE_DOMAIN}:{server}"
    media_prefix = runtime.settings.media_url
    media_host = urlsplit(media_prefix).hostname
    hosts: set[str] = set()
    problems: list[str] = []

    def watch(page: object) -> object:
        page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))  # type: ignore[attr-defined]
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)  # type: ignore[attr-defined]
        return page

    # A photo as a phone takes it: a JPEG with the camera's EXIF.
    photo = tmp_path / "IMG_20261127_0930.jpg"
    image = Image.new("RGB", (1600, 1200), (40, 140, 70))
    image.paste((230, 200, 40), (0, 0, 400, 300))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KameraDesa"
    image.save(photo, "JPEG", exif=exif.tobytes())
    alt = "Warga memanen padi di sawah Dusun Krajan"
    title = "Panen raya padi di Dusun Krajan"
    text = "Warga Dusun Krajan memanen padi bersama-sama.\n\nHasil panen tahun ini lebih baik."

    kader = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    phone = watch(kader.new_page())
    _sign_in(phone, site, "rina@contoh.id")
    phone.goto(f"{site}/admin/media")  # type: ignore[attr-defined]
    assert fits_the_screen(phone)
    phone.set_input_files("input[name=berkas]", str(photo))  # type: ignore[attr-defined]
    phone.fill("input[name=alt]", alt)  # type: ignore[attr-defined]
    phone.click("form[action='/admin/media/unggah'] button[type=submit]")  # type: ignore[attr-defined]
    phone.wait_for_url(f"{site}/admin/media?pesan=unggah")  # type: ignore[attr-defined]
    assert fits_the_screen(phone)

    phone.goto(f"{site}/admin/berita/baru")  # type: ignore[attr-defined]
    assert fits_the_screen(phone)
    assert phone.locator("input[type=file][name=sampul_baru]").count() == 1  # type: ignore[attr-defined]
    phone.fill("input[name=title]", title)  # type: ignore[attr-defined]
    # The rich-text editor replaced the textarea: type, make a heading, insert the photo from the
    # library into the text, and put a YouTube address on its own line.
    assert phone.locator("textarea[name=body]").is_hidden()  # type: ignore[attr-defined]
    area = phone.locator(".rte-area")  # type: ignore[attr-defined]
    area.click()
    phone.keyboard.type("Hasil panen")  # type: ignore[attr-defined]
    phone.click("button.rte-heading")  # type: ignore[attr-defined]
    assert phone.locator("button.rte-heading").get_attribute("aria-pressed") == "true"  # type: ignore[attr-defined]
    phone.keyboard.press("End")  # type: ignore[attr-defined]
    phone.keyboard.press("Enter")  # type: ignore[attr-defined]
    phone.keyboard.type(text.replace("\n\n", " "))  # type: ignore[attr-defined]
    phone.keyboard.press("Enter")  # type: ignore[attr-defined]
    phone.click("button.rte-image")  # type: ignore[attr-defined]
    phone.locator(".rte-pick", has_text=alt).click()  # type: ignore[attr-defined]
    phone.keyboard.press("Enter")  # type: ignore[attr-defined]
    phone.keyboard.type("https://youtu.be/dQw4w9WgXcQ")  # type: ignore[attr-defined]
    phone.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert fits_the_screen(phone)
    sent = phone.locator("textarea[name=body]").input_value()  # type: ignore[attr-defined]
    assert "<h2>Hasil panen</h2>" in sent and f'alt="{alt}"' in sent, sent
    phone.locator("label.cover-choice", has_text=alt).click()  # type: ignore[attr-defined]
    assert phone.locator("label.cover-choice", has_text=alt).locator("input").is_checked()  # type: ignore[attr-defined]
    phone.click("form[action='/admin/berita/baru'] button[type=submit]")  # type: ignore[attr-defined]
    phone.wait_for_url(re.compile(r".*/admin/berita/\d+\?pesan=dibuat$"))  # type: ignore[attr-defined]
    assert fits_the_screen(phone)
    post_path = urlsplit(phone.url).path  # type: ignore[attr-defined]
    assert phone.locator("label.cover-choice", has_text=alt).locator("input").is_checked()  # type: ignore[attr-defined]
    phone.click(f"form[action='{post_path}/ajukan'] button[type=submit]")  # type: ignore[attr-defined]
    phone.wait_for_url(re.compile(r".*/admin/berita\?status=tinjauan&pesan=diajukan$"))  # type: ignore[attr-defined]
    assert fits_the_screen(phone)

    office = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    desk = watch(office.new_page())
    _sign_in(desk, site, "budi@contoh.id")
    desk.goto(f"{site}/admin/berita?status=tinjauan")  # type: ignore[attr-defined]
    assert fits_the_screen(desk)
    desk.click(f"a[href='{post_path}']")  # type: ignore[attr-defined]
    desk.wait_for_url(f"{site}{post_path}")  # type: ignore[attr-defined]
    assert fits_the_screen(desk)
    desk.click(f"form[action='{post_path}/terbitkan'] button[type=submit]")  # type: ignore[attr-defined]
    desk.wait_for_url(re.compile(r".*/admin/berita\?status=terbit&pesan=terbit$"))  # type: ignore[attr-defined]
    assert fits_the_screen(desk)

    reader = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    visitor = watch(reader.new_page())
    visitor.goto(f"{site}/")  # type: ignore[attr-defined]
    assert fits_the_screen(visitor)
    assert visitor.locator("h3 a", has_text=title).count() == 1  # type: ignore[attr-defined]
    thumb = visitor.locator("article.card img.thumb")  # type: ignore[attr-defined]
    assert thumb.get_attribute("alt") == alt and thumb.get_attribute("srcset")
    visitor.locator("h3 a", has_text=title).click()  # type: ignore[attr-defined]
    visitor.wait_for_url(re.compile(r".*/berita/[a-z0-9-]+$"))  # type: ignore[attr-defined]
    assert fits_the_screen(visitor)
    assert visitor.locator("h1", has_text=title).count() == 1  # type: ignore[attr-defined]
    assert "Hasil panen tahun ini lebih baik." in visitor.locator(".body").inner_text()  # type: ignore[attr-defined]
    assert visitor.locator(".body h2", has_text="Hasil panen").count() == 1  # type: ignore[attr-defined]
    inline = visitor.locator(".body img")  # type: ignore[attr-defined]
    assert inline.get_attribute("alt") == alt and "320w" in (inline.get_attribute("srcset") or "")
    # The YouTube address became a player that loads only on a tap: no request to YouTube so far.
    embed = visitor.locator(".body figure.embed a.embed-load")  # type: ignore[attr-defined]
    assert embed.count() == 1 and embed.get_attribute("href") == "https://youtu.be/dQw4w9WgXcQ"
    assert not any("youtube" in host for host in hosts), hosts
    # The tap: the player's request is answered here by Playwright, it never leaves the machine.
    visitor.route(  # type: ignore[attr-defined]
        "https://www.youtube-nocookie.com/**", lambda route: route.fulfill(body="<p>pemutar</p>")
    )
    embed.click()
    frame = visitor.locator(".body figure.embed iframe")  # type: ignore[attr-defined]
    assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    cover = visitor.locator("article.post img.cover")  # type: ignore[attr-defined]
    src, srcset = cover.get_attribute("src"), cover.get_attribute("srcset")
    assert src and src.startswith(f"{media_prefix}v/") and srcset and "320w" in srcset
    assert cover.get_attribute("alt") == alt and cover.get_attribute("loading") == "lazy"
    assert cover.get_attribute("width") and cover.get_attribute("height")
    cover.scroll_into_view_if_needed()
    visitor.wait_for_function("document.querySelector('img.cover').complete")  # type: ignore[attr-defined]
    assert visitor.evaluate("document.querySelector('img.cover').naturalWidth") > 0  # type: ignore[attr-defined]
    # The published photo carries no camera data.
    for url in [src] + [part.split()[0] for part in srcset.split(",")]:
        if url.startswith("/"):  # the embedded stack serves media itself
            served = httpx.get(
                f"http://127.0.0.1:{server}{url}",
                headers={"host": f"{slug}.{BASE_DOMAIN}:{server}"},
                timeout=5,
            )
        else:
            served = httpx.get(url, timeout=5)
        assert served.status_code == 200, url
        with Image.open(io.BytesIO(served.content)) as published:
            assert not published.getexif() and "exif" not in published.info, url

    assert [p for p in problems if "status of 40" not in p] == []
    kader.close()
    office.close()
    reader.close()
    # Only the village's host, and the player after the tap (answered by Playwright, see above).
    # Only the village's host, its media store, and the player after the tap (answered by
    # Playwright, see above).
    assert hosts <= {f"{slug}.{BASE_DOMAIN}", media_host, "www.youtube-nocookie.com"}, hosts


def test_the_cover_photo_is_taken_in_the_post_form(
    chromium: object, server: int, embedded_stack: Stack, tmp_path: Path
) -> None:
    """The operator writes the news and takes its cover photo in the same form, on a phone. A photo
    over the upload limit is refused the moment it is chosen, so the text is never cut off with it."""
    village_id, slug = make_village(embedded_stack, "34.04.02.2003")
    make_user(embedded_stack, "Rina Kader", email="rina@contoh.id", roles={village_id: "kontributor"})
    site = f"http://{slug}.{BASE_DOMAIN}:{server}"
    photo = tmp_path / "IMG_20261208_0700.jpg"
    Image.new("RGB", (1200, 900), (40, 140, 70)).save(photo, "JPEG")
    huge = {
        "name": "IMG_besar.jpg",
        "mimeType": "image/jpeg",
        "buffer": b"\xff\xd8\xff" + b"\0" * (embedded_stack.settings.media_max_upload_mb * 1024 * 1024 + 10),
    }
    context = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    phone = context.new_page()
    _sign_in(phone, site, "rina@contoh.id")
    phone.goto(f"{site}/admin/berita/baru")  # type: ignore[attr-defined]
    phone.fill("input[name=title]", "Kerja bakti membersihkan saluran irigasi")  # type: ignore[attr-defined]
    phone.locator(".rte-area").click()  # type: ignore[attr-defined]
    phone.keyboard.type("Warga Dusun Krajan bekerja bakti sejak pagi.")  # type: ignore[attr-defined]
    chooser = phone.locator("input[type=file][name=sampul_baru]")  # type: ignore[attr-defined]
    chooser.set_input_files(huge)
    assert chooser.evaluate("input => input.files.length") == 0  # refused at once, nothing to send
    chooser.set_input_files(str(photo))
    assert chooser.evaluate("input => input.files.length") == 1
    assert fits_the_screen(phone)
    phone.click("form[action='/admin/berita/baru'] button[type=submit]")  # type: ignore[attr-defined]
    phone.wait_for_url(re.compile(r".*/admin/berita/\d+\?pesan=dibuat$"))  # type: ignore[attr-defined]
    chosen = phone.locator("input[name=cover_media_id]:checked")  # type: ignore[attr-defined]
    assert chosen.get_attribute("value")
    assert (
        phone.locator("label.cover-choice", has=chosen).inner_text().strip()
        == "Kerja bakti membersihkan saluran irigasi"
    )  # type: ignore[attr-defined]
    assert "Warga Dusun Krajan bekerja bakti" in phone.locator("textarea[name=body]").input_value()  # type: ignore[attr-defined]

    # An older photo of the library: not among the newest, "Foto lainnya" brings it.
    oldest = _library_photo(embedded_stack, village_id, "Balai desa tampak depan")
    for n in range(24):
        _library_photo(embedded_stack, village_id, f"Kegiatan warga {n}")
    phone.reload()  # type: ignore[attr-defined]
    older = phone.locator(f"input[name=cover_media_id][value='{oldest}']")  # type: ignore[attr-defined]
    assert older.count() == 0
    phone.get_by_role("button", name="Foto lainnya").click()  # type: ignore[attr-defined]
    phone.locator("label.cover-choice", has_text="Balai desa tampak depan").click()  # type: ignore[attr-defined]
    assert older.is_checked()
    assert fits_the_screen(phone)
    phone.click("form[data-autosave] button[type=submit]")  # type: ignore[attr-defined]
    phone.wait_for_url(re.compile(r".*/admin/berita/\d+\?pesan=disimpan$"))  # type: ignore[attr-defined]
    assert phone.locator(f"input[name=cover_media_id][value='{oldest}']").is_checked()  # type: ignore[attr-defined]
    context.close()  # type: ignore[attr-defined]


def _library_photo(stack: Stack, village_id: int, alt: str) -> int:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 90, 60)).save(buffer, "JPEG")
    buffer.seek(0)
    with stack.runtime.session(village_id) as db:
        media = media_service.upload(
            db,
            stack.runtime.media,
            village_id,
            filename=f"{alt}.jpg",
            stream=buffer,
            alt=alt,
            user=None,
            settings=stack.settings,
        )
        assert media.id is not None
        return media.id


def test_every_team_page_fits_a_phone(chromium: object, server: int, embedded_stack: Stack) -> None:
    """Every page of the village team's area without an id in its address, on a 360-pixel phone:
    nothing wider than the screen (a fieldset grows to its widest content unless told not to)."""
    village_id, slug = make_village(embedded_stack, "34.04.02.2003")
    make_user(embedded_stack, "Sari Admin", email="sari@contoh.id", roles={village_id: "admin"})
    for alt in ("Balai desa", "Foto_keripik_singkong_kemasan_baru_dari_kelompok_wanita_tani.jpg", "Sawah"):
        _library_photo(embedded_stack, village_id, alt)  # the pickers have photos to show
    site = f"http://{slug}.{BASE_DOMAIN}:{server}"
    app = create_app(embedded_stack.settings, embedded_stack.runtime)
    paths = sorted(
        {
            route.path
            for route in api_routes(list(app.routes))
            if isinstance(route, VillageTeamRoute)
            and "GET" in (route.methods or ())
            and "{" not in route.path
            and not route.path.startswith("/api/")
            and "." not in route.path.rsplit("/", 1)[-1]
        }
    )
    assert "/admin/profil" in paths and "/admin/berita/baru" in paths and len(paths) > 30
    context = chromium.new_context(viewport=PHONE, locale="id-ID")  # type: ignore[attr-defined]
    phone = context.new_page()
    _sign_in(phone, site, "sari@contoh.id")
    too_wide = []
    for path in paths:
        response = phone.goto(f"{site}{path}")  # type: ignore[attr-defined]
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if not fits_the_screen(phone):
            too_wide.append((path, phone.evaluate("document.documentElement.scrollWidth")))  # type: ignore[attr-defined]
    context.close()  # type: ignore[attr-defined]
    assert too_wide == []
