"""Aspirasi dan pengaduan on both stacks, through the public form and the team's screens: a message
with a photo becomes a tracking code, the lookup shows status and public replies, the published
exchange and its JSON never show the sender; the honeypot, the minimum fill time, the rate limit and
the size limits refuse with the text kept; another village's code or id finds nothing; publishing
needs the sender's consent."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from etalase.platform.accounts.models import AuditEvent
from etalase.platform.aspirations import codes, spam
from etalase.platform.aspirations import service as aspirations
from etalase.platform.aspirations.models import Aspiration
from etalase.platform.media import is_public_key
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.site import page_cache
from etalase.tenants.models import Village
from etalase.tenants.scope import in_village
from etalase.tenants.service import bump_generation
from tests.conftest import Stack
from tests.people import Browser, make_user, make_village, village_host
from tests.test_gallery import PDF, jpeg
from tests.test_media_library import purge

CODE_A = "34.04.02.2003"
CODE_B = "33.74.10.1001"
STAMP = re.compile(r'name="cap" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SHOWN_CODE = re.compile(r"ASP-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")
MESSAGE = "Lampu jalan di depan balai dusun Krajan mati sejak seminggu, jalan gelap sekali."
NAME = "Siti Pelapor"
PHONE = "0812-3456-7890"


class Desa:
    """Village A with an editor, a kontributor and an admin of B signed in, and a resident."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.vid, slug = make_village(stack, CODE_A)
        self.other_vid, other_slug = make_village(stack, CODE_B)
        for village_id in (self.vid, self.other_vid):
            purge(stack, village_id)
        self.base = village_host(stack, slug)
        self.other_base = village_host(stack, other_slug)
        self.team: dict[str, Browser] = {}
        for key, role, village_id, base in (
            ("editor", "editor", self.vid, self.base),
            ("kader", "kontributor", self.vid, self.base),
            ("admin_b", "admin", self.other_vid, self.other_base),
        ):
            make_user(stack, f"Tim {key}", email=f"{key}@contoh.id", roles={village_id: role})
            browser = Browser(stack)
            assert browser.login(base, f"{key}@contoh.id").status_code == 303
            self.team[key] = browser

    def send(
        self,
        resident: Browser,
        fields: dict[str, str] | None = None,
        photo: tuple[str, bytes, str] | None = None,
        *,
        base: str | None = None,
        form_page: str | None = None,
    ) -> object:
        """The public form as a browser sends it: the page's token and stamp, multipart."""
        host = base or self.base
        html = form_page or resident.get(f"{host}/aspirasi").text
        data = {
            "csrf_token": CSRF.search(html).group(1),  # type: ignore[union-attr]
            "cap": STAMP.search(html).group(1),  # type: ignore[union-attr]
            "kategori": "infrastruktur",
            "pesan": MESSAGE,
            "nama": "",
            "hp": "",
            "situs_web": "",
            **(fields or {}),
        }
        return resident.client.post(
            f"{host}/aspirasi",
            data=data,
            files={"foto": photo or ("", b"", "application/octet-stream")},
            headers={"origin": host},
        )

    def rows(self, village_id: int | None = None) -> list[Aspiration]:
        vid = village_id or self.vid
        with self.stack.runtime.session(vid) as db:
            found = list(db.exec(in_village(Aspiration, vid).order_by(col(Aspiration.id))).all())
            for row in found:
                db.expunge(row)
            return found

    def staff(self, path: str, data: dict[str, str], who: str = "editor") -> object:
        base = self.other_base if who == "admin_b" else self.base
        return self.team[who].post(f"{base}{path}", data, form_url=f"{base}/admin/aspirasi")


@pytest.fixture
def desa(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Desa:
    # Residents in these tests take their time: the stamp reads ten seconds old.
    monkeypatch.setattr(spam, "now", lambda: time.time() + 10)
    return Desa(stack)


def lookup(resident: Browser, base: str, code: str) -> object:
    return resident.post(f"{base}/aspirasi/lacak", {"kode": code}, form_url=f"{base}/aspirasi/lacak")


def shown_code(response: object) -> str:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    match = SHOWN_CODE.search(response.text)  # type: ignore[attr-defined]
    assert match, response.text  # type: ignore[attr-defined]
    return match.group(0)


def assert_no_sender(text: str) -> None:
    for secret in (NAME, "Pelapor", "3456", "+62812", "6281234567890"):
        assert secret not in text, secret


def test_a_message_gets_a_code_the_team_answers_and_the_lookup_shows_it(desa: Desa) -> None:
    resident = Browser(desa.stack)
    form = resident.get(f"{desa.base}/aspirasi")
    assert form.status_code == 200
    assert form.headers["cache-control"] == "no-store"  # a personal token: no cache keeps it
    assert 'enctype="multipart/form-data"' in form.text and "<script" not in form.text
    assert 'class="asp-hp" aria-hidden="true"' in form.text and 'tabindex="-1"' in form.text
    for key in ("infrastruktur", "pelayanan", "sosial", "ekonomi", "lingkungan", "lainnya"):
        assert f'<option value="{key}">' in form.text

    sent = desa.send(
        resident,
        {"nama": NAME, "hp": PHONE, "boleh_publikasi": "ya", "kategori": "infrastruktur"},
        ("lampu.jpg", jpeg(), "image/jpeg"),
        form_page=form.text,
    )
    code = shown_code(sent)
    assert sent.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
    assert "Catat kode ini" in sent.text  # type: ignore[attr-defined]
    (row,) = desa.rows()
    assert codes.display(row.code) == code and len(row.code) == 8
    assert (row.status, row.sender_name, row.sender_phone, row.consent_publish, row.spam) == (
        "diterima",
        NAME,
        "+6281234567890",
        True,
        False,
    )
    assert row.photo_media_id is not None
    with desa.stack.runtime.session(desa.vid) as db:
        photo = db.get(MediaFile, row.photo_media_id)
        assert photo is not None and photo.kind == "image" and photo.variant_list
    # The same form sent again (a reload of the answer) is the same message.
    again = desa.send(
        resident,
        {"nama": NAME, "hp": PHONE, "boleh_publikasi": "ya"},
        form_page=form.text,
    )
    assert shown_code(again) == code and len(desa.rows()) == 1

    # The lookup reads the code however it is typed; never the sender.
    for typed in (code, code.lower(), code.replace("-", " ")[4:]):
        found = lookup(resident, desa.base, typed)
        assert found.status_code == 200, typed  # type: ignore[attr-defined]
        assert "Diterima" in found.text and MESSAGE in found.text  # type: ignore[attr-defined]
        assert found.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
        assert_no_sender(found.text)  # type: ignore[attr-defined]

    # The team: the inbox with counts, the message with its sender and photo.
    editor = desa.team["editor"]
    inbox = editor.get(f"{desa.base}/admin/aspirasi")
    assert (
        inbox.status_code == 200
        and code in inbox.text
        and 'Diterima <span class="count">(1)</span>' in inbox.text
    )
    detail = editor.get(f"{desa.base}/admin/aspirasi/{row.id}").text
    assert NAME in detail and PHONE in detail and "srcset=" in detail and 'loading="lazy"' in detail
    # A public reply, an internal note, a status change.
    path = f"/admin/aspirasi/{row.id}"
    reply = "Terima kasih, petugas akan memasang lampu baru hari Kamis."
    assert desa.staff(f"{path}/balas", {"isi": reply, "jenis": "public"}).status_code == 303  # type: ignore[attr-defined]
    note = "Minta Pak Kadus cek kabel dulu."
    assert desa.staff(f"{path}/balas", {"isi": note, "jenis": "internal"}).status_code == 303  # type: ignore[attr-defined]
    assert desa.staff(f"{path}/status", {"status": "diproses"}).status_code == 303  # type: ignore[attr-defined]
    same = desa.staff(f"{path}/status", {"status": "diproses"})
    assert same.status_code == 400 and "sudah “Diproses”" in same.text  # type: ignore[attr-defined]
    empty = desa.staff(f"{path}/balas", {"isi": "  ", "jenis": "public"})
    assert empty.status_code == 400 and "Tulis balasan" in empty.text  # type: ignore[attr-defined]

    found = lookup(resident, desa.base, code)
    assert "Diproses" in found.text and reply in found.text  # type: ignore[attr-defined]
    assert "Status diubah menjadi <strong>Diproses</strong>" in found.text  # type: ignore[attr-defined]
    assert note not in found.text and "Tim editor" not in found.text  # type: ignore[attr-defined]
    assert_no_sender(found.text)  # type: ignore[attr-defined]

    # Published: the exchange without the sender, the photo or the note; in the JSON and sitemap.
    assert resident.get(f"{desa.base}/aspirasi/terbit/{row.id}").status_code == 404
    assert desa.staff(f"{path}/terbitkan", {}).status_code == 303  # type: ignore[attr-defined]
    listing = resident.get(f"{desa.base}/aspirasi/terbit")
    assert listing.status_code == 200 and MESSAGE in listing.text and reply in listing.text
    assert note not in listing.text and code not in listing.text and "Diproses" in listing.text
    assert_no_sender(listing.text)
    one = resident.get(f"{desa.base}/aspirasi/terbit/{row.id}")
    assert one.status_code == 200 and reply in one.text and note not in one.text
    assert_no_sender(one.text)
    api = resident.get(f"{desa.base}/api/v1/aspirasi")
    assert api.status_code == 200
    (item,) = api.json()["aspirations"]
    assert item["message"] == MESSAGE and item["status"] == "diproses" and item["category"] == "infrastruktur"
    assert [r["body"] for r in item["replies"]] == [reply, "diproses"]
    assert_no_sender(api.text)
    assert note not in api.text and row.code not in api.text and "media" not in api.text
    sitemap = resident.get(f"{desa.base}/sitemap-halaman.xml").text
    assert "/aspirasi/terbit</loc>" in sitemap and "/aspirasi/lacak" not in sitemap

    # Taken down: gone from the public pages; the lookup still works.
    assert desa.staff(f"{path}/tarik", {}).status_code == 303  # type: ignore[attr-defined]
    assert MESSAGE not in resident.get(f"{desa.base}/aspirasi/terbit").text
    assert resident.get(f"{desa.base}/api/v1/aspirasi").json()["aspirations"] == []
    assert lookup(resident, desa.base, code).status_code == 200  # type: ignore[attr-defined]

    with desa.stack.runtime.session(desa.vid) as db:
        events = db.exec(
            select(AuditEvent.action, AuditEvent.target).where(
                col(AuditEvent.action).startswith("aspiration_")
            )
        ).all()
    assert sorted(a for a, _t in events) == sorted(
        [
            "aspiration_replied",
            "aspiration_status_changed",
            "aspiration_published",
            "aspiration_unpublished",
        ]
    )
    assert all(NAME not in t and "3456" not in t for _a, t in events)
    assert f"{code}: diproses" in {t for _a, t in events}

    # Counting for the village's numbers (issue 7): per month, by status, spam left out.
    with desa.stack.runtime.session(desa.vid) as db:
        counts = aspirations.monthly_counts(db, desa.vid, region_code=CODE_A)
    ((month, by_status),) = counts.items()
    assert month.day == 1 and month <= datetime.now(UTC).date()
    assert by_status == {"diterima": 0, "diproses": 1, "selesai": 0, "ditolak": 0}


def test_the_honeypot_and_a_too_fast_form_are_refused(desa: Desa, monkeypatch: pytest.MonkeyPatch) -> None:
    resident = Browser(desa.stack)
    # The honeypot: the answer looks like success; the message is kept, flagged, out of the inbox.
    caught = desa.send(resident, {"situs_web": "http://obat-murah.example", "boleh_publikasi": "ya"})
    shown_code(caught)
    (row,) = desa.rows()
    assert row.spam is True and row.photo_media_id is None
    editor = desa.team["editor"]
    inbox = editor.get(f"{desa.base}/admin/aspirasi").text
    assert (
        'Diterima <span class="count">(0)</span>' in inbox and 'Spam <span class="count">(1)</span>' in inbox
    )
    assert MESSAGE[:40] in editor.get(f"{desa.base}/admin/aspirasi?status=spam").text
    refused = desa.staff(f"/admin/aspirasi/{row.id}/terbitkan", {})
    assert refused.status_code == 400 and "bukan spam" in refused.text  # type: ignore[attr-defined]
    with desa.stack.runtime.session(desa.vid) as db:
        assert aspirations.monthly_counts(db, desa.vid) == {}
    assert desa.staff(f"/admin/aspirasi/{row.id}/bukan-spam", {}).status_code == 303  # type: ignore[attr-defined]
    assert 'Diterima <span class="count">(1)</span>' in editor.get(f"{desa.base}/admin/aspirasi").text

    # Too fast: sent the moment the form was issued. Refused, the text kept, nothing stored.
    monkeypatch.setattr(spam, "now", time.time)
    typed = "Sampah di sungai dekat jembatan menumpuk, mohon diangkut."
    fast = desa.send(resident, {"pesan": typed, "nama": "Budi"})
    assert fast.status_code == 400 and "terlalu cepat" in fast.text  # type: ignore[attr-defined]
    assert f">{typed}</textarea>" in fast.text and 'value="Budi"' in fast.text  # type: ignore[attr-defined]
    # A forged or missing stamp.
    html = resident.get(f"{desa.base}/aspirasi").text
    forged = desa.send(resident, {"cap": "1.abcdefabcdefabcd.00", "pesan": typed}, form_page=html)
    assert forged.status_code == 400 and f">{typed}</textarea>" in forged.text  # type: ignore[attr-defined]
    assert len(desa.rows()) == 1
    # A stamp of village B does not pass on A.
    monkeypatch.setattr(spam, "now", lambda: time.time() + 10)
    stamp_b = spam.make_stamp(desa.stack.settings.effective_secret_key, desa.other_vid, time.time())
    crossed = desa.send(resident, {"cap": stamp_b}, form_page=html)
    assert crossed.status_code == 400 and len(desa.rows()) == 1  # type: ignore[attr-defined]


def test_the_rate_limit_per_address_keeps_the_text(desa: Desa) -> None:
    resident = Browser(desa.stack)
    for number in range(spam.SUBMIT_ADDRESS.limit):
        shown_code(desa.send(resident, {"pesan": f"{MESSAGE} ({number})"}))
    typed = "Pesan keenam dari jaringan yang sama, tetap harus tersimpan di formulir."
    limited = desa.send(resident, {"pesan": typed})
    assert limited.status_code == 429  # type: ignore[attr-defined]
    assert "coba kirim lagi dalam" in limited.text and f">{typed}</textarea>" in limited.text  # type: ignore[attr-defined]
    assert len(desa.rows()) == spam.SUBMIT_ADDRESS.limit


def test_too_long_a_message_or_a_bad_photo_comes_back_with_the_text(desa: Desa) -> None:
    resident = Browser(desa.stack)
    long = "Jalan rusak parah. " * 200  # 3,800 characters
    refused = desa.send(resident, {"pesan": long, "nama": NAME, "hp": PHONE, "boleh_publikasi": "ya"})
    assert refused.status_code == 413  # type: ignore[attr-defined]
    assert "Pesan terlalu panjang: paling banyak 3000 karakter" in refused.text  # type: ignore[attr-defined]
    assert long.strip() in refused.text and f'value="{NAME}"' in refused.text  # type: ignore[attr-defined]
    assert 'value="ya" checked' in refused.text  # type: ignore[attr-defined]
    short = desa.send(resident, {"pesan": "Rusak"})
    assert short.status_code == 400 and "minimal 10 karakter" in short.text  # type: ignore[attr-defined]
    phone = desa.send(resident, {"hp": "12"})
    assert phone.status_code == 400 and "Nomor HP tidak valid" in phone.text  # type: ignore[attr-defined]
    assert MESSAGE in phone.text  # type: ignore[attr-defined]
    category = desa.send(resident, {"kategori": "politik"})
    assert category.status_code == 400 and "Pilih kategori" in category.text  # type: ignore[attr-defined]
    # A PDF is not a photo; neither are bytes that only claim to be one.
    pdf = desa.send(resident, {}, ("laporan.pdf", PDF, "application/pdf"))
    assert pdf.status_code == 415 and "bukan foto" in pdf.text and MESSAGE in pdf.text  # type: ignore[attr-defined]
    broken = desa.send(resident, {}, ("lampu.jpg", b"\xff\xd8\xff\xe0 bukan jpeg", "image/jpeg"))
    assert broken.status_code >= 400 and "Foto belum terkirim" in broken.text  # type: ignore[attr-defined]
    assert MESSAGE in broken.text  # type: ignore[attr-defined]
    assert desa.rows() == []
    with desa.stack.runtime.session(desa.vid) as db:
        assert db.exec(in_village(MediaFile, desa.vid)).all() == []


def test_another_villages_code_and_id_find_nothing(desa: Desa) -> None:
    resident = Browser(desa.stack)
    code_b = shown_code(desa.send(resident, {"boleh_publikasi": "ya", "nama": NAME}, base=desa.other_base))
    (row_b,) = desa.rows(desa.other_vid)
    assert desa.staff(f"/admin/aspirasi/{row_b.id}/terbitkan", {}, who="admin_b").status_code == 303  # type: ignore[attr-defined]
    # B's code on A's host: not found, and each miss counts toward the lookup limit.
    missed = lookup(resident, desa.base, code_b)
    assert missed.status_code == 404 and "tidak ditemukan di desa ini" in missed.text  # type: ignore[attr-defined]
    assert MESSAGE not in missed.text  # type: ignore[attr-defined]
    assert lookup(resident, desa.other_base, code_b).status_code == 200  # type: ignore[attr-defined]
    # B's id on A's host: the team's screens and the public page.
    editor = desa.team["editor"]
    assert editor.get(f"{desa.base}/admin/aspirasi/{row_b.id}").status_code == 404
    for action, data in (
        ("balas", {"isi": "Dari Sidomulyo"}),
        ("status", {"status": "selesai"}),
        ("tarik", {}),
    ):
        response = desa.staff(f"/admin/aspirasi/{row_b.id}/{action}", data)
        assert response.status_code == 404, action  # type: ignore[attr-defined]
    assert resident.get(f"{desa.base}/aspirasi/terbit/{row_b.id}").status_code == 404
    assert MESSAGE not in resident.get(f"{desa.base}/aspirasi/terbit").text
    assert resident.get(f"{desa.base}/api/v1/aspirasi").json()["aspirations"] == []
    (after,) = desa.rows(desa.other_vid)
    assert (after.status, after.published) == ("diterima", True)
    # Guessing is limited: after ten misses even a real code waits.
    for _number in range(spam.LOOKUP_ADDRESS.limit - 1):
        lookup(resident, desa.base, "ASP-2222-2222")
    limited = lookup(resident, desa.base, "ASP-2222-2223")
    assert limited.status_code == 429 and "Coba lagi dalam" in limited.text  # type: ignore[attr-defined]


def test_publishing_needs_the_senders_consent_and_the_right_role(desa: Desa) -> None:
    resident = Browser(desa.stack)
    shown_code(desa.send(resident, {"nama": NAME}))  # no consent
    (row,) = desa.rows()
    detail = desa.team["editor"].get(f"{desa.base}/admin/aspirasi/{row.id}").text
    assert "tidak mengizinkan" in detail and f"/admin/aspirasi/{row.id}/terbitkan" not in detail
    refused = desa.staff(f"/admin/aspirasi/{row.id}/terbitkan", {})
    assert refused.status_code == 400 and "tidak mengizinkan aspirasi ini dipublikasikan" in refused.text  # type: ignore[attr-defined]
    assert desa.rows()[0].published is False
    assert MESSAGE not in resident.get(f"{desa.base}/aspirasi/terbit").text
    # A kontributor (kader) sees no aspirations: they carry personal data.
    kader = desa.team["kader"]
    assert kader.get(f"{desa.base}/admin/aspirasi").status_code == 403
    assert kader.get(f"{desa.base}/admin/aspirasi/{row.id}").status_code == 403
    assert 'href="/admin/aspirasi"' not in kader.get(f"{desa.base}/admin").text
    assert 'href="/admin/aspirasi"' in desa.team["editor"].get(f"{desa.base}/admin").text


def test_codes_are_readable_and_read_generously() -> None:
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    assert all(len(c) == 8 and not set(c) & set("01OI") for c in made)
    assert len(codes.ALPHABET) ** codes.LENGTH >= 2**40
    assert codes.parse("asp-7k3m-q9xw") == codes.parse(" 7K3M Q9XW ") == "7K3MQ9XW"
    assert codes.parse("ASP-7K3M-Q9X0") is None and codes.parse("") is None and codes.parse("7K3M") is None


def test_the_form_is_never_cached_and_the_published_list_is(desa: Desa) -> None:
    """With the production freshness on: each reader gets their own form token and stamp (each
    Browser is a process of its own); the published list is stored, and publishing shows at once."""
    book = page_cache.version_book(desa.stack.runtime)
    book.clear()
    desa.stack.runtime.resolver.check_seconds = 1.0
    try:
        first, second = Browser(desa.stack), Browser(desa.stack)
        pages = [reader.get(f"{desa.base}/aspirasi") for reader in (first, second, first)]
        assert all(p.headers.get("x-cache") != "hit" for p in pages)
        assert all(p.headers["cache-control"] == "no-store" for p in pages)
        tokens = {CSRF.search(p.text).group(1) for p in pages[:2]}  # type: ignore[union-attr]
        stamps = {STAMP.search(p.text).group(1) for p in pages}  # type: ignore[union-attr]
        assert len(tokens) == 2 and len(stamps) == 3
        lookups = [first.get(f"{desa.base}/aspirasi/lacak") for _twice in range(2)]
        assert all(p.headers.get("x-cache") != "hit" for p in lookups)

        listing = first.get(f"{desa.base}/aspirasi/terbit")
        assert listing.headers["x-cache"] == "miss" and MESSAGE not in listing.text
        assert first.get(f"{desa.base}/aspirasi/terbit").headers["x-cache"] == "hit"  # (this process)
        shown_code(desa.send(first, {"boleh_publikasi": "ya"}, form_page=pages[0].text))
        (row,) = desa.rows()
        assert desa.staff(f"/admin/aspirasi/{row.id}/terbitkan", {}).status_code == 303  # type: ignore[attr-defined]
        assert MESSAGE in first.get(f"{desa.base}/aspirasi/terbit").text
    finally:
        desa.stack.runtime.resolver.check_seconds = 0.0
        book.clear()


@pytest.mark.parametrize("theme", ["klasik", "sawah", "pesisir"])
def test_every_theme_shows_the_public_pages(desa: Desa, theme: str) -> None:
    with desa.stack.runtime.session(all_villages=True) as db:
        village = db.get(Village, desa.vid)
        assert village is not None
        village.theme = theme
        db.add(village)
        bump_generation(db)  # the host caches (and Redis) learn of the new theme
    desa.stack.runtime.resolver.forget()
    resident = Browser(desa.stack)
    for path in ("/aspirasi", "/aspirasi/lacak", "/aspirasi/terbit"):
        page = resident.get(f"{desa.base}{path}")
        assert page.status_code == 200, path
        assert f"theme-{theme}" in page.text and '<main id="isi">' in page.text
        assert "<h1>" in page.text and "<script" not in page.text.split("</head>", 1)[1]
    sent = desa.send(resident)
    assert f"theme-{theme}" in sent.text and SHOWN_CODE.search(sent.text)  # type: ignore[attr-defined]


def test_a_residents_photo_stays_private(desa: Desa) -> None:
    """UU PDP: the photo is kept out of the media library, its pickers and every public URL; the
    village's editors and admins see it through the app, a kader and another village do not."""
    resident = Browser(desa.stack)
    desa.send(resident, {}, ("selokan.jpg", jpeg(), "image/jpeg"))
    (row,) = desa.rows()
    with desa.stack.runtime.session(desa.vid) as db:
        photo = db.get(MediaFile, row.photo_media_id)
        assert photo is not None and photo.private and photo.id is not None
        db.expunge(photo)
        # Not in the library, not findable by its id, not a cover, not deletable from the library.
        assert media_service.find(db, desa.vid, photo.id) is None
        assert media_service.find(db, desa.vid, photo.id, private=True) is not None
        assert photo.id not in [m.id for m in media_service.listing(db, desa.vid)]
        with pytest.raises(media_service.MediaNotFoundError):
            media_service.delete(db, desa.stack.runtime.media, desa.vid, photo.id)
    assert all(key.startswith(f"v/{desa.vid}/private/") for key in photo.keys)
    assert not any(is_public_key(key) for key in photo.keys)
    kader, editor = desa.team["kader"], desa.team["editor"]
    for who in (kader, editor):
        assert photo.id not in [m["id"] for m in who.get(f"{desa.base}/api/v1/media").json()["media"]]
        assert "selokan" not in who.get(f"{desa.base}/admin/media").text
    if not desa.stack.settings.s3_bucket:  # the app serves the local media folder: public keys only
        for key in photo.keys:
            assert resident.get(f"{desa.base}{desa.stack.runtime.media.url(key)}").status_code == 404
            assert editor.get(f"{desa.base}{desa.stack.runtime.media.url(key)}").status_code == 404
    # The team's page shows it through the app, never by its storage URL.
    detail = editor.get(f"{desa.base}/admin/aspirasi/{row.id}").text
    own = f"/admin/aspirasi/{row.id}/foto"
    assert f'src="{own}"' in detail and f"{own}?lebar=320 320w" in detail
    assert not any(desa.stack.runtime.media.url(key) in detail for key in photo.keys)
    shown = editor.get(f"{desa.base}{own}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["cache-control"] == "private, no-store" and shown.content.startswith(b"\xff\xd8")
    narrow = editor.get(f"{desa.base}{own}?lebar=320")
    assert narrow.headers["content-type"] == "image/webp" and narrow.content[8:12] == b"WEBP"
    # A kader, a resident and another village's admin do not see it.
    assert kader.get(f"{desa.base}{own}").status_code in (403, 404)
    assert resident.get(f"{desa.base}{own}", follow_redirects=False).status_code in (303, 401, 403, 404)
    assert desa.team["admin_b"].get(f"{desa.other_base}{own}").status_code == 404
    # Still stored, for the team.
    assert all(desa.stack.runtime.media.get(key) for key in photo.keys)
