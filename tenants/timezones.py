"""Indonesia's three time zones, by province code: a village's times are shown in its own zone.

WIB (UTC+7): Sumatra, Java, West and Central Kalimantan. WITA (UTC+8): Bali, Nusa Tenggara, South,
East and North Kalimantan, Sulawesi. WIT (UTC+9): Maluku and Papua. Timestamps are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")

WIB = (ZoneInfo("Asia/Jakarta"), "WIB")
WITA = (ZoneInfo("Asia/Makassar"), "WITA")
WIT = (ZoneInfo("Asia/Jayapura"), "WIT")

_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96", "97"}


def zone_for(code: str | None) -> tuple[ZoneInfo, str]:
    """The zone of a region or village code; WIB (the capital's) when none is known."""
    province = (code or "")[:2]
    if province in _WIT_PROVINCES:
        return WIT
    if province in _WITA_PROVINCES:
        return WITA
    return WIB


def local(value: datetime, code: str | None) -> tuple[datetime, str]:
    zone, label = zone_for(code)
    aware = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(zone), label


YEARS = (1970, 2200)  # what a form may give: year 1 or 9999 overflows once moved to UTC


def parse_local(raw: str, code: str | None) -> datetime:
    """A ``datetime-local`` field (``2026-11-28T09:30``) read in the village's zone, as UTC.
    Raises ValueError for anything else, a year outside :data:`YEARS` included."""
    moment = datetime.fromisoformat(raw.strip())
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise ValueError(f"year {moment.year} out of range")
    zone, _label = zone_for(code)
    # Stored in UTC: SQLite keeps the wall time of whatever zone it is given.
    return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment).astimezone(UTC)
