from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("schedule/", views.calendar_day, name="calendar_day"),
    path("schedule/week/", views.calendar_week, name="calendar_week"),
    path("schedule/requests/", views.request_list, name="request_list"),
    path("schedule/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("schedule/requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("schedule/requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("schedule/patients/<int:pk>/free-times/", views.free_times, name="free_times"),
    path("schedule/therapists/<int:pk>/day/", views.therapist_day, name="therapist_day"),
    path("schedule/appointments/add/", views.appointment_create, name="appointment_create"),
    path("schedule/appointments/<int:pk>/", views.appointment_detail, name="appointment_detail"),
    path(
        "schedule/appointments/<int:pk>/reschedule/",
        views.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "schedule/appointments/<int:pk>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "schedule/appointments/<int:pk>/status/",
        views.appointment_status,
        name="appointment_status",
    ),
    path("schedule/appointments/<int:pk>/note/", views.appointment_note, name="appointment_note"),
    path(
        "schedule/chart-cases/<int:pk>/discharge/",
        views.chart_case_appointments,
        name="chart_case_appointments",
    ),
    path("setup/locations/", views.location_list, name="location_list"),
    path("setup/locations/add/", views.location_create, name="location_create"),
    path("setup/locations/<int:pk>/", views.location_update, name="location_update"),
    path("setup/locations/<int:pk>/hours/", views.location_hours, name="location_hours"),
    path(
        "setup/locations/<int:pk>/hours/<int:row_pk>/delete/",
        views.location_row_delete,
        {"table": "hours"},
        name="hours_delete",
    ),
    path(
        "setup/locations/<int:pk>/closures/<int:row_pk>/delete/",
        views.location_row_delete,
        {"table": "closures"},
        name="closure_delete",
    ),
    path("setup/clinic-hours/", views.clinic_hours, name="clinic_hours"),
    path("setup/availability/", views.availability_list, name="availability_list"),
    path("setup/availability/<int:pk>/", views.availability_detail, name="availability_detail"),
    path(
        "setup/availability/<int:pk>/weekly/<int:row_pk>/delete/",
        views.availability_row_delete,
        {"table": "availability"},
        name="availability_delete",
    ),
    path(
        "setup/availability/<int:pk>/exceptions/<int:row_pk>/delete/",
        views.availability_row_delete,
        {"table": "exceptions"},
        name="exception_delete",
    ),
]
