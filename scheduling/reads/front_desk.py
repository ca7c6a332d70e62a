"""The front desk's part of the patient page: who may be called and who uses the portal, the
patient's upcoming and recent visits, pending requests, and the open chart cases with what
each allows. Each list is one query through the model's own ``visible_to`` (a therapist sees
their own visits only, and no requests or portal users)."""

import datetime

from accounts.models import User
from cases.models import AppointmentTypeRule
from charts.models import Patient, PatientChartCase
from core.roles import ADMINISTRATOR, SCHEDULER, has_role
from scheduling import slots
from scheduling.models import Appointment, AppointmentRequest
from scheduling.reads.availability import bookable_slots

UPCOMING = 10
RECENT = 5


def patient_desk(patient: Patient, user: User) -> dict:
    """Seven queries for the front desk, four for a therapist, whatever the patient's history."""
    now = user.clinic.now()
    visits = Appointment.objects.visible_to(user).filter(patient=patient).for_display()
    desk = {
        "front_desk": has_role(user, ADMINISTRATOR, SCHEDULER),
        "upcoming": list(visits.filter(start__gte=now).order_by("start", "pk")[:UPCOMING]),
        "recent": list(visits.filter(start__lt=now).order_by("-start", "-pk")[:RECENT]),
        "requests": [],
        "portal_users": [],
        "chart_cases": [],
    }
    if not desk["front_desk"]:
        return desk
    desk["requests"] = list(
        AppointmentRequest.objects.visible_to(user)
        .pending()
        .filter(patient=patient)
        .for_display()
        .order_by("start", "pk")
    )
    # Portal links belong to the portal app above this one: named, not imported.
    desk["portal_users"] = list(
        User.objects.for_clinic(patient.clinic_id)
        .filter(portal_links__patient=patient, is_active=True)
        .values("first_name", "last_name", "email", "portal_links__relationship")
        .order_by("last_name", "first_name", "pk")
    )
    chart_cases = list(
        PatientChartCase.objects.for_clinic(patient.clinic_id)
        .filter(patient=patient, case__is_archived=False)
        .active()
        .select_related("case")
        .order_by("case__name", "pk")
    )
    # What each case lets families request: ``requestable()``, one query for every case.
    allowed = {cc.case_id: [] for cc in chart_cases}
    rows = (
        AppointmentTypeRule.objects.for_clinic(patient.clinic_id)
        .filter(case_id__in=list(allowed))
        .requestable()
        .order_by("appointment_type__name", "pk")
        .values_list("case_id", "appointment_type__name", "duration_minutes")
    )
    for case_id, type_name, minutes in rows:
        allowed[case_id].append((type_name, minutes))
    for chart_case in chart_cases:
        chart_case.case.requestable = allowed[chart_case.case_id]
    desk["chart_cases"] = chart_cases
    return desk


def day_to_move(therapist: User, day, now) -> list[tuple[Appointment, list[User]]]:
    """A therapist's scheduled visits of ``day`` (the clinic's wall clock), each with the
    other therapists who may take its case and are free at its very time (``bookable_slots``
    over that day, one call per location and length; the patient is not counted busy: the
    visit being moved is theirs)."""
    tz = therapist.clinic.tzinfo
    first, last = slots.day_bounds(day, tz)
    visits = list(
        Appointment.objects.for_clinic(therapist.clinic_id)
        .filter(therapist=therapist, status=Appointment.Status.SCHEDULED)
        .filter(start__gte=max(first, now), start__lt=last)
        .for_display()
        .order_by("start", "pk")
    )
    takers = {}
    for visit in visits:
        if visit.chart_case.case_id not in takers:
            takers[visit.chart_case.case_id] = [
                t for t in User.objects.who_may_take(visit.chart_case.case) if t.pk != therapist.pk
            ]
    free: dict[tuple, dict[int, set]] = {}
    for visit in visits:
        key = (visit.location_id, visit.duration_minutes)
        if key in free:
            continue
        ids = sorted({t.pk for v in visits for t in takers[v.chart_case.case_id]})
        starts = bookable_slots(
            location=visit.location,
            therapist_ids=ids,
            patient_id=None,
            duration=datetime.timedelta(minutes=visit.duration_minutes),
            now=now,
            notice=max(first - now, datetime.timedelta(0)),
            horizon=last - now,
            step=datetime.timedelta(minutes=5),
        )
        free[key] = {pk: set(found) for pk, found in starts.items()}
    return [
        (
            visit,
            [
                t
                for t in takers[visit.chart_case.case_id]
                if visit.start in free[(visit.location_id, visit.duration_minutes)].get(t.pk, ())
            ],
        )
        for visit in visits
    ]
