"""What apps above scheduling add: messaging registers the messages about a visit that could not
be sent, so the front desk sees them on the appointment's page, and the clinic's terms for a
family's cancellation (its window and phone number), which the portal's Cancel keeps to.
Scheduling only calls what is registered (it never imports those apps)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

# ``notices(appointment) -> list[str]``: plain sentences shown on the appointment's page.
_appointment_notices: list[Callable] = []


def register_appointment_notices(notices: Callable) -> None:
    if notices not in _appointment_notices:
        _appointment_notices.append(notices)


def appointment_notices(appointment) -> list[str]:
    return [line for notices in _appointment_notices for line in notices(appointment)]


@dataclass(frozen=True)
class CancelTerms:
    """The clinic's terms for a family's cancellation (messaging's ``ReminderSettings``,
    read through ``cancel_terms``): inside ``window`` before the visit it is late;
    ``refuse_late``: the clinic refuses late ones by link or text (the family must call
    ``phone``)."""

    window: datetime.timedelta
    refuse_late: bool
    phone: str

    def is_late(self, start: datetime.datetime, now: datetime.datetime) -> bool:
        """The one rule for a late cancellation: links, texts and the portal ask it."""
        return start - now < self.window

    def portal_may_cancel(self, appointment, now: datetime.datetime) -> bool:
        """The portal offers Cancel for a visit still awaited and not yet inside the window
        (later, it shows the clinic's phone number: the family calls)."""
        return appointment.is_awaited(now) and not self.is_late(appointment.start, now)


# ``terms(clinic_id) -> CancelTerms``: the clinic's terms for a family's cancellation. Messaging
# keeps them (``ReminderSettings``: the window its reminder links use); the portal's Cancel asks
# them here, so the two use one window.
_cancel_terms: list[Callable] = []


def register_cancel_terms(terms: Callable) -> None:
    _cancel_terms[:] = [terms]


def cancel_terms(clinic_id: int) -> CancelTerms:
    """The clinic's ``CancelTerms``; without any app keeping them, every cancellation is on
    time and there is no number to call."""
    if not _cancel_terms:
        return CancelTerms(window=datetime.timedelta(0), refuse_late=False, phone="")
    return _cancel_terms[0](clinic_id)
