"""The one scoped path to village-owned rows.

Every table whose rows belong to a village inherits :class:`VillageOwned`, and every query of such a
table starts from :func:`in_village`. A query that filters by village inline is the leak this module
exists to prevent: one forgotten ``where`` shows village B's drafts on village A's site. A test
(tests/test_scoped_path.py) fails the build when code outside this module filters on
``village_id`` itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlmodel import Field, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

__all__ = [
    "VillageOwned",
    "get_in_village",
    "in_village",
    "in_village_or_platform",
    "in_villages",
    "village_of",
    "with_village",
]


class VillageOwned(SQLModel):
    """Mixin for every village-owned table: the row carries its village."""

    village_id: int = Field(foreign_key="village.id", index=True, nullable=False, ondelete="CASCADE")


Owned = TypeVar("Owned", bound=SQLModel)


# For a statement built once and run many times (a page's hot queries): ``in_village(Post,
# VILLAGE_PARAM)``, executed with ``params={"village_id": …}``.
VILLAGE_PARAM: Any = bindparam("village_id")


def in_village(model: type[Owned], village_id: int) -> SelectOfScalar[Owned]:
    """``SELECT model WHERE village_id = :village_id``: start every query of village data here.

    Any table with a ``village_id`` column qualifies: :class:`VillageOwned` content, and the few
    tables where the village is optional (audit events, one-time tokens). ``village_id`` may be
    :data:`VILLAGE_PARAM` for a statement built once."""
    column: Any = getattr(model, "village_id", None)  # the class attribute is a column at runtime
    if column is None:
        raise TypeError(f"{model.__name__} has no village_id column")
    return select(model).where(column == village_id)


def get_in_village(session: Any, model: type[Owned], village_id: int, row_id: int) -> Owned | None:
    """Fetch one row by id, only if it belongs to the village (another village's row is not found)."""
    column: Any = model.id  # type: ignore[attr-defined]
    result: Owned | None = session.exec(in_village(model, village_id).where(column == row_id)).first()
    return result


def in_villages(model: type[Owned], village_ids: list[int]) -> SelectOfScalar[Owned]:
    """``SELECT model WHERE village_id IN (…)``: a supervisor's page of villages, all in scope
    (the caller got the ids from a scope-filtered query of ``village``)."""
    column: Any = getattr(model, "village_id", None)
    if column is None:
        raise TypeError(f"{model.__name__} has no village_id column")
    return select(model).where(column.in_(village_ids))


def with_village(query: Any, model: type[SQLModel]) -> Any:
    """Add each row's village to a query (``SELECT model, village … JOIN village``)."""
    from etalase.tenants.models import Village  # noqa: PLC0415  (models import this module)

    column: Any = getattr(model, "village_id", None)
    if column is None:
        raise TypeError(f"{model.__name__} has no village_id column")
    village_id: Any = Village.id
    return query.add_columns(Village).join(Village, village_id == column)


def village_of(model: type[SQLModel]) -> Any:
    """The ON clause ``village.id = model.village_id``, for queries that read many villages'
    rows at once with each row's village (rollups up the region tree, a supervisor's tables):
    the rows read are those of the villages the query selects, by region code or id."""
    from etalase.tenants.models import Village  # noqa: PLC0415  (models import this module)

    column: Any = getattr(model, "village_id", None)
    if column is None:
        raise TypeError(f"{model.__name__} has no village_id column")
    village_id: Any = Village.id
    return village_id == column


def in_village_or_platform(model: type[Owned], village_id: int | None) -> SelectOfScalar[Owned]:
    """Rows of one village, or (``None``) the platform-wide rows that belong to no village."""
    if village_id is not None:
        return in_village(model, village_id)
    column: Any = getattr(model, "village_id", None)
    if column is None:
        raise TypeError(f"{model.__name__} has no village_id column")
    return select(model).where(column.is_(None))
