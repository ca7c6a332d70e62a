"""Writes to patients, their chart cases and each chart case's documentation.

Each function is one transaction. A discharged chart case is read-only; a signed note or
evaluation is never changed in place (only addenda are added).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from accounts.models import User
from cases.models import PatientCase
from charts.models import (
    Addendum,
    ChartCaseEvent,
    DailyNote,
    Evaluation,
    Goal,
    GoalProgress,
    Patient,
    PatientChartCase,
    Reminder,
)
from clinic.models import Clinic

READ_ONLY = "This case was discharged: its chart is read-only. Reopen it to make changes."
SIGNED = "This document is signed and can no longer be changed. Add an addendum instead."


def _today(row) -> datetime.date:
    """Today in the time zone of the row's clinic, never the process's: outside a request
    (a management command, the worker, the shell) that is UTC, a day ahead of an American
    clinic every evening."""
    return row.clinic.today()


def _event(chart_case: PatientChartCase, action: str, by: User, details: str = "") -> None:
    ChartCaseEvent.objects.create(
        clinic_id=chart_case.clinic_id, chart_case=chart_case, action=action, by=by, details=details
    )


def _require_active(chart_case: PatientChartCase) -> None:
    if not chart_case.is_active:
        raise ValidationError(READ_ONLY)


def _require_unsigned(document) -> None:
    if document.is_signed:
        raise ValidationError(SIGNED)


def _lock(model, pk):
    """Re-read a row under a lock, so two requests cannot both act on the state they saw."""
    return model.objects.select_for_update().get(pk=pk)


# Patients ---------------------------------------------------------------------------------


@transaction.atomic
def patient_create(
    *, clinic: Clinic, first_name: str, last_name: str, date_of_birth: datetime.date
) -> Patient:
    return Patient.objects.create(
        clinic=clinic, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
    )


@transaction.atomic
def patient_update(
    *, patient: Patient, first_name: str, last_name: str, date_of_birth: datetime.date
) -> Patient:
    patient.first_name = first_name
    patient.last_name = last_name
    patient.date_of_birth = date_of_birth
    patient.save(update_fields=["first_name", "last_name", "date_of_birth"])
    return patient


# Chart cases ------------------------------------------------------------------------------


def cases_addable(*, patient: Patient, by: User):
    """The clinic's cases a therapist may add to this chart: not archived, sharing one of
    their service types, not already active on it."""
    # One subquery, not ``exclude(chart_cases__patient=..., chart_cases__status=...)``: on a
    # multi-valued relation those two conditions may match different chart cases, which hid a
    # case discharged here whenever it was active on any other patient's chart.
    active_here = PatientChartCase.objects.filter(
        clinic_id=patient.clinic_id,
        patient=patient,
        case=OuterRef("pk"),
        status=PatientChartCase.Status.ACTIVE,
    )
    return (
        PatientCase.objects.for_clinic(patient.clinic_id)
        .pickable()
        .filter(service_types__in=by.service_types.filter(is_active=True))
        .exclude(Exists(active_here))
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def chart_case_add(
    *, patient: Patient, case: PatientCase, started_on: datetime.date, by: User
) -> PatientChartCase:
    if case.is_archived:
        raise ValidationError({"case": f"“{case.name}” is archived and cannot be added."})
    if not cases_addable(patient=patient, by=by).filter(pk=case.pk).exists():
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
    _event(chart_case, "Case added to the chart", by, f"Started on {started_on:%b %-d, %Y}.")
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


# Goals ------------------------------------------------------------------------------------


def _goal_set_status(goal: Goal, status: str, *, by: User, on: datetime.date, note: str = ""):
    GoalProgress.objects.create(
        clinic_id=goal.clinic_id, goal=goal, date=on, status=status, note=note, author=by
    )
    goal.status = status
    goal.save(update_fields=["status"])


@transaction.atomic
def goal_create(
    *,
    chart_case: PatientChartCase,
    kind: str,
    parent: Goal | None,
    text: str,
    start_date: datetime.date,
    target_date: datetime.date,
    by: User,
) -> Goal:
    _require_active(chart_case)
    if parent is not None and (
        parent.chart_case_id != chart_case.pk or kind != Goal.Kind.SHORT_TERM
    ):
        raise ValidationError({"parent": "Only a short-term goal can belong to a long-term goal."})
    if target_date < start_date:
        raise ValidationError({"target_date": "The target date cannot be before the start."})
    return Goal.objects.create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        kind=kind,
        parent=parent,
        text=text,
        start_date=start_date,
        target_date=target_date,
        created_by=by,
    )


@transaction.atomic
def goal_update(
    *, goal: Goal, text: str, target_date: datetime.date, status: str, note: str, by: User
) -> Goal:
    goal = _lock(Goal, goal.pk)
    _require_active(goal.chart_case)
    if target_date < goal.start_date:
        raise ValidationError({"target_date": "The target date cannot be before the start."})
    goal.text = text
    goal.target_date = target_date
    goal.save(update_fields=["text", "target_date"])
    if status != goal.status:
        _goal_set_status(goal, status, by=by, on=_today(goal), note=note)
    return goal


# Daily notes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressInput:
    goal: Goal
    status: str
    note: str


def _check_service_date(row, value: datetime.date, field: str) -> None:
    if value > _today(row):
        raise ValidationError({field: "The date cannot be in the future."})


def _set_progress(note: DailyNote, progress: Iterable[ProgressInput], by: User) -> None:
    note.goal_progress.all().delete()
    GoalProgress.objects.bulk_create(
        GoalProgress(
            clinic_id=note.clinic_id,
            goal=entry.goal,
            daily_note=note,
            date=note.date_of_service,
            status=entry.status,
            note=entry.note,
            author=by,
        )
        for entry in progress
        if entry.note.strip() or entry.status != entry.goal.status
    )


@transaction.atomic
def note_create(
    *,
    chart_case: PatientChartCase,
    date_of_service: datetime.date,
    subjective: str,
    objective: str,
    assessment: str,
    plan: str,
    progress: Iterable[ProgressInput],
    by: User,
) -> DailyNote:
    _require_active(chart_case)
    _check_service_date(chart_case, date_of_service, "date_of_service")
    note = DailyNote.objects.create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        date_of_service=date_of_service,
        subjective=subjective,
        objective=objective,
        assessment=assessment,
        plan=plan,
        author=by,
    )
    _set_progress(note, progress, by)
    return note


@transaction.atomic
def note_update(
    *,
    note: DailyNote,
    date_of_service: datetime.date,
    subjective: str,
    objective: str,
    assessment: str,
    plan: str,
    progress: Iterable[ProgressInput],
    by: User,
) -> DailyNote:
    note = _lock(DailyNote, note.pk)
    _require_active(note.chart_case)
    _require_unsigned(note)
    _check_service_date(note, date_of_service, "date_of_service")
    note.date_of_service = date_of_service
    note.subjective, note.objective = subjective, objective
    note.assessment, note.plan = assessment, plan
    note.save()
    _set_progress(note, progress, by)
    return note


@transaction.atomic
def note_delete(*, note: DailyNote, by: User) -> None:
    note = _lock(DailyNote, note.pk)
    _require_active(note.chart_case)
    _require_unsigned(note)
    note.goal_progress.all().delete()
    note.delete()


@transaction.atomic
def note_sign(*, note: DailyNote, by: User) -> DailyNote:
    """Sign the note; the goals it reports on take the status it gives them, unless a goal
    was closed after the note was written."""
    note = _lock(DailyNote, note.pk)
    _require_active(note.chart_case)
    _require_unsigned(note)
    if not note.has_content:
        raise ValidationError("Write the note before signing it: all its sections are empty.")
    note.signed_at = timezone.now()
    note.signed_by = by
    note.save(update_fields=["signed_at", "signed_by"])
    for entry in note.goal_progress.select_related("goal"):
        # The note reported on the goals that were active when it was written. A goal closed
        # since then (met, discontinued, ...) keeps that later status and its history.
        if entry.goal.status == Goal.Status.ACTIVE and entry.goal.status != entry.status:
            entry.goal.status = entry.status
            entry.goal.save(update_fields=["status"])
    _event(note.chart_case, "Daily note signed", by, str(note))
    return note


def previous_signed_note(chart_case: PatientChartCase) -> DailyNote | None:
    """The note a new one may pull forward: the latest signed note of this chart case only."""
    return chart_case.daily_notes.signed().order_by("-date_of_service", "-signed_at").first()


# Evaluations ------------------------------------------------------------------------------


@transaction.atomic
def evaluation_create(
    *,
    chart_case: PatientChartCase,
    kind: str,
    date: datetime.date,
    findings: str,
    recommendations: str,
    by: User,
) -> Evaluation:
    _require_active(chart_case)
    _check_service_date(chart_case, date, "date")
    return Evaluation.objects.create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        kind=kind,
        date=date,
        findings=findings,
        recommendations=recommendations,
        author=by,
    )


@transaction.atomic
def evaluation_update(
    *,
    evaluation: Evaluation,
    kind: str,
    date: datetime.date,
    findings: str,
    recommendations: str,
    by: User,
) -> Evaluation:
    evaluation = _lock(Evaluation, evaluation.pk)
    _require_active(evaluation.chart_case)
    _require_unsigned(evaluation)
    _check_service_date(evaluation, date, "date")
    evaluation.kind, evaluation.date = kind, date
    evaluation.findings, evaluation.recommendations = findings, recommendations
    evaluation.save()
    return evaluation


@transaction.atomic
def evaluation_delete(*, evaluation: Evaluation, by: User) -> None:
    evaluation = _lock(Evaluation, evaluation.pk)
    _require_active(evaluation.chart_case)
    _require_unsigned(evaluation)
    evaluation.delete()


@transaction.atomic
def evaluation_sign(*, evaluation: Evaluation, by: User) -> Evaluation:
    """Sign; the chart case's re-evaluation reminder moves to the new due date."""
    evaluation = _lock(Evaluation, evaluation.pk)
    chart_case = evaluation.chart_case
    _require_active(chart_case)
    _require_unsigned(evaluation)
    if not evaluation.has_content:
        raise ValidationError("Write the findings or recommendations before signing.")
    evaluation.signed_at = timezone.now()
    evaluation.signed_by = by
    evaluation.save(update_fields=["signed_at", "signed_by"])
    _event(chart_case, "Evaluation signed", by, str(evaluation))
    if evaluation.kind != Evaluation.Kind.DISCHARGE:
        reminder_schedule_re_evaluation(chart_case=chart_case, by=by)
    return evaluation


# Addenda ----------------------------------------------------------------------------------


@transaction.atomic
def addendum_add(*, document: DailyNote | Evaluation, text: str, by: User) -> Addendum:
    _require_active(document.chart_case)
    if not document.is_signed:
        raise ValidationError("Edit the document itself: addenda are for signed documents.")
    if document.author_id != by.pk:
        raise ValidationError("Only the author of a signed document can add an addendum to it.")
    if not text.strip():
        raise ValidationError({"text": "Write the addendum."})
    field = "daily_note" if isinstance(document, DailyNote) else "evaluation"
    addendum = Addendum.objects.create(
        clinic_id=document.clinic_id, text=text.strip(), author=by, **{field: document}
    )
    _event(document.chart_case, "Addendum added", by, f"To the {document}.")
    return addendum


# Reminders --------------------------------------------------------------------------------


@transaction.atomic
def reminder_create(
    *, chart_case: PatientChartCase, text: str, due_on: datetime.date, by: User
) -> Reminder:
    _require_active(chart_case)
    return Reminder.objects.create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        text=text,
        due_on=due_on,
        created_by=by,
    )


@transaction.atomic
def reminder_done(*, reminder: Reminder, by: User) -> Reminder:
    reminder = _lock(Reminder, reminder.pk)
    if reminder.done_at is None:
        reminder.done_at = timezone.now()
        reminder.done_by = by
        reminder.save(update_fields=["done_at", "done_by"])
    return reminder


def reminder_schedule_re_evaluation(*, chart_case: PatientChartCase, by: User) -> Reminder | None:
    """Keep one open re-evaluation reminder, due the clinic's interval after the last signed
    (initial or re-) evaluation."""
    last = (
        chart_case.evaluations.signed()
        .exclude(kind=Evaluation.Kind.DISCHARGE)
        .order_by("-date", "-signed_at")
        .first()
    )
    open_reminders = chart_case.reminders.open().filter(kind=Reminder.Kind.RE_EVALUATION)
    if last is None:
        return None
    days = chart_case.clinic.re_evaluation_interval_days
    due_on = last.date + datetime.timedelta(days=days)
    open_reminders.exclude(due_on=due_on).update(done_at=timezone.now(), done_by=by)
    reminder, _ = Reminder.objects.get_or_create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        kind=Reminder.Kind.RE_EVALUATION,
        due_on=due_on,
        done_at=None,
        defaults={"text": "Re-evaluation due", "created_by": by},
    )
    return reminder
