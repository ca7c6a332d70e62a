"""Chart cases: add, discharge, reopen."""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from cases.models import PatientCase
from charts.models import (
    Evaluation,
    Goal,
    GoalProgress,
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
    # Lock the case (and read it again): deleted or archived since the form was shown is a
    # clear refusal here, not a foreign-key failure at COMMIT; its delete waits for us.
    locked = PatientCase.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise ValidationError({"case": f"“{case.name}” was deleted by someone else a moment ago."})
    case = locked
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


def unsigned_documents(chart_case: PatientChartCase) -> list:
    """The chart case's notes and evaluations still waiting for a signature, oldest first."""
    notes = chart_case.daily_notes.unsigned().select_related("author")
    evaluations = chart_case.evaluations.unsigned().select_related("author")
    documents = [(note.date_of_service, "notes", note) for note in notes]
    documents += [(evaluation.date, "evaluations", evaluation) for evaluation in evaluations]
    documents.sort(key=lambda row: (row[0], row[2].pk))
    return [(kind, document) for _, kind, document in documents]


def _require_all_signed(chart_case: PatientChartCase) -> None:
    """A discharge freezes the chart case: a draft left on it could never be signed, edited or
    deleted again, so every one must be signed or deleted first."""
    count = chart_case.daily_notes.unsigned().count() + chart_case.evaluations.unsigned().count()
    if count:
        raise ValidationError(
            ngettext(
                "%(count)d document is not signed yet: sign or delete it before the discharge.",
                "%(count)d documents are not signed yet: sign or delete each one before the "
                "discharge.",
                count,
            )
            % {"count": count}
        )


@transaction.atomic
def chart_case_discharge(
    *,
    chart_case: PatientChartCase,
    discharged_on: datetime.date,
    discharge_evaluation: Evaluation | None = None,
    goal_statuses: Mapping[int, str] | None = None,
    by: User,
) -> PatientChartCase:
    """Discharge: every active goal is closed (with the status ``goal_statuses`` gives it by
    goal id, else Discontinued) and every open reminder closed with the reason "discharged"."""
    chart_case = _lock(PatientChartCase, chart_case.pk, "patient")
    _require_active(chart_case)
    if discharged_on < chart_case.started_on:
        raise ValidationError(
            {"discharged_on": "The discharge date cannot be before the case started."}
        )
    if discharged_on > _today(chart_case):
        raise ValidationError({"discharged_on": "The discharge date cannot be in the future."})
    _require_all_signed(chart_case)
    goal_statuses = goal_statuses or {}
    closed = 0
    for goal in chart_case.goals.filter(status=Goal.Status.ACTIVE):
        status = goal_statuses.get(goal.pk, Goal.Status.DISCONTINUED)
        if status == Goal.Status.ACTIVE:
            status = Goal.Status.DISCONTINUED
        _goal_set_status(
            goal,
            status,
            by=by,
            on=discharged_on,
            note="Closed with the discharge.",
            at_discharge=True,
        )
        closed += 1
    reminders_closed = chart_case.reminders.open().update(
        done_at=timezone.now(), done_by=by, closed_reason="discharged"
    )
    chart_case.status = PatientChartCase.Status.DISCHARGED
    chart_case.discharged_on = discharged_on
    chart_case.discharge_evaluation = discharge_evaluation
    chart_case.save(update_fields=["status", "discharged_on", "discharge_evaluation"])
    details = f"Discharged on {discharged_on:%b %-d, %Y}; {_count(closed, 'active goal')} closed"
    details += f", {_count(reminders_closed, 'open reminder')} closed."
    if discharge_evaluation:
        details += f" Discharge evaluation: {discharge_evaluation}."
    _event(chart_case, "Discharged", by, details, changes=[["Status", "Active", "Discharged"]])
    return chart_case


def _count(number: int, noun: str) -> str:
    return f"{number} {ngettext(noun, noun + 's', number)}"


def goals_closed_by_discharge(chart_case: PatientChartCase):
    """The goals the last discharge closed and nothing reopened since: those whose latest
    progress entry is the discharge's."""
    latest = GoalProgress.objects.filter(goal=OuterRef("pk")).order_by("-date", "-pk")
    return (
        chart_case.goals.exclude(status=Goal.Status.ACTIVE)
        .annotate(closed_at_discharge=Subquery(latest.values("at_discharge")[:1]))
        .filter(closed_at_discharge=True)
        .order_by("kind", "start_date", "pk")
    )


@transaction.atomic
def chart_case_reopen(
    *,
    chart_case: PatientChartCase,
    reason: str,
    restore_goals: Iterable[Goal] = (),
    by: User,
) -> PatientChartCase:
    """Reopen; each goal of ``restore_goals`` (goals the discharge closed) becomes active again
    with a progress entry."""
    chart_case = _lock(PatientChartCase, chart_case.pk, "patient")
    if chart_case.is_active:
        raise ValidationError("This case is already open.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is reopened."})
    restore_goals = list(restore_goals)
    closed = set(goals_closed_by_discharge(chart_case).values_list("pk", flat=True))
    for goal in restore_goals:
        if goal.pk not in closed:
            raise ValidationError(
                {"restore_goals": f"“{goal}” is not a goal this case's discharge closed."}
            )
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
    today = _today(chart_case)
    for goal in restore_goals:
        _goal_set_status(
            _lock(Goal, goal.pk),
            Goal.Status.ACTIVE,
            by=by,
            on=today,
            note="Reactivated on reopening.",
        )
    details = reason.strip()
    if restore_goals:
        details += f" ({_count(len(restore_goals), 'goal')} reactivated.)"
    _event(chart_case, "Reopened", by, details, changes=[["Status", "Discharged", "Active"]])
    return chart_case
