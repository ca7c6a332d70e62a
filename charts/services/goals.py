"""Goals and their dated progress."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from charts.models import (
    Goal,
    GoalProgress,
    PatientChartCase,
)
from charts.services.common import (
    _day,
    _lock,
    _record,
    _require_active,
    _today,
)


def _snapshot(goal: Goal) -> dict[str, str]:
    return {
        "Goal": goal.text,
        "Kind": goal.get_kind_display(),
        "Start": _day(goal.start_date),
        "Target": _day(goal.target_date),
        "Status": goal.get_status_display(),
    }


def _goal_set_status(
    goal: Goal,
    status: str,
    *,
    by: User,
    on: datetime.date,
    note: str = "",
    at_discharge: bool = False,
):
    GoalProgress.objects.create(
        clinic_id=goal.clinic_id,
        goal=goal,
        date=on,
        status=status,
        note=note,
        author=by,
        at_discharge=at_discharge,
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
    goal = Goal.objects.create(
        clinic_id=chart_case.clinic_id,
        chart_case=chart_case,
        kind=kind,
        parent=parent,
        text=text,
        start_date=start_date,
        target_date=target_date,
        created_by=by,
    )
    _record("create", goal, by=by, chart_case=chart_case, after=_snapshot(goal))
    return goal


@transaction.atomic
def goal_update(
    *, goal: Goal, text: str, target_date: datetime.date, status: str, note: str, by: User
) -> Goal:
    goal = _lock(Goal, goal.pk, "chart_case__patient")
    _require_active(goal.chart_case)
    if target_date < goal.start_date:
        raise ValidationError({"target_date": "The target date cannot be before the start."})
    before = _snapshot(goal)
    goal.text = text
    goal.target_date = target_date
    goal.save(update_fields=["text", "target_date"])
    if status != goal.status:
        _goal_set_status(goal, status, by=by, on=_today(goal), note=note)
    after = _snapshot(goal)
    if before != after:
        _record("update", goal, by=by, chart_case=goal.chart_case, before=before, after=after)
    return goal
