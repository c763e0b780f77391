from __future__ import annotations

from etalase.tenants.slugs import MAX_SLUG, RESERVED, choose_slug, slugify, valid_slug


def test_slugify_gives_lowercase_ascii() -> None:
    assert slugify("Sidomulyo") == "sidomulyo"
    assert slugify("Mekar Jaya") == "mekar-jaya"
    assert slugify("Regapu’u") == "regapuu"
    assert slugify("Pa'lalakang") == "palalakang"
    assert slugify("Kampung Baru (Dusun II)") == "kampung-baru-dusun-ii"
    assert slugify("Ulu/Ilir. Tengah") == "ulu-ilir-tengah"


def test_disambiguates_in_order_kecamatan_kabupaten_province_code() -> None:
    taken: set[str] = set()
    order = []
    for _ in range(5):
        slug = choose_slug(
            "34.04.02.2003",
            "Sidomulyo",
            "Godean",
            "Kabupaten Sleman",
            "DI Yogyakarta",
            taken=taken.__contains__,
        )
        taken.add(slug)
        order.append(slug)
    assert order == [
        "sidomulyo",
        "sidomulyo-godean",
        "sidomulyo-godean-sleman",
        "sidomulyo-godean-sleman-di-yogyakarta",
        "sidomulyo-3404022003",
    ]


def test_kota_keeps_its_prefix_to_stay_apart_from_the_kabupaten() -> None:
    slug = choose_slug(
        "33.74.01.1001",
        "Pekunden",
        "Semarang Tengah",
        "Kota Semarang",
        "Jawa Tengah",
        taken={"pekunden", "pekunden-semarang-tengah"}.__contains__,
    )
    assert slug == "pekunden-semarang-tengah-kota-semarang"


def test_slugs_fit_one_dns_label_and_avoid_reserved_names() -> None:
    long_name = "Sungai " * 20
    slug = choose_slug("11.01.01.2001", long_name, "Kec", "Kab", "Prov", taken=lambda _: False)
    assert len(slug) <= MAX_SLUG and valid_slug(slug)
    assert choose_slug("11.01.01.2001", "WWW", "Kota", "Kab", "P", taken=lambda _: False) == "www-kota"
    assert all(not valid_slug(word) for word in RESERVED)
    assert not valid_slug("-a") and not valid_slug("a" * 64) and not valid_slug("123")
