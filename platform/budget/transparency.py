"""The "transparansi" indicator of a village (issue 7 shows it): is this year's APBDes public, and
is a current RPJM Desa public?

The field's target (DESIGN.md, "Measuring impact") is that a village publishes its current-year
APBDes and its RPJM Desa. Either may reach the site two ways: as figures in the APBDes screens of
this package, or as a file on the documents page (``dokumen``, category ``APBDes`` / ``RPJMDes``
with a year). Both count; drafts and trashed documents do not.

An RPJM Desa covers six years (Permendagri 114/2014) and carries the year it starts, so the one in
force in ``year`` is a document whose year lies in ``year - 5 … year``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col
from sqlmodel.sql.expression import SelectOfScalar

from etalase.platform.budget.models import ApbdesYear
from etalase.platform.content.models import Document
from etalase.tenants.scope import in_village

APBDES_CATEGORY = "APBDes"
RPJM_CATEGORY = "RPJMDes"
RPJM_YEARS = 6


@dataclass(frozen=True, slots=True)
class Transparency:
    """What a village has made public for one year."""

    year: int
    apbdes_published: bool  # the year's APBDes: published figures, or a published APBDes document
    rpjm_current: bool  # a published RPJMDes document whose period covers the year

    @property
    def complete(self) -> bool:
        """Both published: the indicator's "yes"."""
        return self.apbdes_published and self.rpjm_current


def _published_documents(village_id: int, category: str) -> SelectOfScalar[Document]:
    return in_village(Document, village_id).where(
        col(Document.category) == category,
        col(Document.status) == "published",
        col(Document.deleted_at).is_(None),
    )


def transparency(db: Session, village_id: int, year: int) -> Transparency:
    """The village's transparency for ``year`` (usually the current year), in at most three small
    indexed queries."""
    apbdes_year = db.exec(
        in_village(ApbdesYear, village_id).where(
            col(ApbdesYear.year) == year, col(ApbdesYear.status) == "published"
        )
    ).first()
    apbdes_published = apbdes_year is not None
    if not apbdes_published:
        document = db.exec(
            _published_documents(village_id, APBDES_CATEGORY).where(col(Document.year) == year)
        ).first()
        apbdes_published = document is not None
    rpjm = db.exec(
        _published_documents(village_id, RPJM_CATEGORY).where(
            col(Document.year) >= year - (RPJM_YEARS - 1), col(Document.year) <= year
        )
    ).first()
    return Transparency(year=year, apbdes_published=apbdes_published, rpjm_current=rpjm is not None)
