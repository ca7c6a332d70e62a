"""The clinic's terms for a family's cancellation (a link, a texted "C" or the portal's
Cancel: ``scheduling.hooks.cancel_terms`` gives the portal these same terms)."""

import datetime

from django.utils import timezone

from messaging.models import ReminderSettings
from scheduling.hooks import CancelTerms
from scheduling.models import Appointment


def terms_of(rules: ReminderSettings) -> CancelTerms:
    return CancelTerms(
        window=datetime.timedelta(hours=rules.cancel_window_hours),
        refuse_late=rules.late_cancel == ReminderSettings.LateCancel.REFUSE,
        phone=rules.phone,
    )


def clinic_cancel_terms(clinic_id: int) -> CancelTerms:
    return terms_of(ReminderSettings.of(clinic_id))


def cancel_terms(appointment: Appointment) -> tuple[ReminderSettings, bool, bool]:
    """The clinic's settings, whether a cancellation now is late (inside the clinic's
    window), and whether the clinic refuses late ones (the family must call)."""
    rules = ReminderSettings.of(appointment.clinic_id)
    terms = terms_of(rules)
    late = terms.is_late(appointment.start, timezone.now())
    return rules, late, late and terms.refuse_late
