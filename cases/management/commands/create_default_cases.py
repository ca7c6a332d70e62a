"""Give every active service type without one its default patient case.

A default case is named after its service type, has that one service and no request rules;
imported records of the type are placed on it. Safe to run again: a type that has a
non-archived single-service case keeps it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext
from django_scopes import scope

from accounts.models import User
from accounts.services import command_actor
from cases.services import case_create_default
from clinic.commands import clinics_from_option
from clinic.models import ServiceType


class Command(BaseCommand):
    help = "Create a default patient case for each active service type that has none."

    def add_arguments(self, parser):
        parser.add_argument(
            "--clinic",
            action="append",
            help="clinic id or name (repeatable); every clinic when left out",
        )
        parser.add_argument(
            "--by", help="e-mail of the user recorded as creating them (default: an administrator)"
        )
        parser.add_argument("--dry-run", action="store_true", help="say what would be created")

    def handle(self, *args, clinic=None, by=None, dry_run=False, **options):
        total = 0
        for each in clinics_from_option(clinic):
            with scope(clinic=each.pk):
                try:
                    actor = command_actor(each, by)
                except User.DoesNotExist as error:
                    raise CommandError(str(error)) from error
                created, kept = [], 0
                for service_type in ServiceType.objects.for_clinic(each).active().order_by("name"):
                    case, made = case_create_default(
                        service_type=service_type, by=actor, dry_run=dry_run
                    )
                    if made:
                        created.append(f"{case.name} ({service_type.name})")
                    else:
                        kept += 1
            verb = "would create" if dry_run else "created"
            listed = ": " + ", ".join(created) if created else ""
            cases = ngettext("default case", "default cases", len(created))
            had = ngettext("service type already had one", "service types already had one", kept)
            self.stdout.write(f"{each.name}: {verb} {len(created)} {cases}{listed}; {kept} {had}.")
            total += len(created)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        return None
