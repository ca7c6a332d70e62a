"""A chart case's diagnoses and plan of care, and the discharge summary."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from charts.models import (
    Diagnosis,
    DischargeSummary,
    Goal,
    PatientChartCase,
    Reminder,
)
from charts.models.clinical import validate_icd10
from charts.services.chart_cases import chart_case_discharge
from charts.services.common import _event, _lock, _require_active
from charts.services.documentation import attestation
from core import audit


def _record(chart_case, *, by, action, obj, object_type, changes=(), details=""):
    """One entry in the audit trail, listed on the chart case's history too."""
    audit.record(
        clinic_id=chart_case.clinic_id,
        actor=by,
        action=action,
        obj=obj,
        object_type=object_type,
        patient=chart_case.patient,
        parent=chart_case,
        changes=changes,
        details=details,
    )


# Diagnoses --------------------------------------------------------------------------------


@transaction.atomic
def diagnosis_add(
    *, chart_case: PatientChartCase, kind: str, code: str, description: str, by: User
) -> Diagnosis:
    _require_active(chart_case)
    code = code.strip().upper()
    validate_icd10(code)
    description = " ".join(description.split())
    if not description:
        raise ValidationError({"description": "Enter the diagnosis's description."})
    if kind not in Diagnosis.Kind.values:
        raise ValidationError({"kind": "Choose a treatment or a medical diagnosis."})
    try:
        with transaction.atomic():
            diagnosis = Diagnosis.objects.create(
                clinic_id=chart_case.clinic_id,
                chart_case=chart_case,
                kind=kind,
                code=code,
                description=description,
            )
    except IntegrityError as error:
        raise ValidationError({"code": f"{code} is already on this case."}) from error
    _event(chart_case, "Diagnosis added", by, f"{diagnosis.get_kind_display()}: {diagnosis}")
    _record(
        chart_case,
        by=by,
        action="create",
        obj=diagnosis,
        object_type="diagnosis",
        changes=[["Diagnosis", "", f"{diagnosis.get_kind_display()}: {diagnosis}"]],
    )
    return diagnosis


@transaction.atomic
def diagnosis_delete(*, diagnosis: Diagnosis, by: User) -> None:
    chart_case = diagnosis.chart_case
    _require_active(chart_case)
    words = f"{diagnosis.get_kind_display()}: {diagnosis}"
    _event(chart_case, "Diagnosis removed", by, words)
    _record(
        chart_case,
        by=by,
        action="delete",
        obj=diagnosis,
        object_type="diagnosis",
        changes=[["Diagnosis", words, ""]],
    )
    diagnosis.delete()


# Plan of care -----------------------------------------------------------------------------


def _date(value) -> str:
    return f"{value:%b %-d, %Y}" if value else ""


@transaction.atomic
def plan_of_care_update(
    *,
    chart_case: PatientChartCase,
    referring_provider: str,
    plan_of_care_start: datetime.date | None,
    plan_of_care_end: datetime.date | None,
    by: User,
) -> PatientChartCase:
    """Referring provider and the plan of care's dates; the "Plan of care ends" reminder
    follows the end date."""
    chart_case = _lock(PatientChartCase, chart_case.pk)
    _require_active(chart_case)
    if plan_of_care_end and not plan_of_care_start:
        raise ValidationError({"plan_of_care_start": "Give the start of the plan of care too."})
    if plan_of_care_start and plan_of_care_end and plan_of_care_end < plan_of_care_start:
        raise ValidationError({"plan_of_care_end": "The plan of care cannot end before it starts."})
    before = {
        "Referring provider": chart_case.referring_provider,
        "Plan of care starts": _date(chart_case.plan_of_care_start),
        "Plan of care ends": _date(chart_case.plan_of_care_end),
    }
    chart_case.referring_provider = " ".join(referring_provider.split())
    chart_case.plan_of_care_start = plan_of_care_start
    chart_case.plan_of_care_end = plan_of_care_end
    chart_case.save(update_fields=["referring_provider", "plan_of_care_start", "plan_of_care_end"])
    after = {
        "Referring provider": chart_case.referring_provider,
        "Plan of care starts": _date(plan_of_care_start),
        "Plan of care ends": _date(plan_of_care_end),
    }
    changes = audit.diff(before, after)
    if changes:
        details = "; ".join(f"{label}: {old or '—'} → {new or '—'}" for label, old, new in changes)
        _event(chart_case, "Plan of care changed", by, details)
        _record(
            chart_case,
            by=by,
            action="update",
            obj=chart_case,
            object_type="plan of care",
            changes=changes,
        )
    reminder_schedule_plan_of_care(chart_case=chart_case, by=by)
    return chart_case


def reminder_schedule_plan_of_care(*, chart_case: PatientChartCase, by: User) -> Reminder | None:
    """Keep one open "Plan of care ends" reminder, due the clinic's notice before the end (never
    before the plan starts), like the re-evaluation reminder."""
    open_reminders = chart_case.reminders.open().filter(kind=Reminder.Kind.PLAN_OF_CARE)
    end = chart_case.plan_of_care_end
    if end is None:
        open_reminders.update(done_at=timezone.now(), done_by=by, closed_reason="no end date")
        return None
    notice = datetime.timedelta(days=chart_case.clinic.plan_of_care_reminder_days)
    due_on = max(end - notice, chart_case.plan_of_care_start or end - notice)
    open_reminders.exclude(due_on=due_on).update(
        done_at=timezone.now(), done_by=by, closed_reason="end date changed"
    )
    reminder, _ = Reminder.objects.get_or_create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        kind=Reminder.Kind.PLAN_OF_CARE,
        due_on=due_on,
        done_at=None,
        defaults={
            "text": f"Plan of care ends {end:%b %-d, %Y}: recertify or discharge",
            "created_by": by,
        },
    )
    if reminder.text != (text := f"Plan of care ends {end:%b %-d, %Y}: recertify or discharge"):
        reminder.text = text
        reminder.save(update_fields=["text"])
    return reminder


# Discharge summary ------------------------------------------------------------------------


@transaction.atomic
def discharge_summary_sign(
    *,
    chart_case: PatientChartCase,
    date: datetime.date,
    reason: str,
    goal_statuses: Mapping[int, str],
    recommendations: str,
    by: User,
) -> DischargeSummary:
    """Write and sign the discharge summary and discharge the chart case, in one transaction:
    both happen or neither. ``goal_statuses`` gives each active goal's status at discharge."""
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the discharge."})
    goals = list(chart_case.goals.order_by("kind", "start_date", "pk"))
    for goal_id, status in goal_statuses.items():
        if goal_id not in {goal.pk for goal in goals}:
            raise ValidationError("A goal of another case cannot be part of this summary.")
        if status not in Goal.Status.values:
            raise ValidationError("Choose a status for each goal.")
    chart_case = chart_case_discharge(
        chart_case=chart_case, discharged_on=date, goal_statuses=goal_statuses, by=by
    )
    labels = dict(Goal.Status.choices)
    statuses = []
    for goal in goals:
        goal.refresh_from_db(fields=["status"])
        statuses.append([goal.text, labels[goal.status]])
    now = timezone.now()
    summary = DischargeSummary.objects.create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        date=date,
        reason=reason.strip(),
        goal_statuses=statuses,
        recommendations=recommendations.strip(),
        author=by,
        signed_at=now,
        signed_by=by,
        signature=attestation(by, now, chart_case.clinic),
    )
    _event(chart_case, "Discharge summary signed", by, str(summary))
    _record(
        chart_case,
        by=by,
        action="sign",
        obj=summary,
        object_type="discharge summary",
        details=summary.signature,
    )
    return summary
