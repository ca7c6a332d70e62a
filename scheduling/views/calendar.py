"""The calendar: a day with one column per therapist, or a week of one therapist, at one
location. A plain table (rows are wall-clock times of the location, columns therapists or
days) with header cells; time outside clinic hours or the therapist's availability is shaded
and says so to a screen reader. A fixed number of queries whatever the size of the clinic."""

import bisect
import datetime
import math
from dataclasses import dataclass, field
from functools import partial

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from core.links import link
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role
from scheduling import slots
from scheduling.forms import CalendarForm, therapists_of
from scheduling.models import (
    Appointment,
    AppointmentRequest,
    Location,
    TherapistAvailability,
)
from scheduling.queries import pending_request_count, working_intervals

STEP = datetime.timedelta(minutes=15)
DEFAULT_OPEN, DEFAULT_CLOSE = datetime.time(8), datetime.time(18)


@dataclass(frozen=True)
class Therapist:
    """A therapist as the week view's picker and heading show them (``str(user)``)."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass
class Column:
    label: str
    day: datetime.date
    therapist: object
    working: list = field(default_factory=list)
    appointments: list = field(default_factory=list)
    # Pending requests: striped, tentative blocks that block nothing.
    requests: list = field(default_factory=list)
    # A day view's column is a therapist (its label is their name); a week view's is a day.
    therapist_column: bool = True
    # The day view's lane of requests whose patient chose no therapist: no free time to book.
    lane: bool = False


def _working_at(working: list, start: datetime.datetime, end: datetime.datetime) -> bool:
    # ``working`` is merged and sorted (``slots.open_intervals``): one bisect per cell.
    index = bisect.bisect_right(working, (start, _LATEST)) - 1
    return index >= 0 and working[index][0] <= start and end <= working[index][1]


_LATEST = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _quarter(moment: datetime.datetime) -> datetime.datetime:
    """The start of the grid row ``moment`` falls in (every zone's offset is whole quarters)."""
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _clusters(column: Column) -> list[list]:
    """The column's appointments and requests, those sharing a row of the grid grouped: one
    cell each, so a request over an appointment (or another request) is shown beside it, never
    hidden under it."""
    items = sorted(
        [*column.appointments, *column.requests],
        key=lambda item: (item.start, isinstance(item, AppointmentRequest), item.pk),
    )
    clusters: list[list] = []
    last_row_end = None
    for item in items:
        if clusters and _quarter(item.start) < last_row_end:
            clusters[-1].append(item)
            last_row_end = max(last_row_end, item.end)
        else:
            clusters.append([item])
            last_row_end = item.end
    return clusters


def _appointment_body(appointment, tz, detail_url) -> str:
    local_start, local_end = appointment.start.astimezone(tz), appointment.end.astimezone(tz)
    return format_html(
        '<a href="{}"><strong>{}–{}</strong> {}</a><div class="small">{} · {} · {}</div>',
        detail_url(appointment.pk),
        f"{local_start:%-I:%M}",
        f"{local_end:%-I:%M %p}",
        appointment.patient,
        appointment.chart_case.case.name,
        appointment.appointment_type.name,
        appointment.get_status_display(),
    )


def _request_body(pending, tz, request_url, *, lane: bool) -> str:
    """A tentative block: said in words ("Requested · pending"), not by its stripes alone."""
    local_start, local_end = pending.start.astimezone(tz), pending.end.astimezone(tz)
    heading = format_html(
        "<strong>{}–{}</strong> {}",
        f"{local_start:%-I:%M}",
        f"{local_end:%-I:%M %p}",
        pending.patient,
    )
    if request_url is not None:
        heading = format_html('<a href="{}">{}</a>', request_url(pending.pk), heading)
    return format_html(
        '{}<div class="small">Requested · pending · {}, {} min{}</div>',
        heading,
        pending.appointment_type.name,
        pending.duration_minutes,
        format_html(" · suggested: {}", pending.therapist) if lane else "",
    )


def _cluster_cell(cluster, rowspan: int, tz, detail_url, request_url, *, lane) -> str:
    def body(item):
        if isinstance(item, AppointmentRequest):
            return "tentative", _request_body(item, tz, request_url, lane=lane)
        return f"appointment status-{item.status}", _appointment_body(item, tz, detail_url)

    if len(cluster) == 1:
        css, html = body(cluster[0])
        return format_html('<td rowspan="{}" class="{}">{}</td>', rowspan, css, html)
    return format_html(
        '<td rowspan="{}" class="stack">{}</td>',
        rowspan,
        mark_safe(
            "".join(format_html('<div class="{}">{}</div>', *body(item)) for item in cluster)
        ),
    )


def _grid(columns: list[Column], tz, times: list[datetime.time], *, location, may_book):
    """Rows of (wall-clock time, cells' HTML); a cell covered by an appointment above is left
    out. Cells are written here rather than in the template: a day of 30 therapists has
    1,200 of them, and the template language took over half a second to render them."""
    add_url = reverse("scheduling:appointment_create")
    # One reverse() for 600 appointments (core.links); the id is put in its place.
    detail_url = partial(link, "scheduling:appointment_detail")
    # Only the front desk may open a request (therapists see the blocks, without a link).
    request_url = partial(link, "scheduling:request_detail") if may_book else None
    covered: dict[int, int] = {}
    starts_at: list[dict] = []
    for column in columns:
        index = {}
        for cluster in _clusters(column):
            local = cluster[0].start.astimezone(tz)
            minutes = local.hour * 60 + local.minute
            index.setdefault(minutes - minutes % 15, cluster)
        starts_at.append(index)
    # A free cell's link and words differ from its column's only by the time: each column's
    # parts are written (and escaped) once, the time appended per cell.
    free_parts = []
    if may_book:
        for column in columns:
            if column.lane:
                free_parts.append(None)
                continue
            query = urlencode(
                {
                    "therapist": column.therapist.pk,
                    "location": location.pk,
                    "date": column.day.isoformat(),
                }
            )
            free_parts.append(
                (
                    format_html(
                        '<td class="free"><a class="d-block text-decoration-none" '
                        'href="{}?{}&amp;time=',
                        add_url,
                        query,
                    ),
                    format_html(
                        '"><span aria-hidden="true">+</span><span '
                        'class="visually-hidden">Book {} on {} at ',
                        column.label if column.therapist_column else column.therapist,
                        f"{column.day:%b} {column.day.day}",
                    ),
                )
            )
    moments: dict[tuple, datetime.datetime] = {}
    rows = []
    for row_number, time in enumerate(times):
        cells = []
        minutes = time.hour * 60 + time.minute
        # What urlencode() and escaping make of the time: "08%3A15", "8:15 AM".
        time_query = f"{time:%H}%3A{time:%M}"
        time_label = f"{time:%-I:%M %p}"
        for number, column in enumerate(columns):
            if covered.get(number, 0) > 0:
                covered[number] -= 1
                continue
            key = (column.day, time)
            if key not in moments:
                moments[key] = slots.wall(column.day, time, tz)
            start = moments[key]
            cluster = starts_at[number].get(minutes)
            if cluster is not None:
                end = max(item.end for item in cluster)
                span = max(1, math.ceil((end - start) / STEP))
                rowspan = min(span, len(times) - row_number)
                covered[number] = rowspan - 1
                cells.append(
                    _cluster_cell(cluster, rowspan, tz, detail_url, request_url, lane=column.lane)
                )
            elif column.lane:
                cells.append(mark_safe('<td class="lane"></td>'))
            elif _working_at(column.working, start, start + STEP):
                if may_book:
                    head, middle = free_parts[number]
                    cells.append(
                        mark_safe(f"{head}{time_query}{middle}{time_label}</span></a></td>")
                    )
                else:
                    cells.append(
                        mark_safe('<td class="free"><span class="visually-hidden">Free</span></td>')
                    )
            else:
                cells.append(
                    mark_safe(
                        '<td class="unavailable"><span class="visually-hidden">Unavailable'
                        "</span></td>"
                    )
                )
        # One string per row: the template's loop over 1,200 cells cost more than their join.
        rows.append((time_label, mark_safe("".join(cells))))
    return rows


def _times(hours_rows, items, tz) -> list[datetime.time]:
    """Every quarter hour from the earliest opening (or appointment, or request) to the latest
    close."""
    opening = [row.start for row in hours_rows] or [DEFAULT_OPEN]
    closing = [row.end for row in hours_rows] or [DEFAULT_CLOSE]
    for appointment in items:
        opening.append(appointment.start.astimezone(tz).time())
        end = appointment.end.astimezone(tz)
        closing.append(
            end.time()
            if end.date() == appointment.start.astimezone(tz).date()
            else datetime.time(23, 45)
        )
    first = min(opening)
    last = max(closing)
    minutes = first.hour * 60 + first.minute
    minutes -= minutes % 15
    times = []
    while minutes < last.hour * 60 + last.minute and minutes < 24 * 60:
        times.append(datetime.time(minutes // 60, minutes % 60))
        minutes += 15
    return times


def _context(request):
    """The date picker, the chosen location and date (defaults: the first location, today)."""
    user = request.user
    form = CalendarForm(request.GET or None, clinic_id=user.clinic_id)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    locations = list(Location.objects.for_clinic(user.clinic_id).active())
    location = data.get("location") or (locations[0] if locations else None)
    if location is None:
        return None
    day = data.get("date") or datetime.datetime.now(location.tzinfo).date()
    return {"form": form, "locations": locations, "location": location, "day": day}


def _appointments(user, location, first, last, *, therapist_id=None):
    """The appointments at ``location`` from ``first`` to ``last``: everyone's, or only the
    therapist's with ``therapist_id`` (the week view's)."""
    tz = location.tzinfo
    start, _ = slots.day_bounds(first, tz)
    _, end = slots.day_bounds(last, tz)
    appointments = Appointment.objects.visible_to(user).filter(location=location)
    if therapist_id is not None:
        appointments = appointments.filter(therapist_id=therapist_id)
    appointments = list(
        appointments.overlapping(start, end)
        .select_related("patient", "chart_case__case", "appointment_type", "therapist")
        .only(
            "start",
            "end",
            "status",
            "cancel_reason",
            "therapist_id",
            "location_id",
            "patient__first_name",
            "patient__last_name",
            "chart_case__case__name",
            "appointment_type__name",
            "therapist__first_name",
            "therapist__last_name",
            "therapist__email",
        )
        .order_by("start")
    )
    for appointment in appointments:
        appointment.location = location
    return appointments


def _may_book(user):
    return has_role(user, ADMINISTRATOR, SCHEDULER)


LANE = "Requests – no therapist chosen"


def _pending_requests(user, location, first, last, *, therapist_id=None) -> list:
    """The live pending requests (the queue's Pending filter) at ``location`` starting from
    ``first`` to ``last`` (local dates): the front desk sees them all, a therapist those that
    prefer them; with ``therapist_id`` (the week view) only those preferring that therapist
    or none. One query, of the few columns the blocks show."""
    start, _ = slots.day_bounds(first, location.tzinfo)
    _, end = slots.day_bounds(last, location.tzinfo)
    requests = AppointmentRequest.objects.live(user.clinic).filter(
        location=location, start__gte=start, start__lt=end
    )
    if not _may_book(user):
        requests = requests.filter(preferred_therapist=user)
    if therapist_id is not None:
        requests = requests.filter(
            Q(preferred_therapist_id=therapist_id) | Q(preferred_therapist__isnull=True)
        )
    requests = list(
        requests.select_related("patient", "appointment_type", "therapist", "preferred_therapist")
        .only(
            "start",
            "duration_minutes",
            "location_id",
            "preferred_therapist_id",
            "patient__first_name",
            "patient__last_name",
            "appointment_type__name",
            "therapist__first_name",
            "therapist__last_name",
            "therapist__email",
            "preferred_therapist__first_name",
            "preferred_therapist__last_name",
            "preferred_therapist__email",
        )
        .order_by("start", "pk")
    )
    for pending in requests:
        pending.location = location
    return requests


@role_required(ADMINISTRATOR, SCHEDULER, THERAPIST)
def calendar_day(request):
    context = _context(request)
    if context is None:
        return render(request, "scheduling/calendar_empty.html")
    user, location, day = request.user, context["location"], context["day"]
    tz = location.tzinfo
    requests = _pending_requests(user, location, day, day)
    if _may_book(user):
        # The therapists who work here (any weekday), anyone booked here that day and anyone
        # a pending request here that day prefers.
        appointments = _appointments(user, location, day, day)
        working_here = TherapistAvailability.objects.filter(
            clinic_id=user.clinic_id, location=location
        ).values("therapist_id")
        therapists = (
            list(therapists_of(user.clinic_id).filter(pk__in=working_here))
            + [a.therapist for a in appointments]
            + [r.preferred_therapist for r in requests if r.preferred_therapist_id]
        )
        therapists = list({t.pk: t for t in therapists}.values())
        therapists.sort(key=lambda t: (t.last_name, t.first_name, t.pk))
    else:
        appointments = _appointments(user, location, day, day)
        therapists = [user]
    working = working_intervals(
        location=location, therapist_ids=[t.pk for t in therapists], first=day, last=day
    )
    columns = [
        Column(
            label=str(therapist),
            day=day,
            therapist=therapist,
            working=working[therapist.pk],
            appointments=[
                a for a in appointments if a.therapist_id == therapist.pk and not a.is_cancelled
            ],
            requests=[r for r in requests if r.preferred_therapist_id == therapist.pk],
        )
        for therapist in therapists
    ]
    # Requests whose patient chose no therapist get a lane of their own, so none is hidden.
    unchosen = [r for r in requests if r.preferred_therapist_id is None]
    if unchosen:
        columns.append(Column(label=LANE, day=day, therapist=None, requests=unchosen, lane=True))
    hours_rows = list(location.hours.filter(weekday=day.weekday()))
    times = _times(
        hours_rows, [item for c in columns for item in (*c.appointments, *c.requests)], tz
    )
    if _may_book(user):
        context["pending_count"] = pending_request_count(request)
    context["tentative"] = bool(requests)
    context.update(
        view="day",
        columns=columns,
        rows=_grid(columns, tz, times, location=location, may_book=_may_book(user)),
        cancelled=[a for a in appointments if a.is_cancelled],
        previous=day - datetime.timedelta(days=1),
        next=day + datetime.timedelta(days=1),
        may_book=_may_book(user),
        today=datetime.datetime.now(tz).date(),
    )
    return render(request, "scheduling/calendar.html", context)


@role_required(ADMINISTRATOR, SCHEDULER, THERAPIST)
def calendar_week(request):
    context = _context(request)
    if context is None:
        return render(request, "scheduling/calendar_empty.html")
    user, location, day = request.user, context["location"], context["day"]
    tz = location.tzinfo
    if _may_book(user):
        # Only for the picker and the week's heading: ids and names, not ~300 users.
        therapists = [
            Therapist(pk, f"{first_name} {last_name}".strip() or email)
            for pk, first_name, last_name, email in therapists_of(user.clinic_id).values_list(
                "pk", "first_name", "last_name", "email"
            )
        ]
    else:
        therapists = [user]
    therapist = therapists[0] if therapists else None
    wanted = request.GET.get("therapist")
    if wanted and _may_book(user):
        therapist = next((t for t in therapists if str(t.pk) == wanted), None)
        if therapist is None:
            raise Http404
    if therapist is None:
        return render(request, "scheduling/calendar_empty.html")
    monday = day - datetime.timedelta(days=day.weekday())
    sunday = monday + datetime.timedelta(days=6)
    appointments = _appointments(user, location, monday, sunday, therapist_id=therapist.pk)
    requests = _pending_requests(user, location, monday, sunday, therapist_id=therapist.pk)
    working = working_intervals(
        location=location, therapist_ids=[therapist.pk], first=monday, last=sunday
    )[therapist.pk]
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
                appointments=[
                    a
                    for a in appointments
                    if a.start.astimezone(tz).date() == date and not a.is_cancelled
                ],
                requests=[
                    r
                    for r in requests
                    if r.preferred_therapist_id == therapist.pk
                    and r.start.astimezone(tz).date() == date
                ],
            )
        )
    hours_rows = list(location.hours.all())
    times = _times(hours_rows, [*appointments, *(r for c in columns for r in c.requests)], tz)
    context.update(
        view="week",
        # A week is one therapist's: the week's requests with no therapist chosen are listed
        # under it (the day view has them in a lane).
        unchosen=[r for r in requests if r.preferred_therapist_id is None],
        tentative=any(column.requests for column in columns),
        lane=LANE,
        therapist=therapist,
        therapists=therapists,
        # The picker's ~300 options written here: in the template they took milliseconds.
        therapist_options=format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (each.pk, mark_safe(" selected") if each.pk == therapist.pk else "", each)
                for each in therapists
            ),
        ),
        columns=columns,
        rows=_grid(columns, tz, times, location=location, may_book=_may_book(user)),
        cancelled=[a for a in appointments if a.is_cancelled],
        previous=day - datetime.timedelta(days=7),
        next=day + datetime.timedelta(days=7),
        monday=monday,
        sunday=sunday,
        may_book=_may_book(user),
        pending_count=pending_request_count(request) if _may_book(user) else 0,
        today=datetime.datetime.now(tz).date(),
    )
    return render(request, "scheduling/calendar.html", context)
