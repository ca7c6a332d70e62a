"""The calendar: a day with one column per therapist, or a week of one therapist, at one
location. A plain table (rows are wall-clock times of the location, columns therapists or
days) with header cells; time outside clinic hours or the therapist's availability is shaded
and says so to a screen reader.

The reads go through the querysets that hold the rules (``scheduling.reads.calendar``,
``working_time``); the page is ``scheduling/calendar.html`` with its grid rendered by the
Jinja2 engine (``calendar_grid.html``, values from ``calendar_grid.py``). Links and labels are
made here once per page and passed as plain values: the templates escape everything."""

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render

from core.inputs import id_out_of_range
from core.links import link
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role
from core.sql import user_name
from scheduling import slots
from scheduling.forms import CalendarForm
from scheduling.models import Location
from scheduling.reads.availability import working_time
from scheduling.reads.calendar import (
    STATUS_LABELS,
    Therapist,
    calendar_appointments,
    calendar_requests,
    calendar_therapists,
)
from scheduling.reads.requests import pending_request_count
from scheduling.views.calendar_grid import LANE, Column, grid_rows, grid_times, linker


def _context(request):
    """The chosen location and date (defaults: the first location, today), as the calendar's
    form reads them: a location that is not one of the clinic's active ones, or a date that is
    not one, is not chosen. None when the clinic has no active location."""
    locations = list(
        Location.objects.for_clinic(request.user.clinic_id).active().order_by("name", "pk")
    )
    if not locations:
        return None
    location = locations[0]
    wanted = request.GET.get("location")
    if wanted:
        try:
            pk = int(wanted)
        except ValueError:
            pk = None
        location = next((each for each in locations if each.pk == pk), location)
    try:
        day = CalendarForm.base_fields["date"].clean(request.GET.get("date"))
    except ValidationError:
        day = None
    tz = ZoneInfo(location.time_zone)
    day = day or datetime.datetime.now(tz).date()
    return {"locations": locations, "location": location, "day": day, "tz": tz}


def _may_book(user):
    return has_role(user, ADMINISTRATOR, SCHEDULER)


def _date(day: datetime.date) -> str:
    """``|date:"M j, Y"``."""
    return f"{day:%b} {day.day}, {day.year:04d}"


def _navigation(*, view, location, day, tz, therapist=None) -> dict:
    """The links of the page's header: the day and week views of the day shown, the
    previous, today's and the next day or week (a week keeps its therapist)."""
    today = datetime.datetime.now(tz).date()
    step = datetime.timedelta(days=7 if view == "week" else 1)
    keep = f"&therapist={therapist.pk}" if view == "week" else ""

    def here(date):
        return f"?location={location.pk}&date={date.isoformat()}{keep}"

    query = f"?location={location.pk}&date={day.isoformat()}"
    return {
        "day_link": link("scheduling:calendar_day") + query,
        "week_link": link("scheduling:calendar_week") + query,
        "previous_url": here(day - step),
        "today_url": here(today),
        "next_url": here(day + step),
    }


def _page(*, view, location, day, tz, columns, rows, may_book, **extra) -> dict:
    """The context of calendar.html: plain values, escaped by the templates."""
    where = location.name
    if view == "week":
        who, monday = extra["therapist"].name, _date(extra["monday"])
        title = f"Schedule: {who}, week of {monday}"
        heading = f"{who}: week of {monday}"
        caption = f"Appointments of {who} at {where}, week of {monday}"
    else:
        long_day = f"{day:%A} {_date(day)}"
        title = f"Schedule: {long_day}"
        heading = f"Schedule: {day:%A}, {_date(day)}"
        caption = f"Appointments at {where} on {long_day}, one column per therapist"
    return {
        "view": view,
        "day": day,
        "title": title,
        "heading": heading,
        "day_iso": day.isoformat(),
        "location": location,
        "caption": caption,
        "grid_columns": columns,
        "grid_rows": rows,
        "may_book": may_book,
        "add_url": link("scheduling:appointment_create"),
        "request_list_url": link("scheduling:request_list"),
        **_navigation(
            view=view, location=location, day=day, tz=tz, therapist=extra.get("therapist")
        ),
        **extra,
    }


def _when(moment: datetime.datetime) -> str:
    return f"{moment:%b} {moment.day} {moment:%-I:%M %p}"


def _cancelled(appointments, tz) -> list[dict]:
    """The cancelled appointments, listed under the grid (a grid shows none)."""
    appointment_url = linker("scheduling:appointment_detail")
    return [
        {
            "href": appointment_url(block.pk),
            "text": f"{_when(block.start.astimezone(tz))} {block.patient} with "
            f"{block.therapist.name}",
            "status": STATUS_LABELS[block.status],
            "reason": block.cancel_reason,
        }
        for block in appointments
        if block.cancelled
    ]


def _grid(columns, tz, hours, blocks, *, location, may_book):
    times = grid_times(hours, blocks, tz)
    return grid_rows(columns, tz, times, location_pk=location.pk, may_book=may_book)


def _day_therapists(user, may_book, working, appointments, requests) -> list[Therapist]:
    """The day's columns: for the front desk the therapists who work at the location (any
    weekday; read with their availability by ``working_time``), anyone booked there that day
    and anyone a pending request there prefers; for a therapist, themselves."""
    if not may_book:
        return [Therapist(user.pk, str(user), user.last_name, user.first_name)]
    therapists = {
        pk: Therapist(pk, user_name(first, last, email), last, first)
        for pk, (first, last, email) in working.therapists.items()
    }
    for block in (*appointments, *requests):
        if block.therapist is not None:
            therapists.setdefault(block.therapist.pk, block.therapist)
    return sorted(therapists.values(), key=lambda t: (t.last_name, t.first_name, t.pk))


def _day_columns(therapists, appointments, requests, working, day) -> list[Column]:
    by_therapist: dict[int, list] = {}
    for block in (*(a for a in appointments if not a.cancelled), *requests):
        if block.therapist is not None:
            by_therapist.setdefault(block.therapist.pk, []).append(block)
    columns = [
        Column(
            label=therapist.name,
            day=day,
            therapist=therapist,
            working=working.intervals(therapist.pk),
            blocks=by_therapist.get(therapist.pk, []),
        )
        for therapist in therapists
    ]
    # Requests whose patient chose no therapist get a lane of their own, so none is hidden.
    unchosen = [r for r in requests if r.therapist is None]
    if unchosen:
        columns.append(Column(label=LANE, day=day, therapist=None, blocks=unchosen, lane=True))
    return columns


@role_required(ADMINISTRATOR, SCHEDULER, THERAPIST)
def calendar_day(request):
    context = _context(request)
    if context is None:
        return render(request, "scheduling/calendar_empty.html")
    user, location, day, tz = request.user, context["location"], context["day"], context["tz"]
    may_book = _may_book(user)
    start, end = slots.day_bounds(day, tz)
    # A therapist's calendar is their own (``Appointment.objects.visible_to``), with the
    # requests that prefer them.
    # Shown on the day they start (one that runs past midnight is not shown again).
    appointments = [
        block
        for block in calendar_appointments(user, location_id=location.pk, start=start, end=end)
        if block.start >= start
    ]
    requests = calendar_requests(
        user.clinic,
        location_id=location.pk,
        start=start,
        end=end,
        preferring="any" if may_book else "therapist",
        therapist_id=user.pk,
    )
    working = working_time(
        location=location,
        therapist_ids=None if may_book else [user.pk],
        first=day,
        last=day,
        therapists=may_book,
    )
    therapists = _day_therapists(user, may_book, working, appointments, requests)
    columns = _day_columns(therapists, appointments, requests, working, day)
    weekday = day.weekday()
    hours = [row for row in working.hours if row.weekday == weekday]
    blocks = [block for column in columns for block in column.blocks]
    page = _page(
        view="day",
        location=location,
        day=day,
        tz=tz,
        columns=columns,
        rows=_grid(columns, tz, hours, blocks, location=location, may_book=may_book),
        may_book=may_book,
        locations=context["locations"],
        tentative=bool(requests),
        cancelled=_cancelled(appointments, tz),
        pending_count=pending_request_count(request) if may_book else None,
    )
    return render(request, "scheduling/calendar.html", page)


def _week_therapist(request, may_book) -> tuple[Therapist, list[Therapist]] | None:
    """The week's therapist and the picker's therapists: for the front desk the one named
    (a 404 when not one of the clinic's active therapists) or the first by name; for a
    therapist, themselves. None when the clinic has no therapist."""
    user = request.user
    if not may_book:
        therapist = Therapist(user.pk, str(user))
        return therapist, [therapist]
    wanted = request.GET.get("therapist")
    therapists = calendar_therapists(user.clinic_id)
    if not wanted:
        return (therapists[0], therapists) if therapists else None
    if not (wanted.isascii() and wanted.isdigit()) or str(int(wanted)) != wanted:
        raise Http404
    if id_out_of_range(wanted):  # no one's
        raise Http404
    therapist = next((t for t in therapists if t.pk == int(wanted)), None)
    if therapist is None:
        raise Http404
    return therapist, therapists


def _week_columns(location, monday, therapist, working, appointments, requests) -> list[Column]:
    tz = ZoneInfo(location.time_zone)
    by_day: dict[datetime.date, list] = {}
    for block in appointments:
        if not block.cancelled:
            by_day.setdefault(block.start.astimezone(tz).date(), []).append(block)
    for block in requests:
        if block.therapist_id == therapist.pk:
            by_day.setdefault(block.start.astimezone(tz).date(), []).append(block)
    day_url = link("scheduling:calendar_day")
    columns = []
    for offset in range(7):
        date = monday + datetime.timedelta(days=offset)
        columns.append(
            Column(
                label=f"{date:%a %b} {date.day}",
                day=date,
                therapist=therapist,
                working=working,
                therapist_column=False,
                blocks=by_day.get(date, []),
                href=f"{day_url}?location={location.pk}&date={date.isoformat()}",
            )
        )
    return columns


def _unchosen(requests, tz) -> list[dict]:
    """The week's requests with no therapist chosen, listed under its grid (a week is one
    therapist's; the day view has them in a lane): ``(href, when, patient, detail)``."""
    request_url = linker("scheduling:request_detail")
    items = []
    for block in requests:
        if block.therapist is None:
            local_start, local_end = block.start.astimezone(tz), block.end.astimezone(tz)
            items.append(
                (
                    request_url(block.pk),
                    f"{local_start:%a %b} {local_start.day} {local_start:%-I:%M}–"
                    f"{local_end:%-I:%M %p}",
                    block.patient,
                    f"Requested · pending · {block.type}, {block.duration} min · "
                    f"suggested: {block.suggested}",
                )
            )
    return items


def _week_reads(user, location, monday, therapist, may_book):
    """The week's appointments and requests of ``therapist`` (and, for the front desk, the
    requests with no therapist chosen) and their working time."""
    tz = ZoneInfo(location.time_zone)
    sunday = monday + datetime.timedelta(days=6)
    start, _ = slots.day_bounds(monday, tz)
    _, end = slots.day_bounds(sunday, tz)
    appointments = calendar_appointments(
        user, location_id=location.pk, start=start, end=end, therapist_id=therapist.pk
    )
    requests = calendar_requests(
        user.clinic,
        location_id=location.pk,
        start=start,
        end=end,
        preferring="therapist_or_none" if may_book else "therapist",
        therapist_id=therapist.pk,
    )
    working = working_time(
        location=location, therapist_ids=[therapist.pk], first=monday, last=sunday
    )
    return appointments, requests, working


@role_required(ADMINISTRATOR, SCHEDULER, THERAPIST)
def calendar_week(request):
    context = _context(request)
    if context is None:
        return render(request, "scheduling/calendar_empty.html")
    user, location, day, tz = request.user, context["location"], context["day"], context["tz"]
    may_book = _may_book(user)
    chosen = _week_therapist(request, may_book)
    if chosen is None:
        return render(request, "scheduling/calendar_empty.html")
    therapist, therapists = chosen
    monday = day - datetime.timedelta(days=day.weekday())
    appointments, requests, working = _week_reads(user, location, monday, therapist, may_book)
    columns = _week_columns(
        location, monday, therapist, working.intervals(therapist.pk), appointments, requests
    )
    shown = [block for column in columns for block in column.blocks if block.request]
    blocks = [*appointments, *shown]
    page = _page(
        view="week",
        location=location,
        day=day,
        tz=tz,
        columns=columns,
        rows=_grid(columns, tz, working.hours, blocks, location=location, may_book=may_book),
        may_book=may_book,
        locations=context["locations"],
        therapist=therapist,
        monday=monday,
        picker=len(therapists) > 1,
        options=[(each.pk, each.name) for each in therapists],
        unchosen=_unchosen(requests, tz),
        lane=LANE,
        tentative=bool(shown),
        cancelled=_cancelled(appointments, tz),
        pending_count=pending_request_count(request) if may_book else None,
    )
    return render(request, "scheduling/calendar.html", page)
