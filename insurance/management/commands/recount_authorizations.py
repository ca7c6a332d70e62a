"""Make the stored counts of a clinic's authorizations again from the visits, with the one rule
(``insurance.counting.recount_clinic``). The writes keep them right in their own transaction;
this is for the day one is found wrong (``--check`` lists those that differ and changes
nothing, exiting 1 when any does)."""

from django.core.management.base import BaseCommand, CommandError

from clinic.commands import clinics_from_option
from insurance import counting


class Command(BaseCommand):
    help = "Recount the stored counts of the authorizations (or --check them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--clinic",
            action="append",
            help="clinic id or name (repeatable); every clinic when left out",
        )
        parser.add_argument(
            "--check", action="store_true", help="list the wrong counts and change nothing"
        )

    def handle(self, *args, clinic=None, check=False, **options):
        wrong = 0
        for each in clinics_from_option(clinic):
            if check:
                stale = counting.stale(each.pk)
                wrong += len(stale)
                self.stdout.write(
                    f"{each}: {len(stale)} authorization(s) with a wrong stored count"
                    + (f" (ids {', '.join(map(str, stale[:20]))})" if stale else "")
                )
            else:
                stored = counting.recount_clinic(each.pk)
                self.stdout.write(f"{each}: {stored} authorization(s) recounted")
        if check and wrong:
            raise CommandError(
                f"{wrong} stored count(s) differ from the rule; run without --check."
            )
