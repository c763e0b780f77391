"""Village sites from official codes: slugs, refusals that leave nothing behind, bulk creation, domains."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, func, select

from etalase.tenants.models import SiteGeneration, Village, VillageDomain
from etalase.tenants.service import (
    TenantError,
    add_domain,
    create_village,
    create_villages_under,
    find_village,
    remove_domain,
)
from tests.conftest import BASE_DOMAIN, Stack

SIDOMULYO_GODEAN = "34.04.02.2003"


def count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def generation(session: Session) -> int:
    return int(session.exec(select(SiteGeneration.generation)).one())


def test_create_from_code_in_either_spelling(stack: Stack) -> None:
    with stack.runtime.session() as session:
        village = create_village(session, "3404022003")
    assert (village.code, village.slug, village.name, village.status) == (
        SIDOMULYO_GODEAN,
        "sidomulyo",
        "Sidomulyo",
        "active",
    )


def test_sidomulyos_get_deterministic_disambiguation(stack: Stack) -> None:
    codes = ["34.04.02.2003", "33.22.19.1001", "35.05.05.2009"]
    slugs = []
    for code in codes:
        with stack.runtime.session() as session:
            slugs.append(create_village(session, code).slug)
    assert slugs == ["sidomulyo", "sidomulyo-ungaran-timur", "sidomulyo-bakung"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("99.99.99.9999", "not in the official list"),
        ("34.04.02", "is a kecamatan, not a desa/kelurahan"),
        ("34.04", "is a kabupaten/kota"),
        ("desa sidomulyo", "is not a Kemendagri region code"),
        ("34.04.02.2003'; DROP TABLE village;--", "is not a Kemendagri region code"),
    ],
)
def test_refusals_are_clear_and_create_nothing(stack: Stack, code: str, message: str) -> None:
    with stack.runtime.session() as session:
        before = (count(session, Village), generation(session))
    with pytest.raises(TenantError, match=re.escape(message)), stack.runtime.session() as session:
        create_village(session, code)
    with stack.runtime.session() as session:
        assert (count(session, Village), generation(session)) == before


def test_duplicate_and_taken_slug_are_refused(stack: Stack) -> None:
    with stack.runtime.session() as session:
        create_village(session, SIDOMULYO_GODEAN)
    with (
        pytest.raises(TenantError, match="already has a site: sidomulyo"),
        stack.runtime.session() as session,
    ):
        create_village(session, SIDOMULYO_GODEAN)
    with pytest.raises(TenantError, match="already taken"), stack.runtime.session() as session:
        create_village(session, "33.22.19.1001", slug="sidomulyo")
    with pytest.raises(TenantError, match="not allowed"), stack.runtime.session() as session:
        create_village(session, "33.22.19.1001", slug="www")
    with stack.runtime.session() as session:
        assert count(session, Village) == 1


def test_a_failure_midway_rolls_back_the_whole_batch(stack: Stack) -> None:
    with pytest.raises(TenantError), stack.runtime.session() as session:
        create_village(session, "33.74.10.1001")
        create_village(session, "33.74.10.9999")
    with stack.runtime.session() as session:
        assert count(session, Village) == 0


def test_bulk_under_a_kabupaten_is_idempotent(stack: Stack) -> None:
    with stack.runtime.session() as session:
        first = create_villages_under(session, "33.74")
    assert (first.created, first.existing) == (177, 0)
    with stack.runtime.session() as session:
        again = create_villages_under(session, "33.74")
        assert (again.created, again.existing) == (0, 177)
        assert count(session, Village) == 177
    with pytest.raises(TenantError, match="is a desa/kelurahan"), stack.runtime.session() as session:
        create_villages_under(session, "33.74.10.1001")
    with pytest.raises(TenantError, match="not in the official list"), stack.runtime.session() as session:
        create_villages_under(session, "33.99")


def test_bulk_all_of_indonesia_gives_unique_valid_slugs(stack: Stack) -> None:
    with stack.runtime.session() as session:
        create_village(session, SIDOMULYO_GODEAN)  # made earlier by hand: bulk must skip it
    with stack.runtime.session() as session:
        result = create_villages_under(session, "")
    assert (result.created, result.existing) == (83761, 1)
    print(f"\n[{stack.name}] bulk creation of {result.created:,} villages: {result.seconds:.1f} s")
    with stack.runtime.session() as session:
        slugs = session.exec(select(Village.slug)).all()
        assert len(slugs) == len(set(slugs)) == 83762
        assert all(re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", s) for s in slugs)
        godean = session.exec(select(Village.slug).where(Village.code == SIDOMULYO_GODEAN)).one()
        assert godean == "sidomulyo"
        with_code = sum(1 for s in slugs if re.search(r"\d{10}$", s))
        assert with_code < 50  # the code fallback stays rare: names are readable


def test_custom_domains(stack: Stack) -> None:
    with stack.runtime.session() as session:
        a = create_village(session, SIDOMULYO_GODEAN)
        b = create_village(session, "33.74.10.1001")
    with stack.runtime.session() as session:
        mapping = add_domain(
            session, find_village(session, "sidomulyo"), "https://WWW.Sidomulyo.Desa.ID/", BASE_DOMAIN
        )
        assert mapping.domain == "sidomulyo.desa.id"
    with (
        pytest.raises(TenantError, match="already mapped to the village sidomulyo"),
        stack.runtime.session() as s,
    ):
        add_domain(s, find_village(s, b.code), "sidomulyo.desa.id", BASE_DOMAIN)
    with pytest.raises(TenantError, match="part of the platform domain"), stack.runtime.session() as s:
        add_domain(s, find_village(s, b.slug), f"meteseh.{BASE_DOMAIN}", BASE_DOMAIN)
    with pytest.raises(TenantError, match="not a valid domain"), stack.runtime.session() as s:
        add_domain(s, find_village(s, b.slug), "javascript:alert(1)", BASE_DOMAIN)
    with stack.runtime.session() as session:
        assert count(session, VillageDomain) == 1
        remove_domain(session, "sidomulyo.desa.id")
    with stack.runtime.session() as session:
        assert count(session, VillageDomain) == 0
    assert a.slug == "sidomulyo"
