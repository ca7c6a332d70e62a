"""What apps above scheduling add: messaging registers the messages about a visit that could not
be sent, so the front desk sees them on the appointment's page, and the clinic's terms for a
family's cancellation (its window and phone number), which the portal's Cancel keeps to.
Scheduling only calls what is registered (it never imports those apps)."""

import datetime
from collections.abc import Callable

# ``notices(appointment) -> list[str]``: plain sentences shown on the appointment's page.
_appointment_notices: list[Callable] = []


def register_appointment_notices(notices: Callable) -> None:
    if notices not in _appointment_notices:
        _appointment_notices.append(notices)


def appointment_notices(appointment) -> list[str]:
    return [line for notices in _appointment_notices for line in notices(appointment)]


# ``terms(clinic_id) -> scheduling.services.family.CancelTerms``: the clinic's terms for a
# family's cancellation. Messaging keeps them (``ReminderSettings``: the window its reminder
# links use); the portal's Cancel asks them here, so the two use one window.
_cancel_terms: list[Callable] = []


def register_cancel_terms(terms: Callable) -> None:
    _cancel_terms[:] = [terms]


def cancel_terms(clinic_id: int):
    """The clinic's ``CancelTerms``; without any app keeping them, every cancellation is on
    time and there is no number to call."""
    if not _cancel_terms:
        from scheduling.services.family import CancelTerms

        return CancelTerms(window=datetime.timedelta(0), refuse_late=False, phone="")
    return _cancel_terms[0](clinic_id)
