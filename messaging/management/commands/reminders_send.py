from django.core.management.base import BaseCommand

from messaging.services import reminders_send_due


class Command(BaseCommand):
    help = "Send the reminders due now, once (what each tick of the worker's clock does)."

    def handle(self, *args, **options):
        self.stdout.write(f"{reminders_send_due()} reminder(s) queued.")
