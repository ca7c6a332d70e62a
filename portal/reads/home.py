"""The portal home's reads: the user's links and patients, their active chart cases (and whether
an appointment may be requested for each), visits to come and the 50 newest requests, plus the
clinic's cancellation terms; and the page of past visits. Querysets shaped for the page
(``.values_list()``, ``Exists``), each on an index led by the clinic; the rules are the ones
the request services use: ``AppointmentTypeRule.objects.requestable()``,
``scheduling.services.requests_open_for``, ``AppointmentRequest.objects.live`` and the
cancellation terms' ``CancelTerms``. tests/portal/test_home.py checks what the page shows."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from cases.models import AppointmentTypeRule
from charts.models import PatientChartCase
from core.pagination import UncountedPage
from core.sql import user_name
from insurance.counting import closed_to_requests
from portal.models import PortalLink
from scheduling.hooks import cancel_terms
from scheduling.models import Appointment, AppointmentRequest
from scheduling.services import requests_open_for

NEWEST_REQUESTS = 50


@dataclass
class Visit:
    """A visit to come as the home page shows it, with what the family may do about it."""

    pk: int
    version: int
    patient_name: str
    when: datetime.datetime  # aware: templates show it in the clinic's time zone
    type_name: str
    therapist: str
    location: str
    duration_minutes: int
    status: str
    status_label: str
    may_cancel: bool = False
    # Ask to move: the visit's type may be requested for its case, the case is open to
    # requests, and no move of it is pending already (``moving``).
    may_move: bool = False
    moving: bool = False
    confirmed: bool = False  # the family confirmed it (a reminder's confirm link)

    @property
    def is_cancelled(self) -> bool:
        return self.status in Appointment.CANCELLED


@dataclass
class Sent:
    """A request as the home page shows it. ``status`` is ``expired`` for a pending request
    that is no longer live (``AppointmentRequest.objects.live``): past its time or the
    clinic's lifetime, before ``expire_requests`` has marked it."""

    pk: int
    patient_name: str
    status: str
    status_label: str
    type_name: str
    when: datetime.datetime
    location: str
    duration_minutes: int
    decline_reason: str
    booked_when: datetime.datetime | None
    booked_minutes: int | None
    # A request to move a visit: the visit's time when the page is read.
    move_from: datetime.datetime | None = None

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
    """One patient the user acts for, with their care and the clinic's answers to their
    requests (pending ones and visits are at the top of the page, ``Home``)."""

    patient_pk: int
    patient_name: str
    date_of_birth: datetime.date
    relationship: str
    relationship_label: str
    chart_cases: list[CareCase]
    requests: list[Sent]


@dataclass
class Home:
    """The portal home, in the order a parent on a phone needs it: requests waiting for the
    clinic's answer, then visits to come (each with Cancel and Ask to move, or the clinic's
    phone when it is too late to cancel here), then each patient's care and answered
    requests. Past visits are a page away (``past_visits``)."""

    pending: list[Sent]
    upcoming: list[Visit]
    families: list[Family]
    phone: str


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


def _visits(clinic, mine, names, care, terms) -> list[Visit]:
    """Visits to come (cancelled ones too, marked, so a family sees what it or the clinic
    cancelled), soonest first; what the family may do about each: Cancel when the clinic's
    terms allow it here (``CancelTerms.portal_may_cancel``), Ask to move when its type may be
    requested for an open case (``requestable()``, the home's ``may_request``) and no move
    of it is pending."""
    now = clinic.now()
    requestable = AppointmentTypeRule.objects.requestable().filter(
        clinic_id=OuterRef("clinic_id"),
        case_id=OuterRef("chart_case__case_id"),
        appointment_type_id=OuterRef("appointment_type_id"),
    )
    moving = (
        AppointmentRequest.objects.for_clinic(clinic).pending().filter(move_of_id=OuterRef("pk"))
    )
    rows = (
        Appointment.objects.for_clinic(clinic)
        .filter(patient_id__in=mine, end__gt=now)
        .annotate(requestable=Exists(requestable), moving=Exists(moving))
        .order_by("start", "pk")
        .values_list(
            "pk", "version", "patient_id", "chart_case_id", "start", "status",
            "appointment_type__name", "therapist__first_name", "therapist__last_name",
            "therapist__email", "location__name", "duration_minutes", "requestable", "moving",
            "patient_confirmed_at", named=True,
        )
    )  # fmt: skip
    labels = dict(Appointment.Status.choices)
    visits = []
    for row in rows:
        awaited = Appointment.awaited_at(row.status, row.start, now)
        visits.append(
            Visit(
                pk=row.pk,
                version=row.version,
                patient_name=names[row.patient_id],
                when=row.start,
                type_name=row.appointment_type__name,
                therapist=user_name(
                    row.therapist__first_name, row.therapist__last_name, row.therapist__email
                ),
                location=row.location__name,
                duration_minutes=row.duration_minutes,
                status=row.status,
                status_label=labels[row.status],
                may_cancel=awaited and not terms.is_late(row.start, now),
                confirmed=row.patient_confirmed_at is not None,
                may_move=awaited
                and row.requestable
                and not row.moving
                and care.get(row.chart_case_id, False),
                moving=row.moving,
            )
        )
    return visits


def _sent(clinic, mine, names) -> dict[int, list[Sent]]:
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
            "appointment__start", "appointment__duration_minutes", "move_of__start",
        )[:NEWEST_REQUESTS]
    )  # fmt: skip
    labels = dict(AppointmentRequest.Status.choices)
    by_patient = defaultdict(list)
    for pk, patient_id, status, live, type_name, start, place, minutes, reason, *more in rows:
        if status == AppointmentRequest.Status.PENDING and not live:
            status = AppointmentRequest.Status.EXPIRED
        booked_id, booked_start, booked_minutes, move_from = more
        by_patient[patient_id].append(
            Sent(
                pk=pk,
                patient_name=names[patient_id],
                status=status,
                status_label=labels[status],
                type_name=type_name,
                when=start,
                location=place,
                duration_minutes=minutes,
                decline_reason=reason,
                booked_when=booked_start if booked_id else None,
                booked_minutes=booked_minutes if booked_id else None,
                move_from=move_from,
            )
        )
    return by_patient


def home(user, clinic) -> Home:
    """The home of this user: the patients they act for (``PortalLink.objects.of_user``, in
    its order), their pending requests first (of the 50 newest requests of them all), their
    visits to come, then each patient's active chart cases and answered requests. Five
    queries whatever the number of patients (the fifth: the clinic's cancellation terms,
    ``scheduling.hooks.cancel_terms``)."""
    links = list(
        PortalLink.objects.of_user(user)
        .select_related("patient")
        .only("relationship", "patient__first_name", "patient__last_name", "patient__date_of_birth")
    )
    terms = cancel_terms(clinic.pk)
    if not links:
        return Home(pending=[], upcoming=[], families=[], phone=terms.phone)
    mine = [link.patient_id for link in links]
    names = {link.patient_id: str(link.patient) for link in links}
    care = _care(clinic, mine)
    open_cases = {each.pk: each.may_request for cases in care.values() for each in cases}
    sent = _sent(clinic, mine, names)
    pending = sorted(
        (each for link in links for each in sent[link.patient_id] if each.is_pending),
        key=lambda each: (each.when, each.pk),
    )
    return Home(
        pending=pending,
        upcoming=_visits(clinic, mine, names, open_cases, terms),
        families=[
            Family(
                patient_pk=link.patient_id,
                patient_name=names[link.patient_id],
                date_of_birth=link.patient.date_of_birth,
                relationship=link.relationship,
                relationship_label=link.get_relationship_display(),
                chart_cases=care[link.patient_id],
                requests=[each for each in sent[link.patient_id] if not each.is_pending],
            )
            for link in links
        ],
        phone=terms.phone,
    )


PAST_PER_PAGE = 20


def past_visits(user, clinic, number):
    """A page of the visits of the user's patients that have ended (or were cancelled and
    have passed), newest first, 20 a page without counting (``UncountedPage``): rows named
    ``pk, start, status, patient__first_name, ...``. One query."""
    rows = (
        Appointment.objects.for_clinic(clinic)
        .filter(
            patient_id__in=PortalLink.objects.of_user(user).values("patient_id"),
            end__lte=clinic.now(),
        )
        .order_by("-start", "-pk")
        .values_list(
            "pk", "start", "status", "duration_minutes", "patient__first_name",
            "patient__last_name", "appointment_type__name", "therapist__first_name",
            "therapist__last_name", "therapist__email", "location__name", named=True,
        )
    )  # fmt: skip
    return UncountedPage(rows, PAST_PER_PAGE, number)
