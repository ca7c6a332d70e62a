"""The one booking path (``booking``), its checks (``checks``), the appointment lifecycle
(``lifecycle``), visits of the past
(``history``), weekly series (``series``), Basic Setup rows and the discharge step
(``setup``). Every function is one transaction and writes the audit trail."""

from scheduling.services.booking import MAX_OCCURRENCES, appointment_book
from scheduling.services.checks import CLASH, case_fits_therapist
from scheduling.services.day_move import DayChange, therapist_day_move
from scheduling.services.family import (
    LATE_CANCELLATION,
    CancelTerms,
    appointment_family_cancel,
    appointment_family_confirm,
    appointment_portal_cancel,
    too_late_to_cancel,
)
from scheduling.services.history import PAST_STATUSES, appointment_record
from scheduling.services.lifecycle import (
    THERAPIST_MAY_SET,
    TRANSITIONS,
    StaleAppointment,
    appointment_cancel,
    appointment_reschedule,
    appointment_set_status,
    may_set_status,
)
from scheduling.services.request_rules import (
    allowed_rules,
    case_therapists,
    request_slots,
    request_window,
    requests_open_for,
)
from scheduling.services.requests import (
    request_approve,
    request_cancel,
    request_create,
    request_decline,
    request_expire,
)
from scheduling.services.series import (
    Occurrence,
    SeriesRule,
    series_book,
    series_cancel,
    series_preview,
    series_reschedule,
    series_starts,
)
from scheduling.services.setup import (
    chart_case_cancel_future,
    setup_row_delete,
    setup_row_save,
)

__all__ = [
    "DayChange",
    "therapist_day_move",
    "CLASH",
    "MAX_OCCURRENCES",
    "PAST_STATUSES",
    "StaleAppointment",
    "THERAPIST_MAY_SET",
    "TRANSITIONS",
    "LATE_CANCELLATION",
    "CancelTerms",
    "appointment_portal_cancel",
    "too_late_to_cancel",
    "appointment_book",
    "appointment_family_cancel",
    "appointment_family_confirm",
    "appointment_cancel",
    "appointment_record",
    "appointment_reschedule",
    "appointment_set_status",
    "case_fits_therapist",
    "may_set_status",
    "allowed_rules",
    "case_therapists",
    "request_approve",
    "request_cancel",
    "request_create",
    "request_decline",
    "request_expire",
    "request_slots",
    "request_window",
    "requests_open_for",
    "Occurrence",
    "SeriesRule",
    "series_book",
    "series_cancel",
    "series_preview",
    "series_reschedule",
    "series_starts",
    "chart_case_cancel_future",
    "setup_row_delete",
    "setup_row_save",
]
