"""Odd values a crawler or a prankster sends in addresses and forms get a page or a message, never a
server error: digits that are not ASCII ("²", "١٢"), page numbers past any bigint, dates in year 1."""

from __future__ import annotations

import pytest

from tests.conftest import Stack
from tests.people import Browser, make_user, make_village, village_host

HUGE = str(10**20)


@pytest.mark.parametrize(
    "path",
    [
        "/?halaman=²",
        "/berita?halaman=²",
        f"/berita?halaman={HUGE}",
        "/penulis/²",
        "/penulis/١٢",
        "/galeri?tahun=²",
        f"/galeri?halaman={HUGE}",
        f"/dokumen?halaman={HUGE}",
        f"/agenda?halaman={HUGE}",
        f"/cari?q=desa&halaman={HUGE}",
    ],
)
def test_public_addresses(stack: Stack, path: str) -> None:
    _vid, slug = make_village(stack, "34.04.02.2003")
    response = Browser(stack).get(f"{village_host(stack, slug)}{path}")
    assert response.status_code in (200, 404, 422), (path, response.status_code)


def test_team_forms_and_lists(stack: Stack) -> None:
    vid, slug = make_village(stack, "34.04.02.2003")
    make_user(stack, "Sari Admin", email="sari@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    admin = Browser(stack)
    assert admin.login(base, "sari@contoh.id").status_code == 303
    for path in ("/admin/berita", "/admin/agenda", "/admin/pengumuman", "/admin/galeri", "/admin/dokumen"):
        assert admin.get(f"{base}{path}?halaman=99999").status_code == 200, path
        assert admin.get(f"{base}{path}?halaman={HUGE}").status_code == 404, path
    assert admin.get(f"{base}/admin/halaman/baru?induk=²").status_code == 200
    assert admin.get(f"{base}/admin/dokumen?tahun=²").status_code == 200
    notice = admin.post(
        f"{base}/admin/pengumuman/baru",
        {"title": "Jadwal ronda", "body": "Ronda malam.", "starts": "0001-01-01T00:00", "expires": ""},
    )
    assert notice.status_code == 400 and "Jadwal ronda" in notice.text
    event = admin.post(
        f"{base}/admin/agenda/baru",
        {"title": "Kerja bakti", "start_date": "9999-12-31", "start_time": "23:00", "place": "Balai desa"},
    )
    assert event.status_code == 400 and "Kerja bakti" in event.text


# Every address that carries an id, with one past any database integer: the 404 page, never a
# server error (SQLite's driver raises OverflowError, PostgreSQL "out of range").
HUGE_ID_PUBLIC = ["/pengumuman/{n}", "/penulis/{n}", "/agenda/{n}", "/dokumen/{n}"]
HUGE_ID_TEAM = [
    "/admin/berita/{n}",
    "/admin/berita/{n}/revisi",
    "/admin/produk/{n}",
    "/admin/potensi/{n}",
    "/admin/agenda/{n}",
    "/admin/pengumuman/{n}",
    "/admin/galeri/{n}",
    "/admin/galeri/{n}?sebelum={n}",
    "/admin/dokumen/{n}",
    "/admin/pembangunan/{n}",
    "/admin/aspirasi/{n}",
    "/admin/aspirasi/{n}/foto",
    "/admin/halaman/{n}",
    "/admin/impor/{n}",
    "/admin/apbdes/{n}",
    "/admin/media/{n}",
    "/admin/profil/pejabat/{n}",
    "/admin/log?sebelum={n}",
    "/api/v1/media?sebelum={n}",
]


def test_ids_past_any_database_integer_are_not_found(stack: Stack) -> None:
    vid, slug = make_village(stack, "34.04.02.2003")
    make_user(stack, "Sari Admin", email="sari@contoh.id", roles={vid: "admin"})
    base = village_host(stack, slug)
    reader, admin = Browser(stack), Browser(stack)
    assert admin.login(base, "sari@contoh.id").status_code == 303
    failed = []
    for who, paths in ((reader, HUGE_ID_PUBLIC), (admin, HUGE_ID_TEAM)):
        for path in paths:
            status = who.get(f"{base}{path.format(n=HUGE)}").status_code
            if status != 404:
                failed.append((path, status))
    # A form sent to such an address: not found either.
    status = admin.post(
        f"{base}/admin/berita/{HUGE}/terbitkan", {}, form_url=f"{base}/admin/berita"
    ).status_code
    if status != 404:
        failed.append(("POST /admin/berita/{n}/terbitkan", status))
    assert failed == []
    # The largest id a column holds is still an ordinary address (a 404 because nothing has it),
    # and so is the first one past it.
    for n in (2**31 - 1, 2**31):
        assert admin.get(f"{base}/admin/berita/{n}").status_code == 404
        assert reader.get(f"{base}/pengumuman/{n}").status_code == 404
