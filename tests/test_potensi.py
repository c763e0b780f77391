"""Potensi desa and products on both stacks: a kader's product waits for review and is not public;
an editor approves it and it shows with its price as ``Rp15.000/bungkus``, JSON-LD Offer and a
category filter; the order link redirects to wa.me with a message naming product and village,
while the seller's number appears in no public page, JSON or sitemap; bad input keeps what was
typed; another village's ids are not found."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import col

from etalase.platform.media_library.models import MediaFile
from etalase.platform.potensi import service
from etalase.platform.potensi.models import Potensi, Product
from etalase.tenants.scope import in_village
from tests.conftest import Stack
from tests.people import Browser
from tests.test_gallery import PDF, Team, jpeg

NUMBER_TYPED = "0812-3456-7890"
NUMBER = "6281234567890"


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def send(team: Team, who: str, path: str, fields: dict[str, object]) -> object:
    base = team.other_base if who == "admin_b" else team.base
    browser = team.browsers[who]
    token = browser.csrf(f"{base}/admin/produk")
    return browser.client.post(
        f"{base}{path}", data={"csrf_token": token, **fields}, headers={"origin": base}
    )


def products_of(stack: Stack, village_id: int) -> list[Product]:
    with stack.runtime.session(village_id) as db:
        found = list(db.exec(in_village(Product, village_id).order_by(col(Product.id))).all())
        for row in found:
            db.expunge(row)
        return found


def keripik(**extra: object) -> dict[str, object]:
    return {
        "name": "Keripik Singkong",
        "price": "15.000",
        "unit": "per bungkus",
        "category": "kuliner",
        "stock": "tersedia",
        "seller_name": "Bu Sri",
        "whatsapp": NUMBER_TYPED,
        "description": "Renyah dan gurih.",
        "aksi": "ajukan",
        **extra,
    }


def test_a_kader_product_waits_for_review_then_sells_through_whatsapp(team: Team) -> None:
    base, stack = team.base, team.stack
    photo = team.media(jpeg(), "keripik.jpg", "Keripik singkong dalam bungkus")
    visitor = Browser(stack)

    # Bad input: the form comes back with what was typed and the reason, nothing stored.
    for bad, message in (
        ({"price": "lima belas ribu"}, "Harga harus berupa angka"),
        ({"whatsapp": "12345"}, "Nomor WhatsApp tidak valid"),
        ({"name": "  "}, "Isi nama produk"),
        ({"seller_name": ""}, "tulis nama penjualnya"),
    ):
        refused = send(team, "kader", "/admin/produk/baru", keripik(**bad, foto=str(photo)))
        assert refused.status_code == 400, bad  # type: ignore[attr-defined]
        text = refused.text  # type: ignore[attr-defined]
        assert message in text, bad
        assert "Renyah dan gurih." in text and 'value="kuliner"' in text
        assert f'name="foto" value="{photo}" checked' in text
    assert products_of(stack, team.vid) == []

    created = send(team, "kader", "/admin/produk/baru", keripik(foto=str(photo)))
    assert created.status_code == 303  # type: ignore[attr-defined]
    assert created.headers["location"] == "/admin/produk?status=menunggu&pesan=diajukan"  # type: ignore[attr-defined]
    (product,) = products_of(stack, team.vid)
    assert (product.status, product.price, product.unit, product.whatsapp) == (
        "review",
        15000,
        "bungkus",
        NUMBER,
    )
    assert product.description == "<p>Renyah dan gurih.</p>"

    # Pending: not public anywhere, and the kader can neither publish nor edit it any more.
    assert visitor.get(f"{base}/produk/keripik-singkong").status_code == 404
    assert "Keripik Singkong" not in visitor.get(f"{base}/produk").text
    assert visitor.get(f"{base}/produk/keripik-singkong/pesan").status_code == 404
    assert team.post("kader", f"/admin/produk/{product.id}/terbitkan").status_code == 403  # type: ignore[attr-defined]
    assert team.browsers["kader"].get(f"{base}/admin/produk/{product.id}").status_code == 403
    waiting = team.browsers["editor"].get(f"{base}/admin/produk?status=menunggu")
    assert "Keripik Singkong" in waiting.text and "Rp15.000/bungkus" in waiting.text

    # Sent back with a note: a draft again, the kader sees the note and may edit.
    note = "Tambahkan foto kemasan"
    back = team.post("editor", f"/admin/produk/{product.id}/kembalikan", {"catatan": note})
    assert back.status_code == 303  # type: ignore[attr-defined]
    assert note in team.browsers["kader"].get(f"{base}/admin/produk/{product.id}").text

    # The editor approves: public, with price, JSON-LD Offer, order button.
    assert team.post("editor", f"/admin/produk/{product.id}/terbitkan").status_code == 303  # type: ignore[attr-defined]
    page = visitor.get(f"{base}/produk/keripik-singkong")
    assert page.status_code == 200
    assert "Rp15.000/bungkus" in page.text and "Renyah dan gurih." in page.text
    assert 'href="/produk/keripik-singkong/pesan"' in page.text and 'loading="lazy"' in page.text
    assert "srcset=" in page.text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
    offers = [json.loads(b) for b in blocks if '"Product"' in b]
    assert offers and offers[0]["offers"]["price"] == "15000"
    assert offers[0]["offers"]["priceCurrency"] == "IDR"
    assert offers[0]["offers"]["availability"] == "https://schema.org/InStock"

    # The order link: a redirect to wa.me, with the product and the village in the message.
    order = visitor.get(f"{base}/produk/keripik-singkong/pesan", follow_redirects=False)
    assert order.status_code == 303
    target = urlsplit(order.headers["location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "wa.me", f"/{NUMBER}")
    message = parse_qs(target.query)["text"][0]
    assert message.startswith(
        "Halo, saya ingin memesan Keripik Singkong (Rp15.000/bungkus) dari website Desa "
    )
    assert message.endswith("/produk/keripik-singkong")
    assert order.headers["cache-control"] == "no-store"
    assert products_of(stack, team.vid)[0].order_clicks == 1

    # The number is in no public page, JSON or sitemap (in any of its spellings).
    public = [
        page.text,
        visitor.get(f"{base}/produk").text,
        visitor.get(f"{base}/api/v1/produk").text,
        visitor.get(f"{base}/sitemap-halaman.xml").text,
    ]
    for text in public:
        for spelling in (NUMBER, NUMBER_TYPED, "081234567890", "812-3456-7890", "+62"):
            assert spelling not in text
    api = visitor.get(f"{base}/api/v1/produk").json()
    assert api["products"][0]["name"] == "Keripik Singkong" and api["products"][0]["price"] == 15000
    assert "whatsapp" not in json.dumps(api)
    assert "/produk/keripik-singkong</loc>" in public[3]


def test_categories_filter_and_potensi_pages(team: Team) -> None:
    base, visitor = team.base, Browser(team.stack)
    # An editor publishes directly: a UMKM with a number, and products in two categories.
    made = send(
        team,
        "editor",
        "/admin/potensi/baru",
        {
            "kind": "umkm",
            "name": "Anyaman Bu Tini",
            "location": "Dusun Krajan",
            "whatsapp": "0813 1111 2222",
            "aksi": "terbitkan",
        },
    )
    assert made.status_code == 303  # type: ignore[attr-defined]
    with team.stack.runtime.session(team.vid) as db:
        umkm = db.exec(in_village(Potensi, team.vid)).one()
        assert umkm.status == "published" and umkm.whatsapp == "6281311112222"
        umkm_id = umkm.id
    tas = keripik(
        name="Tas Pandan",
        price="85000",
        unit="",
        category="kerajinan",
        seller_name="",
        whatsapp="",
        seller=str(umkm_id),
        aksi="terbitkan",
    )
    assert send(team, "editor", "/admin/produk/baru", tas).status_code == 303  # type: ignore[attr-defined]
    assert send(team, "editor", "/admin/produk/baru", keripik(aksi="terbitkan")).status_code == 303  # type: ignore[attr-defined]

    everything = visitor.get(f"{base}/produk").text
    assert "Tas Pandan" in everything and "Keripik Singkong" in everything and "Rp85.000" in everything
    crafts = visitor.get(f"{base}/produk?kategori=kerajinan").text
    assert "Tas Pandan" in crafts and "Keripik Singkong" not in crafts
    assert "Anyaman Bu Tini" in crafts  # the seller's name, never the number
    # The seller unit's number is used when the product has none.
    order = visitor.get(f"{base}/produk/tas-pandan/pesan", follow_redirects=False)
    assert order.status_code == 303 and order.headers["location"].startswith(
        "https://wa.me/6281311112222?text="
    )

    potensi = visitor.get(f"{base}/potensi?jenis=umkm")
    assert potensi.status_code == 200 and "Anyaman Bu Tini" in potensi.text
    assert "Anyaman Bu Tini" not in visitor.get(f"{base}/potensi?jenis=wisata").text
    detail = visitor.get(f"{base}/potensi/anyaman-bu-tini").text
    assert "Dusun Krajan" in detail and "Tas Pandan" in detail
    for text in (potensi.text, detail, visitor.get(f"{base}/api/v1/potensi").text):
        assert "6281311112222" not in text and "0813" not in text
    assert visitor.get(f"{base}/api/v1/potensi").json()["potensi"][0]["kind"] == "umkm"
    # Pages past the end are empty, not errors; a number past any integer is not found.
    assert visitor.get(f"{base}/produk?halaman=99999").status_code == 200
    assert visitor.get(f"{base}/produk?halaman=999999999999").status_code == 404


def test_another_villages_ids_are_not_found(team: Team) -> None:
    assert send(team, "editor", "/admin/produk/baru", keripik(aksi="terbitkan")).status_code == 303  # type: ignore[attr-defined]
    (product,) = products_of(team.stack, team.vid)
    admin_b = team.browsers["admin_b"]
    assert admin_b.get(f"{team.other_base}/admin/produk/{product.id}").status_code == 404
    for action in ("terbitkan", "tarik", "hapus", "kembalikan"):
        assert team.post("admin_b", f"/admin/produk/{product.id}/{action}").status_code == 404  # type: ignore[attr-defined]
    assert Browser(team.stack).get(f"{team.other_base}/produk/keripik-singkong").status_code == 404
    # A photo of village B cannot be attached in A.
    other_photo = team.media(jpeg(), "b.jpg", village_id=team.other_vid)
    refused = send(team, "editor", "/admin/produk/baru", keripik(name="Gula Aren", foto=str(other_photo)))
    assert refused.status_code == 400 and "tidak ditemukan di pustaka media desa ini" in refused.text  # type: ignore[attr-defined]
    assert products_of(team.stack, team.vid)[0].status == "published"


def send_with_photos(
    team: Team, who: str, path: str, fields: dict[str, object], photos: list[tuple[str, bytes, str]]
) -> object:
    """The form as a phone sends it with photos taken for it (multipart)."""
    browser = team.browsers[who]
    token = browser.csrf(f"{team.base}/admin/produk")
    return browser.client.post(
        f"{team.base}{path}",
        data={"csrf_token": token, **fields},
        files=[("foto_baru", p) for p in photos],
        headers={"origin": team.base},
    )


def test_a_kader_sends_photos_with_the_product_form(team: Team) -> None:
    """No trip to the media library first: the photos taken with the phone go with the form, are
    stored (GPS removed) and chosen in order; a refused form keeps them and what was typed."""
    form = team.browsers["kader"].get(f"{team.base}/admin/produk/baru").text
    assert 'enctype="multipart/form-data"' in form and 'name="foto_baru"' in form
    # A PDF among the photos: the photo before it is kept and chosen, the form comes back whole.
    refused = send_with_photos(
        team,
        "kader",
        "/admin/produk/baru",
        keripik(),
        [("depan.jpg", jpeg(), "image/jpeg"), ("nota.pdf", PDF, "application/pdf")],
    )
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "“nota.pdf” adalah dokumen, bukan foto." in refused.text  # type: ignore[attr-defined]
    assert 'value="Keripik Singkong"' in refused.text and products_of(team.stack, team.vid) == []  # type: ignore[attr-defined]
    with team.stack.runtime.session(team.vid) as db:
        (kept,) = db.exec(in_village(MediaFile, team.vid)).all()
        assert kept.alt == "Keripik Singkong" and not kept.private
    assert f'name="foto" value="{kept.id}" checked' in refused.text  # type: ignore[attr-defined]
    # Sent again with that photo chosen and one more taken: both, in that order.
    created = send_with_photos(
        team,
        "kader",
        "/admin/produk/baru",
        keripik(foto=str(kept.id)),
        [("samping.jpg", jpeg(), "image/jpeg")],
    )
    assert created.status_code == 303, created.text  # type: ignore[attr-defined]
    (product,) = products_of(team.stack, team.vid)
    with team.stack.runtime.session(team.vid) as db:
        chosen = service.photos(db, team.vid, Product, [product.id or 0])[product.id or 0]
    assert [m.original_name for m in chosen] == ["depan.jpg", "samping.jpg"]
    # More photos than a product holds (the editor now, the kader's part is done): refused before
    # anything is stored.
    edit = f"/admin/produk/{product.id}"
    many = [(f"f{n}.jpg", jpeg(), "image/jpeg") for n in range(service.MAX_PHOTOS)]
    too_many = send_with_photos(team, "editor", edit, keripik(foto=str(kept.id)), many)
    assert too_many.status_code == 400 and "Terlalu banyak foto" in too_many.text  # type: ignore[attr-defined]
    with team.stack.runtime.session(team.vid) as db:
        assert len(db.exec(in_village(MediaFile, team.vid)).all()) == 2


def test_the_potensi_and_aspirasi_sidebar_widgets(team: Team) -> None:
    """Every part of the etalase has its sidebar widget: the latest potensi with their kind, and
    the way to the aspiration form, its lookup and the answered ones; in every theme."""
    visitor = Browser(team.stack)
    widgets = {"w_count": "2", "w0_type": "potensi", "w1_type": "aspirasi"}
    form = team.browsers["admin"].get(f"{team.base}/admin/tampilan").text
    assert '<option value="potensi"' in form and '<option value="aspirasi"' in form
    applied = team.post(
        "admin", "/admin/tampilan", {"tema": "klasik", "tata": "sidebar-kanan", "aksi": "terapkan", **widgets}
    )
    assert applied.status_code == 303  # type: ignore[attr-defined]
    assert "Belum ada potensi desa." in visitor.get(f"{team.base}/").text
    for kind, name in (("wisata", "Embung Tirta Sari"), ("umkm", "Anyaman Bu Tini")):
        made = send(team, "editor", "/admin/potensi/baru", {"kind": kind, "name": name, "aksi": "terbitkan"})
        assert made.status_code == 303  # type: ignore[attr-defined]
    for theme, layout in (
        ("klasik", "sidebar-kanan"),
        ("pesisir", "sidebar-kanan"),
        ("sawah", "sidebar-kiri"),
    ):
        settings = {"tema": theme, "tata": layout, "aksi": "terapkan", **widgets}
        assert team.post("admin", "/admin/tampilan", settings).status_code == 303  # type: ignore[attr-defined]
        home = visitor.get(f"{team.base}/").text
        assert f"theme-{theme}" in home and "Potensi desa</h2>" in home and "Aspirasi warga</h2>" in home
        side = home[home.index('<aside class="sidebar"') :]
        assert side.index("Anyaman Bu Tini") < side.index("Embung Tirta Sari")  # the newest first
        assert (
            '<a href="/potensi/embung-tirta-sari">Embung Tirta Sari</a> <span class="meta">Wisata</span>'
            in side
        )
        assert '<a href="/aspirasi">Kirim aspirasi</a>' in side and '<a href="/aspirasi/lacak">' in side
    # Nothing of another village in this one's widget.
    assert "Anyaman Bu Tini" not in visitor.get(f"{team.other_base}/").text


def test_a_product_is_published_only_with_a_way_to_order_it(team: Team) -> None:
    """No number of its own and no seller unit with one: no "Pesan via WhatsApp" button, so it is
    not published; it may wait as a draft, and the form keeps what was typed."""
    lost = keripik(whatsapp="", aksi="terbitkan", name="Gula Semut")
    refused = send(team, "editor", "/admin/produk/baru", lost)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "Isi nomor WhatsApp penjual sebelum produk terbit" in refused.text  # type: ignore[attr-defined]
    assert 'value="Gula Semut"' in refused.text and products_of(team.stack, team.vid) == []  # type: ignore[attr-defined]
    # As a draft it is kept; an editor publishing it from the list is refused with the same reason.
    assert send(team, "editor", "/admin/produk/baru", lost | {"aksi": "simpan"}).status_code == 303  # type: ignore[attr-defined]
    (draft,) = products_of(team.stack, team.vid)
    assert draft.status == "draft"
    from_list = send(team, "editor", f"/admin/produk/{draft.id}/terbitkan", {})
    assert from_list.status_code == 400 and "Isi nomor WhatsApp penjual" in from_list.text  # type: ignore[attr-defined]
    assert products_of(team.stack, team.vid)[0].status == "draft"
    # With the number it goes out.
    fixed = send(team, "editor", f"/admin/produk/{draft.id}", lost | {"whatsapp": NUMBER_TYPED})
    assert fixed.status_code == 303  # type: ignore[attr-defined]
    assert products_of(team.stack, team.vid)[0].status == "published"
