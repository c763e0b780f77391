"""Request-scoped dependencies, as ``Annotated`` aliases so a route's signature says what it uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.requests import HTTPConnection

from etalase.platform.runtime import Runtime
from etalase.platform.settings import Settings
from etalase.tenants.resolver import VillageSite


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def settings_of(request: HTTPConnection) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """The transaction belongs to the request: one commit at the end, rollback on error.

    On PostgreSQL the session sees the village-owned rows of the request's village only (row-level
    security, :mod:`etalase.platform.rls`); on the portal and unknown hosts, none."""
    site = getattr(request.state, "site", None)
    village = site.village if site is not None else None
    with get_runtime(request).session(village.id if village is not None else None) as session:
        yield session


def get_cross_village_session(request: Request) -> Iterator[Session]:
    """A session that sees every village's rows, for supervision console routes that read many
    villages on purpose. Row-level security does not narrow it, so every query made with it must
    filter by an explicit scope (the supervisor's region prefix, the villages they may see)."""
    with get_runtime(request).session(all_villages=True) as session:
        yield session


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def current_village(request: Request) -> VillageSite:
    site = request.state.site
    if site.village is None:  # VillageRoute already guarantees this; a second line of defence
        raise HTTPException(status_code=404)
    village: VillageSite = site.village
    return village


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[Session, Depends(get_session)]
CrossVillageSessionDep = Annotated[Session, Depends(get_cross_village_session)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
CurrentVillage = Annotated[VillageSite, Depends(current_village)]
