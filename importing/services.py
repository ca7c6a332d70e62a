"""Importing a clinic's therapy records: check the whole file, then write it patient by
patient.

``import_records`` is the one entry point: the command calls it, the Import screen calls it
through ``import_run_execute`` (which a background task can call as it is, with the run's id).
It reads the file twice as a stream: once to check every row (with any bad row nothing is
written unless ``skip_invalid``), once to write. Writes go in chunks of whole patients: one
transaction per chunk, bulk INSERTs per table; if a chunk fails, each of its patients is
written again in a transaction of their own, so a patient is whole or absent, never half there.
Appointments are written row by row through scheduling, which may refuse a row the check
could not (a clash): without ``skip_invalid`` such a file is written in one transaction, kept
only when no row was refused.
"""

import contextlib
import hashlib
import io
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

try:  # Django 6.0 ships the API; on 5.2 the django-tasks package provides the same one.
    from django.tasks import task
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

from accounts.models import User
from cases.models import PatientCase
from clinic.models import AppointmentType, Clinic, ServiceType
from importing.checking import Lookups, Report, checked_rows, patient_groups
from importing.format import APPOINTMENT, KIND_LABELS, KINDS, Row
from importing.handlers import CleanContext
from importing.models import ImportRun
from importing.writing import Summary, Writer
from insurance.models import Payer
from scheduling.models import Location

logger = logging.getLogger(__name__)

# A chunk closes at this many patients or rows: big enough that the per-chunk queries are
# few, small enough that a chunk's ``IN (...)`` lists and objects stay small.
CHUNK_PATIENTS = 200
CHUNK_ROWS = 2000


@dataclass
class Outcome:
    report: Report
    summary: Summary | None
    run: ImportRun | None

    @property
    def written(self) -> bool:
        return self.summary is not None


def load_lookups(clinic: Clinic) -> Lookups:
    defaults = PatientCase.objects.defaults_by_service(clinic)
    service_types, inactive = {}, set()
    for service_type in ServiceType.objects.for_clinic(clinic):
        if service_type.is_active or service_type.pk in defaults:
            service_types[service_type.name.lower()] = (service_type.pk, service_type.name)
        else:
            inactive.add(service_type.name.lower())
    now = clinic.now()
    locations = list(Location.objects.for_clinic(clinic).values_list("name", "pk", "is_active"))
    active = [pk for _name, pk, is_active in locations if is_active]
    return Lookups(
        service_types=service_types,
        inactive_service_types=inactive,
        # Staff, active or not (the therapist who wrote a note years ago may have left); never
        # a portal user.
        authors={
            email.lower(): pk
            for email, pk in User.objects.filter(clinic=clinic).staff().values_list("email", "pk")
        },
        clean=CleanContext(
            today=now.date(),
            now=now.replace(tzinfo=None),
            appointment_types={
                name.lower(): pk
                for name, pk in AppointmentType.objects.for_clinic(clinic).values_list("name", "pk")
            },
            locations={name.lower(): pk for name, pk, _active in locations},
            only_location_id=active[0] if len(active) == 1 else None,
            active_locations=len(active),
            payers={
                name.lower(): pk
                for name, pk in Payer.objects.for_clinic(clinic)
                .filter(is_active=True)
                .values_list("name", "pk")
            },
        ),
    )


def check_file(*, clinic: Clinic, open_file: Callable, on_bytes: Callable | None = None) -> Report:
    """Read the whole file once and report every bad row; writes nothing."""
    report = Report()
    lookups = load_lookups(clinic)
    with open_file() as binary:
        for _row in checked_rows(binary, lookups, report, skip_invalid=True, on_bytes=on_bytes):
            pass
    return report


def import_records(
    *,
    clinic: Clinic,
    actor: User,
    open_file: Callable,
    file_name: str,
    run: ImportRun | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    on_bytes: Callable[[int], None] | None = None,
    on_pass: Callable[[str], None] | None = None,
) -> Outcome:
    """Check the file, then (when it may) import it. ``open_file()`` opens the file as a binary
    stream (each pass opens it again). ``run`` is the screen's row; the command gets one made
    here once the check passes. With ``dry_run`` everything is written and then rolled back, so
    the counts are exact and nothing stays (not even the run)."""
    started = time.monotonic()
    if on_pass:
        on_pass("check")
    report = check_file(clinic=clinic, open_file=open_file, on_bytes=on_bytes)
    if run is not None:
        _store_report(run, report)
    if report.fatal or report.stopped_early or (report.error_count and not skip_invalid):
        return Outcome(report, None, run)
    if run is not None:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    if on_pass:
        on_pass("import")
    # A real import commits chunk by chunk; a dry run is one transaction rolled back at the end.
    # So is an import with appointments, unless bad rows may be skipped: scheduling may refuse
    # one of them while writing (a clash the check cannot see, such as two rows of the file at
    # the same time), and then nothing at all may stay. Its progress shows at the end.
    whole = dry_run or (not skip_invalid and bool(report.per_kind.get(APPOINTMENT)))
    own_run = run is None
    with transaction.atomic() if whole else contextlib.nullcontext():
        if run is None:
            run = _run_create(clinic, actor, file_name, report, skip_invalid, dry_run)
        writer = Writer(clinic=clinic, run=run, actor=actor, summary=Summary(rows=report.rows))
        summary = _write_rows(writer, report, open_file, on_bytes, skip_invalid, started)
        refused = summary.refused and not skip_invalid
        if dry_run or refused:
            transaction.set_rollback(True)
    if refused:
        return _refused_outcome(report, summary, None if own_run else run)
    if not dry_run:
        _run_done(run, report, summary)
    return Outcome(report, summary, None if dry_run else run)


def _run_create(
    clinic: Clinic, actor: User, file_name: str, report: Report, skip_invalid: bool, dry_run: bool
) -> ImportRun:
    """The command's run, made once its file passed the check."""
    return ImportRun.objects.create(
        clinic=clinic,
        file_name=file_name,
        sha256=report.sha256,
        size=report.size,
        status=ImportRun.Status.RUNNING,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        created_by=actor,
        started_at=timezone.now(),
    )


def _write_rows(
    writer: Writer, report: Report, open_file, on_bytes, skip_invalid: bool, started: float
) -> Summary:
    summary = writer.summary
    writer.prepare_default_cases(report.service_type_ids)
    _write_all(writer, open_file, on_bytes, skip_invalid)
    summary.chart_cases = len(writer.chart_cases_seen)
    summary.seconds = time.monotonic() - started
    return summary


def _refused_outcome(report: Report, summary: Summary, run: ImportRun | None) -> Outcome:
    # Rows refused while writing are bad rows like the check's: reported with their
    # lines, and nothing was written.
    for line, message in summary.refused_rows:
        report.add_error(line, message)
    report.error_count += summary.refused - len(summary.refused_rows)
    report.valid_rows -= summary.refused
    if run is None:
        return Outcome(report, None, None)
    _store_report(run, report)
    return Outcome(report, None, run)


def _run_done(run: ImportRun, report: Report, summary: Summary) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.DONE,
        summary={**report.as_dict(), **summary.as_dict()},
        rows_done=report.rows,
        progress_bytes=report.size,
        finished_at=timezone.now(),
    )
    run.refresh_from_db()


# The Import screen keeps the uploaded bytes on the run's row for the worker to read; a file
# this size imports in seconds. Larger files: the command.
SCREEN_MAX_BYTES = 5 * 1024 * 1024


@transaction.atomic
def import_run_create(*, clinic: Clinic, file_name: str, content: bytes, by: User) -> ImportRun:
    """Keep an uploaded file and check it: the run's row holds the report the screen shows."""
    run = ImportRun.objects.create(
        clinic=clinic,
        file_name=os.path.basename(file_name)[:255] or "upload.csv",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        status=ImportRun.Status.READY,
        created_by=by,
    )
    report = check_file(clinic=clinic, open_file=lambda: io.BytesIO(content))
    _store_report(run, report)
    return run


def _check_startable(run: ImportRun, *, skip_invalid: bool) -> None:
    if run.status not in (ImportRun.Status.READY, ImportRun.Status.INVALID):
        raise ValidationError(f"This file is already {run.get_status_display().lower()}.")
    if run.status == ImportRun.Status.INVALID and (run.fatal_error or not skip_invalid):
        raise ValidationError(
            "The file has bad rows: correct them and upload it again, or import the valid "
            "rows only."
        )


@transaction.atomic
def import_run_queue(*, run: ImportRun, skip_invalid: bool) -> ImportRun:
    """Hand an uploaded run to the background worker: the run waits as Queued, and the task
    that imports it is enqueued once this transaction commits (a second click finds it queued
    and is refused). The worker runs ``import_run_execute``."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    _check_startable(run, skip_invalid=skip_invalid)
    run.status = ImportRun.Status.QUEUED
    run.skip_invalid = skip_invalid
    run.save(update_fields=["status", "skip_invalid"])
    clinic_id, run_id = run.clinic_id, run.pk
    transaction.on_commit(
        lambda: import_run_task.enqueue(
            clinic_id=clinic_id, run_id=run_id, skip_invalid=skip_invalid
        )
    )
    return run


def import_run_execute(*, clinic_id: int, run_id: int, skip_invalid: bool) -> ImportRun:
    """Import an uploaded run's file. Takes ids and opens its own clinic scope: the worker's
    task calls it (``import_run_queue``), and so can a shell. A queued run starts as well as
    one straight from the check."""
    with scope(clinic=clinic_id):
        run = ImportRun.objects.select_related("clinic", "created_by").get(
            clinic_id=clinic_id, pk=run_id
        )
        if run.status != ImportRun.Status.QUEUED:
            _check_startable(run, skip_invalid=skip_invalid)
        claimed = ImportRun.objects.filter(pk=run.pk, status=run.status).update(
            status=ImportRun.Status.RUNNING, skip_invalid=skip_invalid, started_at=timezone.now()
        )
        if not claimed:
            raise ValidationError("This file is already being imported.")
        content = bytes(run.content)
        try:
            outcome = import_records(
                clinic=run.clinic,
                actor=run.created_by,
                open_file=lambda: io.BytesIO(content),
                file_name=run.file_name,
                run=run,
                skip_invalid=skip_invalid,
            )
        except Exception:
            ImportRun.objects.filter(pk=run.pk).update(
                status=ImportRun.Status.FAILED, finished_at=timezone.now()
            )
            raise
        if not outcome.written:
            # The file changed meaning since the check (a user was removed...): say so.
            ImportRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        else:
            # The ledger keeps the file's hash and lines; the bytes are no longer needed.
            ImportRun.objects.filter(pk=run.pk).update(content=None)
        run.refresh_from_db()
        return run


def _write_all(writer: Writer, open_file, on_bytes, skip_invalid) -> None:
    report = Report()
    lookups = load_lookups(writer.clinic)
    chunk: list[list[Row]] = []
    rows_in_chunk = 0
    done = 0
    with open_file() as binary:
        rows = checked_rows(binary, lookups, report, skip_invalid=True, on_bytes=on_bytes)
        for group in patient_groups(rows):
            chunk.append(group)
            rows_in_chunk += len(group)
            if len(chunk) >= CHUNK_PATIENTS or rows_in_chunk >= CHUNK_ROWS:
                writer.write(chunk)
                done += rows_in_chunk
                _progress(writer.run, report.size, done)
                chunk, rows_in_chunk = [], 0
        if chunk:
            writer.write(chunk)


def _progress(run: ImportRun, size: int, rows: int) -> None:
    ImportRun.objects.filter(pk=run.pk).update(progress_bytes=size, rows_done=rows)


def _store_report(run: ImportRun, report: Report) -> None:
    run.errors = report.errors
    run.error_count = report.error_count
    run.fatal_error = report.fatal or report.stopped_early
    run.summary = report.as_dict()
    if report.fatal or report.stopped_early or report.error_count:
        run.status = ImportRun.Status.INVALID
    else:
        run.status = ImportRun.Status.READY
    run.save(update_fields=["errors", "error_count", "fatal_error", "summary", "status"])


def summary_lines(report: Report, summary: Summary | None) -> list[str]:
    """The end-of-run summary in plain words, for the terminal."""
    lines = [
        f"Rows read: {report.rows:,}; valid: {report.valid_rows:,}; bad: {report.error_count:,}."
    ]
    if summary is None:
        return lines
    records = ", ".join(
        f"{summary.records[kind]:,} {KIND_LABELS[kind]}" for kind in KINDS if summary.records[kind]
    )
    lines += [
        f"Patients: {summary.patients:,} ({summary.patients_created:,} new).",
        f"Chart cases: {summary.chart_cases:,} ({summary.chart_cases_created:,} new).",
        f"Records imported: {records or 'none'}.",
    ]
    if summary.default_cases_created:
        lines.append("Default cases created: " + ", ".join(summary.default_cases_created) + ".")
    if summary.already_imported:
        lines.append(f"Already imported before (skipped): {summary.already_imported:,}.")
    if report.error_count:
        lines.append(f"Bad rows skipped: {report.error_count:,}.")
    if summary.refused:
        lines.append(f"Rows refused while writing (skipped): {summary.refused:,}.")
    for line, message in summary.write_errors[:20]:
        lines.append(f"Line {line}: {message}")
    lines.append(f"Time: {summary.seconds:.1f} s; {summary.rows_per_second:,.0f} rows/s.")
    return lines


@task()
def import_run_task(*, clinic_id: int, run_id: int, skip_invalid: bool) -> dict:
    """Import one uploaded run. Its progress and outcome are on the run's row, which the
    Import screen shows; an unexpected failure marks the run Failed and this task's row
    FAILED with the traceback."""
    try:
        run = import_run_execute(clinic_id=clinic_id, run_id=run_id, skip_invalid=skip_invalid)
    except ValidationError as refusal:
        # Someone else started it meanwhile (a shell, a second worker): nothing to do.
        logger.warning("Import run %s not started: %s", run_id, "; ".join(refusal.messages))
        return {"run": run_id, "status": "refused"}
    return {"run": run_id, "status": run.status}
