"""Moving a therapist's day: each of the day's visits kept, moved to another therapist at the
same time, or cancelled by the clinic, in one transaction. Each change is one booking change
(``appointment_reschedule`` / ``appointment_cancel``, with their rules and audit entries);
when any is refused, none is made."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from insurance.counting import recount_once
from scheduling.models import Appointment
from scheduling.services.lifecycle import appointment_cancel, appointment_reschedule


@transaction.atomic
@recount_once()
def therapist_day_move(
    *,
    moves: list[tuple[Appointment, User]],
    cancels: list[Appointment],
    reason: str,
    by: User,
) -> tuple[int, int]:
    """How many visits were moved and cancelled. Raises ``ValidationError`` keyed
    ``visit_<pk>`` (or ``reason``) and changes nothing when any change is refused."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the visits are moved, for the audit trail."})
    errors = {}
    for appointment, therapist in moves:
        try:
            appointment_reschedule(
                appointment=appointment,
                start=appointment.start,
                duration_minutes=appointment.duration_minutes,
                therapist=therapist,
                reason=reason,
                by=by,
            )
        except ValidationError as error:
            errors[f"visit_{appointment.pk}"] = error.messages
    for appointment in cancels:
        try:
            appointment_cancel(
                appointment=appointment,
                status=Appointment.Status.CLINIC_CANCELLED,
                reason=reason,
                by=by,
            )
        except ValidationError as error:
            errors[f"visit_{appointment.pk}"] = error.messages
    if errors:
        raise ValidationError(errors)
    return len(moves), len(cancels)
