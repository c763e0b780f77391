"""Profil desa on both stacks, through the team's forms and the public page: a profile edited and
shown at once (chart, table, map link, JSON-LD, sitemap, JSON), refusals that keep every typed
value and name the field, the kontributor's read-only view, officials added, reordered and
removed with photos of the village's own library, other villages' ids (404), no request to a
third-party host, and no personal data in the JSON."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlmodel import col

from etalase.platform.media_library.models import MediaFile
from etalase.platform.profile import service as profiles
from etalase.platform.profile.models import VillageOfficial
from etalase.tenants.scope import in_village
from tests.conftest import Stack
from tests.people import Browser
from tests.test_gallery import PDF, Team, jpeg

BASE = "/admin/profil"

FULL = {
    "history": (
        "Desa ini dibuka oleh Ki Ageng Sidomulyo pada tahun 1830.\n\n"
        "Namanya berarti tempat yang makmur & tenteram."
    ),
    "vision": "Terwujudnya Sidomulyo yang mandiri, sejahtera, dan berbudaya",
    "mission": "Meningkatkan pelayanan publik\nMengembangkan BUMDes dan UMKM\n\nMenjaga lingkungan",
    "population_year": "2025",
    "population_total": "4.812",
    "population_male": "2390",
    "population_female": "2422",
    "age_0_5": "402",
    "age_6_17": "931",
    "age_18_59": "2880",
    "age_60_plus": "599",
    "households": "1507",
    "area": "4,35",
    "area_unit": "km2",
    "border_north": "Desa Sidoarum",
    "border_east": "Kali Bedog",
    "border_south": "Desa Sidomoyo",
    "border_west": "Desa Sidorejo",
    "latitude": "-7,7656",
    "longitude": "110.2961",
    "address": "Jl. Godean Km 9, Sidomulyo, Godean, Sleman",
    "phone": "(0274) 868123",
    "email": "Pemdes@Sidomulyo.desa.id",
    "open_senin": "08:00",
    "close_senin": "15:00",
    "open_jumat": "08:00",
    "close_jumat": "11.30",
    "hours_note": "Istirahat pukul 12.00–13.00",
}


@pytest.fixture
def team(stack: Stack) -> Team:
    return Team(stack)


def save(team: Team, who: str, fields: dict[str, str], path: str = BASE) -> Any:
    return team.post(who, path, fields)


def officials(stack: Stack, village_id: int) -> list[tuple[int, str, str, str, int | None]]:
    with stack.runtime.session(village_id) as db:
        rows = db.exec(
            in_village(VillageOfficial, village_id).order_by(
                col(VillageOfficial.body), col(VillageOfficial.position)
            )
        ).all()
        return [(r.id or 0, r.body, r.name, r.title, r.media_id) for r in rows]


def population(stack: Stack, village_id: int) -> int | None:
    with stack.runtime.session(village_id) as db:
        return profiles.population(db, village_id)


def loaded_hosts(html: str) -> set[str]:
    """Hosts of everything the page makes a browser fetch on load (src, srcset, stylesheets,
    scripts, iframes): links the reader may tap are not fetched."""
    urls = re.findall(r'\ssrc="([^"]+)"', html)
    for srcset in re.findall(r'\ssrcset="([^"]+)"', html):
        urls += [part.strip().split(" ")[0] for part in srcset.split(",") if part.strip()]
    urls += re.findall(r'<link rel="(?:stylesheet|icon|preload|modulepreload)"[^>]*href="([^"]+)"', html)
    return {urlsplit(url).hostname or "" for url in urls} - {""}


def test_a_profile_edited_shows_at_once_on_the_public_page(team: Team) -> None:
    visitor = Browser(team.stack)
    before = visitor.get(f"{team.base}/profil")
    assert before.status_code == 200 and "Profil desa belum diisi." in before.text
    assert population(team.stack, team.vid) is None

    saved = save(team, "editor", FULL)
    assert saved.status_code == 303 and saved.headers["location"] == f"{BASE}?pesan=disimpan"
    assert population(team.stack, team.vid) == 4812
    form = team.browsers["editor"].get(f"{team.base}{saved.headers['location']}")
    assert "Profil desa sudah disimpan" in form.text
    assert 'value="4812"' in form.text and 'value="4.35"' in form.text and 'value="-7.7656"' in form.text
    assert 'value="(0274) 868123"' in form.text and 'value="pemdes@sidomulyo.desa.id"' in form.text
    assert 'value="11:30"' in form.text

    page = visitor.get(f"{team.base}/profil")  # the cached "belum diisi" page is gone: version bumped
    html = page.text
    assert page.status_code == 200 and "Profil desa belum diisi." not in html
    assert "<p>Desa ini dibuka oleh Ki Ageng Sidomulyo pada tahun 1830.</p>" in html
    assert "<p>Namanya berarti tempat yang makmur &amp; tenteram.</p>" in html
    assert "<li>Mengembangkan BUMDes dan UMKM</li>" in html and "<li></li>" not in html
    assert "4.812 jiwa" in html and "(data tahun 2025)" in html and "1.507 kepala keluarga" in html
    # The chart is inline SVG with its table beside it.
    assert '<svg viewBox="0 0' in html and 'role="img"' in html and '<title id="grafik-judul">' in html
    assert '<th scope="row">Laki-laki</th><td>2.390</td>' in html
    assert '<th scope="row">60 tahun ke atas</th><td>599</td>' in html
    assert "4,35 km²" in html and "Batas Timur" in html and "Kali Bedog" in html
    # The map: coordinates and a plain link to OpenStreetMap, nothing loaded from there.
    assert "7,7656° LS, 110,2961° BT" in html
    osm = "https://www.openstreetmap.org/?mlat=-7.7656&amp;mlon=110.2961#map=15/-7.7656/110.2961"
    assert f'<a class="profil-peta" href="{osm}"' in html and ">Lihat peta</a>" in html
    assert "<iframe" not in html and "tile.openstreetmap" not in html
    own = {urlsplit(team.base).hostname, urlsplit(team.stack.runtime.media.url("x")).hostname}
    assert loaded_hosts(html) <= own, loaded_hosts(html) - own
    # The office: its number as written locally, hours with the dot of Indonesian time.
    assert '<a href="tel:+62274868123">(0274) 868123</a>' in html
    assert '<th scope="row">Senin</th><td>08.00–15.00</td>' in html
    assert '<th scope="row">Jumat</th><td>08.00–11.30</td>' in html
    assert '<th scope="row">Minggu</th><td>Tutup</td>' in html
    # JSON-LD: the village government at its office, with address and geo.
    blocks = [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.+?)</script>', html)]
    org = next(
        node
        for block in blocks
        for node in block.get("@graph", [])
        if node.get("@type") == "GovernmentOrganization" and "location" in node
    )
    assert org["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": -7.7656, "longitude": 110.2961}
    assert org["address"]["streetAddress"] == FULL["address"] and org["telephone"] == "+62274868123"
    assert org["openingHoursSpecification"][0]["dayOfWeek"] == "https://schema.org/Monday"

    # The "Kontak desa" sidebar widget shows the office from the profile.
    look = {"tema": "sawah", "tata": "sidebar-kiri", "aksi": "terapkan", "w_count": "1", "w0_type": "kontak"}
    assert team.post("admin", "/admin/tampilan", look).status_code == 303
    home = visitor.get(f"{team.base}/").text
    widget = home[home.index('class="widget widget-kontak"') :]
    widget = widget[: widget.index("</section>")]
    assert "<h2" in widget and "Kontak desa" in widget and FULL["address"] in widget
    assert (
        '<a href="tel:+62274868123">(0274) 868123</a>' in widget
        and "<dt>Senin</dt><dd>08.00–15.00</dd>" in widget
    )

    sitemap = visitor.get(f"{team.base}/sitemap-halaman.xml").text
    assert re.search(r"<loc>https?://[^<]+/profil</loc>", sitemap)


def test_the_json_has_public_fields_only(team: Team) -> None:
    photo = team.media(jpeg(), "carik.jpg", "Foto sekretaris desa")
    assert save(team, "editor", FULL).status_code == 303
    fields = {"name": "Sri Wahyuni", "title": "Sekretaris Desa", "media_id": str(photo)}
    assert save(team, "admin", fields, f"{BASE}/perangkat/baru").status_code == 303
    response = Browser(team.stack).get(f"{team.base}/api/v1/profil")
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["population"]["total"] == 4812
    assert data["profile"]["office"]["phone"] == "+62274868123"  # the office's: public
    assert data["profile"]["location"]["latitude"] == -7.7656
    assert data["officials"][0]["name"] == "Sri Wahyuni" and data["officials"][0]["photo"]
    text = response.text
    # Nothing of the team that edited it: names, sign-in addresses, ids.
    for private in ("Budi Editor", "Sari Admin", "editor@contoh.id", "admin@contoh.id", "author", "user"):
        assert private not in text, private
    assert set(data) == {"village", "officials", "bpd", "profile"}
    assert set(data["officials"][0]) == {"name", "title", "photo"}
    # Another village's JSON says nothing of A.
    other = Browser(team.stack).get(f"{team.other_base}/api/v1/profil").json()
    assert other["profile"] is None and other["officials"] == [] and "Sri Wahyuni" not in json.dumps(other)


REFUSALS = [
    (
        {"population_male": "2500", "population_female": "2422"},
        "population_male",
        "Laki-laki ditambah Perempuan (4.922) melebihi jumlah penduduk (4.812).",
    ),
    ({"age_18_59": "4000"}, "age_0_5", "Jumlah semua kelompok umur (5.932) melebihi jumlah penduduk"),
    ({"households": "5000"}, "households", "Jumlah kepala keluarga (5.000) melebihi jumlah penduduk"),
    ({"population_total": "banyak"}, "population_total", "Jumlah penduduk harus berupa bilangan bulat"),
    (
        {"population_year": ""},
        "population_year",
        "Isi tahun data penduduk supaya pembaca tahu data tahun berapa.",
    ),
    ({"latitude": "51,5"}, "latitude", "Lintang (latitude) berada di luar wilayah Indonesia"),
    ({"longitude": ""}, "longitude", "Isi bujur (longitude) juga"),
    ({"area": "-3"}, "area", "Luas wilayah harus berupa angka lebih dari 0"),
    ({"phone": "12"}, "phone", "Telepon kantor desa tidak valid"),
    ({"email": "kantor@"}, "email", "Email kantor desa: "),
    ({"close_senin": ""}, "close_senin", "Jam pelayanan hari Senin: isi jam buka dan jam tutup"),
    ({"close_senin": "07:00"}, "close_senin", "jam tutup harus sesudah jam buka"),
    ({"border_west": "x" * 201}, "border_west", "Batas barat terlalu panjang (maksimal 200 karakter)."),
]


def test_a_refused_profile_keeps_what_was_typed(team: Team) -> None:
    for changes, field, message in REFUSALS:
        refused = save(team, "admin", {**FULL, **changes})
        assert refused.status_code == 400, field
        html = refused.text
        assert message in html, field
        assert f'id="f-{field}"' in html and 'aria-invalid="true"' in html
        assert f'<p class="field-error" id="f-{field}-error">' in html
        # Every other field as it was typed, the rich text too.
        assert "Ki Ageng Sidomulyo" in html and "Mengembangkan BUMDes dan UMKM" in html
        assert 'value="Kali Bedog"' in html
        assert ">Jl. Godean Km 9, Sidomulyo, Godean, Sleman</textarea>" in html
        for name in ("border_north", "hours_note", "population_total"):
            if name not in changes:
                assert f'value="{FULL[name]}"' in html, (field, name)
    # Nothing saved.
    assert population(team.stack, team.vid) is None
    assert "Profil desa belum diisi." in Browser(team.stack).get(f"{team.base}/profil").text


def test_the_kontributor_reads_but_does_not_edit(team: Team) -> None:
    assert save(team, "editor", FULL).status_code == 303
    kader = team.browsers["kader"]
    page = kader.get(f"{team.base}{BASE}")
    assert page.status_code == 200
    assert "Hanya admin dan editor yang dapat mengubahnya." in page.text
    assert '<fieldset class="plain" disabled>' in page.text and "Simpan profil desa" not in page.text
    assert 'value="4812"' in page.text and "editor.js" not in page.text
    assert save(team, "kader", {**FULL, "population_total": "9000"}).status_code == 403
    assert population(team.stack, team.vid) == 4812
    listing = kader.get(f"{team.base}{BASE}/perangkat")
    assert listing.status_code == 200 and "Tambah ke daftar" not in listing.text
    fields = {"name": "Warga Biasa", "title": "Kepala Desa"}
    assert save(team, "kader", fields, f"{BASE}/perangkat/baru").status_code == 403
    assert save(team, "editor", fields, f"{BASE}/perangkat/baru").status_code == 303
    (official,) = officials(team.stack, team.vid)
    for action in ("", "/naik", "/turun", "/hapus"):
        path = f"{BASE}/pejabat/{official[0]}{action}"
        assert save(team, "kader", fields, path).status_code == 403, action
    assert kader.get(f"{team.base}{BASE}/pejabat/{official[0]}").status_code == 403
    assert officials(team.stack, team.vid) == [official]


def test_officials_are_added_ordered_and_removed_with_their_photos(team: Team) -> None:
    mine = team.media(jpeg(), "kades.jpg", "Foto kepala desa")
    theirs = team.media(jpeg(), "rahasia.jpg", "Foto Meteseh", village_id=team.other_vid)
    add = f"{BASE}/perangkat/baru"
    # A photo of another village: refused by name, the typed values kept, nothing stored.
    refused = save(team, "editor", {"name": "Suharno", "title": "Kepala Desa", "media_id": str(theirs)}, add)
    assert refused.status_code == 400 and "Foto tidak ditemukan di pustaka media desa ini." in refused.text
    assert 'value="Suharno"' in refused.text and 'value="Kepala Desa"' in refused.text
    assert "Foto Meteseh" not in refused.text
    short = save(team, "editor", {"name": "S", "title": "Kepala Desa"}, add)
    assert short.status_code == 400 and "Isi nama (minimal 2 huruf)." in short.text
    assert 'value="Kepala Desa"' in short.text
    assert officials(team.stack, team.vid) == []

    for name, title, photo in (
        ("Suharno", "Kepala Desa", str(mine)),
        ("Sri Wahyuni", "Sekretaris Desa", ""),
        ("Bambang Riyadi", "Kepala Dusun I", ""),
    ):
        done = save(team, "editor", {"name": name, "title": title, "media_id": photo}, add)
        assert done.status_code == 303, done.text
    assert (
        save(team, "admin", {"name": "Ahmad Fauzi", "title": "Ketua BPD"}, f"{BASE}/bpd/baru").status_code
        == 303
    )
    rows = officials(team.stack, team.vid)
    assert [(r[1], r[2]) for r in rows] == [
        ("bpd", "Ahmad Fauzi"),
        ("perangkat", "Suharno"),
        ("perangkat", "Sri Wahyuni"),
        ("perangkat", "Bambang Riyadi"),
    ]
    bambang = rows[3][0]
    # Moved up once: the site shows the new order.
    assert save(team, "editor", {}, f"{BASE}/pejabat/{bambang}/naik").status_code == 303
    html = Browser(team.stack).get(f"{team.base}/profil").text
    assert (
        html.index("Suharno")
        < html.index("Bambang Riyadi")
        < html.index("Sri Wahyuni")
        < html.index("Ahmad Fauzi")
    )
    media = team.file(mine)
    srcset = re.search(r'<img src="[^"]+" srcset="([^"]+)"[^>]*alt="Suharno" loading="lazy"', html)
    assert srcset and ".webp" in srcset.group(1) and team.stack.runtime.media.url(media.key) in html
    # Changed on its own screen; a bad change keeps the typed values.
    edit = f"{BASE}/pejabat/{bambang}"
    form = team.browsers["editor"].get(f"{team.base}{edit}")
    assert form.status_code == 200 and 'value="Bambang Riyadi"' in form.text
    bad = save(team, "editor", {"name": "Bambang Riyadi, S.Pd.", "title": ""}, edit)
    assert (
        bad.status_code == 400 and "Isi jabatan" in bad.text and 'value="Bambang Riyadi, S.Pd."' in bad.text
    )
    good = save(
        team, "editor", {"name": "Bambang Riyadi, S.Pd.", "title": "Kepala Dusun II", "media_id": ""}, edit
    )
    assert good.status_code == 303
    # The media library does not delete a photo an official shows.
    library = f"{team.base}/admin/media"
    kept = team.browsers["admin"].post(f"{library}/{mine}/hapus", form_url=library)
    assert kept.status_code == 409 and "Suharno (Kepala Desa)" in kept.text
    # Removed: gone from the site.
    assert save(team, "editor", {}, f"{edit}/hapus").status_code == 303
    html = Browser(team.stack).get(f"{team.base}/profil").text
    assert "Bambang" not in html and "Sri Wahyuni" in html


def test_village_a_cannot_see_or_touch_village_b(team: Team) -> None:
    assert save(team, "admin_b", {**FULL, "vision": "Visi rahasia Meteseh"}).status_code == 303
    fields = {"name": "Rahayu Meteseh", "title": "Lurah"}
    assert save(team, "admin_b", fields, f"{BASE}/perangkat/baru").status_code == 303
    ((theirs, *_rest),) = officials(team.stack, team.other_vid)
    before = officials(team.stack, team.other_vid)
    admin = team.browsers["admin"]
    assert admin.get(f"{team.base}{BASE}/pejabat/{theirs}").status_code == 404
    for action in ("", "/naik", "/turun", "/hapus"):
        response = save(
            team, "admin", {"name": "Diganti", "title": "Kepala Desa"}, f"{BASE}/pejabat/{theirs}{action}"
        )
        assert response.status_code == 404, action
    assert officials(team.stack, team.other_vid) == before
    for url in (
        f"{team.base}{BASE}",
        f"{team.base}{BASE}/perangkat",
        f"{team.base}/profil",
        f"{team.base}/api/v1/profil",
    ):
        text = admin.get(url).text
        assert "Meteseh" not in text and "Rahayu" not in text, url
    # A's save writes A's own row; B's stays as it was.
    assert save(team, "admin", FULL).status_code == 303
    with team.stack.runtime.session(team.other_vid) as db:
        row = profiles.get_profile(db, team.other_vid)
        assert row is not None and row.vision == "Visi rahasia Meteseh"


def send_photo(team: Team, path: str, fields: dict[str, str], photo: tuple[str, bytes, str]) -> Any:
    """The officials' form as a phone sends it with a photo taken for it (multipart)."""
    browser = team.browsers["editor"]
    return browser.client.post(
        f"{team.base}{path}",
        data={"csrf_token": browser.csrf(f"{team.base}/admin/galeri"), **fields},
        files=[("foto_baru", photo)],
        headers={"origin": team.base},
    )


def test_an_officials_photo_is_taken_with_the_phone(team: Team) -> None:
    """No trip to the media library: the photo goes with the form, is stored there (named after the
    official) and chosen; a form refused for another reason keeps it, a document is refused."""
    add = f"{BASE}/perangkat/baru"
    page = team.browsers["editor"].get(f"{team.base}{BASE}/perangkat").text
    assert 'enctype="multipart/form-data"' in page and 'name="foto_baru"' in page
    # No title: refused, the photo kept in the library and chosen in the form that comes back.
    refused = send_photo(team, add, {"name": "Suharno", "title": ""}, ("kades.jpg", jpeg(), "image/jpeg"))
    assert refused.status_code == 400 and "Isi jabatan" in refused.text and 'value="Suharno"' in refused.text
    with team.stack.runtime.session(team.vid) as db:
        (kept,) = db.exec(in_village(MediaFile, team.vid)).all()
    assert f'name="media_id" value="{kept.id}" checked' in refused.text
    assert officials(team.stack, team.vid) == []
    done = save(team, "editor", {"name": "Suharno", "title": "Kepala Desa", "media_id": str(kept.id)}, add)
    assert done.status_code == 303
    ((official_id, _body, _name, _title, photo),) = officials(team.stack, team.vid)
    assert photo == kept.id
    # On its own screen: a document is refused by name and the photo stays; a new photo replaces it.
    edit = f"{BASE}/pejabat/{official_id}"
    fields = {"name": "Suharno", "title": "Kepala Desa", "media_id": str(kept.id)}
    pdf = send_photo(team, edit, fields, ("sk.pdf", PDF, "application/pdf"))
    assert pdf.status_code == 400 and "“sk.pdf” adalah dokumen, bukan foto." in pdf.text
    assert officials(team.stack, team.vid)[0][4] == kept.id
    new = send_photo(team, edit, fields, ("kades-baru.jpg", jpeg(color=(90, 90, 200)), "image/jpeg"))
    assert new.status_code == 303, new.text
    photo = officials(team.stack, team.vid)[0][4]
    assert photo is not None and photo != kept.id
    assert team.file(photo).alt == "Suharno, Kepala Desa"
    # A form too big to read says so.
    assert "Foto terlalu besar" in team.browsers["editor"].get(f"{team.base}{edit}?galat=besar").text
