"""Routes of scheduling: the calendar, booking, appointments, Basic Setup for locations and
availability."""

from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from tests.routes import ADMIN_ONLY, FRONT_DESK, Route

CALENDAR = frozenset({ADMINISTRATOR, SCHEDULER, THERAPIST})
APPOINTMENT = {"pk": "appointment"}

ROUTES = [
    Route("scheduling:calendar_day", CALENDAR),
    Route("scheduling:calendar_week", CALENDAR),
    Route("scheduling:appointment_create", FRONT_DESK),
    Route("scheduling:free_times", FRONT_DESK, obj="speech_patient"),
    Route("scheduling:therapist_day", FRONT_DESK, obj="therapist"),
    Route("scheduling:appointment_detail", CALENDAR, params=APPOINTMENT),
    Route("scheduling:appointment_reschedule", FRONT_DESK, params=APPOINTMENT),
    Route("scheduling:appointment_cancel", FRONT_DESK, params=APPOINTMENT),
    Route(
        "scheduling:appointment_status",
        CALENDAR,
        params=APPOINTMENT,
        method="post",
        data={"status": "checked_in"},
    ),
    Route("scheduling:appointment_note", frozenset({THERAPIST}), params=APPOINTMENT, method="post"),
    Route("scheduling:chart_case_appointments", CALENDAR, params={"pk": "speech_chart_case"}),
    Route("scheduling:location_list", ADMIN_ONLY),
    Route("scheduling:location_create", ADMIN_ONLY),
    Route("scheduling:location_update", ADMIN_ONLY, obj="location"),
    Route("scheduling:location_hours", ADMIN_ONLY, obj="location"),
    Route(
        "scheduling:hours_delete",
        ADMIN_ONLY,
        obj="location",
        params={"row_pk": "location_hours_row"},
        method="post",
    ),
    Route(
        "scheduling:closure_delete",
        ADMIN_ONLY,
        obj="location",
        params={"row_pk": "location_closure"},
        method="post",
    ),
    Route("scheduling:clinic_hours", ADMIN_ONLY),
    Route("scheduling:availability_list", ADMIN_ONLY),
    Route("scheduling:availability_detail", ADMIN_ONLY, obj="therapist"),
    Route(
        "scheduling:availability_delete",
        ADMIN_ONLY,
        obj="therapist",
        params={"row_pk": "availability_row"},
        method="post",
    ),
    Route(
        "scheduling:exception_delete",
        ADMIN_ONLY,
        obj="therapist",
        params={"row_pk": "time_off"},
        method="post",
    ),
]
