"""The public agenda and pengumuman of a village site, and the agenda as iCalendar (.ics).

Only published rows outside the trash show, always read through the scoped path of the request's
village. Times show in the village's own zone (WIB/WITA/WIT). Notices leave the active list when
their time is up: every list compares with the current time, so no job has to run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import nh3
from babel.dates import format_date
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlmodel import Session, col

from etalase.platform import i18n
from etalase.platform.accounts.authz import PUBLIC
from etalase.platform.content import agenda, announcements
from etalase.platform.content.models import Announcement, Event
from etalase.platform.i18n import _
from etalase.platform.settings import Settings
from etalase.platform.web.deps import CurrentVillage, SessionDep, TemplatesDep, settings_of
from etalase.platform.web.pages import page_number
from etalase.platform.web.routing import VillageRoute
from etalase.platform.web.templates import render, theme_template
from etalase.tenants.models import utcnow
from etalase.tenants.resolver import VillageSite
from etalase.tenants.timezones import local, zone_for

router = APIRouter(route_class=VillageRoute, dependencies=[Depends(PUBLIC)])

UPCOMING_LIMIT = 50  # on /agenda
PAST_DAYS = 90  # the recent past on /agenda and in the .ics feed
PAST_LIMIT = 30
ICS_LIMIT = 300  # events in the feed, upcoming and past each
ARCHIVE_PAGE = 20
ICS_TYPE = "text/calendar; charset=utf-8"


# --- showing an event's time -----------------------------------------------------------------------
def _clock(moment: datetime) -> str:
    separator = "." if i18n.current_language() == "id" else ":"
    return f"{moment:%H}{separator}{moment:%M}"


def _day(moment: datetime, pattern: str = "EEEE, d MMMM y") -> str:
    return format_date(moment, format=pattern, locale=i18n.babel_locale())


def when_text(event: Event, code: str) -> str:
    """``Sabtu, 5 Desember 2026, 19.00–21.00 WITA``; whole-day events by their dates only."""
    start, zone = local(agenda.aware(event.starts_at), code)
    end = local(agenda.aware(event.ends_at), code)[0] if event.ends_at is not None else None
    if event.all_day:
        if end is None or end.date() == start.date():
            return _("{day} (sepanjang hari)").format(day=_day(start))
        return f"{_day(start)} – {_day(end)}"
    if end is None:
        return f"{_day(start)}, {_clock(start)} {zone}"
    if end.date() == start.date():
        return f"{_day(start)}, {_clock(start)}–{_clock(end)} {zone}"
    return f"{_day(start)}, {_clock(start)} – {_day(end)}, {_clock(end)} {zone}"


def event_rows(events: Iterable[Event], code: str, now: datetime) -> list[dict[str, object]]:
    """Each event with its time as text and whether it is over, for the templates."""
    rows: list[dict[str, object]] = []
    for event in events:
        start = local(agenda.aware(event.starts_at), code)[0]
        rows.append(
            {
                "event": event,
                "when": when_text(event, code),
                # For <time datetime>: the local date of a whole-day event, else the exact moment.
                "iso": start.date().isoformat() if event.all_day else start.isoformat(),
                "day": start.strftime("%d"),
                "month": _day(start, "MMM"),
                "over": agenda.is_over(event, now),
            }
        )
    return rows


# --- plain text and the calendar file --------------------------------------------------------------
_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|blockquote|tr|pre|div)>|<br\s*/?>)", re.I)


def plain_text(stored_html: str) -> str:
    """A stored body as plain text (a calendar's DESCRIPTION): tags dropped, paragraphs kept."""
    marked = _BLOCK_END.sub("\\1\n", stored_html)
    text = html.unescape(nh3.clean(marked, tags=set()))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def village_host(settings: Settings, village: VillageSite) -> str:
    """The village's own host name, stable for calendar UIDs (a custom domain may come and go)."""
    return f"{village.slug}.{settings.base_domain}"


def page_url(settings: Settings, village: VillageSite, path: str) -> str:
    return settings.public_url(village.domain or village_host(settings, village), path)


def calendar(settings: Settings, village: VillageSite, events: Sequence[Event]) -> bytes:
    """The events as an iCalendar file: UTC times, whole-day events as dates (DTEND the day after
    the last one, as RFC 5545 wants), a UID that stays the same for the event's whole life."""
    cal = Calendar()
    cal.add("prodid", "-//Etalase//Agenda Desa//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("Agenda {village}").format(village=village.title))
    cal.add("x-wr-timezone", str(zone_for(village.code)[0]))
    host = village_host(settings, village)
    for event in events:
        item = CalendarEvent()
        item.add("uid", f"event-{event.id}@{host}")
        item.add("dtstamp", agenda.aware(event.updated_at or event.created_at))
        item.add("summary", event.title)
        if event.all_day:
            first = local(agenda.aware(event.starts_at), village.code)[0].date()
            last = local(agenda.aware(event.ends_at), village.code)[0].date() if event.ends_at else first
            item.add("dtstart", first)
            item.add("dtend", last + timedelta(days=1))
        else:
            item.add("dtstart", agenda.aware(event.starts_at))
            if event.ends_at is not None:
                item.add("dtend", agenda.aware(event.ends_at))
        if event.place:
            item.add("location", event.place)
        description = plain_text(event.description)
        if description:
            item.add("description", description)
        item.add("url", page_url(settings, village, f"/agenda/{event.slug}"))
        cal.add_component(item)
    content: bytes = cal.to_ical()
    return content


def _ics(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=ICS_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- the agenda ------------------------------------------------------------------------------------
def _published_event(session: Session, village_id: int, slug: str) -> Event:
    event = session.exec(agenda.published(village_id).where(col(Event.slug) == slug)).first()
    if event is None:
        raise HTTPException(status_code=404)
    return event


@router.get("/agenda.ics", name="village_agenda_ics")
def agenda_feed(request: Request, village: CurrentVillage, session: SessionDep) -> Response:
    now = utcnow()
    coming = agenda.upcoming(session, village.id, now, ICS_LIMIT)
    past = agenda.recent_past(session, village.id, now, now - timedelta(days=PAST_DAYS), ICS_LIMIT)
    content = calendar(settings_of(request), village, [*coming, *past])
    return _ics(content, f"agenda-{village.slug}.ics")


@router.get("/agenda/{slug}.ics", name="village_event_ics")
def event_file(request: Request, slug: str, village: CurrentVillage, session: SessionDep) -> Response:
    event = _published_event(session, village.id, slug)
    return _ics(calendar(settings_of(request), village, [event]), f"{event.slug}.ics")


@router.get("/agenda", response_class=HTMLResponse, name="village_agenda")
def agenda_page(
    request: Request, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    now = utcnow()
    coming = agenda.upcoming(session, village.id, now, UPCOMING_LIMIT)
    past = agenda.recent_past(session, village.id, now, now - timedelta(days=PAST_DAYS), PAST_LIMIT)
    context = {
        "village": village,
        "upcoming": event_rows(coming, village.code, now),
        "past": event_rows(past, village.code, now),
        "past_days": PAST_DAYS,
    }
    return render(templates, request, theme_template(templates, village.theme, "agenda.html"), context)


@router.get("/agenda/{slug}", response_class=HTMLResponse, name="village_event")
def event_page(
    request: Request, slug: str, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    event = _published_event(session, village.id, slug)
    (row,) = event_rows([event], village.code, utcnow())
    context = {"village": village, "event": event, "row": row}
    return render(templates, request, theme_template(templates, village.theme, "event.html"), context)


# --- pengumuman ------------------------------------------------------------------------------------
@router.get("/pengumuman", response_class=HTMLResponse, name="village_announcements")
def announcements_page(
    request: Request, village: CurrentVillage, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    items = announcements.active(session, village.id, utcnow(), 100)
    context = {"village": village, "items": items, "archive": False, "number": 1, "has_next": False}
    template = theme_template(templates, village.theme, "announcements.html")
    return render(templates, request, template, context)


@router.get("/pengumuman/arsip", response_class=HTMLResponse, name="village_announcements_archive")
def archive_page(
    request: Request,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
    halaman: int = 1,
) -> HTMLResponse:
    number = page_number(halaman)
    rows = announcements.expired(
        session, village.id, utcnow(), offset=(number - 1) * ARCHIVE_PAGE, limit=ARCHIVE_PAGE + 1
    )
    context = {
        "village": village,
        "items": rows[:ARCHIVE_PAGE],
        "archive": True,
        "number": number,
        "has_next": len(rows) > ARCHIVE_PAGE,
    }
    template = theme_template(templates, village.theme, "announcements.html")
    return render(templates, request, template, context)


@router.get("/pengumuman/{announcement_id:int}", response_class=HTMLResponse, name="village_announcement")
def announcement_page(
    request: Request,
    announcement_id: int,
    village: CurrentVillage,
    session: SessionDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    item = session.exec(
        announcements.published(village.id).where(col(Announcement.id) == announcement_id)
    ).first()
    now = utcnow()
    # Not started yet: not public yet. Expired: still readable (the archive links here).
    if item is None or announcements.state(item, now) == "scheduled":
        raise HTTPException(status_code=404)
    context = {"village": village, "item": item, "expired": announcements.state(item, now) == "expired"}
    return render(templates, request, theme_template(templates, village.theme, "announcement.html"), context)
