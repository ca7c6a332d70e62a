"""The portal home's read, as SQL written out (issue 13): the user's links and patients, with
their active chart cases (and whether each may be requested), upcoming visits and the 50
newest requests, in one statement where the ORM ran five and built a model object for every
row and relation. Every subquery names ``clinic_id`` itself (raw SQL has no django-scopes
check); tests/portal/test_home.py checks what the page shows."""

import datetime
import functools
import json
from dataclasses import dataclass

from django.db import connection

from accounts.models import User
from cases.models import AppointmentTypeRule, PatientCase
from charts.models import Patient, PatientChartCase
from clinic.models import AppointmentType
from core.sql import date_value, epoch, json_rows, table, user_name
from insurance.counting import closed_to_requests
from portal.models import PortalLink
from scheduling import slots
from scheduling.models import Appointment, AppointmentRequest, Location


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


@functools.cache
def _home_sql(vendor: str) -> str:
    link, patient = table(PortalLink), table(Patient)
    mine = f"(SELECT m.patient_id FROM {link} m WHERE m.clinic_id = %s AND m.user_id = %s)"
    rule, kind = table(AppointmentTypeRule), table(AppointmentType)
    # ``AppointmentTypeRule.objects.attach_requestable``: an allowed rule of an active type.
    requestable = (
        f"EXISTS (SELECT 1 FROM {rule} r JOIN {kind} t ON t.id = r.appointment_type_id "
        "AND t.clinic_id = r.clinic_id WHERE r.clinic_id = cc.clinic_id "
        "AND r.case_id = cc.case_id AND r.allow_requests AND t.is_active)"
    )
    chart_cases = json_rows(
        vendor,
        ["cc.id", "cc.patient_id", "c.name", "cc.started_on", "c.is_archived", requestable],
        f"{table(PatientChartCase)} cc JOIN {table(PatientCase)} c "
        "ON c.clinic_id = cc.clinic_id AND c.id = cc.case_id "
        f"WHERE cc.clinic_id = %s AND cc.status = %s AND cc.patient_id IN {mine}",
        "c.name, cc.id",
    )
    user, location, appointment = table(User), table(Location), table(Appointment)
    appointments = json_rows(
        vendor,
        [
            "a.patient_id",
            epoch(vendor, "a.start", up=False),
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
        epoch(vendor, "r.start", up=False),
        "l.name",
        "r.duration_minutes",
        "r.decline_reason",
        "r.appointment_id",
        epoch(vendor, "b.start", up=False),
        "b.duration_minutes",
    ]
    newest = (
        f"SELECT {', '.join(f'{c} AS c{i}' for i, c in enumerate(columns))}, "
        "r.created_at AS k "
        f"FROM {table(AppointmentRequest)} r "
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
    # Cases whose authorizations are used up or ended, when the clinic says so: not offered.
    closed = closed_to_requests(
        clinic_id=clinic.pk, chart_case_ids=[row[0] for row in chart_cases], today=clinic.today()
    )
    for pk, patient_id, name, started_on, archived, requestable in chart_cases:
        cases_by_patient[patient_id].append(
            CareCase(
                pk=pk,
                name=name,
                started_on=date_value(started_on),
                may_request=bool(
                    clinic.requests_enabled and requestable and not archived and pk not in closed
                ),
            )
        )
    visits_by_patient = {row[1]: [] for row in rows}
    for patient_id, start, type_name, first, last, email, place, minutes in appointments:
        visits_by_patient[patient_id].append(
            Visit(
                slots.from_seconds(start), type_name, user_name(first, last, email), place, minutes
            )
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
            date_of_birth=date_value(born),
            relationship=relationship,
            relationship_label=relationships.get(relationship, relationship),
            chart_cases=cases_by_patient[patient_id],
            appointments=visits_by_patient[patient_id],
            requests=sent_by_patient[patient_id],
        )
        for relationship, patient_id, first, last, born, *_ in rows
    ]
