"""Creating villages from official codes and mapping their domains.

Every function works inside the caller's session and only flushes; the caller commits, so a
failure leaves nothing half-created. Each change bumps the site generation in the same
transaction (see SiteGeneration), which is how every app process learns that its host cache is stale.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from etalase.tenants.hosts import normalize_domain
from etalase.tenants.models import Region, SiteGeneration, Village, VillageDomain, utcnow
from etalase.tenants.regions import LEVEL_NAMES
from etalase.tenants.slugs import choose_slug, valid_slug

VILLAGE_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class TenantError(Exception):
    """A refusal worded for the operator: unknown code, duplicate, taken domain…"""


def normalize_code(raw: str) -> str:
    """``3374012001`` or ``33.74.01.2001`` → ``33.74.01.2001``; anything else is returned stripped."""
    value = raw.strip()
    digits = value.replace(".", "")
    if digits.isdigit() and len(digits) in (2, 4, 6, 10):
        return ".".join(p for p in (digits[0:2], digits[2:4], digits[4:6], digits[6:10]) if p)
    return value


def bump_generation(session: Session) -> None:
    result = session.execute(update(SiteGeneration).values(generation=SiteGeneration.generation + 1))
    if not getattr(result, "rowcount", 0):
        session.add(SiteGeneration(id=1, generation=2))
    session.flush()


def _require_regions(session: Session) -> None:
    if session.exec(select(Region.code).limit(1)).first() is None:
        raise TenantError("The region list is empty: run `etalase regions load` first.")


def _region(session: Session, code: str) -> Region:
    if not REGION_CODE.match(code):
        raise TenantError(f"{code!r} is not a Kemendagri region code (expected e.g. 33.74 or 33.74.01.1001).")
    region = session.get(Region, code)
    if region is None:
        _require_regions(session)
        raise TenantError(f"Region code {code} is not in the official list.")
    return region


def _ancestor_names(session: Session, code: str) -> dict[int, str]:
    parts = code.split(".")
    prefixes = [".".join(parts[:i]) for i in range(1, len(parts))]
    rows = session.exec(select(Region.code, Region.name).where(col(Region.code).in_(prefixes))).all()
    return {len(c.split(".")): name for c, name in rows}


def _slug_taken(session: Session) -> Callable[[str], bool]:
    def taken(slug: str) -> bool:
        return session.exec(select(Village.id).where(Village.slug == slug)).first() is not None

    return taken


def _default_theme(session: Session, code: str) -> str:
    """The theme a supervisor chose for the region of ``code`` (longest prefix), else klasik."""
    from etalase.platform.site.themes import default_theme_for  # noqa: PLC0415  (platform imports tenants)

    return default_theme_for(session, code) or "klasik"


def create_village(
    session: Session, raw_code: str, *, slug: str | None = None, active: bool = True
) -> Village:
    code = normalize_code(raw_code)
    region = _region(session, code)
    if region.level != 4:
        raise TenantError(
            f"{code} ({region.name}) is a {LEVEL_NAMES[region.level]}, not a desa/kelurahan; "
            f"to create every village under it use `etalase villages create-under {code}`."
        )
    existing = session.exec(select(Village).where(Village.code == code)).first()
    if existing is not None:
        raise TenantError(f"{region.name} ({code}) already has a site: {existing.slug}.")
    if slug is not None:
        slug = slug.strip().lower()
        if not valid_slug(slug):
            raise TenantError(
                f"Slug {slug!r} is not allowed: use 1-63 lowercase letters, digits and hyphens, "
                "and not a reserved name."
            )
        if _slug_taken(session)(slug):
            raise TenantError(f"Slug {slug!r} is already taken by another village.")
    else:
        names = _ancestor_names(session, code)
        slug = choose_slug(
            code,
            region.name,
            names.get(3, ""),
            names.get(2, ""),
            names.get(1, ""),
            taken=_slug_taken(session),
        )
    village = Village(
        code=code,
        slug=slug,
        name=region.name,
        status="active" if active else "inactive",
        theme=_default_theme(session, code),
    )
    session.add(village)
    bump_generation(session)
    return village


@dataclass
class BulkResult:
    created: int
    existing: int
    seconds: float


def create_villages_under(
    session: Session, raw_prefix: str, *, active: bool = True, chunk: int = 5000
) -> BulkResult:
    """Create a site for every desa/kelurahan under a region ("" = all of Indonesia), in code order.

    Slugs are chosen in memory against every slug already taken, then rows go in with executemany,
    so all 83,762 villages take seconds rather than an hour of single inserts.
    """
    started = time.perf_counter()
    prefix = normalize_code(raw_prefix) if raw_prefix else ""
    if prefix:
        region = _region(session, prefix)
        if region.level == 4:
            raise TenantError(f"{prefix} is a desa/kelurahan: use `etalase villages create {prefix}`.")
        like = prefix + ".%"
        villages_q = select(Region.code, Region.name).where(Region.level == 4, col(Region.code).like(like))
    else:
        _require_regions(session)
        villages_q = select(Region.code, Region.name).where(Region.level == 4)
    names = dict(session.exec(select(Region.code, Region.name).where(Region.level < 4)).all())
    existing_codes = set(session.exec(select(Village.code)).all())
    from etalase.platform.site.themes import pick_default, region_defaults  # noqa: PLC0415

    defaults = region_defaults(session)  # supervisors' default themes, read once for the lot
    taken = set(session.exec(select(Village.slug)).all())

    rows: list[dict[str, object]] = []
    now = utcnow()
    skipped = 0
    for code, name in session.exec(villages_q.order_by(Region.code)).all():
        if code in existing_codes:
            skipped += 1
            continue
        slug = choose_slug(
            code,
            name,
            names.get(code[:8], ""),
            names.get(code[:5], ""),
            names.get(code[:2], ""),
            taken=taken.__contains__,
        )
        taken.add(slug)
        rows.append(
            {
                "code": code,
                "slug": slug,
                "name": name,
                "status": "active" if active else "inactive",
                "theme": pick_default(defaults, code) or "klasik",
                "content_version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    for start in range(0, len(rows), chunk):
        session.execute(insert(Village), rows[start : start + chunk])
    if rows:
        bump_generation(session)
    return BulkResult(created=len(rows), existing=skipped, seconds=time.perf_counter() - started)


def find_village(session: Session, ref: str) -> Village:
    """A village by slug or official code."""
    ref = ref.strip().lower()
    code = normalize_code(ref)
    village = session.exec(select(Village).where((Village.slug == ref) | (Village.code == code))).first()
    if village is None:
        raise TenantError(f"No village site with slug or code {ref!r}.")
    return village


def add_domain(session: Session, village: Village, raw_domain: str, base_domain: str) -> VillageDomain:
    domain = normalize_domain(raw_domain)
    if domain is None:
        raise TenantError(f"{raw_domain!r} is not a valid domain name.")
    if domain.startswith("www."):
        domain = domain[4:]  # www.<domain> is served too; store the bare name once
    if domain == base_domain or domain.endswith("." + base_domain):
        raise TenantError(f"{domain} is part of the platform domain {base_domain}; it cannot be mapped.")
    owner = session.exec(
        select(Village.slug)
        .join(VillageDomain, col(VillageDomain.village_id) == col(Village.id))
        .where(VillageDomain.domain == domain)
    ).first()
    if owner is not None:
        raise TenantError(f"{domain} is already mapped to the village {owner}.")
    assert village.id is not None
    mapping = VillageDomain(village_id=village.id, domain=domain)
    session.add(mapping)
    village.updated_at = utcnow()
    bump_generation(session)
    return mapping


def remove_domain(session: Session, raw_domain: str) -> None:
    domain = normalize_domain(raw_domain) or raw_domain.strip().lower()
    mapping = session.exec(
        select(VillageDomain).where(VillageDomain.domain == domain.removeprefix("www."))
    ).first()
    if mapping is None:
        raise TenantError(f"{domain} is not mapped to any village.")
    session.delete(mapping)
    bump_generation(session)


def set_status(session: Session, village: Village, *, active: bool) -> None:
    village.status = "active" if active else "inactive"
    village.updated_at = utcnow()
    session.add(village)
    bump_generation(session)
