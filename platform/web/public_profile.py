"""The village's public profile (``/profil``) and its JSON (``/api/v1/profil``).

One page with a section per part of the profile (anchors ``#sejarah``, ``#visi-misi``,
``#perangkat``, ``#bpd``, ``#penduduk``, ``#wilayah``, ``#kontak``): officials as cards with lazy
photos (WebP ``srcset``), the population as a server-drawn SVG bar chart beside its table, and the
office's location as coordinates with a link to OpenStreetMap; nothing is requested from another
host until the reader taps it. JSON-LD describes the village (GovernmentOrganization) at its place
(address and geo).

Everything shown is public by nature: the office's address, phone and hours, and the names and
positions of the village's officials (public office holders). Nothing of the team that edits the
profile (who saved it, their accounts) is shown or served.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from sqlmodel import Session

from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.i18n import _
from etalase.platform.media import MediaStore
from etalase.platform.profile import chart
from etalase.platform.profile import map as profile_map
from etalase.platform.profile import service as profiles
from etalase.platform.profile.models import BODIES, VillageOfficial, VillageProfile
from etalase.platform.site import seo
from etalase.platform.web.deps import CurrentVillage, RuntimeDep, SessionDep, TemplatesDep, settings_of
from etalase.platform.web.public_gallery import picture
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import render, theme_template
from etalase.tenants.resolver import VillageSite

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])


def _cards(
    db: Session, store: MediaStore, village_id: int, rows: list[VillageOfficial]
) -> list[dict[str, Any]]:
    found = profiles.photos(db, village_id, [row.media_id for row in rows])
    return [
        {
            "name": row.name,
            "title": row.title,
            "photo": picture(found[row.media_id], store) if row.media_id in found else None,
        }
        for row in rows
    ]


def _lists(db: Session, store: MediaStore, village_id: int) -> dict[str, list[dict[str, Any]]]:
    return {body: _cards(db, store, village_id, profiles.officials(db, village_id, body)) for body in BODIES}


def _json_ld(request: Request, village: VillageSite, profile: VillageProfile | None) -> Markup | None:
    """The village government at its office: GovernmentOrganization with address, location
    (Place with geo), telephone and email, and the opening hours."""
    if profile is None:
        return None
    base = seo.village_base(settings_of(request), village)
    parts = village.region_path.split(", ")
    address: dict[str, Any] = {
        "@type": "PostalAddress",
        "addressLocality": ", ".join(parts[:3]),
        "addressRegion": village.provinsi,
        "addressCountry": "ID",
    }
    if profile.address:
        address["streetAddress"] = profile.address
    place: dict[str, Any] = {"@type": "Place", "name": village.region_path, "address": address}
    where = profile_map.location_of(profile)
    if where is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": where.latitude, "longitude": where.longitude}
        place["hasMap"] = where.osm_url
    org: dict[str, Any] = {
        "@type": "GovernmentOrganization",
        "@id": f"{base}/#desa",
        "name": village.title,
        "url": f"{base}/",
        "address": address,
        "location": place,
    }
    if profile.phone:
        org["telephone"] = profile.phone
    if profile.email:
        org["email"] = profile.email
    days = [day for day in profiles.hours(profile) if day["open"]]
    if days:
        org["openingHoursSpecification"] = [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{_SCHEMA_DAYS[day['day']]}",
                "opens": day["open"],
                "closes": day["close"],
            }
            for day in days
        ]
    return seo.json_ld({"@context": "https://schema.org", "@graph": [org]})


_SCHEMA_DAYS = {
    "senin": "Monday",
    "selasa": "Tuesday",
    "rabu": "Wednesday",
    "kamis": "Thursday",
    "jumat": "Friday",
    "sabtu": "Saturday",
    "minggu": "Sunday",
}


@router.get("/profil", response_class=HTMLResponse, name="village_profile")
def profile_page(
    request: Request,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    runtime: RuntimeDep,
) -> HTMLResponse:
    profile = profiles.get_profile(session, village.id)
    lists = _lists(session, runtime.media, village.id)
    missions = [line for line in (profile.mission.splitlines() if profile else []) if line.strip()]
    context = {
        "village": village,
        "heading": _("Profil desa"),  # the page's name for its meta (title, breadcrumb)
        "profile": profile,
        "missions": missions,
        "officials": lists["perangkat"],
        "bpd": lists["bpd"],
        "chart": chart.population_chart(profile),
        "location": profile_map.location_of(profile),
        "phone": profiles.phone_text(profile.phone) if profile else "",
        "hours": profiles.hours(profile) if profile else [],
        "profile_ld": _json_ld(request, village, profile),
    }
    return render(templates, request, theme_template(templates, village.theme, "profile_desa.html"), context)


def public_json(db: Session, store: MediaStore, village: VillageSite) -> dict[str, Any]:
    """The profile's public fields: no id of a person, nothing about who edited it."""
    profile = profiles.get_profile(db, village.id)
    lists = _lists(db, store, village.id)

    def people(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"name": c["name"], "title": c["title"], "photo": c["photo"]["src"] if c["photo"] else None}
            for c in cards
        ]

    data: dict[str, Any] = {
        "village": {"code": village.code, "name": village.title, "region": village.region_path},
        "officials": people(lists["perangkat"]),
        "bpd": people(lists["bpd"]),
        "profile": None,
    }
    if profile is None:
        return data
    where = profile_map.location_of(profile)
    data["profile"] = {
        "history_html": profile.history,
        "vision": profile.vision,
        "mission": [line for line in profile.mission.splitlines() if line.strip()],
        "population": {
            "year": profile.population_year,
            "total": profile.population_total,
            "male": profile.population_male,
            "female": profile.population_female,
            "age_0_5": profile.age_0_5,
            "age_6_17": profile.age_6_17,
            "age_18_59": profile.age_18_59,
            "age_60_plus": profile.age_60_plus,
            "households": profile.households,
        },
        "area": {"value": profile.area, "unit": profile.area_unit} if profile.area is not None else None,
        "borders": {
            "north": profile.border_north,
            "east": profile.border_east,
            "south": profile.border_south,
            "west": profile.border_west,
        },
        "location": {"latitude": where.latitude, "longitude": where.longitude, "map": where.osm_url}
        if where
        else None,
        "office": {
            "address": profile.address,
            "phone": profile.phone,  # the office's number (public), E.164
            "email": profile.email,
            "hours": [
                {"day": day["day"], "open": day["open"], "close": day["close"]}
                for day in profiles.hours(profile)
                if day["open"]
            ],
            "hours_note": profile.hours_note,
        },
        "updated_at": profile.updated_at.isoformat(),
    }
    return data


@router.get("/api/v1/profil", name="api_village_profile")
def profile_json(village: CurrentVillage, session: SessionDep, runtime: RuntimeDep) -> JSONResponse:
    """The village's profile as JSON (read-only, public)."""
    return JSONResponse(public_json(session, runtime.media, village))
