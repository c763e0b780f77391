"""The import run table (see :mod:`etalase.platform.importers.runs`)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlmodel import Field

from etalase.platform.accounts import models as _accounts  # noqa: F401  (app_user, for the foreign keys)
from etalase.tenants.models import utcnow
from etalase.tenants.scope import VillageOwned

STALE_AFTER = timedelta(hours=2)


class ImportRun(VillageOwned, table=True):
    """One import of a blog export into a village, run in the background."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    # queued, running, done, failed
    status: str = Field(default="queued", sa_column=Column(String(16), nullable=False, default="queued"))
    source: str = Field(default="", sa_column=Column(String(16), nullable=False, default=""))
    site_title: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    file_name: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    # The export itself until the run ends (then NULL). Pages read runs without it (runs.WITHOUT_EXPORT).
    export: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
    )
    author_name: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    download_images: bool = Field(default=False)
    started_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True),
    )
    # The report as JSON (ImportReport's fields) once done; the reason once failed.
    report: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    started_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def stale(self) -> bool:
        """Still "running" long after it started: its worker stopped (a restart, a crash)."""
        started = self.started_at or self.created_at
        if started.tzinfo is None:
            started = started.replace(tzinfo=utcnow().tzinfo)
        return not self.finished and utcnow() - started > STALE_AFTER

    def report_data(self) -> dict[str, Any]:
        return dict(json.loads(self.report)) if self.report else {}
