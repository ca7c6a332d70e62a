"""The calendar: a day with one column per therapist, or a week of one therapist, at one
location. A plain table (rows are wall-clock times of the location, columns therapists or
days) with header cells; time outside clinic hours or the therapist's availability is shaded
and says so to a screen reader. Two queries whatever the size of the clinic (the locations,
then ``scheduling.reads.calendar.calendar_reads``), three for a week with no therapist named.

The page is written here rather than by the template, from plain values: the appointments,
requests and therapists are rows, not model instances, and each block's HTML is one f-string
over values escaped once (docs/architecture.md, "The calendar's reads")."""

import bisect
import datetime
import math
from dataclasses import dataclass, field
from html import escape
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from core.inputs import id_out_of_range
from core.links import link
from core.permissions import role_required
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, has_role
from core.sql import user_name
from scheduling import slots
from scheduling.forms import CalendarForm, therapists_of
from scheduling.models import Appointment
from scheduling.reads.calendar import calendar_reads
from scheduling.reads.requests import remember_pending_request_count

STEP = datetime.timedelta(minutes=15)
DEFAULT_OPEN, DEFAULT_CLOSE = datetime.time(8), datetime.time(18)
LANE = "Requests – no therapist chosen"
LANE_CLASS = ' class="lane"'
STATUS_LABELS = {value: escape(str(label)) for value, label in Appointment.Status.choices}
CANCELLED = frozenset(Appointment.CANCELLED)


@dataclass(frozen=True)
class Location:
    pk: int
    name: str
    time_zone: str


@dataclass(frozen=True)
class Therapist:
    """A therapist as the calendar shows them (``str(user)``)."""

    pk: int
    name: str
    last_name: str = ""
    first_name: str = ""

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True)
class Block:
    """An appointment or a pending request, with what its block shows."""

    pk: int
    start: datetime.datetime
    end: datetime.datetime
    request: bool
    status: str
    cancel_reason: str
    patient: str
    case: str
    type: str
    duration: int
    therapist_id: int | None
    therapist: str
    preferred_id: int | None = None
    # (pk, first_name, last_name, email): an appointment's therapist, a request's preferred one.
    therapist_row: tuple | None = None

    @property
    def cancelled(self) -> bool:
        return self.status in CANCELLED


@dataclass
class Column:
    label: str
    day: datetime.date
    therapist: Therapist | None
    working: list = field(default_factory=list)
    blocks: list = field(default_factory=list)
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


def _clusters(blocks: list[Block]) -> list[list[Block]]:
    """The column's appointments and requests, those sharing a row of the grid grouped: one
    cell each, so a request over an appointment (or another request) is shown beside it, never
    hidden under it."""
    clusters: list[list] = []
    last_row_end = None
    for block in sorted(blocks, key=lambda block: (block.start, block.request, block.pk)):
        if clusters and _quarter(block.start) < last_row_end:
            clusters[-1].append(block)
            last_row_end = max(last_row_end, block.end)
        else:
            clusters.append([block])
            last_row_end = block.end
    return clusters


def _clock(moment) -> str:
    """``f"{moment:%-I:%M}"`` without strftime (a few times per block)."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d}"


def _span(block: Block, tz) -> str:
    """The block's times as the grid shows them: "9:30–10:15 AM"."""
    local_end = block.end.astimezone(tz)
    return (
        f"{_clock(block.start.astimezone(tz))}–{_clock(local_end)} "
        f"{'AM' if local_end.hour < 12 else 'PM'}"
    )


_STAND_IN = 987654320


def _linker(name: str):
    """``pk -> link(name, pk)``, escaped: the URL made once per page, the id put in its
    place per block."""
    head, _, tail = escape(link(name, _STAND_IN)).partition(str(_STAND_IN))
    return lambda pk: f"{head}{pk}{tail}"


def _block_html(block: Block, tz, links, *, may_book: bool, lane: bool) -> tuple[str, str]:
    """(classes, inner HTML) of a block. A request is tentative: said in words
    ("Requested · pending"), not by its stripes alone; only the front desk may open one."""
    if not block.request:
        return f"appointment status-{block.status}", (
            f'<a href="{links.appointment(block.pk)}"><strong>{_span(block, tz)}</strong> '
            f'{escape(block.patient)}</a><div class="small">{escape(block.case)} · '
            f"{escape(block.type)} · {STATUS_LABELS.get(block.status, escape(block.status))}"
            "</div>"
        )
    heading = f"<strong>{_span(block, tz)}</strong> {escape(block.patient)}"
    if may_book:
        heading = f'<a href="{links.request(block.pk)}">{heading}</a>'
    suggested = f" · suggested: {escape(block.therapist)}" if lane else ""
    return "tentative", (
        f'{heading}<div class="small">Requested · pending · {escape(block.type)}, '
        f"{block.duration} min{suggested}</div>"
    )


def _cluster_cell(cluster, rowspan: int, tz, links, *, may_book: bool, lane: bool) -> str:
    if len(cluster) == 1:
        css, html = _block_html(cluster[0], tz, links, may_book=may_book, lane=lane)
        return f'<td rowspan="{rowspan}" class="{css}">{html}</td>'
    parts = "".join(
        '<div class="{}">{}</div>'.format(
            *_block_html(block, tz, links, may_book=may_book, lane=lane)
        )
        for block in cluster
    )
    return f'<td rowspan="{rowspan}" class="stack">{parts}</td>'


class _Links:
    """The links of a page's blocks."""

    def __init__(self):
        self.appointment = _linker("scheduling:appointment_detail")
        self.request = _linker("scheduling:request_detail")


_UNAVAILABLE = '<td class="unavailable"><span class="visually-hidden">Unavailable</span></td>'
_FREE = '<td class="free"><span class="visually-hidden">Free</span></td>'
_LANE_CELL = '<td class="lane"></td>'


def _grid(columns: list[Column], tz, times: list[datetime.time], *, location, may_book) -> str:
    """The table's body: a row per wall-clock time, a cell covered by a block above left out.
    Cells are written here rather than in the template: a day of 30 therapists has 1,200 of
    them, and the template language took over half a second to render them. Written a column
    at a time (a block's rowspan skips the cells it covers), joined a row at a time."""
    add_url = escape(link("scheduling:appointment_create"))
    links = _Links()
    count = len(times)
    minutes_of = [time.hour * 60 + time.minute for time in times]
    # What urlencode() and escaping make of the time: "08%3A15", "8:15 AM".
    time_queries = [f"{time:%H}%3A{time:%M}" for time in times]
    time_labels = [f"{time:%-I:%M %p}" for time in times]
    moments_of: dict[datetime.date, list] = {}
    grid = []
    for column in columns:
        moments = moments_of.get(column.day)
        if moments is None:
            moments = moments_of[column.day] = [slots.wall(column.day, t, tz) for t in times]
        starts: dict[int, list] = {}
        for cluster in _clusters(column.blocks):
            local = cluster[0].start.astimezone(tz)
            minutes = local.hour * 60 + local.minute
            starts.setdefault(minutes - minutes % 15, cluster)
        if may_book and not column.lane:
            # A free cell's link and words differ from its column's only by the time: the
            # column's parts are written (and escaped) once, the time put in per cell.
            query = escape(
                urlencode(
                    {
                        "therapist": column.therapist.pk,
                        "location": location.pk,
                        "date": column.day.isoformat(),
                    }
                )
            )
            who = escape(column.label if column.therapist_column else column.therapist.name)
            head = (
                '<td class="free"><a class="d-block text-decoration-none" '
                f'href="{add_url}?{query}&amp;time='
            )
            middle = (
                '"><span aria-hidden="true">+</span><span '
                f'class="visually-hidden">Book {who} on {column.day:%b} {column.day.day} at '
            )
        cells = [""] * count
        row = 0
        while row < count:
            start = moments[row]
            cluster = starts.get(minutes_of[row])
            if cluster is not None:
                end = max(block.end for block in cluster)
                rowspan = min(max(1, math.ceil((end - start) / STEP)), count - row)
                cells[row] = _cluster_cell(
                    cluster, rowspan, tz, links, may_book=may_book, lane=column.lane
                )
                row += rowspan
                continue
            if column.lane:
                cells[row] = _LANE_CELL
            elif not _working_at(column.working, start, start + STEP):
                cells[row] = _UNAVAILABLE
            elif may_book:
                cells[row] = f"{head}{time_queries[row]}{middle}{time_labels[row]}</span></a></td>"
            else:
                cells[row] = _FREE
            row += 1
        grid.append(cells)
    # One string for the body: the template's loop over 1,200 cells cost more than a join.
    rows = zip(*grid, strict=True) if grid else [()] * count
    return "".join(
        f'\n  <tr>\n    <th scope="row" class="text-nowrap">{label}</th>\n    '
        f"{''.join(cells)}\n  </tr>\n  "
        for label, cells in zip(time_labels, rows, strict=True)
    )


def _times(hours: list[slots.Weekly], blocks: list[Block], tz) -> list[datetime.time]:
    """Every quarter hour from the earliest opening (or appointment, or request) to the latest
    close."""
    opening = [row.start for row in hours] or [DEFAULT_OPEN]
    closing = [row.end for row in hours] or [DEFAULT_CLOSE]
    for block in blocks:
        local_start = block.start.astimezone(tz)
        opening.append(local_start.time())
        end = block.end.astimezone(tz)
        closing.append(end.time() if end.date() == local_start.date() else datetime.time(23, 45))
    first = min(opening)
    last = max(closing)
    minutes = first.hour * 60 + first.minute
    minutes -= minutes % 15
    times = []
    while minutes < last.hour * 60 + last.minute and minutes < 24 * 60:
        times.append(datetime.time(minutes // 60, minutes % 60))
        minutes += 15
    return times


def _locations(clinic_id: int) -> list[Location]:
    """The clinic's active locations by name (``Location.objects.for_clinic().active()``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name, time_zone FROM scheduling_location"
            " WHERE clinic_id = %s AND is_active = %s ORDER BY name",
            [clinic_id, True],
        )
        return [Location(*row) for row in cursor.fetchall()]


def _context(request):
    """The chosen location and date (defaults: the first location, today), as the calendar's
    form reads them: a location that is not one of the clinic's active ones, or a date that is
    not one, is not chosen. None when the clinic has no active location."""
    locations = _locations(request.user.clinic_id)
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


def _therapist(row: tuple) -> Therapist:
    pk, first_name, last_name, email = row
    return Therapist(pk, user_name(first_name, last_name, email), last_name, first_name)


def _blocks(reads) -> tuple[list[Block], list[Block]]:
    appointments = [
        Block(
            pk,
            start,
            end,
            False,
            status,
            reason,
            patient,
            case,
            kind,
            0,
            therapist[0],
            user_name(*therapist[1:]),
            therapist_row=therapist,
        )
        for pk, start, end, status, reason, patient, case, kind, therapist in reads.appointments
    ]
    requests = [
        Block(
            pk,
            start,
            start + datetime.timedelta(minutes=duration),
            True,
            "pending",
            "",
            patient,
            "",
            kind,
            duration,
            None,
            therapist,
            preferred_id=None if preferred is None else preferred[0],
            therapist_row=preferred,
        )
        for pk, start, duration, patient, kind, therapist, preferred in reads.requests
    ]
    return appointments, requests


def _date(day: datetime.date) -> str:
    """``|date:"M j, Y"``."""
    return f"{day:%b} {day.day}, {day.year:04d}"


def _page(*, view, location, locations, day, tz, columns, rows, may_book, **extra):
    """The context of calendar.html: its fixed parts written once here, escaped."""
    today = datetime.datetime.now(tz).date()
    pk = location.pk
    therapist = extra.get("therapist")
    week_query = f"&amp;therapist={therapist.pk}" if view == "week" else ""
    step = datetime.timedelta(days=7 if view == "week" else 1)

    def here(date):
        return f"?location={pk}&amp;date={date.isoformat()}{week_query}"

    day_url = escape(link("scheduling:calendar_day"))
    week_url = escape(link("scheduling:calendar_week"))
    where = escape(location.name)
    if view == "week":
        who = escape(therapist.name)
        title = f"Schedule: {who}, week of {_date(extra['monday'])}"
        heading = f"{who}: week of {_date(extra['monday'])}"
        caption = f"Appointments of {who} at {where}, week of {_date(extra['monday'])}"
        header = "".join(
            f'<th scope="col"><a href="{day_url}?location={pk}&amp;date={column.day.isoformat()}">'
            f"{escape(column.label)}</a></th>"
            for column in columns
        )
    else:
        long_day = f"{day:%A} {_date(day)}"
        title = f"Schedule: {long_day}"
        heading = f"Schedule: {day:%A}, {_date(day)}"
        caption = f"Appointments at {where} on {long_day}, one column per therapist"
        header = "".join(
            f'<th scope="col"{LANE_CLASS if column.lane else ""}>{escape(column.label)}</th>'
            for column in columns
        )
    active = ' active" aria-current="page'
    nav = (
        f'<li class="nav-item"><a class="nav-link{active if view == "day" else ""}" '
        f'href="{day_url}?location={pk}&amp;date={day.isoformat()}">Day</a></li>\n'
        f'      <li class="nav-item"><a class="nav-link{active if view == "week" else ""}" '
        f'href="{week_url}?location={pk}&amp;date={day.isoformat()}">Week</a></li>\n'
        "      "
    )
    if may_book:
        count = extra.get("pending_count")
        badge = (
            f' <span class="badge text-bg-warning">{count}<span class="visually-hidden">'
            " pending</span></span>"
            if count
            else ""
        )
        queue = escape(link("scheduling:request_list"))
        nav += (
            f'<li class="nav-item"><a class="nav-link" href="{queue}">'
            f"Appointment Requests{badge}</a></li>"
        )
    options = "".join(
        f'<option value="{each.pk}"{" selected" if each.pk == pk else ""}>'
        f"{escape(each.name)}</option>"
        for each in locations
    )
    return {
        "view": view,
        "day": day,
        "title": mark_safe(title),
        "heading": mark_safe(heading),
        "nav": mark_safe(nav),
        "day_iso": day.isoformat(),
        "location_options": mark_safe(options),
        "previous_url": mark_safe(here(day - step)),
        "today_url": mark_safe(here(today)),
        "next_url": mark_safe(here(day + step)),
        "location": location,
        "caption": mark_safe(caption),
        "header": mark_safe(header),
        "columns": columns,
        "rows": mark_safe(rows),
        "may_book": may_book,
        "add_url": link("scheduling:appointment_create"),
        **extra,
    }


def _cancelled(cancelled: list[Block], tz) -> str:
    """The list of the cancelled appointments (a grid shows none)."""
    items = []
    appointment_url = _linker("scheduling:appointment_detail")
    for block in cancelled:
        local = block.start.astimezone(tz)
        reason = f" ({escape(block.cancel_reason)})" if block.cancel_reason else ""
        items.append(
            f'<li><a href="{appointment_url(block.pk)}">'
            f"{local:%b} {local.day} {local:%-I:%M %p} {escape(block.patient)} with "
            f"{escape(block.therapist)}</a>: {STATUS_LABELS[block.status]}{reason}</li>"
        )
    return mark_safe("".join(items))


@role_required(ADMINISTRATOR, SCHEDULER, THERAPIST)
def calendar_day(request):
    context = _context(request)
    if context is None:
        return render(request, "scheduling/calendar_empty.html")
    user, location, day, tz = request.user, context["location"], context["day"], context["tz"]
    may_book = _may_book(user)
    start, end = slots.day_bounds(day, tz)
    reads = calendar_reads(
        clinic=user.clinic,
        location_id=location.pk,
        start=start,
        end=end,
        first=day,
        last=day,
        # A therapist's calendar is their own (``Appointment.objects.visible_to``).
        therapist_id=None if may_book else user.pk,
        requests_preferring="any" if may_book else "therapist",
        therapists="at_location" if may_book else None,
        count=may_book,
    )
    appointments, requests = _blocks(reads)
    if may_book:
        remember_pending_request_count(request, reads.pending_count)
        # The therapists who work here (any weekday), anyone booked here that day and anyone
        # a pending request here that day prefers.
        therapists = {row[0]: _therapist(row) for row in reads.therapists}
        for block in (*appointments, *requests):
            if block.therapist_row is not None and block.therapist_row[0] not in therapists:
                therapists[block.therapist_row[0]] = _therapist(block.therapist_row)
        ordered = sorted(therapists.values(), key=lambda t: (t.last_name, t.first_name, t.pk))
    else:
        ordered = [Therapist(user.pk, str(user), user.last_name, user.first_name)]
    columns = [
        Column(
            label=therapist.name,
            day=day,
            therapist=therapist,
            working=reads.working(therapist.pk, first=day, last=day, tz=tz),
            blocks=[
                *(a for a in appointments if a.therapist_id == therapist.pk and not a.cancelled),
                *(r for r in requests if r.preferred_id == therapist.pk),
            ],
        )
        for therapist in ordered
    ]
    # Requests whose patient chose no therapist get a lane of their own, so none is hidden.
    unchosen = [r for r in requests if r.preferred_id is None]
    if unchosen:
        columns.append(Column(label=LANE, day=day, therapist=None, blocks=unchosen, lane=True))
    weekday = day.weekday()
    times = _times(
        [row for row in reads.hours if row.weekday == weekday],
        [block for column in columns for block in column.blocks],
        tz,
    )
    page = _page(
        view="day",
        location=location,
        locations=context["locations"],
        day=day,
        tz=tz,
        columns=columns,
        rows=_grid(columns, tz, times, location=location, may_book=may_book),
        may_book=may_book,
        tentative=bool(requests),
        cancelled=_cancelled([a for a in appointments if a.cancelled], tz),
        pending_count=reads.pending_count,
    )
    return render(request, "scheduling/calendar.html", page)


@role_required(ADMINISTRATOR, SCHEDULER, THERAPIST)
def calendar_week(request):
    context = _context(request)
    if context is None:
        return render(request, "scheduling/calendar_empty.html")
    user, location, day, tz = request.user, context["location"], context["day"], context["tz"]
    may_book = _may_book(user)
    monday = day - datetime.timedelta(days=day.weekday())
    sunday = monday + datetime.timedelta(days=6)
    start, _ = slots.day_bounds(monday, tz)
    _, end = slots.day_bounds(sunday, tz)
    wanted = request.GET.get("therapist") if may_book else None
    therapists = None
    if may_book:
        if wanted:
            # Read with the week below; a therapist who is not one of the clinic's is a 404.
            if not (wanted.isascii() and wanted.isdigit()) or str(int(wanted)) != wanted:
                raise Http404
            if id_out_of_range(wanted):  # no one's; SQLite would refuse to bind it
                raise Http404
            therapist_id = int(wanted)
        else:
            # Only for the picker and the week's heading: ids and names, not ~300 users.
            therapists = [
                Therapist(pk, user_name(first, last, email))
                for pk, first, last, email in therapists_of(user.clinic_id).values_list(
                    "pk", "first_name", "last_name", "email"
                )
            ]
            if not therapists:
                return render(request, "scheduling/calendar_empty.html")
            therapist_id = therapists[0].pk
    else:
        therapist_id = user.pk
    reads = calendar_reads(
        clinic=user.clinic,
        location_id=location.pk,
        start=start,
        end=end,
        first=monday,
        last=sunday,
        therapist_id=therapist_id,
        requests_preferring="therapist_or_none" if may_book else "therapist",
        therapists="all" if may_book and therapists is None else None,
        count=may_book,
    )
    if may_book:
        remember_pending_request_count(request, reads.pending_count)
        if therapists is None:
            therapists = [
                Therapist(pk, user_name(first, last, email))
                for pk, first, last, email in reads.therapists
            ]
        therapist = next((t for t in therapists if t.pk == therapist_id), None)
        if therapist is None:
            raise Http404
    else:
        therapist = Therapist(user.pk, str(user))
        therapists = [therapist]
    appointments, requests = _blocks(reads)
    working = reads.working(therapist.pk, first=monday, last=sunday, tz=tz)
    by_day: dict[datetime.date, list] = {}
    for block in appointments:
        if not block.cancelled:
            by_day.setdefault(block.start.astimezone(tz).date(), []).append(block)
    for block in requests:
        if block.preferred_id == therapist.pk:
            by_day.setdefault(block.start.astimezone(tz).date(), []).append(block)
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
            )
        )
    times = _times(
        reads.hours,
        [*appointments, *(block for column in columns for block in column.blocks if block.request)],
        tz,
    )
    # A week is one therapist's: the week's requests with no therapist chosen are listed under
    # it (the day view has them in a lane).
    unchosen = []
    request_url = _linker("scheduling:request_detail")
    for block in requests:
        if block.preferred_id is None:
            local_start, local_end = block.start.astimezone(tz), block.end.astimezone(tz)
            unchosen.append(
                '<li class="tentative p-2 border rounded">'
                f'<a href="{request_url(block.pk)}"><strong>'
                f"{local_start:%a %b} {local_start.day} {local_start:%-I:%M}–"
                f"{local_end:%-I:%M %p}</strong> {escape(block.patient)}</a>"
                '<div class="small">Requested · pending · '
                f"{escape(block.type)}, {block.duration} min · suggested: "
                f"{escape(block.therapist)}</div></li>"
            )
    # The picker's ~300 options written here: in the template they took milliseconds.
    therapist_options = "".join(
        f'<option value="{each.pk}"{" selected" if each.pk == therapist.pk else ""}>'
        f"{escape(each.name)}</option>"
        for each in therapists
    )
    page = _page(
        view="week",
        location=location,
        locations=context["locations"],
        day=day,
        tz=tz,
        columns=columns,
        rows=_grid(columns, tz, times, location=location, may_book=may_book),
        may_book=may_book,
        therapist=therapist,
        monday=monday,
        picker=len(therapists) > 1,
        therapist_options=mark_safe(therapist_options),
        unchosen=mark_safe("".join(unchosen)),
        lane=LANE,
        tentative=any(block.request for column in columns for block in column.blocks),
        cancelled=_cancelled([a for a in appointments if a.cancelled], tz),
        pending_count=reads.pending_count,
    )
    return render(request, "scheduling/calendar.html", page)
