"""The request screen's reads, as SQL written out (issue 13).

The slot step of the request screen ran nine queries of its own, built by the ORM on every
request (each ~0.3 ms of Python besides its round trip), and read ~900 appointment times as
aware datetimes, parsed one by one. Here it runs two: the chart case through the gate with
what the patient may choose (``CHOICES``: the case's requestable types, the locations open to
requests, the case's therapists) as JSON text, and everything the week's slots depend on
(``slot_inputs``: the location's hours and closures, the therapists' weeks and exceptions,
their and the patient's appointments as epoch seconds) as JSON text in one statement.

What this gives up, and how it is kept safe:

- **No django-scopes check.** Every subquery names ``clinic_id`` itself, on every clinic-owned
  table it reads (tests/portal/test_reads.py reads another clinic's rows and finds none).
- **Three rules are written twice**: the allowed types (``scheduling.services.allowed_rules``),
  the case's therapists (``case_therapists``) and the locations open to requests
  (``Location.objects.available_for_requests``); the booking service still uses those, so a
  request is checked against them when it is saved, and tests/portal/test_reads.py compares
  the two for every rule.
- JSON so that no character of a name can break a row apart: JSON_AGG on PostgreSQL,
  JSON_GROUP_ARRAY on SQLite (over an ordered subquery: SQLite 3.40 has no ORDER BY in an
  aggregate), the two databases the product runs on.
"""

import datetime
import functools
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection

from accounts.models import User
from cases.models import AppointmentTypeRule, PatientCase, PatientCaseServiceType
from charts.models import Patient, PatientChartCase
from clinic.models import AppointmentType
from core.roles import THERAPIST
from portal.models import PortalLink
from scheduling import slots
from scheduling.models import (
    Appointment,
    AppointmentRequest,
    AvailabilityException,
    ClinicClosure,
    ClinicHours,
    Location,
    TherapistAvailability,
)


@dataclass(frozen=True)
class Rule:
    """An appointment type patients may request for the case, and its duration."""

    pk: int
    appointment_type_id: int
    type_name: str
    duration_minutes: int


@dataclass(frozen=True)
class Place:
    """A location open to requests."""

    pk: int
    name: str
    address: str
    time_zone: str

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Therapist:
    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Choices:
    rules: list[Rule]
    locations: list[Place]
    therapists: list[Therapist]


def _json_rows(vendor: str, columns: list[str], source: str, order: str) -> str:
    """A scalar subquery: the rows of ``SELECT columns FROM source`` in ``order`` as one JSON
    text of arrays (NULL when there is none)."""
    if vendor == "postgresql":
        return (
            f"(SELECT JSON_AGG(JSON_BUILD_ARRAY({', '.join(columns)}) ORDER BY {order})::text "
            f"FROM {source})"
        )
    if vendor == "sqlite":
        named = ", ".join(f"{column} AS c{index}" for index, column in enumerate(columns))
        aliases = ", ".join(f"c{index}" for index in range(len(columns)))
        return (
            f"(SELECT JSON_GROUP_ARRAY(JSON_ARRAY({aliases})) "
            f"FROM (SELECT {named} FROM {source} ORDER BY {order}))"
        )
    raise NotImplementedError(f"No portal request SQL for {vendor}")


def _table(model) -> str:
    return f'"{model._meta.db_table}"'


CHOICES_PARAMS = ((), (), (THERAPIST,))


@functools.cache
def choices_sql(vendor: str) -> tuple[str, str, str]:
    """Correlated subqueries over the chart case row (its clinic and case) returning the
    rules, the locations and the therapists as JSON text (``parse_choices``). The therapists'
    subquery takes one parameter, ``CHOICES_PARAMS``."""
    chart_case = _table(PatientChartCase)
    clinic, case = f"{chart_case}.clinic_id", f"{chart_case}.case_id"
    rule, kind = _table(AppointmentTypeRule), _table(AppointmentType)
    rules = _json_rows(
        vendor,
        ["r.id", "r.appointment_type_id", "t.name", "r.duration_minutes"],
        f"{rule} r JOIN {kind} t ON t.id = r.appointment_type_id AND t.clinic_id = r.clinic_id "
        f"WHERE r.clinic_id = {clinic} AND r.case_id = {case} AND r.allow_requests "
        "AND t.is_active",
        "t.name, r.id",
    )
    locations = _json_rows(
        vendor,
        ["l.id", "l.name", "l.address", "l.time_zone"],
        f"{_table(Location)} l WHERE l.clinic_id = {clinic} AND l.is_active "
        "AND l.available_for_requests",
        "l.name, l.id",
    )
    groups = User.groups.through._meta
    services = User.service_types.through._meta
    therapists = _json_rows(
        vendor,
        ["u.id", "u.first_name", "u.last_name", "u.email"],
        f"{_table(User)} u WHERE u.clinic_id = {clinic} AND u.is_active "
        f'AND EXISTS (SELECT 1 FROM "{groups.db_table}" ug JOIN "auth_group" g '
        f"ON g.id = ug.{groups.get_field('group').column} "
        f"WHERE ug.{groups.get_field('user').column} = u.id AND g.name = %s) "
        f'AND EXISTS (SELECT 1 FROM "{services.db_table}" us '
        f"JOIN {_table(PatientCaseServiceType)} cs "
        f"ON cs.service_type_id = us.{services.get_field('servicetype').column} "
        f"WHERE us.{services.get_field('user').column} = u.id "
        f"AND cs.clinic_id = {clinic} AND cs.case_id = {case})",
        "u.last_name, u.first_name, u.id",
    )
    return rules, locations, therapists


def parse_choices(rules: str | None, locations: str | None, therapists: str | None) -> Choices:
    """The three annotations of ``choices_sql`` as rows."""
    return Choices(
        rules=[Rule(*row) for row in json.loads(rules or "[]")],
        locations=[Place(*row) for row in json.loads(locations or "[]")],
        therapists=[
            Therapist(pk, f"{first} {last}".strip() or email)
            for pk, first, last, email in json.loads(therapists or "[]")
        ],
    )


def request_chart_case(user, pk) -> PatientChartCase | None:
    """The gate of the request screen (``portal.access.get_portal_chart_case_for(...,
    with_request_choices=True)``): the chart case ``pk`` if it belongs to one of the user's
    own patients (their portal links), else None; with its case (name, archived) and patient
    (name) loaded, its clinic the user's, and ``request_choices``. One statement, where the
    ORM spent longer building its query (three joined models, a subquery, three annotations)
    than PostgreSQL spent running it."""
    vendor = connection.vendor
    chart_case, case, patient = (
        _table(PatientChartCase),
        _table(PatientCase),
        _table(Patient),
    )
    link = _table(PortalLink)
    rules, locations, therapists = choices_sql(vendor)
    sql = (
        f"SELECT {chart_case}.id, {chart_case}.patient_id, {chart_case}.case_id, "
        f"{chart_case}.status, "
        f"c.name, c.is_archived, p.first_name, p.last_name, {rules}, {locations}, {therapists} "
        f"FROM {chart_case} "
        f"JOIN {case} c ON c.clinic_id = {chart_case}.clinic_id AND c.id = {chart_case}.case_id "
        f"JOIN {patient} p ON p.clinic_id = {chart_case}.clinic_id "
        f"AND p.id = {chart_case}.patient_id "
        f"WHERE {chart_case}.clinic_id = %s AND {chart_case}.id = %s "
        f"AND {chart_case}.patient_id IN "
        f"(SELECT l.patient_id FROM {link} l WHERE l.clinic_id = %s AND l.user_id = %s)"
    )
    params = [*(param for each in CHOICES_PARAMS for param in each)]
    params += [user.clinic_id, pk, user.clinic_id, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    row_id, patient_id, case_id, status, name, archived, first_name, last_name = row[:8]
    db = connection.alias
    # Only the fields the screen reads: any other is deferred (read if ever asked for).
    result = PatientChartCase.from_db(
        db,
        ["id", "clinic_id", "patient_id", "case_id", "status"],
        [row_id, user.clinic_id, patient_id, case_id, status],
    )
    result.case = PatientCase.from_db(
        db,
        ["id", "clinic_id", "name", "is_archived"],
        [case_id, user.clinic_id, name, bool(archived)],
    )
    result.patient = Patient.from_db(
        db,
        ["id", "clinic_id", "first_name", "last_name"],
        [patient_id, user.clinic_id, first_name, last_name],
    )
    result.clinic = user.clinic
    result.request_choices = parse_choices(*row[8:])
    return result


@dataclass
class SlotInputs:
    """What ``slots.offered_starts`` needs, read in one statement."""

    clinic_hours: list[slots.Weekly]
    closures: list[datetime.date]
    availability: dict[int, list[slots.Weekly]]
    time_off: dict[int, list[slots.Dated]]
    extra: dict[int, list[slots.Dated]]
    busy: dict[int, list[slots.Seconds]]
    patient_busy: list[slots.Seconds]


def _epoch(vendor: str, column: str, up: bool) -> str:
    """A datetime column as epoch seconds, rounded down (a start) or up (an end): a busy
    interval never shrinks."""
    if vendor == "postgresql":
        # DATE_PART is a double, exact to well under a microsecond at today's epochs, and
        # quicker than EXTRACT's numeric.
        return f"{'CEIL' if up else 'FLOOR'}(DATE_PART('epoch', {column}))::bigint"
    # SQLite keeps UTC text, with a fraction only when there are microseconds.
    seconds = f"CAST(STRFTIME('%%s', {column}) AS INTEGER)"
    return f"({seconds} + (LENGTH({column}) > 19))" if up else seconds


@functools.cache
def _slot_inputs_sql(vendor: str, therapists: int) -> str:
    ids = ", ".join(["%s"] * therapists) or "NULL"
    hours = _json_rows(
        vendor,
        ["h.weekday", "h.start", 'h."end"'],
        f"{_table(ClinicHours)} h WHERE h.clinic_id = %s AND h.location_id = %s",
        "h.id",
    )
    closures = _json_rows(
        vendor,
        ["c.date"],
        f"{_table(ClinicClosure)} c WHERE c.clinic_id = %s AND c.location_id = %s "
        "AND c.date BETWEEN %s AND %s",
        "c.date",
    )
    weekly = _json_rows(
        vendor,
        ["a.therapist_id", "a.weekday", "a.start", 'a."end"'],
        f"{_table(TherapistAvailability)} a WHERE a.clinic_id = %s AND a.location_id = %s "
        f"AND a.therapist_id IN ({ids})",
        "a.id",
    )
    exceptions = _json_rows(
        vendor,
        ["e.therapist_id", "e.date", "e.start", 'e."end"', "e.kind", "e.location_id"],
        f"{_table(AvailabilityException)} e WHERE e.clinic_id = %s "
        f"AND e.therapist_id IN ({ids}) AND e.date BETWEEN %s AND %s",
        "e.id",
    )
    # The bounded range of ``Appointment.objects.overlapping``, on the (clinic, ..., start)
    # indexes: no appointment is longer than DURATION_MAX. Four numbers an appointment, as
    # text: PostgreSQL builds it in a third of the time JSON takes for a week's 450 rows.
    row = " || ',' || ".join(
        [
            "p.therapist_id",
            "p.patient_id",
            _epoch(vendor, "p.start", up=False),
            _epoch(vendor, 'p."end"', up=True),
        ]
    )
    concat = "STRING_AGG" if vendor == "postgresql" else "GROUP_CONCAT"
    appointments = (
        f"(SELECT {concat}({row}, ' ') FROM {_table(Appointment)} p WHERE p.clinic_id = %s "
        f"AND (p.therapist_id IN ({ids}) OR p.patient_id = %s) "
        'AND p.status NOT IN (%s, %s) AND p.start > %s AND p.start < %s AND p."end" > %s)'
    )
    return f"SELECT {hours}, {closures}, {weekly}, {exceptions}, {appointments}"


def _time(value: str | None) -> datetime.time | None:
    return None if value is None else _parse_time(value)


@functools.lru_cache(maxsize=512)
def _parse_time(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


@functools.lru_cache(maxsize=512)
def _parse_date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def slot_inputs(
    *,
    clinic_id: int,
    location_id: int,
    therapist_ids: list[int],
    patient_id: int,
    first: datetime.date,
    last: datetime.date,
    start: datetime.datetime,
    end: datetime.datetime,
) -> SlotInputs:
    """The location's hours and closures and the therapists' weeks and exceptions from
    ``first`` to ``last`` (local dates), and the appointments (not cancelled) of the
    therapists and the patient overlapping ``[start, end)``. One query (the five of
    ``scheduling.queries.bookable_slots``)."""
    from clinic.models import DURATION_MAX

    vendor = connection.vendor
    ops = connection.ops
    moment = ops.adapt_datetimefield_value
    day = ops.adapt_datefield_value
    ids = list(therapist_ids)
    params = [
        clinic_id,
        location_id,
        clinic_id,
        location_id,
        day(first),
        day(last),
        clinic_id,
        location_id,
        *ids,
        clinic_id,
        *ids,
        day(first),
        day(last),
        clinic_id,
        *ids,
        patient_id,
        *Appointment.CANCELLED,
        moment(start - datetime.timedelta(minutes=DURATION_MAX)),
        moment(end),
        moment(start),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_slot_inputs_sql(vendor, len(ids)), params)
        *lists, appointments = cursor.fetchone()
    hours, closures, weekly, exceptions = (json.loads(value) if value else [] for value in lists)
    availability = {pk: [] for pk in ids}
    for therapist_id, weekday, from_, to in weekly:
        availability[therapist_id].append(slots.Weekly(weekday, _time(from_), _time(to)))
    time_off = {pk: [] for pk in ids}
    extra = {pk: [] for pk in ids}
    for therapist_id, date, from_, to, kind, at in exceptions:
        dated = slots.Dated(_parse_date(date), _time(from_), _time(to))
        if kind == AvailabilityException.Kind.TIME_OFF:
            time_off[therapist_id].append(dated)
        elif at == location_id:
            extra[therapist_id].append(dated)
    wanted = set(ids)
    busy = {pk: [] for pk in ids}
    patient_busy = []
    numbers = list(map(int, appointments.replace(" ", ",").split(","))) if appointments else []
    for index in range(0, len(numbers), 4):
        therapist_id, row_patient_id, row_start, row_end = numbers[index : index + 4]
        if therapist_id in wanted:
            busy[therapist_id].append((row_start, row_end))
        if row_patient_id == patient_id:
            patient_busy.append((row_start, row_end))
    return SlotInputs(
        clinic_hours=[slots.Weekly(w, _time(a), _time(b)) for w, a, b in hours],
        closures=[_parse_date(value) for (value,) in closures],
        availability=availability,
        time_off=time_off,
        extra=extra,
        busy=busy,
        patient_busy=patient_busy,
    )


# The portal home ---------------------------------------------------------------------------


@dataclass
class Visit:
    """An upcoming appointment as the home page shows it."""

    when: datetime.datetime  # aware (UTC): templates show it in the clinic's time zone
    type_name: str
    therapist: str
    location: str
    duration_minutes: int


@dataclass
class Sent:
    """A request as the home page shows it."""

    pk: int
    status: str
    status_label: str
    type_name: str
    when: datetime.datetime  # aware (UTC), as Visit.when
    location: str
    duration_minutes: int
    decline_reason: str
    booked_when: datetime.datetime | None
    booked_minutes: int | None

    @property
    def is_pending(self) -> bool:
        return self.status == AppointmentRequest.Status.PENDING


@dataclass
class CareCase:
    pk: int
    name: str
    started_on: datetime.date
    may_request: bool


@dataclass
class Family:
    """One patient the user acts for, with what the home page shows of them."""

    patient_pk: int
    patient_name: str
    date_of_birth: datetime.date
    relationship: str
    relationship_label: str
    chart_cases: list[CareCase]
    appointments: list[Visit]
    requests: list[Sent]


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else _parse_date(value)


def _person(first: str, last: str, email: str) -> str:
    """``str(User)``: the full name, else the e-mail."""
    return f"{first} {last}".strip() or email


@functools.cache
def _home_sql(vendor: str) -> str:
    link, patient = _table(PortalLink), _table(Patient)
    mine = f"(SELECT m.patient_id FROM {link} m WHERE m.clinic_id = %s AND m.user_id = %s)"
    rule, kind = _table(AppointmentTypeRule), _table(AppointmentType)
    # ``AppointmentTypeRule.objects.attach_requestable``: an allowed rule of an active type.
    requestable = (
        f"EXISTS (SELECT 1 FROM {rule} r JOIN {kind} t ON t.id = r.appointment_type_id "
        "AND t.clinic_id = r.clinic_id WHERE r.clinic_id = cc.clinic_id "
        "AND r.case_id = cc.case_id AND r.allow_requests AND t.is_active)"
    )
    chart_cases = _json_rows(
        vendor,
        ["cc.id", "cc.patient_id", "c.name", "cc.started_on", "c.is_archived", requestable],
        f"{_table(PatientChartCase)} cc JOIN {_table(PatientCase)} c "
        "ON c.clinic_id = cc.clinic_id AND c.id = cc.case_id "
        f"WHERE cc.clinic_id = %s AND cc.status = %s AND cc.patient_id IN {mine}",
        "c.name, cc.id",
    )
    user, location, appointment = _table(User), _table(Location), _table(Appointment)
    appointments = _json_rows(
        vendor,
        [
            "a.patient_id",
            _epoch(vendor, "a.start", up=False),
            "t.name",
            "u.first_name",
            "u.last_name",
            "u.email",
            "l.name",
            "a.duration_minutes",
        ],
        f"{appointment} a JOIN {kind} t ON t.clinic_id = a.clinic_id "
        f"AND t.id = a.appointment_type_id "
        f"JOIN {user} u ON u.clinic_id = a.clinic_id AND u.id = a.therapist_id "
        f"JOIN {location} l ON l.clinic_id = a.clinic_id AND l.id = a.location_id "
        f'WHERE a.clinic_id = %s AND a.patient_id IN {mine} AND a."end" > %s '
        "AND a.status NOT IN (%s, %s)",
        "a.start, a.id",
    )
    # The 50 newest of all the user's patients, as one list (then shared out by patient).
    columns = [
        "r.id",
        "r.patient_id",
        "r.status",
        "t.name",
        _epoch(vendor, "r.start", up=False),
        "l.name",
        "r.duration_minutes",
        "r.decline_reason",
        "r.appointment_id",
        _epoch(vendor, "b.start", up=False),
        "b.duration_minutes",
    ]
    newest = (
        f"SELECT {', '.join(f'{c} AS c{i}' for i, c in enumerate(columns))}, "
        "r.created_at AS k "
        f"FROM {_table(AppointmentRequest)} r "
        f"JOIN {kind} t ON t.clinic_id = r.clinic_id AND t.id = r.appointment_type_id "
        f"JOIN {location} l ON l.clinic_id = r.clinic_id AND l.id = r.location_id "
        f"LEFT JOIN {appointment} b ON b.clinic_id = r.clinic_id AND b.id = r.appointment_id "
        f"WHERE r.clinic_id = %s AND r.patient_id IN {mine} "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT 50"
    )
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    if vendor == "postgresql":
        requests = (
            f"(SELECT JSON_AGG(JSON_BUILD_ARRAY({aliases}) ORDER BY k DESC, c0 DESC)::text "
            f"FROM ({newest}) x)"
        )
    else:  # SQLite aggregates in the subquery's order
        requests = f"(SELECT JSON_GROUP_ARRAY(JSON_ARRAY({aliases})) FROM ({newest}))"
    return (
        f"SELECT k.relationship, p.id, p.first_name, p.last_name, p.date_of_birth, "
        f"{chart_cases}, {appointments}, {requests} "
        f"FROM {link} k JOIN {patient} p ON p.clinic_id = k.clinic_id AND p.id = k.patient_id "
        "WHERE k.clinic_id = %s AND k.user_id = %s "
        "ORDER BY p.last_name, p.first_name, k.id"
    )


def home_families(user, clinic) -> list[Family]:
    """The patients this user acts for (``PortalLink.objects.of_user``, in its order), each
    with their active chart cases (and whether an appointment may be requested for each),
    upcoming appointments and, of the 50 newest requests of them all, theirs. One statement,
    where the ORM ran five and built a model object for every row and relation."""
    vendor = connection.vendor
    mine = [clinic.pk, user.pk]
    params = [
        clinic.pk,
        PatientChartCase.Status.ACTIVE,
        *mine,
        clinic.pk,
        *mine,
        connection.ops.adapt_datetimefield_value(clinic.now()),
        *Appointment.CANCELLED,
        clinic.pk,
        *mine,
        clinic.pk,
        user.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_home_sql(vendor), params)
        rows = cursor.fetchall()
    if not rows:
        return []
    chart_cases, appointments, requests = (json.loads(value or "[]") for value in rows[0][5:])
    cases_by_patient = {row[1]: [] for row in rows}
    for pk, patient_id, name, started_on, archived, requestable in chart_cases:
        cases_by_patient[patient_id].append(
            CareCase(
                pk=pk,
                name=name,
                started_on=_date(started_on),
                may_request=bool(clinic.requests_enabled and requestable and not archived),
            )
        )
    visits_by_patient = {row[1]: [] for row in rows}
    for patient_id, start, type_name, first, last, email, place, minutes in appointments:
        visits_by_patient[patient_id].append(
            Visit(slots.from_seconds(start), type_name, _person(first, last, email), place, minutes)
        )
    labels = dict(AppointmentRequest.Status.choices)
    sent_by_patient = {row[1]: [] for row in rows}
    for (
        pk,
        patient_id,
        status,
        type_name,
        start,
        place,
        minutes,
        reason,
        booked,
        booked_start,
        booked_minutes,
    ) in requests:
        sent_by_patient[patient_id].append(
            Sent(
                pk=pk,
                status=status,
                status_label=labels.get(status, status),
                type_name=type_name,
                when=slots.from_seconds(start),
                location=place,
                duration_minutes=minutes,
                decline_reason=reason,
                booked_when=slots.from_seconds(booked_start) if booked else None,
                booked_minutes=booked_minutes if booked else None,
            )
        )
    relationships = dict(PortalLink.Relationship.choices)
    return [
        Family(
            patient_pk=patient_id,
            patient_name=f"{first} {last}",
            date_of_birth=_date(born),
            relationship=relationship,
            relationship_label=relationships.get(relationship, relationship),
            chart_cases=cases_by_patient[patient_id],
            appointments=visits_by_patient[patient_id],
            requests=sent_by_patient[patient_id],
        )
        for relationship, patient_id, first, last, born, *_ in rows
    ]
