"""Moving a therapist's day: each of the day's visits kept, moved to another therapist at the
same time or at another time (the next free time the finder gives), or cancelled by the
clinic, in one transaction. Each change is one booking change (``appointment_reschedule`` /
``appointment_cancel``, with their rules, locks and audit entries); when any is refused, none
is made. Each change carries the visit's version as the screen showed it: a visit someone
else changed since is refused as stale (``StaleAppointment``), never overwritten."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from insurance.stored import recount_once
from scheduling.models import Appointment
from scheduling.services.lifecycle import (
    StaleAppointment,
    appointment_cancel,
    appointment_reschedule,
)


@dataclass(frozen=True)
class DayChange:
    """One visit's change: to ``therapist`` at ``start``, or cancelled by the clinic when
    ``therapist`` is None; ``version`` as the screen showed it (None: not checked)."""

    appointment: Appointment
    therapist: User | None = None
    start: datetime.datetime | None = None
    version: int | None = None


def _apply(change: DayChange, reason: str, by: User) -> None:
    if change.therapist is None:
        appointment_cancel(
            appointment=change.appointment,
            status=Appointment.Status.CLINIC_CANCELLED,
            reason=reason,
            by=by,
            expected_version=change.version,
        )
    else:
        appointment_reschedule(
            appointment=change.appointment,
            start=change.start or change.appointment.start,
            duration_minutes=change.appointment.duration_minutes,
            therapist=change.therapist,
            reason=reason,
            by=by,
            expected_version=change.version,
        )


@transaction.atomic
@recount_once()
def therapist_day_move(*, changes: list[DayChange], reason: str, by: User) -> tuple[int, int]:
    """How many visits were moved and cancelled. Raises ``ValidationError`` keyed
    ``visit_<pk>`` (or ``reason``) and changes nothing when any change is refused; a
    ``StaleAppointment`` when one of them is that someone else changed the visit."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the visits are moved, for the audit trail."})
    errors, stale = {}, False
    for change in changes:
        try:
            _apply(change, reason, by)
        except ValidationError as error:
            errors[f"visit_{change.appointment.pk}"] = error.messages
            stale = stale or isinstance(error, StaleAppointment)
    if errors:
        raise (StaleAppointment if stale else ValidationError)(errors)
    cancelled = sum(1 for change in changes if change.therapist is None)
    return len(changes) - cancelled, cancelled
