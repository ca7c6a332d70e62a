"""The clinic's terms for a family's cancellation (a link or a texted "C")."""

import datetime

from django.utils import timezone

from messaging.models import ReminderSettings
from scheduling.models import Appointment


def cancel_terms(appointment: Appointment) -> tuple[ReminderSettings, bool, bool]:
    """The clinic's settings, whether a cancellation now is late (inside the clinic's
    window), and whether the clinic refuses late ones (the family must call)."""
    rules = ReminderSettings.of(appointment.clinic_id)
    late = appointment.start - timezone.now() < datetime.timedelta(hours=rules.cancel_window_hours)
    return rules, late, late and rules.late_cancel == ReminderSettings.LateCancel.REFUSE
