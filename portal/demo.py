"""The demo portal user: a parent of two demo patients (used by ``load_demo``), and their
appointment requests: one pending, one approved, one declined, one expired. The clinic takes
requests; Treatment may be requested for Speech Therapy (45 minutes)."""

import datetime

from django.contrib.auth.models import Group

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from cases.models import AppointmentTypeRule, PatientCase
from charts.models import Patient, PatientChartCase
from clinic.models import AppointmentType, Clinic
from core.roles import PATIENT
from portal.models import PortalLink
from scheduling import services
from scheduling.models import AppointmentRequest, Location

EMAIL = "parent@demo.clinic"
# (first name, last name of the patient, relationship)
CHILDREN = [("Liam", "Carter", "parent"), ("Noah", "Patel", "guardian")]


def load(clinic: Clinic) -> list[tuple[str, list[str]]]:
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=EMAIL, password=DEMO_PASSWORD, first_name="Paula", last_name="Parent"
        )
    user.clinic = clinic
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.set(Group.objects.filter(name=PATIENT))
    for first, last, relationship in CHILDREN:
        patient = Patient.objects.get(clinic=clinic, first_name=first, last_name=last)
        PortalLink.objects.update_or_create(
            clinic=clinic, user=user, patient=patient, defaults={"relationship": relationship}
        )
    _requests(clinic, user)
    return [(EMAIL, [f"{PATIENT} (portal: Liam Carter, Noah Patel)"])]


def _requests(clinic: Clinic, user: User) -> None:
    treatment, speech = _allow_requests(clinic)
    chart_case = (
        PatientChartCase.objects.filter(
            clinic=clinic, patient__first_name="Liam", patient__last_name="Carter", case=speech
        )
        .active()
        .select_related("case", "patient", "clinic")
        .first()
    )
    if chart_case is None or AppointmentRequest.objects.filter(clinic=clinic).exists():
        return
    location = Location.objects.for_clinic(clinic.pk).available_for_requests().first()
    chosen = _spread_out_slots(chart_case, location)
    if len(chosen) < 3:
        return
    _make_requests(clinic, user, chart_case, treatment, location, chosen[:3])


def _allow_requests(clinic: Clinic) -> tuple[AppointmentType, PatientCase]:
    """The clinic takes requests, and Treatment may be requested for Speech Therapy."""
    clinic.requests_enabled = True
    clinic.save(update_fields=["requests_enabled"])
    treatment = AppointmentType.objects.get(clinic=clinic, name="Treatment")
    speech = PatientCase.objects.get(clinic=clinic, name="Speech Therapy")
    AppointmentTypeRule.objects.update_or_create(
        clinic=clinic,
        case=speech,
        appointment_type=treatment,
        defaults={"allow_requests": True, "duration_minutes": 45},
    )
    return treatment, speech


def _spread_out_slots(chart_case: PatientChartCase, location: Location) -> list:
    therapists = [t.pk for t in services.case_therapists(chart_case)]
    free = services.request_slots(
        chart_case=chart_case, location=location, duration_minutes=45, therapist_ids=therapists
    )
    starts = sorted({start for each in free.values() for start in each})
    # A few days apart, at least: each a different morning or afternoon.
    chosen, last = [], None
    for start in starts:
        if last is None or start - last >= datetime.timedelta(days=2):
            chosen.append(start)
            last = start
    return chosen


def _make_requests(clinic, user, chart_case, treatment, location, starts) -> None:
    """One request pending, one approved, one declined, and one expired."""
    scheduler = User.objects.get(email="scheduler@demo.clinic")
    made = [
        services.request_create(
            chart_case=chart_case,
            appointment_type=treatment,
            location=location,
            start=start,
            by=user,
            note=note,
        )
        for start, note in zip(
            starts,
            ["Mornings are best for Liam.", "After school, please.", ""],
            strict=True,
        )
    ]
    services.request_approve(request=made[1], by=scheduler)
    services.request_decline(
        request=made[2],
        by=scheduler,
        reason="The therapist is at a training that day. Please choose another time.",
    )
    # One that nobody answered in time: asked for last week, now expired.
    expired = AppointmentRequest.objects.create(
        clinic=clinic,
        chart_case=chart_case,
        patient=chart_case.patient,
        appointment_type=treatment,
        location=location,
        therapist_id=made[0].therapist_id,
        start=made[0].start - datetime.timedelta(days=14),
        duration_minutes=45,
        status=AppointmentRequest.Status.EXPIRED,
        created_by=user,
    )
    AppointmentRequest.objects.filter(pk=expired.pk).update(
        created_at=expired.start - datetime.timedelta(days=3)
    )
