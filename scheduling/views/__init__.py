from scheduling.views.appointments import (
    appointment_cancel,
    appointment_create,
    appointment_detail,
    appointment_note,
    appointment_reschedule,
    appointment_status,
    chart_case_appointments,
)
from scheduling.views.calendar import calendar_day, calendar_week
from scheduling.views.front_desk import free_times, therapist_day
from scheduling.views.requests import (
    request_approve,
    request_decline,
    request_detail,
    request_list,
)
from scheduling.views.setup import (
    availability_detail,
    availability_list,
    availability_row_delete,
    clinic_hours,
    location_create,
    location_hours,
    location_list,
    location_row_delete,
    location_update,
)

__all__ = [
    "appointment_cancel",
    "appointment_create",
    "appointment_detail",
    "appointment_note",
    "appointment_reschedule",
    "appointment_status",
    "chart_case_appointments",
    "free_times",
    "therapist_day",
    "request_approve",
    "request_decline",
    "request_detail",
    "request_list",
    "calendar_day",
    "calendar_week",
    "availability_detail",
    "availability_list",
    "availability_row_delete",
    "clinic_hours",
    "location_create",
    "location_hours",
    "location_list",
    "location_row_delete",
    "location_update",
]
