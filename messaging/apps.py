from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messages to families"

    def ready(self):
        from core.mail import register_outcome_listener, register_send_check
        from messaging import services, signals  # noqa: F401 - connects the receivers
        from messaging.services.family import clinic_cancel_terms
        from scheduling.hooks import register_appointment_notices, register_cancel_terms

        register_outcome_listener(services.REMINDER_REFERENCE, services.reminder_outcome)
        register_send_check(services.REMINDER_REFERENCE, services.message_may_send)
        register_appointment_notices(services.reminders.failed_reminders)
        register_cancel_terms(clinic_cancel_terms)
