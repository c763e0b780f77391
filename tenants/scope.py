"""The one scoped path to village-owned rows.

Every table whose rows belong to a village inherits :class:`VillageOwned`, and every query of such a
table starts from :func:`in_village`. A query that filters by village inline is the leak this module
exists to prevent: one forgotten ``where`` shows village B's drafts on village A's site. A test
(tests/test_scoped_path.py) fails the build when code outside this module filters on
``village_id`` itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Field, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

__all__ = ["VillageOwned", "get_in_village", "in_village"]


class VillageOwned(SQLModel):
    """Mixin for every village-owned table: the row carries its village."""

    village_id: int = Field(foreign_key="village.id", index=True, nullable=False, ondelete="CASCADE")


Owned = TypeVar("Owned", bound=VillageOwned)


def in_village(model: type[Owned], village_id: int) -> SelectOfScalar[Owned]:
    """``SELECT model WHERE village_id = :village_id``: start every query of village data here."""
    column: Any = model.village_id  # the class attribute is a column at runtime
    return select(model).where(column == village_id)


def get_in_village(session: Any, model: type[Owned], village_id: int, row_id: int) -> Owned | None:
    """Fetch one row by id, only if it belongs to the village (another village's row is not found)."""
    column: Any = model.id  # type: ignore[attr-defined]
    result: Owned | None = session.exec(in_village(model, village_id).where(column == row_id)).first()
    return result
