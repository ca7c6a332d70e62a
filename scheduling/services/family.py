"""What a patient's family may do to a visit without logging in, through a signed link the
clinic sent them (``messaging``): confirm it, or cancel it. The caller has checked the link;
these check the visit. Each is one transaction with an audit entry (actor: nobody, the
details name the link's recipient)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import record
from scheduling.models import Appointment
from scheduling.signals import appointment_changed

LATE_CANCELLATION = "Late cancellation by the family"
FAMILY_CANCELLATION = "Cancelled by the family"


def _lock_awaited(appointment: Appointment, now: datetime.datetime) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update()
        .select_related("location", "patient", "chart_case")
        .get(pk=appointment.pk)
    )
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
    appointment.status = Appointment.Status.PATIENT_CANCELLED
    appointment.cancel_reason = LATE_CANCELLATION if late else FAMILY_CANCELLATION
    appointment.version = F("version") + 1
    appointment.save(update_fields=["status", "cancel_reason", "version"])
    appointment.refresh_from_db(fields=["version"])
    record(
        clinic_id=appointment.clinic_id,
        actor=None,
        action="cancel",
        obj=appointment,
        object_type="appointment",
        patient=appointment.patient,
        parent=appointment.chart_case,
        changes=[["Status", "Scheduled", "Patient cancelled"]],
        details=f"{appointment.cancel_reason}. {source}",
    )
    appointment_changed.send(Appointment, appointment=appointment, change="cancelled")
    return appointment
