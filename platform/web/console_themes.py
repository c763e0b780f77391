"""The default theme of a supervision scope (``/konsol/tema``): new villages created under the
scope get it (the longest matching region prefix wins; the operator's is the national one).
Existing villages keep theirs: the village owns its look."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from etalase.platform.accounts import audit
from etalase.platform.accounts.authz import Permission, ScopeActor, scope_access
from etalase.platform.accounts.tokens import hash_ip
from etalase.platform.i18n import _
from etalase.platform.site import themes
from etalase.platform.site.models import ThemeDefault
from etalase.platform.web.deps import CrossVillageSessionDep, settings_of
from etalase.platform.web.pages import client_ip, page, redirect
from etalase.platform.web.routing import PortalRoute
from etalase.tenants.models import Region, utcnow
from etalase.tenants.resolver import TYPE_TITLE

router = APIRouter(route_class=PortalRoute)

Supervise = Annotated[ScopeActor, Depends(scope_access(Permission.SUPERVISE))]

BASE = "/konsol/tema"


def _scope_title(db: Session, scope: str) -> str:
    if not scope:
        return _("Seluruh Indonesia")
    region = db.get(Region, scope)
    if region is None:
        return scope
    kind = TYPE_TITLE.get(region.type, "")
    return region.name if region.type in ("kabupaten", "kota") else f"{kind} {region.name}".strip()


def _inherited(db: Session, scope: str) -> ThemeDefault | None:
    """The default of the nearest wider scope (what the scope gets when it sets none)."""
    parts = scope.split(".") if scope else []
    wider = ["", *(".".join(parts[:i]) for i in range(1, len(parts)))] if scope else []
    rows = db.exec(select(ThemeDefault).where(col(ThemeDefault.scope_code).in_(wider))).all()
    return max(rows, key=lambda r: len(r.scope_code), default=None)


def _page(
    request: Request, db: Session, actor: ScopeActor, *, status: int = 200, **extra: object
) -> HTMLResponse:
    own = db.get(ThemeDefault, actor.scope)
    inherited = _inherited(db, actor.scope)
    context = {
        "actor": actor,
        "scope_title": _scope_title(db, actor.scope),
        "themes": themes.all_themes(),
        "own": own.theme if own else "",
        "inherited": themes.get_theme(inherited.theme) if inherited else None,
        **extra,
    }
    return page(request, "admin/console_themes.html", context, status=status)


@router.get(BASE, response_class=HTMLResponse, name="console_themes")
def show(request: Request, actor: Supervise, db: CrossVillageSessionDep, pesan: str = "") -> Response:
    notice = (
        _("Tema bawaan tersimpan. Desa baru di wilayah ini akan memakainya.") if pesan == "disimpan" else None
    )
    return _page(request, db, actor, notice=notice)


@router.post(BASE, response_class=HTMLResponse)
def save(
    request: Request,
    actor: Supervise,
    db: CrossVillageSessionDep,
    tema: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    row = db.get(ThemeDefault, actor.scope)
    if tema:
        if themes.get_theme(tema) is None:
            return _page(request, db, actor, error=_("Pilih salah satu tema yang tersedia."), status=400)
        row = row or ThemeDefault(scope_code=actor.scope, theme=tema)
        row.theme, row.updated_by, row.updated_at = tema, actor.user.id, utcnow()
        db.add(row)
    elif row is not None:
        db.delete(row)
    audit.record(
        db,
        "theme_default_changed",
        actor=actor.user,
        target=f"{actor.scope or 'nasional'}: {tema or '-'}",
        ip_hash=hash_ip(settings_of(request).effective_secret_key, client_ip(request)),
    )
    return redirect(f"{BASE}?pesan=disimpan")
