"""Messages to families: reminders sent by the worker (``reminders``), notices of visits the
clinic books, moves or cancels (``notices``), and the clinic's settings (``setup``)."""

from messaging.services.delivery import REMINDER_REFERENCE, message_may_send, reminder_outcome
from messaging.services.reminders import reminders_send_due, visit_values
from messaging.services.setup import reminder_settings_update

__all__ = [
    "REMINDER_REFERENCE",
    "message_may_send",
    "reminder_outcome",
    "reminder_settings_update",
    "reminders_send_due",
    "visit_values",
]
