"""Helpers every charts service shares: the clinic's today, history, read-only and signed
checks, row locks."""

import datetime

from django.core.exceptions import ValidationError

from accounts.models import User
from charts.models import (
    ChartCaseEvent,
    PatientChartCase,
)

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


def _lock(model, pk):
    """Re-read a row under a lock, so two requests cannot both act on the state they saw."""
    return model.objects.select_for_update().get(pk=pk)
