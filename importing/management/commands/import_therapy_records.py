"""Import a clinic's therapy records from a CSV file (docs/import-format.md)."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext
from django_scopes import scope
from tqdm import tqdm

from accounts.models import User
from accounts.services import command_actor
from clinic.commands import clinic_from_option
from importing.services import import_records, summary_lines


class Command(BaseCommand):
    help = (
        "Import patients, goals, daily notes, evaluations, reminders and appointments from a "
        "CSV file. The whole file is checked first; with any bad row nothing is written unless "
        "--skip-invalid. Running the same file again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8)")
        parser.add_argument("--clinic", required=True, help="clinic id or name")
        parser.add_argument("--by", help="e-mail of the user the import is recorded as")
        parser.add_argument("--dry-run", action="store_true", help="check and count, keep nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows, skip the bad ones"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, clinic, by=None, dry_run=False, skip_invalid=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        clinic = clinic_from_option(clinic)
        progress = _Progress(
            size=path.stat().st_size, show=not options["no_progress"], out=self.stderr._out
        )
        with scope(clinic=clinic.pk):
            try:
                actor = command_actor(clinic, by)
            except User.DoesNotExist as error:
                raise CommandError(str(error)) from error
            outcome = import_records(
                clinic=clinic,
                actor=actor,
                open_file=lambda: open(path, "rb"),  # noqa: SIM115 (closed by the caller)
                file_name=os.path.basename(file),
                skip_invalid=skip_invalid,
                dry_run=dry_run,
                on_bytes=progress.on_bytes,
                on_pass=progress.on_pass,
            )
        progress.close()
        self._report(outcome, dry_run)

    def _report(self, outcome, dry_run: bool) -> None:
        report = outcome.report
        for line, message in report.errors:
            self.stdout.write(f"Line {line}: {message}")
        if report.error_count > len(report.errors):
            self.stdout.write(f"... and {report.error_count - len(report.errors):,} more bad rows.")
        for line in summary_lines(report, outcome.summary):
            self.stdout.write(line)
        if report.fatal or report.stopped_early:
            raise CommandError((report.fatal or report.stopped_early) + " Nothing was imported.")
        if not outcome.written:
            raise CommandError(
                f"{report.error_count:,} {ngettext('bad row', 'bad rows', report.error_count)}: "
                "nothing was imported. Correct them, or run again with --skip-invalid to import "
                "the valid rows only."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was kept.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Import #{outcome.run.pk} done."))


class _Progress:
    """One progress bar per pass over the file (checking, then importing)."""

    def __init__(self, *, size: int, show: bool, out):
        self.size, self.show, self.out = size, show, out
        self.bar = None

    def on_pass(self, name: str) -> None:
        self.close()
        if self.show:
            label = "Checking" if name == "check" else "Importing"
            self.bar = tqdm(total=self.size, unit="B", unit_scale=True, desc=label, file=self.out)

    def on_bytes(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
