"""The console's indicator tables on the portal (issue 7): a scope's sub-regions or villages with
the field's indicators and traffic lights, drill-down region › sub-region › village, and the
"perlu perhatian" list; each as a page, a CSV and an XLSX (``?format=csv``).

Every region code from the URL or the query string is refused (404, as if it did not exist)
unless the supervisor's scope covers it; the rows are read from the rollup tables only
(:mod:`etalase.platform.supervision`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from etalase.platform.accounts.authz import ScopeActor
from etalase.platform.i18n import _
from etalase.platform.supervision import attention, export, months
from etalase.platform.supervision.rows import (
    COLUMNS,
    REASON_KEYS,
    REASONS,
    percent,
    region_rows,
    region_title,
    scope_summary,
    village_rows,
)
from etalase.platform.supervision.table import TableQuery, page_of, query_string, select_rows
from etalase.platform.web.console import Supervise
from etalase.platform.web.deps import CrossVillageSessionDep
from etalase.platform.web.pages import page, redirect
from etalase.platform.web.routing import PortalRoute
from etalase.tenants.models import Region

router = APIRouter(route_class=PortalRoute)

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}){0,2}$")  # province, kabupaten/kota, kecamatan
VILLAGE_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
LEVEL_ROWS = {0: "provinsi", 2: "kabupaten", 5: "kecamatan", 8: "desa"}


def _region_in_scope(db: Session, actor: ScopeActor, code: str) -> Region | None:
    """The region ``code`` if the scope covers it (``None`` for the nation); 404 otherwise."""
    if code == "" and actor.scope == "":
        return None
    if not REGION_CODE.match(code) or not actor.covers(code):
        raise HTTPException(status_code=404)
    region = db.get(Region, code)
    if region is None:
        raise HTTPException(status_code=404)
    return region


def _crumbs(db: Session, actor: ScopeActor, code: str) -> list[tuple[str, str]]:
    """(link, title) from the supervisor's own scope down to ``code``'s parent."""
    parts = code.split(".") if code else []
    own = len(actor.scope.split(".")) if actor.scope else 0
    codes = [".".join(parts[:n]) for n in range(own, len(parts))]
    regions = {r.code: r for r in db.exec(select(Region).where(col(Region.code).in_(codes))).all()}
    found = []
    for c in codes:
        link = "/konsol/wilayah" if c == actor.scope else f"/konsol/wilayah/{c}"
        found.append((link, _("Seluruh Indonesia") if not c else region_title(regions.get(c), c)))
    return found


def _month_context(month: date) -> dict[str, Any]:
    return {
        "month_key": months.key(month),
        "month_label": months.label(month),
        "month_choices": [(months.key(m), months.label(m)) for m in months.choices()],
    }


def _table(request: Request, actor: ScopeActor, db: Session, code: str, region: Region | None) -> Response:
    params: Mapping[str, str] = request.query_params
    month = months.parse(params.get("bulan", ""))
    query = TableQuery.parse(params)
    villages = len(code) == 8
    if villages:
        rows = village_rows(db, code, month, months.as_of(month), lambda c: f"/konsol/desa/{c}")
    else:
        rows = region_rows(db, code, month, lambda c: f"/konsol/wilayah/{c}")
    shown = select_rows(rows, query)
    fmt = params.get("format", "")
    if fmt in export.FORMATS:
        header, lines = export.table_sheet(shown, regions=not villages)
        return export.download(header, lines, fmt, export.filename(code, month, fmt), code or "Indonesia")
    base = "/konsol/wilayah" if code == actor.scope else f"/konsol/wilayah/{code}"
    month_param = {"bulan": months.key(month)}

    def link(**changes: object) -> str:
        found = query_string({**query.params(**changes), **month_param})
        return f"{base}?{found}" if found else base

    def sort_link(key: str) -> str:
        return f"{base}?{query_string({**query.sort_link(key), **month_param})}"

    def export_link(fmt: str) -> str:
        return f"{base}?{query_string({**query.params(halaman=1), **month_param, 'format': fmt})}"

    summary = scope_summary(db, code, month)
    title = _("Seluruh Indonesia") if region is None else region_title(region, code)
    return page(
        request,
        "admin/console_region.html",
        {
            "actor": actor,
            "code": code,
            "base": base,
            "title": title,
            "crumbs": _crumbs(db, actor, code),
            "rows_kind": LEVEL_ROWS.get(len(code), "desa"),
            "villages_table": villages,
            "headers": [(c.key, _(c.label if villages else c.region_label)) for c in COLUMNS],
            "query": query,
            "page": page_of(shown, query.halaman),
            "all_rows": len(rows),
            "summary": summary,
            "summary_reach": percent(
                summary.visitors_counted / summary.population if summary and summary.population else None
            ),
            "link": link,
            "sort_link": sort_link,
            "export_link": export_link,
            "attention_link": "/konsol/perhatian?"
            + query_string({"wilayah": "" if code == actor.scope else code, **month_param}),
            **_month_context(month),
        },
    )


@router.get("/konsol/wilayah", response_class=HTMLResponse, name="console_regions")
def scope_table(request: Request, actor: Supervise, db: CrossVillageSessionDep) -> Response:
    region = _region_in_scope(db, actor, actor.scope) if actor.scope else None
    return _table(request, actor, db, actor.scope, region)


@router.get("/konsol/wilayah/{code}", response_class=HTMLResponse, name="console_region")
def region_table(request: Request, code: str, actor: Supervise, db: CrossVillageSessionDep) -> Response:
    if VILLAGE_CODE.match(code):
        # A village's row in a table is its console page; the same answer as the page for a
        # village outside the scope.
        if not actor.covers(code):
            raise HTTPException(status_code=404)
        return redirect(f"/konsol/desa/{code}")
    region = _region_in_scope(db, actor, code)
    return _table(request, actor, db, code, region)


@router.get("/konsol/perhatian", response_class=HTMLResponse, name="console_attention")
def attention_list(request: Request, actor: Supervise, db: CrossVillageSessionDep) -> Response:
    params: Mapping[str, str] = request.query_params
    month = months.parse(params.get("bulan", ""))
    wilayah = (params.get("wilayah") or "").strip()
    region = _region_in_scope(db, actor, wilayah) if wilayah else None
    code = wilayah or actor.scope
    if region is None and code:
        region = db.get(Region, code)
    alasan = params.get("alasan", "")
    wanted = attention.AttentionQuery(
        cari=(params.get("cari") or "").strip()[:100],
        alasan=alasan if alasan in REASON_KEYS else "",
        urut="nama" if params.get("urut") == "nama" else "kode",
    )
    fmt = params.get("format", "")
    if fmt in export.FORMATS:
        found = attention.entries(db, code, month, wanted, limit=attention.EXPORT_LIMIT)
        header = [_("Kode"), _("Desa"), _("Kecamatan"), _("Alasan")]
        lines: list[list[export.Value]] = [[e.code, e.name, e.kecamatan, "; ".join(e.reasons)] for e in found]
        name = export.filename(code, month, fmt, table="perhatian")
        return export.download(header, lines, fmt, name, "Perlu perhatian")
    query = TableQuery.parse(params)
    total = attention.count(db, code, month, wanted)
    pages = max(1, -(-total // attention.PAGE_SIZE))
    number = min(query.halaman, pages)
    found = attention.entries(
        db, code, month, wanted, offset=(number - 1) * attention.PAGE_SIZE, limit=attention.PAGE_SIZE
    )
    kept = {
        "wilayah": wilayah,
        "cari": wanted.cari,
        "alasan": wanted.alasan,
        "urut": "" if wanted.urut == "kode" else wanted.urut,
        "bulan": months.key(month),
    }

    def link(**changes: object) -> str:
        return "/konsol/perhatian?" + query_string({**kept, **{k: str(v) for k, v in changes.items()}})

    return page(
        request,
        "admin/console_attention.html",
        {
            "actor": actor,
            "title": _("Seluruh Indonesia") if not code else region_title(region, code),
            "table_link": f"/konsol/wilayah/{code}" if code != actor.scope else "/konsol/wilayah",
            "entries": found,
            "total": total,
            "halaman": number,
            "pages": pages,
            "wanted": wanted,
            "wilayah": wilayah,
            "reasons": [(key, _(text)) for _flag, key, text in REASONS],
            "link": link,
            "export_link": lambda fmt: link(format=fmt),
            **_month_context(month),
        },
    )
