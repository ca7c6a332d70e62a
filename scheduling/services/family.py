"""What a patient's family may do to a visit: through a signed link the clinic sent them
(``messaging``; the caller has checked the link, actor nobody, the details name the link's
recipient) confirm it or cancel it, or cancel it from the portal (``appointment_portal_cancel``,
actor the portal user, only before the clinic's cancellation window). These check the visit.
Each is one transaction with an audit entry."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import record
from scheduling import hooks
from scheduling.hooks import CancelTerms
from scheduling.models import Appointment
from scheduling.services.lifecycle import lock_appointment, write_status
from scheduling.signals import appointment_changed

LATE_CANCELLATION = "Late cancellation by the family"
FAMILY_CANCELLATION = "Cancelled by the family"


def _lock_awaited(appointment: Appointment, now: datetime.datetime) -> Appointment:
    appointment = lock_appointment(appointment)
    if not appointment.is_awaited(now):
        raise ValidationError("This visit is no longer booked at this time.")
    return appointment


@transaction.atomic
def appointment_family_confirm(*, appointment: Appointment, source: str) -> Appointment:
    appointment = _lock_awaited(appointment, timezone.now())
    if appointment.patient_confirmed_at is not None:
        return appointment
    appointment.patient_confirmed_at = timezone.now()
    appointment.version = F("version") + 1
    appointment.save(update_fields=["patient_confirmed_at", "version"])
    appointment.refresh_from_db(fields=["version"])
    record(
        clinic_id=appointment.clinic_id,
        actor=None,
        action="confirm",
        obj=appointment,
        object_type="appointment",
        patient=appointment.patient,
        parent=appointment.chart_case,
        details=source,
    )
    return appointment


@transaction.atomic
def appointment_family_cancel(*, appointment: Appointment, late: bool, source: str) -> Appointment:
    """Cancel as the patient; ``late`` (inside the clinic's window, which the caller knows)
    marks it a late cancellation. The slot is free at once: a cancelled visit holds no time."""
    appointment = _lock_awaited(appointment, timezone.now())
    return _cancel(appointment, late=late, source=source, actor=None)


def too_late_to_cancel(terms: CancelTerms) -> str:
    call = f"Please call the clinic at {terms.phone}." if terms.phone else "Please call the clinic."
    return f"It is too late to cancel this visit here. {call}"


@transaction.atomic
def appointment_portal_cancel(
    *, appointment: Appointment, by, expected_version: int | None = None
) -> Appointment:
    """Cancel from the portal (the caller loaded the visit through the user's own patients).
    Refused, with nothing changed, when the visit is no longer booked at that time (started,
    cancelled, moved since the page was shown) or is inside the clinic's cancellation window
    (the same ``CancelTerms`` as the reminder links)."""
    now = timezone.now()
    appointment = _lock_awaited(appointment, now)
    if expected_version is not None and appointment.version != expected_version:
        raise ValidationError(
            "This visit was changed after your page was shown. Look at its new time first."
        )
    terms = hooks.cancel_terms(appointment.clinic_id)
    if not terms.portal_may_cancel(appointment, now):
        raise ValidationError(too_late_to_cancel(terms))
    return _cancel(appointment, late=False, source="Patient portal.", actor=by)


def _cancel(appointment: Appointment, *, late: bool, source: str, actor) -> Appointment:
    reason = LATE_CANCELLATION if late else FAMILY_CANCELLATION
    write_status(
        appointment,
        status=Appointment.Status.PATIENT_CANCELLED,
        actor=actor,
        action="cancel",
        cancel_reason=reason,
        details=f"{reason}. {source}",
    )
    appointment_changed.send(Appointment, appointment=appointment, change="cancelled")
    return appointment
