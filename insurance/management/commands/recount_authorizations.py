"""Make the stored counts of a clinic's authorizations again from the visits, with the one rule
(``insurance.stored.recount_clinic``). The writes keep them right in their own transaction;
this is for the day one is found wrong (``--check`` lists those that differ and changes
nothing, exiting 1 when any does)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from clinic.commands import clinics_from_option
from insurance import stored as stored_counts


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
                stale = stored_counts.stale(each.pk)
                wrong += len(stale)
                self.stdout.write(
                    f"{each}: {len(stale)} "
                    + ngettext(
                        "authorization with a wrong stored count",
                        "authorizations with a wrong stored count",
                        len(stale),
                    )
                    + (f" (ids {', '.join(map(str, stale[:20]))})" if stale else "")
                )
            else:
                done = stored_counts.recount_clinic(each.pk)
                self.stdout.write(
                    f"{each}: {done} "
                    + ngettext("authorization recounted", "authorizations recounted", done)
                )
        if check and wrong:
            raise CommandError(
                ngettext(
                    "%(n)d stored count differs from the rule; run without --check to fix it.",
                    "%(n)d stored counts differ from the rule; run without --check to fix them.",
                    wrong,
                )
                % {"n": wrong}
            )
