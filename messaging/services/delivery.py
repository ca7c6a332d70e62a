"""The one check every message to a family passes right before it is sent, by e-mail
(``core.mail.send_email`` asks it through ``register_send_check``) or by text
(``messaging.texting.send_text``), on every attempt: is what it says still true? A reminder, or a
notice of a booking or a move, is for visits still awaited (``Appointment.is_awaited``, the rule
the sender used to queue it) at the start it names; a notice listing several visits goes while
any of them is. A message no longer true is voided, with why, on its row and in the visit's
history: it was queued, and the family must not be told of a visit that is gone."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_scopes import scope, scopes_disabled

from core import audit
from messaging.models import Reminder
from scheduling.models import Appointment

REMINDER_REFERENCE = "messaging.reminder:"


def visit_void_reason(appointment: Appointment, start: datetime.datetime, now) -> str:
    """Why a message about ``appointment`` at ``start`` is no longer true ("" when it is)."""
    if appointment.start != start:
        return "The visit moved."
    if appointment.is_awaited(now):
        return ""
    if appointment.is_cancelled:
        return "The visit was cancelled."
    if appointment.status != Appointment.Status.SCHEDULED:
        return f"The visit is {appointment.get_status_display().lower()}."
    return "The visit has started."


def void_reason(row: Reminder, now: datetime.datetime) -> str:
    """Why ``row``'s message must not go now ("" when it may)."""
    if row.kind == Reminder.Kind.CANCELLED:
        return ""  # a cancelled visit stays cancelled: its notice is always true
    told = [(pk, parse_datetime(start)) for pk, start in row.visits] or [
        (row.appointment_id, row.visit_start)
    ]
    current = {
        visit.pk: visit
        for visit in Appointment.objects.for_clinic(row.clinic_id).filter(
            pk__in=[pk for pk, _ in told]
        )
    }
    reasons = [
        visit_void_reason(current[pk], start, now) if pk in current else "The visit is gone."
        for pk, start in told
    ]
    if all(reasons):
        return reasons[0] if len(reasons) == 1 else "None of its visits is still to come as told."
    return ""


def message_may_send(reference: str) -> bool:
    """Right before a send: True when the message of ``reference`` may go; otherwise its row is
    voided (status void, the reason, an audit entry on the visit) and False."""
    pk = int(reference.removeprefix(REMINDER_REFERENCE))
    with scopes_disabled():
        clinic_id = Reminder.objects.filter(pk=pk).values_list("clinic_id", flat=True).first()
    if clinic_id is None:
        return False
    now = timezone.now()
    with scope(clinic=clinic_id), transaction.atomic():
        row = (
            Reminder.objects.for_clinic(clinic_id)
            .select_for_update()
            .select_related("appointment__patient")
            .get(pk=pk)
        )
        if row.status != Reminder.Status.QUEUED:
            return False  # voided, sent or failed already: a stray second task sends nothing
        reason = void_reason(row, now)
        if not reason:
            return True
        Reminder.objects.filter(pk=pk).update(
            status=Reminder.Status.VOID, void_reason=reason, finished_at=now
        )
        audit.record(
            clinic_id=clinic_id,
            actor=None,
            action="remind_void",
            obj=row.appointment,
            object_type="appointment",
            patient=row.appointment.patient,
            details=f"{row.label} by {row.get_channel_display().lower()} to {row.address} "
            f"not sent: {reason}",
        )
    return False


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def reminder_outcome(reference: str, *, sent: bool, attempt: int, error: str) -> None:
    """How a message ended (called in the worker by ``core.mail`` and ``texting.send_text``):
    marked on its row, and a failure after the last try on the appointment's history."""
    pk = int(reference.removeprefix(REMINDER_REFERENCE))
    with scopes_disabled():
        reminder = Reminder.objects.select_related("appointment__patient").get(pk=pk)
    how = reminder.get_channel_display().lower()
    with scope(clinic=reminder.clinic_id), transaction.atomic():
        Reminder.objects.filter(pk=pk).update(
            status=Reminder.Status.SENT if sent else Reminder.Status.FAILED,
            attempts=attempt,
            error=error[:2000],
            finished_at=timezone.now(),
        )
        audit.record(
            clinic_id=reminder.clinic_id,
            actor=None,
            action="remind" if sent else "remind_failed",
            obj=reminder.appointment,
            object_type="appointment",
            patient=reminder.appointment.patient,
            details=(
                f"{reminder.label} by {how} to {reminder.address} sent."
                if sent
                else f"{reminder.label} by {how} to {reminder.address} could not be "
                f"sent after {attempt} tries: {error[:300]}"
            ),
        )
