"""The official region list, loaded on both stacks (the stack fixture loads it once per run)."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from etalase.tenants.models import Region
from etalase.tenants.regions import load_regions
from tests.conftest import Stack


def test_full_list_is_loaded_with_types_parents_and_postal_codes(stack: Stack) -> None:
    with Session(stack.runtime.engine) as session:
        by_level = dict(session.exec(select(Region.level, func.count()).group_by(Region.level)).all())
        assert by_level == {1: 38, 2: 514, 3: 7285, 4: 83762}
        types = dict(session.exec(select(Region.type, func.count()).group_by(Region.type)).all())
        assert types["desa"] + types["kelurahan"] + types["desa_adat"] == 83762
        assert types["kota"] == 98 and types["kabupaten"] == 416 and types["desa_adat"] == 14
        village = session.get(Region, "34.04.02.2003")
        assert village is not None
        assert (village.name, village.type, village.parent_code) == ("Sidomulyo", "desa", "34.04.02")
        assert village.postal_code and len(village.postal_code) == 5
        assert session.get(Region, "33.74").name == "Kota Semarang"  # type: ignore[union-attr]
        orphans = session.exec(
            select(func.count()).where(col(Region.level) > 1, col(Region.parent_code).is_(None))
        ).one()
        assert orphans == 0
        sidomulyo = session.exec(
            select(func.count()).where(Region.name == "Sidomulyo", Region.level == 4)
        ).one()
        assert sidomulyo == 98


def test_loading_again_changes_nothing(stack: Stack) -> None:
    result = load_regions(stack.runtime.engine)
    assert result.total == 91599
    assert result.written == 0
    assert result.stale == 0


def test_loading_repairs_an_edited_row(stack: Stack) -> None:
    with Session(stack.runtime.engine) as session:
        region = session.get(Region, "33.74.10.1001")
        assert region is not None
        region.name = "Salah Ketik"
        session.add(region)
        session.commit()
    assert load_regions(stack.runtime.engine).written == 1
    with Session(stack.runtime.engine) as session:
        assert session.get(Region, "33.74.10.1001").name == "Meteseh"  # type: ignore[union-attr]
