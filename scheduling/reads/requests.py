"""The request queue's and a request page's reads, as SQL written out.

The two screens are opened for every request a scheduler works through. With their rows
already read as plain values, the bench still found most of their time outside PostgreSQL:
the ORM building the snapshot's condition (one ``Q`` per therapist and time range, ~5 ms for
a page of 50), a seven-table join that PostgreSQL took ~3 ms to plan for 0.3 ms of work, a
separate COUNT, and the approve form's choices read as model objects through server-side
cursors. So the reads are the statements below, written once and run with their parameters:

- the names around a request (patient, case, type, location, therapist) are scalar
  subqueries, one index lookup each for the rows of the page, not joins to plan;
- the page's rows carry the length of the list (``COUNT(*) OVER ()``), as
  ``core.pagination.counted_page`` does, and a request page's row the clinic's live pending
  count (the Schedule tab's badge);
- each request's snapshot is a join of the requests with their therapist's appointments in
  the window around them: a nested loop on the (clinic, therapist, start) index, a handful
  of parameters, where an OR of a range per therapist and time had ~130 to bind and plan;
- the approve form's three choice lists are one statement.

What this gives up, and how it is kept safe:

- **No django-scopes check.** Every statement names ``clinic_id`` itself, on every table it
  reads (tests/scheduling/test_request_reads.py reads another clinic's rows through each and
  finds none).
- **The queue's filters are written in SQL** beside ``AppointmentRequestQuerySet.live`` /
  ``overdue``: live's bounds and condition come from ``scheduling.models`` (``live_bounds``,
  ``live_request_sql``), which every written-out read of live requests shares; the tests
  compare the two for every filter.
- Datetimes go in through ``adapt_datetimefield_value``, as the ORM's do, and come out as
  text (``CAST(... AS TEXT)``: PostgreSQL's ISO output, SQLite's naive UTC) read by
  ``datetime.fromisoformat``: Django's own timestamptz loader for psycopg is Python, and
  reading a page's ~300 datetimes through it cost 0.7 ms (bench/).

The live pending requests over an appointment and the Schedule tab's count are read here too.
"""

import datetime
import functools

from django.db import connection, connections

from clinic.models import DURATION_MAX
from core.inputs import id_out_of_range
from core.roles import THERAPIST
from core.sql import user_name
from scheduling.models import (
    Appointment,
    AppointmentRequest,
    live_bounds,
    live_request_params,
    live_request_sql,
)

PENDING = AppointmentRequest.Status.PENDING
EXPIRED = AppointmentRequest.Status.EXPIRED


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _param(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _datetime(text: str | None) -> datetime.datetime | None:
    """A datetime column read ``AS TEXT``, as the ORM returns it (aware)."""
    if text is None:
        return None
    value = datetime.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


# The queue ---------------------------------------------------------------------------------

# The names around a request, as the queue and a request's page show them: scalar subqueries,
# an index lookup each, where a join of the seven tables took PostgreSQL longer to plan than to
# run (patient, case, appointment type, location, its time zone, therapist's name, e-mail).
_REQUEST_NAMES = """    (SELECT p.first_name || ' ' || p.last_name FROM charts_patient p
        WHERE p.id = r.patient_id AND p.clinic_id = r.clinic_id),
    (SELECT c.name FROM charts_patientchartcase cc
        JOIN cases_patientcase c ON c.id = cc.case_id AND c.clinic_id = cc.clinic_id
        WHERE cc.id = r.chart_case_id AND cc.clinic_id = r.clinic_id),
    (SELECT t.name FROM clinic_appointmenttype t
        WHERE t.id = r.appointment_type_id AND t.clinic_id = r.clinic_id),
    (SELECT l.name FROM scheduling_location l
        WHERE l.id = r.location_id AND l.clinic_id = r.clinic_id),
    (SELECT l.time_zone FROM scheduling_location l
        WHERE l.id = r.location_id AND l.clinic_id = r.clinic_id),
    (SELECT u.first_name || ' ' || u.last_name FROM accounts_user u
        WHERE u.id = r.therapist_id AND u.clinic_id = r.clinic_id),
    (SELECT u.email FROM accounts_user u
        WHERE u.id = r.therapist_id AND u.clinic_id = r.clinic_id),
"""

_QUEUE = """
SELECT r.id, r.therapist_id, CAST(r.start AS TEXT), r.duration_minutes, r.status, r.note,
    r.decline_reason,
    r.preferred_therapist_id,
{names}    COUNT(*) OVER ()
FROM scheduling_appointmentrequest r
WHERE r.clinic_id = %s AND ({where})
ORDER BY {order}
LIMIT %s OFFSET %s
"""
_ORDER = {True: "r.start, r.id", False: "r.start DESC, r.id DESC"}


def queue_filter(clinic, status: str) -> tuple[str, list]:
    """The queue's filter as SQL and its parameters: Pending leaves out requests already past
    their time or limit (``live``); Expired includes them (``overdue``)."""
    if status == PENDING:
        return live_request_sql("r"), live_request_params(clinic, connection)
    now, made_after = live_bounds(clinic)
    if status == EXPIRED:
        return "r.status = %s OR (r.status = %s AND (r.start <= %s OR r.created_at <= %s))", [
            EXPIRED,
            PENDING,
            _param(now),
            _param(made_after),
        ]
    return "r.status = %s", [status]


def queue_rows(clinic, status: str, *, limit: int, offset: int) -> list[tuple]:
    """A page of the queue: ``(pk, therapist_id, start, duration_minutes, status, note,
    decline_reason, preferred_therapist_id, patient, case, type, location, time_zone,
    therapist's full name, therapist's e-mail, length of the whole list)``. Pending oldest
    first (the next to decide on top), the others newest first."""
    where, params = queue_filter(clinic, status)
    sql = _QUEUE.format(names=_REQUEST_NAMES, where=where, order=_ORDER[status == PENDING])
    rows = _fetch(sql, [clinic.pk, *params, limit, offset])
    return [(*row[:2], _datetime(row[2]), *row[3:]) for row in rows]


# Minutes added to a datetime column, in each database's words (the one piece of these
# statements the two do not share; SQLite keeps datetimes as text, to the second here).
_PLUS_MINUTES = {
    "postgresql": "{column} + ({minutes}) * INTERVAL '1 minute'",
    "sqlite": "datetime({column}, ({minutes}) || ' minutes')",
}
_SNAPSHOT = """
SELECT r.id, CAST(a.start AS TEXT), CAST(a."end" AS TEXT),
    (SELECT p.first_name || ' ' || p.last_name FROM charts_patient p
        WHERE p.id = a.patient_id AND p.clinic_id = a.clinic_id),
    {names}
    (SELECT l.time_zone FROM scheduling_location l
        WHERE l.id = a.location_id AND l.clinic_id = a.clinic_id)
FROM scheduling_appointmentrequest r
JOIN scheduling_appointment a ON a.clinic_id = r.clinic_id AND a.therapist_id = r.therapist_id
    AND a.start > {earliest_start} AND a.start < {before} AND a."end" > {after}
WHERE r.clinic_id = %s AND r.id IN ({ids}) AND a.status NOT IN (%s, %s)
ORDER BY a.start, a.id
"""
_NAMES = """(SELECT t.name FROM clinic_appointmenttype t
        WHERE t.id = a.appointment_type_id AND t.clinic_id = a.clinic_id),
    (SELECT l.name FROM scheduling_location l
        WHERE l.id = a.location_id AND l.clinic_id = a.clinic_id),"""
_snapshot_sql = {}


def _snapshot(vendor: str, count: int, names: bool) -> str:
    key = (vendor, count, names)
    if key not in _snapshot_sql:
        plus = _PLUS_MINUTES[vendor]
        _snapshot_sql[key] = _SNAPSHOT.format(
            names=_NAMES if names else "",
            earliest_start=plus.format(column="r.start", minutes="%s"),
            before=plus.format(column="r.start", minutes="r.duration_minutes + %s"),
            after=plus.format(column="r.start", minutes="%s"),
            ids=", ".join(["%s"] * count),
        )
    return _snapshot_sql[key]


def snapshot_rows(
    clinic_id: int, request_ids: list[int], around: datetime.timedelta, *, names: bool = False
) -> list[tuple]:
    """Each request's therapist's not-cancelled appointments from ``around`` before to
    ``around`` after the requested time, by start: ``(request id, start, end, patient,
    [appointment type, location,] time_zone)``; an appointment near two requests is a row for
    each. The lower bound on ``start`` (no visit is longer than ``DURATION_MAX``) lets each
    request read the (clinic, therapist, start) index rather than the whole table."""
    if not request_ids:
        return []
    minutes = around // datetime.timedelta(minutes=1)
    sql = _snapshot(connection.vendor, len(request_ids), names)
    params = [-(minutes + DURATION_MAX), minutes, -minutes, clinic_id, *request_ids]
    rows = _fetch(sql, [*params, *Appointment.CANCELLED])
    return [(row[0], _datetime(row[1]), _datetime(row[2]), *row[3:]) for row in rows]


# A request's page --------------------------------------------------------------------------

_REQUEST = """
SELECT r.id, r.status, CAST(r.start AS TEXT), r.duration_minutes, r.note, r.decline_reason,
    r.preferred_therapist_id, r.therapist_id, r.appointment_type_id, r.location_id,
    CAST(r.created_at AS TEXT), r.appointment_id,
{names}    (SELECT cc.case_id FROM charts_patientchartcase cc
        WHERE cc.id = r.chart_case_id AND cc.clinic_id = r.clinic_id),
    (SELECT CAST(a.start AS TEXT) FROM scheduling_appointment a
        WHERE a.id = r.appointment_id AND a.clinic_id = r.clinic_id),
    (SELECT l.time_zone FROM scheduling_appointment a
        JOIN scheduling_location l ON l.id = a.location_id AND l.clinic_id = a.clinic_id
        WHERE a.id = r.appointment_id AND a.clinic_id = r.clinic_id),
    (SELECT COUNT(*) FROM scheduling_appointmentrequest q
        WHERE q.clinic_id = r.clinic_id AND {live})
FROM scheduling_appointmentrequest r
WHERE r.clinic_id = %s AND r.id = %s
""".format(names=_REQUEST_NAMES, live=live_request_sql("q"))
REQUEST_COLUMNS = (
    "pk",
    "status",
    "start",
    "duration_minutes",
    "note",
    "decline_reason",
    "preferred_therapist_id",
    "therapist_id",
    "appointment_type_id",
    "location_id",
    "created_at",
    "appointment_id",
    "patient",
    "case_name",
    "type_name",
    "location_name",
    "time_zone",
    "therapist_name",
    "therapist_email",
    "case_id",
    "appointment_start",
    "appointment_time_zone",
    "pending_count",
)


def request_row(clinic, pk: int) -> dict | None:
    """One request of the clinic as the page shows it (``REQUEST_COLUMNS``), with the
    clinic's live pending count; None when the clinic has no such request (or ``pk`` is past
    the database's integers: the ORM finds nothing there, SQLite refuses to bind it)."""
    if id_out_of_range(pk):
        return None
    rows = _fetch(_REQUEST, [*live_request_params(clinic, connection), clinic.pk, pk])
    if not rows:
        return None
    row = dict(zip(REQUEST_COLUMNS, rows[0], strict=True))
    for name in ("start", "created_at", "appointment_start"):
        row[name] = _datetime(row[name])
    return row


_CHOICES = """
SELECT 0, t.id, t.name, '', '' FROM clinic_appointmenttype t
    WHERE t.clinic_id = %s AND t.is_active = %s
UNION ALL
SELECT 1, u.id, u.last_name, u.first_name, u.email FROM accounts_user u
    WHERE u.clinic_id = %s AND u.is_active = %s
    AND EXISTS (SELECT 1 FROM accounts_user_groups ug JOIN auth_group g ON g.id = ug.group_id
        WHERE ug.user_id = u.id AND g.name = %s)
    AND EXISTS (SELECT 1 FROM accounts_user_service_types us
        JOIN cases_patientcaseservicetype cs ON cs.service_type_id = us.servicetype_id
        JOIN clinic_servicetype s ON s.id = cs.service_type_id AND s.clinic_id = cs.clinic_id
        WHERE us.user_id = u.id AND cs.case_id = %s AND cs.clinic_id = %s)
UNION ALL
SELECT 2, l.id, l.name, '', '' FROM scheduling_location l
    WHERE l.clinic_id = %s AND l.is_active = %s
ORDER BY 1, 3, 4, 2
"""


def approve_choices(clinic_id: int, case_id: int) -> dict[str, list[tuple[int, str]]]:
    """The approve form's choices as ``(id, label)``: the clinic's active appointment types
    and locations by name, and the therapists the booking accepts for the case (active, of
    one of its service types: ``case_therapists``) by last and first name. One statement."""
    rows = _fetch(
        _CHOICES,
        [clinic_id, True, clinic_id, True, THERAPIST, case_id, clinic_id, clinic_id, True],
    )
    choices = {"appointment_type": [], "therapist": [], "location": []}
    lists = list(choices.values())
    for kind, pk, name, first, email in rows:
        if kind == 1:
            name = user_name(first, name, email)
        lists[kind].append((pk, name))
    return choices


def pending_requests_over(appointment) -> list:
    """The live pending requests of the appointment's therapist that overlap it (a booking
    over one is allowed, with a warning). One query."""
    from clinic.models import DURATION_MAX
    from scheduling.models import AppointmentRequest

    clinic = appointment.clinic
    candidates = (
        AppointmentRequest.objects.live(clinic)
        .filter(
            therapist_id=appointment.therapist_id,
            start__lt=appointment.end,
            start__gt=appointment.start - datetime.timedelta(minutes=DURATION_MAX),
        )
        .exclude(appointment=appointment)
        .select_related("patient", "location")
    )
    return [r for r in candidates if r.end > appointment.start]


def pending_request_count(request) -> int:
    """The clinic's live pending requests (the queue's Pending filter, ``live``): the badge on
    the Schedule tab and on the calendar's Appointment Requests link. One COUNT on the
    (clinic, status, start) index, kept on the request so a page showing it twice asks once.

    Written out, as ``live`` filters: the ORM took as long to build the COUNT as the database
    to run it, on every page of the front desk (bench/); tests hold the two to the same set."""
    from scheduling.models import AppointmentRequest

    if not hasattr(request, "_pending_request_count"):
        clinic = request.user.clinic
        connection = connections[AppointmentRequest.objects.db]
        with connection.cursor() as cursor:
            cursor.execute(
                _pending_count_sql(AppointmentRequest._meta.db_table),
                [clinic.pk, *live_request_params(clinic, connection)],
            )
            request._pending_request_count = cursor.fetchone()[0]
    return request._pending_request_count


@functools.cache
def _pending_count_sql(table: str) -> str:
    return f'SELECT COUNT(*) FROM "{table}" r WHERE r.clinic_id = %s AND {live_request_sql("r")}'


def remember_pending_request_count(request, count: int) -> None:
    """A page that has counted the live pending requests itself (the queue's Pending filter
    is the same set) gives the badge that count instead of a second COUNT."""
    request._pending_request_count = count
