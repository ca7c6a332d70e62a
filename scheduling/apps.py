from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self):
        from cases.merge_rows import MovableRows, register_movable_rows
        from scheduling import signals  # noqa: F401

        # Visits and requests follow their chart case in a merge of patient cases; a visit
        # follows its daily note when that moves and its therapist may work the new case.
        register_movable_rows(
            MovableRows(
                "appointment",
                "appointments",
                "scheduling.Appointment",
                note_field="daily_note",
                person_field="therapist",
            ),
            MovableRows(
                "appointment request", "appointment requests", "scheduling.AppointmentRequest"
            ),
        )
