"""Reminders, and the automatic re-evaluation reminder."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from charts.models import (
    Evaluation,
    PatientChartCase,
    Reminder,
)
from charts.services.common import (
    _day,
    _lock,
    _record,
    _require_active,
)


@transaction.atomic
def reminder_create(
    *, chart_case: PatientChartCase, text: str, due_on: datetime.date, by: User
) -> Reminder:
    _require_active(chart_case)
    reminder = Reminder.objects.create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        text=text,
        due_on=due_on,
        created_by=by,
    )
    _record(
        "create",
        reminder,
        by=by,
        chart_case=chart_case,
        after={"Reminder": text, "Due": _day(due_on)},
    )
    return reminder


@transaction.atomic
def reminder_done(*, reminder: Reminder, by: User) -> Reminder:
    reminder = _lock(Reminder, reminder.pk, "chart_case__patient")
    # A discharged chart case is read-only, its reminders included.
    _require_active(reminder.chart_case)
    if reminder.done_at is None:
        reminder.done_at = timezone.now()
        reminder.done_by = by
        reminder.save(update_fields=["done_at", "done_by"])
        _record(
            "complete",
            reminder,
            by=by,
            chart_case=reminder.chart_case,
            before={"Status": "Open"},
            after={"Status": "Done"},
        )
    return reminder


def reminder_schedule_re_evaluation(
    *, chart_case: PatientChartCase, by: User, moving: Reminder | None = None
) -> Reminder | None:
    """Keep one open re-evaluation reminder, due the clinic's interval after the last signed
    (initial or re-) evaluation. ``moving`` is the reminder a signed evaluation was opened
    from: if still open, it is the one moved to the new date (the others are closed)."""
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
    if moving is not None and open_reminders.filter(pk=moving.pk).exists():
        return _move(moving, due_on, open_reminders, chart_case=chart_case, by=by)
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


def _move(reminder: Reminder, due_on, open_reminders, *, chart_case, by: User) -> Reminder:
    open_reminders.exclude(pk=reminder.pk).update(done_at=timezone.now(), done_by=by)
    if reminder.due_on != due_on:
        before = _day(reminder.due_on)
        reminder.due_on = due_on
        reminder.save(update_fields=["due_on"])
        _record(
            "update",
            reminder,
            by=by,
            chart_case=chart_case,
            before={"Due": before},
            after={"Due": _day(due_on)},
        )
    return reminder
