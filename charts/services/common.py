"""Helpers every charts service shares: the clinic's today, the audit trail, read-only and
signed checks, row locks."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils.text import slugify

from accounts.models import User
from charts.models import PatientChartCase
from core import audit

READ_ONLY = "This case was discharged: its chart is read-only. Reopen it to make changes."
LOCK_WAIT = "10s"
BUSY = (
    "This case is being changed right now (its cases are being merged). Nothing was saved: "
    "save again in a minute."
)
MERGED = (
    "This case was merged into “{target}”: its documentation is there now. Nothing was saved: "
    "open “{target}” on the chart and save again."
)
SIGNED = "This document is signed and can no longer be changed. Add an addendum instead."

# The chart-case History screen's phrases that have an action of their own in the trail.
EVENT_ACTIONS = {
    "Case added to the chart": "create",
    "Discharged": "discharge",
    "Reopened": "reopen",
    "Addendum added": "addendum",
}


def _today(row) -> datetime.date:
    """Today in the time zone of the row's clinic, never the process's: outside a request
    (a management command, the worker, the shell) that is UTC, a day ahead of an American
    clinic every evening."""
    return row.clinic.today()


def event_action(phrase: str) -> str:
    """The trail's action for a history phrase: a known one, else the phrase itself as a code
    ("Appointment booked" → ``appointment_booked``, shown again as "Appointment booked")."""
    return EVENT_ACTIONS.get(phrase) or slugify(phrase).replace("-", "_")[:32]


def _event(
    chart_case: PatientChartCase,
    action: str,
    by: User,
    details: str = "",
    *,
    changes=(),
) -> None:
    """One entry on the chart case's history (and the audit trail): ``action`` in plain
    words ("Discharged"), ``details`` a sentence."""
    audit.record(
        clinic_id=chart_case.clinic_id,
        actor=by,
        action=event_action(action),
        obj=chart_case,
        patient=chart_case.patient,
        changes=changes,
        details=details,
    )


def _record(
    action: str,
    obj,
    *,
    by: User | None,
    chart_case: PatientChartCase,
    before: Mapping[str, str] | None = None,
    after: Mapping[str, str] | None = None,
    details: str = "",
) -> None:
    """One entry for a write to something that hangs off ``chart_case`` (a goal, a note...),
    with before and after in plain words; listed on the chart case's history too."""
    audit.record(
        clinic_id=obj.clinic_id,
        actor=by,
        action=action,
        obj=obj,
        patient=chart_case.patient,
        parent=chart_case,
        changes=audit.diff(before or {}, after or {}),
        details=details,
    )


def _day(value: datetime.date | None) -> str:
    return f"{value:%b %-d, %Y}" if value else ""


def _require_active(chart_case: PatientChartCase) -> None:
    """Refuse a write on a discharged chart case, or one a merge of cases emptied. The row is
    re-read under a lock, not taken from the screen's copy: a merge or a discharge that
    committed while the form was open (or holds the row now: this waits for it) is seen."""
    status, merged_into = _current_state(chart_case)
    if merged_into is not None:
        target = PatientChartCase.objects.filter(pk=merged_into).values_list("case__name")[0][0]
        raise ValidationError(MERGED.format(target=target))
    chart_case.status = status
    if not chart_case.is_active:
        raise ValidationError(READ_ONLY)


def _current_state(chart_case: PatientChartCase) -> tuple[str, int | None]:
    """``(status, merged_into_id)`` under a lock. The locked row's own columns only: after a
    wait PostgreSQL returns the row's newest version but a join's columns as they were. A wait
    longer than LOCK_WAIT (a merge of a case on thousands of charts holds them for seconds)
    is a refusal to save again, not a request left hanging past the server's timeout."""
    rows = PatientChartCase.objects.filter(pk=chart_case.pk)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return rows.values_list("status", "merged_into_id")[0]
    if connection.vendor == "postgresql":
        # For the rest of this (short) transaction; a timeout aborts it, and the service's
        # own atomic block rolls it back as the refusal propagates.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
    try:
        return rows.select_for_update(no_key=True).values_list("status", "merged_into_id")[0]
    except OperationalError as error:
        if getattr(getattr(error, "__cause__", None), "sqlstate", None) == "55P03":
            raise ValidationError(BUSY) from error
        raise


def _require_unsigned(document) -> None:
    if document.is_signed:
        raise ValidationError(SIGNED)


class NotTheAuthorError(ValidationError):
    """Someone other than a draft's author tried to sign or delete it (views answer 403)."""


def _require_author(document, by: User, verb: str) -> None:
    """Only the author signs or deletes a draft: a signature must name who wrote the note.
    Others on a shared case read it and write their own."""
    if document.author_id != by.pk:
        raise NotTheAuthorError(
            f"Only {document.author}, who wrote this draft, can {verb} it. "
            "Write your own note or evaluation instead."
        )


# The views ask before offering a screen only the author may use (the sign confirmation).
require_author = _require_author


def _lock(model, pk, *related: str):
    """Re-read a row under a lock, so two requests cannot both act on the state they saw;
    ``related`` rows come along (unlocked) for the audit entry."""
    queryset = model.objects.select_for_update(of=("self",))
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=pk)
