"""The day and week views' reads."""

import datetime
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections

from core.sql import user_name
from scheduling import slots
from scheduling.models import (
    AvailabilityException,
    ClinicClosure,
    ClinicHours,
    live_request_params,
    live_request_sql,
)

# The calendar's reads ----------------------------------------------------------------------
#
# The day and week views read a day's (or a week's) appointments and pending requests, the
# location's hours and closures, the therapists' availability and exceptions, the therapists
# to show and the front desk's pending count: one statement of UNION ALL branches, written
# out. Built with the ORM the same reads were eight queries, and building them cost more
# Python than PostgreSQL took to run them (docs/architecture.md, "The calendar's reads").
# Every branch names clinic_id on every table it reads (tests/scheduling/test_calendar_reads.py
# reads another clinic's rows through each and finds none); the visibility rule of
# ``Appointment.objects.visible_to`` is the caller's ``therapist_id``.

# Each branch fills the columns it has and leaves the others NULL, typed: PostgreSQL resolves
# a chain of UNIONs pairwise, and an untyped NULL there is text.
_CALENDAR_COLUMNS = {
    "id": "integer",
    "start": "timestamptz",
    "end": "timestamptz",
    "date": "date",
    "number": "integer",
    "from_time": "time",
    "to_time": "time",
    "status": "varchar",
    "reason": "varchar",
    "patient": "varchar",
    "case_name": "varchar",
    "type_name": "varchar",
    "therapist_id": "integer",
    "therapist_first": "varchar",
    "therapist_last": "varchar",
    "therapist_email": "varchar",
    "preferred_id": "integer",
    "preferred_first": "varchar",
    "preferred_last": "varchar",
    "preferred_email": "varchar",
}
_CALENDAR_INDEX = {name: index + 1 for index, name in enumerate(_CALENDAR_COLUMNS)}


def _branch(kind: str, source: str, **columns: str) -> str:
    select = ", ".join(
        columns.get(name, f"CAST(NULL AS {kind_of})") for name, kind_of in _CALENDAR_COLUMNS.items()
    )
    return f"SELECT '{kind}', {select} {source}"


_found_converters = weakref.WeakKeyDictionary()


def _calendar_converters():
    """``(connection, [(index, converters, expression), ...])``: the ORM's converters of the
    columns that need one (on SQLite the dates and times; on PostgreSQL none), found once per
    connection."""
    from django.db import DEFAULT_DB_ALIAS

    from scheduling.models import Appointment

    connection = connections[DEFAULT_DB_ALIAS]
    if connection not in _found_converters:
        fields = {
            "start": Appointment._meta.get_field("start"),
            "end": Appointment._meta.get_field("end"),
            "date": ClinicClosure._meta.get_field("date"),
            "from_time": ClinicHours._meta.get_field("start"),
            "to_time": ClinicHours._meta.get_field("end"),
        }
        found = []
        for name, model_field in fields.items():
            expression = model_field.get_col(model_field.model._meta.db_table)
            functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                connection
            )
            if functions:
                found.append((_CALENDAR_INDEX[name], functions, expression))
        _found_converters[connection] = found
    return connection, _found_converters[connection]


def _of(table: str, column: str, key: str, row: str) -> str:
    """The ``column`` of the ``table`` row ``key`` names, of the clinic of ``row``: a scalar
    subquery rather than a join. PostgreSQL took 1.5 ms to plan the appointments joined to
    their five related rows (the ``clinic_id`` equalities multiply the join orders it weighs)
    and 0.2 ms with these, for the same 0.3 ms of running them. ``column`` is a column name,
    or an expression with ``{}`` where the table's alias goes."""
    alias = f"{row}_{table}"
    value = column.replace("{}", alias) if "{}" in column else f"{alias}.{column}"
    return (
        f"(SELECT {value} FROM {table} {alias}"
        f" WHERE {alias}.clinic_id = {row}.clinic_id AND {alias}.id = {key})"
    )


def _user_of(prefix: str, key: str, row: str) -> dict[str, str]:
    """``{prefix}_first``, ``_last`` and ``_email``: the three columns ``user_name`` makes a
    user's name of, for the user ``key`` names (``_of``)."""
    return {
        f"{prefix}_{part}": _of("accounts_user", column, key, row)
        for part, column in (("first", "first_name"), ("last", "last_name"), ("email", "email"))
    }


# ``str(patient)``.
_PATIENT_NAME = "{}.first_name || ' ' || {}.last_name"


_THERAPIST_ROLE = (
    "EXISTS (SELECT 1 FROM accounts_user_groups ug JOIN auth_group g ON g.id = ug.group_id"
    " WHERE ug.user_id = u.id AND g.name = %s)"
)


@dataclass
class CalendarReads:
    """What ``calendar_reads`` read, as plain values."""

    # (pk, start, end, status, cancel_reason, patient, case, type, therapist), the therapist
    # as (pk, first_name, last_name, email)
    appointments: list = field(default_factory=list)
    # (pk, start, duration_minutes, patient, type, therapist's name, preferred therapist as
    # (pk, first_name, last_name, email) or None)
    requests: list = field(default_factory=list)
    # (pk, first_name, last_name, email) of the therapists asked for, by name.
    therapists: list = field(default_factory=list)
    hours: list = field(default_factory=list)
    closures: list = field(default_factory=list)
    availability: dict = field(default_factory=lambda: defaultdict(list))
    time_off: dict = field(default_factory=lambda: defaultdict(list))
    extra: dict = field(default_factory=lambda: defaultdict(list))
    pending_count: int | None = None

    def working(self, therapist_id: int, *, first, last, tz) -> list[slots.Interval]:
        """As ``working_intervals`` gives them for one therapist."""
        return slots.open_intervals(
            first=first,
            last=last,
            tz=tz,
            clinic_hours=self.hours,
            availability=self.availability.get(therapist_id, ()),
            closures=self.closures,
            time_off=self.time_off.get(therapist_id, ()),
            extra=self.extra.get(therapist_id, ()),
        )


def calendar_reads(
    *,
    clinic,
    location_id: int,
    start: datetime.datetime,
    end: datetime.datetime,
    first: datetime.date,
    last: datetime.date,
    therapist_id: int | None = None,
    requests_preferring: str = "any",
    therapists: str | None = None,
    count: bool = False,
) -> CalendarReads:
    """The calendar's rows at ``location_id`` from ``start`` to ``end`` (the bounds of the
    local dates ``first`` to ``last``), in one statement:

    - the appointments overlapping them (``Appointment.objects.overlapping``), only
      ``therapist_id``'s when given (a week, or a therapist's own calendar);
    - the live pending requests starting in them (``AppointmentRequest.objects.live``):
      ``requests_preferring`` "any", "therapist" (those preferring ``therapist_id``) or
      "therapist_or_none";
    - the location's hours and closures, the availability at the location and exceptions of
      ``therapist_id`` (or of everyone);
    - ``therapists``: None, "at_location" (the active therapists available at the location on
      any weekday) or "all" (the clinic's active therapists);
    - with ``count``, the clinic's live pending requests (``pending_request_count``).
    """
    from django.db import connection

    from clinic.models import DURATION_MAX
    from core.roles import THERAPIST

    ops = connection.ops
    clinic_id = clinic.pk
    at = ops.adapt_datetimefield_value
    branches, params = [], []

    def add(sql: str, *values) -> None:
        branches.append(sql)
        params.extend(values)

    one_therapist = "" if therapist_id is None else " AND {}.therapist_id = %s"
    # Only the weekly hours and availability of the weekdays shown (a day: one in seven).
    weekdays = sorted({slot.weekday() for slot in slots.dates(first, last)})
    if len(weekdays) == 7:
        weekdays, on_weekdays = [], ""
    else:
        on_weekdays = " AND {}.weekday IN (" + ", ".join(["%s"] * len(weekdays)) + ")"
    mine = [] if therapist_id is None else [therapist_id]
    add(
        _branch(
            "a",
            "FROM scheduling_appointment a"
            " WHERE a.clinic_id = %s AND a.location_id = %s"
            ' AND a.start > %s AND a.start < %s AND a."end" > %s' + one_therapist.format("a"),
            id="a.id",
            start="a.start",
            end='a."end"',
            status="a.status",
            reason="a.cancel_reason",
            patient=_of("charts_patient", _PATIENT_NAME, "a.patient_id", "a"),
            case_name=_of(
                "cases_patientcase",
                "name",
                _of("charts_patientchartcase", "case_id", "a.chart_case_id", "a"),
                "a",
            ),
            type_name=_of("clinic_appointmenttype", "name", "a.appointment_type_id", "a"),
            therapist_id="a.therapist_id",
            **_user_of("therapist", "a.therapist_id", "a"),
        ),
        clinic_id,
        location_id,
        at(start - datetime.timedelta(minutes=DURATION_MAX)),
        at(end),
        at(start),
        *mine,
    )
    preferring, preferring_params = {
        "any": ("", []),
        "therapist": (" AND r.preferred_therapist_id = %s", [therapist_id]),
        "therapist_or_none": (
            " AND (r.preferred_therapist_id = %s OR r.preferred_therapist_id IS NULL)",
            [therapist_id],
        ),
    }[requests_preferring]
    live = " r.clinic_id = %s AND " + live_request_sql("r")
    live_params = [clinic_id, *live_request_params(clinic, connection)]
    add(
        _branch(
            "r",
            "FROM scheduling_appointmentrequest r"
            f" WHERE{live} AND r.location_id = %s AND r.start >= %s AND r.start < %s" + preferring,
            id="r.id",
            start="r.start",
            number="r.duration_minutes",
            patient=_of("charts_patient", _PATIENT_NAME, "r.patient_id", "r"),
            type_name=_of("clinic_appointmenttype", "name", "r.appointment_type_id", "r"),
            therapist_id="r.therapist_id",
            **_user_of("therapist", "r.therapist_id", "r"),
            preferred_id="r.preferred_therapist_id",
            **_user_of("preferred", "r.preferred_therapist_id", "r"),
        ),
        *live_params,
        location_id,
        at(start),
        at(end),
        *preferring_params,
    )
    add(
        _branch(
            "h",
            "FROM scheduling_clinichours h WHERE h.clinic_id = %s AND h.location_id = %s"
            + on_weekdays.format("h"),
            number="h.weekday",
            from_time="h.start",
            to_time='h."end"',
        ),
        clinic_id,
        location_id,
        *weekdays,
    )
    add(
        _branch(
            "c",
            "FROM scheduling_clinicclosure cl WHERE cl.clinic_id = %s AND cl.location_id = %s"
            ' AND cl."date" >= %s AND cl."date" <= %s',
            date='cl."date"',
        ),
        clinic_id,
        location_id,
        ops.adapt_datefield_value(first),
        ops.adapt_datefield_value(last),
    )
    add(
        _branch(
            "v",
            "FROM scheduling_therapistavailability v"
            " WHERE v.clinic_id = %s AND v.location_id = %s"
            + one_therapist.format("v")
            + on_weekdays.format("v"),
            therapist_id="v.therapist_id",
            number="v.weekday",
            from_time="v.start",
            to_time='v."end"',
        ),
        clinic_id,
        location_id,
        *mine,
        *weekdays,
    )
    add(
        _branch(
            "x",
            "FROM scheduling_availabilityexception x"
            ' WHERE x.clinic_id = %s AND x."date" >= %s AND x."date" <= %s'
            + one_therapist.format("x"),
            therapist_id="x.therapist_id",
            date='x."date"',
            from_time="x.start",
            to_time='x."end"',
            status="x.kind",
            number="x.location_id",
        ),
        clinic_id,
        ops.adapt_datefield_value(first),
        ops.adapt_datefield_value(last),
        *mine,
    )
    if therapists is not None:
        available_here = (
            " AND EXISTS (SELECT 1 FROM scheduling_therapistavailability v"
            " WHERE v.clinic_id = u.clinic_id AND v.location_id = %s AND v.therapist_id = u.id)"
        )
        add(
            _branch(
                "t",
                f"FROM accounts_user u WHERE u.clinic_id = %s AND u.is_active = %s"
                f" AND {_THERAPIST_ROLE}" + (available_here if therapists == "at_location" else ""),
                therapist_id="u.id",
                therapist_first="u.first_name",
                therapist_last="u.last_name",
                therapist_email="u.email",
                # Their order by name, in the database's collation as ``therapists_of`` has it.
                number="ROW_NUMBER() OVER (ORDER BY u.last_name, u.first_name, u.id)",
            ),
            clinic_id,
            True,
            THERAPIST,
            *([location_id] if therapists == "at_location" else []),
        )
    if count:
        add(
            _branch("n", f"FROM scheduling_appointmentrequest r WHERE{live}", number="COUNT(*)"),
            *live_params,
        )
    # Unordered: a sort of every row, wide with NULLs, took PostgreSQL longer than sorting the
    # appointments and requests here (the therapists come numbered by name).
    sql = " UNION ALL ".join(branches)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    db, converters = _calendar_converters()
    reads = CalendarReads()
    time_off_kind = AvailabilityException.Kind.TIME_OFF
    for row in rows:
        if converters:
            row = list(row)
            for index, functions, expression in converters:
                for function in functions:
                    row[index] = function(row[index], expression, db)
        # In the order of _CALENDAR_COLUMNS.
        (
            kind,
            pk,
            row_start,
            row_end,
            date,
            number,
            from_time,
            to_time,
            status,
            reason,
            patient,
            case_name,
            type_name,
            therapist,
            therapist_first,
            therapist_last,
            therapist_email,
            preferred,
            preferred_first,
            preferred_last,
            preferred_email,
        ) = row
        if kind == "a":
            reads.appointments.append(
                (
                    pk,
                    row_start,
                    row_end,
                    status,
                    reason,
                    patient,
                    case_name,
                    type_name,
                    (therapist, therapist_first, therapist_last, therapist_email),
                )
            )
        elif kind == "r":
            reads.requests.append(
                (
                    pk,
                    row_start,
                    number,
                    patient,
                    type_name,
                    user_name(therapist_first, therapist_last, therapist_email),
                    None
                    if preferred is None
                    else (preferred, preferred_first, preferred_last, preferred_email),
                )
            )
        elif kind == "h":
            reads.hours.append(slots.Weekly(number, from_time, to_time))
        elif kind == "c":
            reads.closures.append(date)
        elif kind == "v":
            reads.availability[therapist].append(slots.Weekly(number, from_time, to_time))
        elif kind == "x":
            dated = slots.Dated(date, from_time, to_time)
            if status == time_off_kind:
                reads.time_off[therapist].append(dated)
            elif number == location_id:
                reads.extra[therapist].append(dated)
        elif kind == "t":
            reads.therapists.append(
                (number, (therapist, therapist_first, therapist_last, therapist_email))
            )
        elif kind == "n":
            reads.pending_count = number
    reads.appointments.sort(key=lambda row: (row[1], row[0]))
    reads.requests.sort(key=lambda row: (row[1], row[0]))
    reads.therapists = [therapist for _, therapist in sorted(reads.therapists)]
    return reads
