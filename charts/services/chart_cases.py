"""Chart cases: add, discharge, reopen."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from accounts.models import User
from cases.models import PatientCase
from charts.models import (
    Evaluation,
    Goal,
    Patient,
    PatientChartCase,
)
from charts.services.common import (
    _event,
    _lock,
    _require_active,
    _today,
)
from charts.services.goals import _goal_set_status
from core.roles import ADMINISTRATOR, SCHEDULER, has_role


def cases_addable(*, patient: Patient, by: User, booking: bool = False):
    """The clinic's cases a therapist may add to this chart: not archived, sharing one of
    their service types, not already active on it. When booking (administrators and
    schedulers, who have no service types), any case that is not archived nor active on it."""
    # One subquery, not ``exclude(chart_cases__patient=..., chart_cases__status=...)``: on a
    # multi-valued relation those two conditions may match different chart cases, which hid a
    # case discharged here whenever it was active on any other patient's chart.
    active_here = PatientChartCase.objects.filter(
        clinic_id=patient.clinic_id,
        patient=patient,
        case=OuterRef("pk"),
        status=PatientChartCase.Status.ACTIVE,
    )
    cases = PatientCase.objects.for_clinic(patient.clinic_id).pickable()
    if not booking:
        cases = cases.filter(service_types__in=by.service_types.filter(is_active=True))
    return cases.exclude(Exists(active_here)).distinct().order_by("name")


@transaction.atomic
def chart_case_add(
    *,
    patient: Patient,
    case: PatientCase,
    started_on: datetime.date,
    by: User,
    booking: bool = False,
) -> PatientChartCase:
    """Put a case on a patient's chart. Therapists add cases of their service types from the
    chart; ``booking=True`` is the front desk (an administrator or scheduler) giving the
    patient the case an appointment is booked for, in the booking's transaction (the caller
    checks the case suits the therapist)."""
    if booking and not has_role(by, ADMINISTRATOR, SCHEDULER):
        raise PermissionDenied
    if case.is_archived:
        raise ValidationError({"case": f"“{case.name}” is archived and cannot be added."})
    if not cases_addable(patient=patient, by=by, booking=booking).filter(pk=case.pk).exists():
        if PatientChartCase.objects.filter(patient=patient, case=case).active().exists():
            raise ValidationError({"case": f"“{case.name}” is already active on this chart."})
        raise ValidationError({"case": f"“{case.name}” is not one of your service types' cases."})
    try:
        with transaction.atomic():
            chart_case = PatientChartCase.objects.create(
                clinic_id=patient.clinic_id, patient=patient, case=case, started_on=started_on
            )
    except IntegrityError as error:
        raise ValidationError(
            {"case": f"“{case.name}” is already active on this chart."}
        ) from error
    first_time = not (
        PatientChartCase.objects.filter(patient=patient, case=case).exclude(pk=chart_case.pk)
    ).exists()
    if first_time:
        PatientCase.objects.filter(pk=case.pk).update(patient_count=F("patient_count") + 1)
    details = f"Started on {started_on:%b %-d, %Y}."
    if booking:
        details += " Added when booking an appointment."
    _event(chart_case, "Case added to the chart", by, details)
    return chart_case


@transaction.atomic
def chart_case_discharge(
    *,
    chart_case: PatientChartCase,
    discharged_on: datetime.date,
    discharge_evaluation: Evaluation | None,
    by: User,
) -> PatientChartCase:
    chart_case = _lock(PatientChartCase, chart_case.pk)
    _require_active(chart_case)
    if discharged_on < chart_case.started_on:
        raise ValidationError(
            {"discharged_on": "The discharge date cannot be before the case started."}
        )
    if discharged_on > _today(chart_case):
        raise ValidationError({"discharged_on": "The discharge date cannot be in the future."})
    closed = 0
    for goal in chart_case.goals.filter(status=Goal.Status.ACTIVE):
        _goal_set_status(
            goal,
            Goal.Status.DISCONTINUED,
            by=by,
            on=discharged_on,
            note="Closed with the discharge.",
        )
        closed += 1
    chart_case.status = PatientChartCase.Status.DISCHARGED
    chart_case.discharged_on = discharged_on
    chart_case.discharge_evaluation = discharge_evaluation
    chart_case.save(update_fields=["status", "discharged_on", "discharge_evaluation"])
    details = f"Discharged on {discharged_on:%b %-d, %Y}; {closed} active goal(s) closed."
    if discharge_evaluation:
        details += f" Discharge evaluation: {discharge_evaluation}."
    _event(chart_case, "Discharged", by, details)
    return chart_case


@transaction.atomic
def chart_case_reopen(*, chart_case: PatientChartCase, reason: str, by: User) -> PatientChartCase:
    chart_case = _lock(PatientChartCase, chart_case.pk)
    if chart_case.is_active:
        raise ValidationError("This case is already open.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is reopened."})
    chart_case.status = PatientChartCase.Status.ACTIVE
    chart_case.discharged_on = None
    chart_case.discharge_evaluation = None
    try:
        with transaction.atomic():
            chart_case.save(update_fields=["status", "discharged_on", "discharge_evaluation"])
    except IntegrityError as error:
        raise ValidationError(
            "The same case is already active on this chart again; it cannot be reopened twice."
        ) from error
    _event(chart_case, "Reopened", by, reason.strip())
    return chart_case
