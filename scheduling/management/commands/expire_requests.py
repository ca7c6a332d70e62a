"""Mark pending appointment requests Expired once past their time or older than their
clinic's limit. Run it every few minutes (cron, a systemd timer); the queue already ignores
such requests in the meantime, so a late run shows nothing stale."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext
from django_scopes import scope

from clinic.models import Clinic
from scheduling.services import request_expire


class Command(BaseCommand):
    help = "Mark overdue pending appointment requests Expired, in every clinic."

    def handle(self, *args, **options):
        total = 0
        for clinic in Clinic.objects.all().order_by("pk"):
            with scope(clinic=clinic.pk):
                total += request_expire(clinic=clinic)
        self.stdout.write(
            ngettext("%(count)d request expired.", "%(count)d requests expired.", total)
            % {"count": total}
        )
