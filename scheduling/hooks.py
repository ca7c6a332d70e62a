"""What apps above scheduling add to an appointment's page: messaging registers the messages
about the visit that could not be sent, so the front desk sees them where they look. Scheduling
only calls what is registered (it never imports those apps)."""

from collections.abc import Callable

# ``notices(appointment) -> list[str]``: plain sentences shown on the appointment's page.
_appointment_notices: list[Callable] = []


def register_appointment_notices(notices: Callable) -> None:
    if notices not in _appointment_notices:
        _appointment_notices.append(notices)


def appointment_notices(appointment) -> list[str]:
    return [line for notices in _appointment_notices for line in notices(appointment)]
