"""The portal home's reads: the user's links and patients, their active chart cases (and whether
an appointment may be requested for each), upcoming visits and the 50 newest requests. Four
querysets shaped for the page (``.values_list()``, ``Exists``), each on an index led by the
clinic; the rules are the ones the request services use: ``AppointmentTypeRule.objects.
requestable()``, ``scheduling.services.requests_open_for`` and ``AppointmentRequest.objects.
live``. tests/portal/test_home.py checks what the page shows."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from cases.models import AppointmentTypeRule
from charts.models import PatientChartCase
from core.sql import user_name
from insurance.counting import closed_to_requests
from portal.models import PortalLink
from scheduling.models import Appointment, AppointmentRequest
from scheduling.services import requests_open_for

NEWEST_REQUESTS = 50


@dataclass
class Visit:
    """An upcoming appointment as the home page shows it."""

    when: datetime.datetime  # aware: templates show it in the clinic's time zone
    type_name: str
    therapist: str
    location: str
    duration_minutes: int


@dataclass
class Sent:
    """A request as the home page shows it. ``status`` is ``expired`` for a pending request
    that is no longer live (``AppointmentRequest.objects.live``): past its time or the
    clinic's lifetime, before ``expire_requests`` has marked it."""

    pk: int
    status: str
    status_label: str
    type_name: str
    when: datetime.datetime
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


def _care(clinic, mine) -> dict[int, list[CareCase]]:
    """The active chart cases of the patients, by case name; ``may_request`` is the request
    screen's own gate (``requests_open_for``) and a requestable rule of the case."""
    requestable = AppointmentTypeRule.objects.requestable().filter(
        clinic_id=OuterRef("clinic_id"), case_id=OuterRef("case_id")
    )
    chart_cases = (
        PatientChartCase.objects.for_clinic(clinic)
        .on_chart()
        .active()
        .filter(patient_id__in=mine)
        .annotate(requestable=Exists(requestable))
        .select_related("case")
        .only(
            "clinic_id",
            "patient_id",
            "case_id",
            "status",
            "started_on",
            "case__name",
            "case__is_archived",
        )  # fmt: skip
        .order_by("case__name", "pk")
    )
    chart_cases = list(chart_cases)
    # Cases whose authorizations are used up or ended (issue 21), asked once for them all.
    closed = closed_to_requests(
        clinic_id=clinic.pk, chart_case_ids=[c.pk for c in chart_cases], today=clinic.today()
    )
    by_patient = defaultdict(list)
    for chart_case in chart_cases:
        chart_case.clinic = clinic
        by_patient[chart_case.patient_id].append(
            CareCase(
                pk=chart_case.pk,
                name=chart_case.case.name,
                started_on=chart_case.started_on,
                may_request=chart_case.requestable
                and requests_open_for(chart_case, closed=closed) is None,
            )
        )
    return by_patient


def _visits(clinic, mine) -> dict[int, list[Visit]]:
    """Upcoming appointments (not cancelled, not yet over), soonest first."""
    rows = (
        Appointment.objects.for_clinic(clinic)
        .filter(patient_id__in=mine, end__gt=clinic.now())
        .not_cancelled()
        .order_by("start", "pk")
        .values_list(
            "patient_id",
            "start",
            "appointment_type__name",
            "therapist__first_name",
            "therapist__last_name",
            "therapist__email",
            "location__name",
            "duration_minutes",
        )
    )
    by_patient = defaultdict(list)
    for patient_id, start, type_name, first, last, email, place, minutes in rows:
        by_patient[patient_id].append(
            Visit(start, type_name, user_name(first, last, email), place, minutes)
        )
    return by_patient


def _sent(clinic, mine) -> dict[int, list[Sent]]:
    """The newest requests of all the patients together, newest first, shared out by
    patient."""
    live = AppointmentRequest.objects.live(clinic).filter(pk=OuterRef("pk"))
    rows = (
        AppointmentRequest.objects.for_clinic(clinic)
        .filter(patient_id__in=mine)
        .annotate(live=Exists(live))
        .order_by("-created_at", "-pk")
        .values_list(
            "pk", "patient_id", "status", "live", "appointment_type__name", "start",
            "location__name", "duration_minutes", "decline_reason", "appointment_id",
            "appointment__start", "appointment__duration_minutes",
        )[:NEWEST_REQUESTS]
    )  # fmt: skip
    labels = dict(AppointmentRequest.Status.choices)
    by_patient = defaultdict(list)
    for pk, patient_id, status, live, type_name, start, place, minutes, reason, *booked in rows:
        if status == AppointmentRequest.Status.PENDING and not live:
            status = AppointmentRequest.Status.EXPIRED
        booked_id, booked_start, booked_minutes = booked
        by_patient[patient_id].append(
            Sent(
                pk=pk,
                status=status,
                status_label=labels[status],
                type_name=type_name,
                when=start,
                location=place,
                duration_minutes=minutes,
                decline_reason=reason,
                booked_when=booked_start if booked_id else None,
                booked_minutes=booked_minutes if booked_id else None,
            )
        )
    return by_patient


def home_families(user, clinic) -> list[Family]:
    """The patients this user acts for (``PortalLink.objects.of_user``, in its order), each
    with their active chart cases, upcoming appointments and, of the 50 newest requests of
    them all, theirs. Four queries whatever the number of patients."""
    links = list(
        PortalLink.objects.of_user(user)
        .select_related("patient")
        .only("relationship", "patient__first_name", "patient__last_name", "patient__date_of_birth")
    )
    if not links:
        return []
    mine = [link.patient_id for link in links]
    care, visits, sent = _care(clinic, mine), _visits(clinic, mine), _sent(clinic, mine)
    return [
        Family(
            patient_pk=link.patient_id,
            patient_name=str(link.patient),
            date_of_birth=link.patient.date_of_birth,
            relationship=link.relationship,
            relationship_label=link.get_relationship_display(),
            chart_cases=care[link.patient_id],
            appointments=visits[link.patient_id],
            requests=sent[link.patient_id],
        )
        for link in links
    ]
