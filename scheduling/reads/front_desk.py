"""The front desk's part of the patient page: who may be called and who uses the portal, the
patient's upcoming and recent visits, pending requests, and the open chart cases with what
each allows. Each list is one query through the model's own ``visible_to`` (a therapist sees
their own visits only, and no requests or portal users)."""

from accounts.models import User
from cases.models import AppointmentTypeRule
from charts.models import Patient, PatientChartCase
from core.roles import ADMINISTRATOR, SCHEDULER, has_role
from scheduling.models import Appointment, AppointmentRequest

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
    AppointmentTypeRule.objects.attach_requestable([cc.case for cc in chart_cases])
    desk["chart_cases"] = chart_cases
    return desk
