"""Photos sent with a form: taken with the phone for a post's cover, a product, a potensi or an
album, so nobody has to visit the media library first. Each photo is stored in the village's
library on its own (checked, turned upright, EXIF and GPS removed there), so a form refused for
another reason comes back with the photos already kept and chosen."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from etalase.platform.accounts.authz import VillageActor
from etalase.platform.i18n import _
from etalase.platform.media_library import service as media_service
from etalase.platform.media_library.models import MediaFile
from etalase.platform.media_library.processing import MediaError, photo_reason
from etalase.platform.runtime import Runtime
from etalase.platform.web.deps import settings_of
from etalase.platform.web.pages import log_in_village

# File signatures of documents (PDF; Word and Excel are zip files): a form that wants a photo
# refuses them before anything is stored, with a sentence that names the file.
DOCUMENT_MAGIC = (b"%PDF-", b"PK\x03\x04")


def sent_files(form: FormData, field: str) -> list[UploadFile]:
    """The files chosen in ``field`` (a file input left empty sends a part without a name)."""
    return [f for f in form.getlist(field) if isinstance(f, UploadFile) and f.filename]


def is_document(uploaded: UploadFile) -> bool:
    head = uploaded.file.read(8)
    uploaded.file.seek(0)
    return head.startswith(DOCUMENT_MAGIC)


class PhotoRefusedError(MediaError):
    """A photo the library refused: ``str()`` is one sentence naming the file; ``name`` and
    ``reason`` apart for a list of several files."""

    def __init__(self, name: str, reason: str, sentence: str | None = None, status: int = 400) -> None:
        super().__init__(sentence or f"“{name}”: {reason}")
        self.name, self.reason, self.status = name, reason, status


def store_photo(
    request: Request, db: Session, actor: VillageActor, uploaded: UploadFile, *, alt: str
) -> MediaFile:
    """Store one photo in the village's library (committed there) and log it. A refusal raises
    :class:`PhotoRefusedError`."""
    name = uploaded.filename or ""
    if is_document(uploaded):
        sentence = _("“{name}” adalah dokumen, bukan foto.").format(name=name)
        raise PhotoRefusedError(name, _("ini dokumen, bukan foto."), sentence, status=415)
    runtime: Runtime = request.app.state.runtime
    try:
        media = media_service.upload(
            db,
            runtime.media,
            actor.village.id,
            filename=name,
            stream=uploaded.file,
            alt=" ".join(alt.split())[: media_service.ALT_MAX],
            user=actor.user,
            settings=settings_of(request),
        )
    except MediaError as error:
        raise PhotoRefusedError(name, photo_reason(error), status=error.status) from error
    log_in_village(db, request, actor, "media_uploaded", media.original_name)
    return media
