"""Daily notes, evaluations and addenda: drafts, signed once, then corrected only by
addenda."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from charts.models import (
    Addendum,
    DailyNote,
    Evaluation,
    Goal,
    GoalProgress,
    PatientChartCase,
    Reminder,
)
from charts.services.common import (
    _day,
    _lock,
    _record,
    _require_active,
    _require_author,
    _require_unsigned,
    _today,
)
from charts.services.reminders import reminder_schedule_re_evaluation
from core.concurrency import claim_version

CHANGED_BEFORE_SIGNING = (
    "Someone else saved this draft after you opened the signature page, so it was not signed. "
    "Review what is saved now and sign again."
)

# What the audit entry of a note or evaluation reads with it: its chart case and patient.
WITH_CHART = ("chart_case__patient",)


def _note_snapshot(note: DailyNote) -> dict[str, str]:
    snapshot = {
        "Date of service": _day(note.date_of_service),
        "Subjective": note.subjective,
        "Objective": note.objective,
        "Assessment": note.assessment,
        "Plan": note.plan,
    }
    progress = note.goal_progress.select_related("goal").order_by("goal_id")
    for entry in progress:
        words = entry.get_status_display() + (f": {entry.note}" if entry.note else "")
        snapshot[f"Progress on “{str(entry.goal)[:60]}”"] = words
    return snapshot


def _evaluation_snapshot(evaluation: Evaluation) -> dict[str, str]:
    return {
        "Kind": evaluation.get_kind_display(),
        "Date": _day(evaluation.date),
        "Findings": evaluation.findings,
        "Recommendations": evaluation.recommendations,
    }


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
    _record("create", note, by=by, chart_case=chart_case, after=_note_snapshot(note))
    return note


@transaction.atomic
def note_update(
    *,
    note: DailyNote,
    expected_version: int | None,
    date_of_service: datetime.date,
    subjective: str,
    objective: str,
    assessment: str,
    plan: str,
    progress: Iterable[ProgressInput],
    by: User,
) -> DailyNote:
    note = _lock(DailyNote, note.pk, *WITH_CHART)
    _require_active(note.chart_case)
    _require_unsigned(note)
    claim_version(note, expected_version)
    _check_service_date(note, date_of_service, "date_of_service")
    before = _note_snapshot(note)
    note.date_of_service = date_of_service
    note.subjective, note.objective = subjective, objective
    note.assessment, note.plan = assessment, plan
    note.save()
    _set_progress(note, progress, by)
    after = _note_snapshot(note)
    if before != after:
        _record("update", note, by=by, chart_case=note.chart_case, before=before, after=after)
    return note


@transaction.atomic
def note_delete(*, note: DailyNote, by: User) -> None:
    note = _lock(DailyNote, note.pk, *WITH_CHART)
    _require_active(note.chart_case)
    _require_unsigned(note)
    _require_author(note, by, "delete")
    before = _note_snapshot(note)
    _record("delete", note, by=by, chart_case=note.chart_case, before=before)
    note.goal_progress.all().delete()
    note.delete()


def attestation(by: User, at: datetime.datetime, clinic) -> str:
    """The signature line: "Electronically signed by Dana Reyes, CCC-SLP, on Nov 25, 2026 at
    9:14 AM EST" on the clinic's wall clock, with its time zone."""
    name = by.get_full_name() or by.email
    if by.credentials.strip():
        name = f"{name}, {by.credentials.strip()},"
    local = at.astimezone(clinic.tzinfo)
    when = f"{local:%b %-d, %Y} at {local:%-I:%M %p} {local.tzname()}"
    return f"Electronically signed by {name} on {when}"


def _sign(model, document, *, by: User, empty: str, expected_version: int | None = None):
    """The step notes and evaluations share: re-read under a lock, refuse a read-only chart
    case, a signed or an empty document, a document changed since the confirmation page showed
    it (``expected_version``), then stamp the signature."""
    document = _lock(model, document.pk, *WITH_CHART)
    _require_active(document.chart_case)
    _require_unsigned(document)
    _require_author(document, by, "sign")
    if expected_version is not None and document.version != expected_version:
        raise ValidationError(CHANGED_BEFORE_SIGNING)
    if not document.has_content:
        raise ValidationError(empty)
    document.signed_at = timezone.now()
    document.signed_by = by
    document.signature = attestation(by, document.signed_at, document.clinic)
    # The version moves too: an edit screen opened before the signature is stale.
    document.version += 1
    document.save(update_fields=["signed_at", "signed_by", "signature", "version"])
    _record("sign", document, by=by, chart_case=document.chart_case)
    return document


@transaction.atomic
def note_sign(*, note: DailyNote, by: User, expected_version: int | None = None) -> DailyNote:
    """Sign the note; the goals it reports on take the status it gives them, unless a goal
    was closed after the note was written."""
    note = _sign(
        DailyNote,
        note,
        by=by,
        empty="Write the note before signing it: all its sections are empty.",
        expected_version=expected_version,
    )
    for entry in note.goal_progress.select_related("goal"):
        # The note reported on the goals that were active when it was written. A goal closed
        # since then (met, discontinued, ...) keeps that later status and its history.
        if entry.goal.status == Goal.Status.ACTIVE and entry.goal.status != entry.status:
            entry.goal.status = entry.status
            entry.goal.save(update_fields=["status"])
    return note


def previous_signed_note(chart_case: PatientChartCase) -> DailyNote | None:
    """The note a new one may pull forward: the latest signed note of this chart case only."""
    return chart_case.daily_notes.signed().order_by("-date_of_service", "-signed_at").first()


@transaction.atomic
def evaluation_create(
    *,
    chart_case: PatientChartCase,
    kind: str,
    date: datetime.date,
    findings: str,
    recommendations: str,
    by: User,
    reminder: Reminder | None = None,
) -> Evaluation:
    """``reminder``: the chart case's re-evaluation reminder the evaluation was opened from
    (signing it moves that reminder)."""
    _require_active(chart_case)
    _check_service_date(chart_case, date, "date")
    if reminder is not None and reminder.chart_case_id != chart_case.pk:
        raise ValidationError("That reminder is of another chart case.")
    evaluation = Evaluation.objects.create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        kind=kind,
        date=date,
        findings=findings,
        recommendations=recommendations,
        author=by,
        reminder=reminder,
    )
    _record(
        "create", evaluation, by=by, chart_case=chart_case, after=_evaluation_snapshot(evaluation)
    )
    return evaluation


@transaction.atomic
def evaluation_update(
    *,
    evaluation: Evaluation,
    expected_version: int | None,
    kind: str,
    date: datetime.date,
    findings: str,
    recommendations: str,
    by: User,
) -> Evaluation:
    evaluation = _lock(Evaluation, evaluation.pk, *WITH_CHART)
    _require_active(evaluation.chart_case)
    _require_unsigned(evaluation)
    claim_version(evaluation, expected_version)
    _check_service_date(evaluation, date, "date")
    before = _evaluation_snapshot(evaluation)
    evaluation.kind, evaluation.date = kind, date
    evaluation.findings, evaluation.recommendations = findings, recommendations
    evaluation.save()
    after = _evaluation_snapshot(evaluation)
    if before != after:
        _record(
            "update",
            evaluation,
            by=by,
            chart_case=evaluation.chart_case,
            before=before,
            after=after,
        )
    return evaluation


@transaction.atomic
def evaluation_delete(*, evaluation: Evaluation, by: User) -> None:
    evaluation = _lock(Evaluation, evaluation.pk, *WITH_CHART)
    _require_active(evaluation.chart_case)
    _require_unsigned(evaluation)
    _require_author(evaluation, by, "delete")
    _record(
        "delete",
        evaluation,
        by=by,
        chart_case=evaluation.chart_case,
        before=_evaluation_snapshot(evaluation),
    )
    evaluation.delete()


@transaction.atomic
def evaluation_sign(
    *, evaluation: Evaluation, by: User, expected_version: int | None = None
) -> Evaluation:
    """Sign; the chart case's re-evaluation reminder moves to the new due date."""
    evaluation = _sign(
        Evaluation,
        evaluation,
        by=by,
        empty="Write the findings or recommendations before signing.",
        expected_version=expected_version,
    )
    chart_case = evaluation.chart_case
    if evaluation.kind != Evaluation.Kind.DISCHARGE:
        reminder_schedule_re_evaluation(chart_case=chart_case, by=by, moving=evaluation.reminder)
    return evaluation


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
    _record(
        "addendum",
        document,
        by=by,
        chart_case=document.chart_case,
        after={"Addendum": addendum.text},
    )
    return addendum


@transaction.atomic
def document_discard(*, document: DailyNote | Evaluation, reason: str, by: User) -> None:
    """An administrator deletes a draft its author abandoned (left the clinic, never
    finished), saying why; the reason stays in the audit trail, the draft does not."""
    document = _lock(type(document), document.pk, *WITH_CHART)
    _require_active(document.chart_case)
    _require_unsigned(document)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say why this draft is deleted."})
    chart_case = document.chart_case
    snapshot = _note_snapshot if isinstance(document, DailyNote) else _evaluation_snapshot
    _record(
        "discard",
        document,
        by=by,
        chart_case=chart_case,
        before=snapshot(document),
        details=f"Draft by {document.author} deleted. Reason: {reason}",
    )
    if isinstance(document, DailyNote):
        document.goal_progress.all().delete()
    document.delete()
