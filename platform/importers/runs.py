"""An import as a background job: the export is kept with its run (private, in the database, not in
the public media store) and written into the village by the worker, so a blog of 800 posts with
their pictures never hangs the operator's phone on one long request.

    run = start(db, village_id, data=…, file_name=…, result=…, credit=…, download=…, user=…)
    jobs.enqueue(settings, execute, settings, run.id, village_id)   # after the commit
    # the status page reads the run; when it is done, run.report holds the report

A run is ``queued``, then ``running``, then ``done`` or ``failed``. The export's bytes are dropped
when the run ends either way. A run left ``running`` by a worker that died shows as interrupted
after :data:`STALE_AFTER`, and the same file can be imported again (it adds nothing twice).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any, cast

from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col

from etalase.platform.accounts import audit
from etalase.platform.accounts.models import User
from etalase.platform.importers import parse_export
from etalase.platform.importers.fetch import fetcher
from etalase.platform.importers.model import ImportResult
from etalase.platform.importers.models import ImportRun
from etalase.platform.importers.writer import ImportReport, write_import
from etalase.platform.media_library import service as media_service
from etalase.platform.settings import Settings
from etalase.tenants.models import utcnow
from etalase.tenants.scope import in_village

log = logging.getLogger(__name__)
RECENT = 10  # runs listed on the import page


def start(
    db: Session,
    village_id: int,
    *,
    data: bytes,
    file_name: str,
    result: ImportResult,
    credit: User,
    download: bool,
    user: User,
) -> ImportRun:
    """A queued run holding the export (already parsed once by the caller, so a bad file is refused
    at once with its message, before anything is queued). The caller commits, then enqueues."""
    run = ImportRun(
        village_id=village_id,
        source=result.source,
        site_title=result.site_title[:200],
        file_name=file_name[:200],
        export=data,
        author_id=credit.id,
        author_name=credit.name,
        download_images=download,
        started_by=user.id,
    )
    db.add(run)
    db.flush()
    return run


# A status page refreshing every 5 seconds must not read a 50 MB export each time.
WITHOUT_EXPORT = defer(cast("QueryableAttribute[bytes | None]", ImportRun.export))


def get(db: Session, village_id: int, run_id: int, *, with_export: bool = False) -> ImportRun | None:
    query = in_village(ImportRun, village_id).where(col(ImportRun.id) == run_id)
    return db.exec(query if with_export else query.options(WITHOUT_EXPORT)).first()


def recent(db: Session, village_id: int) -> list[ImportRun]:
    query = in_village(ImportRun, village_id).options(WITHOUT_EXPORT)
    return list(db.exec(query.order_by(col(ImportRun.id).desc()).limit(RECENT)).all())


def starter_of(db: Session, run: ImportRun) -> User | None:
    return db.get(User, run.started_by) if run.started_by else None


def execute(settings: Settings, run_id: int, village_id: int) -> None:
    """The job: write the run's export into its village (in the worker, or a thread when embedded)."""
    from etalase.platform.runtime import Runtime  # noqa: PLC0415  (a worker builds its own)

    runtime = Runtime.build(settings)
    try:
        _execute(runtime, run_id, village_id)
    finally:
        runtime.close()


def _execute(runtime: Any, run_id: int, village_id: int) -> None:
    with runtime.session(village_id) as db:
        run = get(db, village_id, run_id, with_export=True)
        if run is None or run.status != "queued":
            return  # already taken (a job delivered twice) or gone with its village
        run.status, run.started_at = "running", utcnow()
        db.add(run)
        db.commit()
        data = run.export or b""
        try:
            result = parse_export(data)
            author = db.get(User, run.author_id) if run.author_id else None
            starter = starter_of(db, run)
            limit = media_service.max_upload_bytes(runtime.settings)
            report: ImportReport = write_import(
                db,
                village_id,
                result,
                author_id=author.id if author and author.id else 0,
                author_name=run.author_name,
                fetch=fetcher(limit) if run.download_images else None,
                media_store=runtime.media,
                settings=runtime.settings,
                user=starter,
            )
        except Exception as error:  # the run says it failed; the items written so far stay
            db.rollback()
            log.exception("import run %s of village %s failed", run_id, village_id)
            run = get(db, village_id, run_id)
            assert run is not None
            run.status, run.error = "failed", f"{type(error).__name__}"
            audit.record(
                db, "import_failed", actor=starter_of(db, run), village_id=village_id, target=run.file_name
            )
        else:
            run = get(db, village_id, run_id)
            assert run is not None
            run.status, run.report = "done", json.dumps(asdict(report), ensure_ascii=False)
            target = f"{result.source}: {report.summary()}"
            audit.record(db, "import_done", actor=starter_of(db, run), village_id=village_id, target=target)
        run.export, run.finished_at = None, utcnow()
        db.add(run)
        db.commit()
