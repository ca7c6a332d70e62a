from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scope

import accounts.demo
import cases.demo
import charts.demo
import clinic.demo
import fhir.demo
import insurance.demo
import messaging.demo
import portal.demo
import scheduling.demo
from accounts.models import User


class Command(BaseCommand):
    help = "Load the demo clinic, its reference data and demo users. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though DEBUG is off (never on a clinic's real database).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo refuses to run with DEBUG off: it resets the demo users' passwords. "
                "Use --force if this really is a demo database."
            )
        with transaction.atomic():
            demo_clinic = clinic.demo.load()
            with scope(clinic=demo_clinic.pk):
                logins = self._load(demo_clinic)
                integration = fhir.demo.load(demo_clinic)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded for “{demo_clinic.name}”."))
        self.stdout.write(f"Every demo login uses the password: {accounts.demo.DEMO_PASSWORD}")
        for email, roles in logins:
            self.stdout.write(f"  {email:<24} {', '.join(roles)}")
        for line in integration:
            self.stdout.write(line)

    def _load(self, demo_clinic):
        """Everything in the demo clinic, inside its clinic scope."""
        logins = accounts.demo.load(demo_clinic)
        admin = User.objects.get(email="admin@demo.clinic")
        demo_cases = cases.demo.load(demo_clinic, by=admin)
        charts.demo.load(demo_clinic, demo_cases)
        scheduling.demo.load(demo_clinic)
        logins += portal.demo.load(demo_clinic)
        messaging.demo.load(demo_clinic)
        # After every visit the demo books: the counts are made from them.
        insurance.demo.load(demo_clinic)
        return logins
