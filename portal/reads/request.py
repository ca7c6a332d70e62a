"""The request screen's reads, as SQL written out (issue 13).

The slot step of the request screen ran nine queries of its own, built by the ORM on every
request (each ~0.3 ms of Python besides its round trip), and read ~900 appointment times as
aware datetimes, parsed one by one. Here it runs two: the chart case through the gate with
what the patient may choose (``choices_sql``: the case's requestable types, the locations open
to requests, the case's therapists) as JSON text, and everything the week's slots depend on
(``slot_inputs``: the location's hours and closures, the therapists' weeks and exceptions as
JSON, their and the patient's appointments as epoch seconds) in one statement.

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
from core.inputs import id_out_of_range
from core.roles import THERAPIST
from core.sql import epoch, json_rows, parse_date, table, time_or_none, user_name
from portal.models import PortalLink
from scheduling import slots
from scheduling.models import (
    Appointment,
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


CHOICES_PARAMS = ((), (), (THERAPIST,))


@functools.cache
def choices_sql(vendor: str) -> tuple[str, str, str]:
    """Correlated subqueries over the chart case row (its clinic and case) returning the
    rules, the locations and the therapists as JSON text (``parse_choices``). The therapists'
    subquery takes one parameter, ``CHOICES_PARAMS``."""
    chart_case = table(PatientChartCase)
    clinic, case = f"{chart_case}.clinic_id", f"{chart_case}.case_id"
    rule, kind = table(AppointmentTypeRule), table(AppointmentType)
    rules = json_rows(
        vendor,
        ["r.id", "r.appointment_type_id", "t.name", "r.duration_minutes"],
        f"{rule} r JOIN {kind} t ON t.id = r.appointment_type_id AND t.clinic_id = r.clinic_id "
        f"WHERE r.clinic_id = {clinic} AND r.case_id = {case} AND r.allow_requests "
        "AND t.is_active",
        "t.name, r.id",
    )
    locations = json_rows(
        vendor,
        ["l.id", "l.name", "l.address", "l.time_zone"],
        f"{table(Location)} l WHERE l.clinic_id = {clinic} AND l.is_active "
        "AND l.available_for_requests",
        "l.name, l.id",
    )
    groups = User.groups.through._meta
    services = User.service_types.through._meta
    therapists = json_rows(
        vendor,
        ["u.id", "u.first_name", "u.last_name", "u.email"],
        f"{table(User)} u WHERE u.clinic_id = {clinic} AND u.is_active "
        f'AND EXISTS (SELECT 1 FROM "{groups.db_table}" ug JOIN "auth_group" g '
        f"ON g.id = ug.{groups.get_field('group').column} "
        f"WHERE ug.{groups.get_field('user').column} = u.id AND g.name = %s) "
        f'AND EXISTS (SELECT 1 FROM "{services.db_table}" us '
        f"JOIN {table(PatientCaseServiceType)} cs "
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
            Therapist(pk, user_name(first, last, email))
            for pk, first, last, email in json.loads(therapists or "[]")
        ],
    )


def request_chart_case(user, pk) -> PatientChartCase | None:
    """The gate of the request screen (``portal.access.get_portal_chart_case_for(...,
    with_request_choices=True)``): the chart case ``pk`` if it belongs to one of the user's
    own patients (their portal links), else None; with its case (name, archived) and patient
    (name) loaded, its clinic the user's, and ``request_choices``. One statement, where the
    ORM spent longer building its query (three joined models, a subquery, three annotations)
    than PostgreSQL spent running it. An id past the database's integers is no chart case
    (as the ORM has it; SQLite would refuse to bind it)."""
    if id_out_of_range(pk):
        return None
    vendor = connection.vendor
    chart_case, case, patient = (
        table(PatientChartCase),
        table(PatientCase),
        table(Patient),
    )
    link = table(PortalLink)
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


@functools.cache
def _slot_inputs_sql(vendor: str, therapists: int) -> str:
    ids = ", ".join(["%s"] * therapists) or "NULL"
    hours = json_rows(
        vendor,
        ["h.weekday", "h.start", 'h."end"'],
        f"{table(ClinicHours)} h WHERE h.clinic_id = %s AND h.location_id = %s",
        "h.id",
    )
    closures = json_rows(
        vendor,
        ["c.date"],
        f"{table(ClinicClosure)} c WHERE c.clinic_id = %s AND c.location_id = %s "
        "AND c.date BETWEEN %s AND %s",
        "c.date",
    )
    weekly = json_rows(
        vendor,
        ["a.therapist_id", "a.weekday", "a.start", 'a."end"'],
        f"{table(TherapistAvailability)} a WHERE a.clinic_id = %s AND a.location_id = %s "
        f"AND a.therapist_id IN ({ids})",
        "a.id",
    )
    exceptions = json_rows(
        vendor,
        ["e.therapist_id", "e.date", "e.start", 'e."end"', "e.kind", "e.location_id"],
        f"{table(AvailabilityException)} e WHERE e.clinic_id = %s "
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
            epoch(vendor, "p.start", up=False),
            epoch(vendor, 'p."end"', up=True),
        ]
    )
    concat = "STRING_AGG" if vendor == "postgresql" else "GROUP_CONCAT"
    appointments = (
        f"(SELECT {concat}({row}, ' ') FROM {table(Appointment)} p WHERE p.clinic_id = %s "
        f"AND (p.therapist_id IN ({ids}) OR p.patient_id = %s) "
        'AND p.status NOT IN (%s, %s) AND p.start > %s AND p.start < %s AND p."end" > %s)'
    )
    return f"SELECT {hours}, {closures}, {weekly}, {exceptions}, {appointments}"


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
    ``scheduling.reads.availability.bookable_slots``)."""
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
        availability[therapist_id].append(
            slots.Weekly(weekday, time_or_none(from_), time_or_none(to))
        )
    time_off = {pk: [] for pk in ids}
    extra = {pk: [] for pk in ids}
    for therapist_id, date, from_, to, kind, at in exceptions:
        dated = slots.Dated(parse_date(date), time_or_none(from_), time_or_none(to))
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
        clinic_hours=[slots.Weekly(w, time_or_none(a), time_or_none(b)) for w, a, b in hours],
        closures=[parse_date(value) for (value,) in closures],
        availability=availability,
        time_off=time_off,
        extra=extra,
        busy=busy,
        patient_busy=patient_busy,
    )
