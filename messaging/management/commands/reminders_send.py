from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from messaging.services import reminders_send_due


class Command(BaseCommand):
    help = "Send the reminders due now, once (what each tick of the worker's clock does)."

    def handle(self, *args, **options):
        count = reminders_send_due()
        self.stdout.write(
            ngettext("%(count)d reminder queued.", "%(count)d reminders queued.", count)
            % {"count": count}
        )
