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
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scope

try:  # Django 6.0 ships the API; on 5.2 the django-tasks package provides the same one.
    from django.tasks import task
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

from accounts.models import User
from cases.models import PatientCase
from cases.services import case_create_default
from charts.models import Patient, PatientChartCase
from clinic.models import AppointmentType, Clinic, ServiceType
from core import audit
from importing.checking import ERRORS_KEPT, Lookups, Report, checked_rows, patient_groups
from importing.format import APPOINTMENT, KIND_LABELS, KINDS, Row
from importing.handlers import HANDLERS, CleanContext, Item, WriteContext
from importing.models import ImportedPatient, ImportedRecord, ImportRun
from insurance.models import Payer
from scheduling.models import Location

logger = logging.getLogger(__name__)

# A chunk closes at this many patients or rows: big enough that the per-chunk queries are
# few, small enough that a chunk's ``IN (...)`` lists and objects stay small.
CHUNK_PATIENTS = 200
CHUNK_ROWS = 2000

KIND_NAMES = {
    "goal": "Goal",
    "daily_note": "Daily note",
    "evaluation": "Evaluation",
    "reminder": "Reminder",
    "appointment": "Appointment",
    "authorization": "Authorization",
}


@dataclass
class Summary:
    """What an import did, for the terminal, the page and the run's row."""

    patients: int = 0
    patients_created: int = 0
    chart_cases: int = 0
    chart_cases_created: int = 0
    default_cases_created: list = field(default_factory=list)
    records: Counter = field(default_factory=Counter)
    already_imported: int = 0
    write_errors: list = field(default_factory=list)
    # Rows a service refused while writing (an appointment's clash): counted, the first
    # ERRORS_KEPT kept with their line (they are also in ``write_errors``).
    refused: int = 0
    refused_rows: list = field(default_factory=list)
    seconds: float = 0.0
    rows: int = 0
    chart_cases_seen: set = field(default_factory=set)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "patients": self.patients,
            "patients_created": self.patients_created,
            "chart_cases": self.chart_cases,
            "chart_cases_created": self.chart_cases_created,
            "default_cases_created": self.default_cases_created,
            "records": {kind: self.records[kind] for kind in KINDS if self.records[kind]},
            "already_imported": self.already_imported,
            "write_errors": self.write_errors[:200],
            "refused": self.refused,
            "seconds": round(self.seconds, 2),
            "rows": self.rows,
            "rows_per_second": round(self.rows_per_second),
        }


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


class _Writer:
    def __init__(self, *, clinic: Clinic, run: ImportRun, actor: User, summary: Summary):
        self.clinic = clinic
        self.run = run
        self.actor = actor
        self.summary = summary
        self.context = WriteContext(
            clinic_id=clinic.pk,
            tzinfo=clinic.tzinfo,
            actor_id=actor.pk,
            clinic=clinic,
            actor=actor,
            file_name=run.file_name,
        )
        self.today = clinic.today()
        self.defaults: dict[int, PatientCase] = {}
        self.chart_cases_seen: set[tuple[int, int]] = set()

    def prepare_default_cases(self, service_type_ids) -> None:
        for service_type in ServiceType.objects.filter(pk__in=service_type_ids):
            case, created = case_create_default(service_type=service_type, by=self.actor)
            if created:
                self.summary.default_cases_created.append(case.name)
            self.defaults[service_type.pk] = case

    def write(self, groups: list[list[Row]]) -> None:
        try:
            with transaction.atomic():
                counts = self._write_chunk(groups)
        except DatabaseError:
            # One patient's rows broke a constraint (another import of the same file at the
            # same moment, a chart changed meanwhile): write each patient on their own.
            for group in groups:
                try:
                    with transaction.atomic():
                        counts = self._write_chunk([group])
                except DatabaseError as error:
                    self.summary.write_errors.append(
                        [group[0].line, f"patient {group[0].patient_id} not imported: {error}"]
                    )
                    continue
                self._add(counts)
            return
        self._add(counts)

    def _add(self, counts: Summary) -> None:
        summary = self.summary
        summary.patients += counts.patients
        summary.patients_created += counts.patients_created
        summary.chart_cases_created += counts.chart_cases_created
        summary.records.update(counts.records)
        summary.already_imported += counts.already_imported
        summary.write_errors.extend(counts.write_errors)
        summary.refused += counts.refused
        summary.refused_rows.extend(counts.refused_rows[: ERRORS_KEPT - len(summary.refused_rows)])
        self.chart_cases_seen.update(counts.chart_cases_seen)

    def _write_chunk(self, groups: list[list[Row]]) -> Summary:
        """One transaction for these patients: a fixed number of queries for the chunk."""
        counts = Summary()
        clinic_id = self.clinic.pk
        patients = self._patients(groups, counts)
        chart_cases = self._chart_cases(groups, patients, counts)

        keys = [row.key for group in groups for row in group]
        existing = set(
            ImportedRecord.objects.filter(clinic_id=clinic_id, key__in=keys).values_list(
                "key", flat=True
            )
        )
        by_kind: dict[str, list[Item]] = defaultdict(list)
        for group in groups:
            for row in group:
                if row.key in existing:
                    counts.already_imported += 1
                    continue
                case = self.defaults[row.service_type_id]
                patient_pk = patients[row.patient_id].pk
                by_kind[row.kind].append(Item(row, chart_cases[(patient_pk, case.pk)]))

        ledger, written_by_patient = [], defaultdict(list)
        # In the order of KINDS: a chunk's authorizations before the visits they count.
        for kind in sorted(by_kind, key=KINDS.index):
            items = by_kind[kind]
            result = HANDLERS[kind].write(items, self.context)
            for item, object_id in result.written:
                counts.records[kind] += 1
                ledger.append(
                    ImportedRecord(
                        clinic_id=clinic_id,
                        key=item.row.key,
                        kind=kind,
                        object_id=object_id,
                        run=self.run,
                        line=item.row.line,
                    )
                )
                written_by_patient[item.row.patient_id].append((kind, object_id, item.row.line))
            for item, reason in result.refused:
                counts.write_errors.append([item.row.line, reason])
                counts.refused_rows.append([item.row.line, reason])
                counts.refused += 1
        ImportedRecord.objects.bulk_create(ledger, batch_size=1000)
        audit.record_many(
            self._audit_entry(patients[patient_id], records)
            for patient_id, records in written_by_patient.items()
        )
        return counts

    def _patients(self, groups, counts) -> dict[str, Patient]:
        ids = [group[0].patient_id for group in groups]
        known = {
            link.external_id: link.patient
            for link in ImportedPatient.objects.filter(
                clinic_id=self.clinic.pk, external_id__in=ids
            ).select_related("patient")
        }
        new = {
            group[0].patient_id: Patient(
                clinic_id=self.clinic.pk,
                first_name=group[0].first_name,
                last_name=group[0].last_name,
                date_of_birth=group[0].date_of_birth,
            )
            for group in groups
            if group[0].patient_id not in known
        }
        Patient.objects.bulk_create(new.values(), batch_size=1000)
        ImportedPatient.objects.bulk_create(
            (
                ImportedPatient(clinic_id=self.clinic.pk, external_id=external_id, patient=patient)
                for external_id, patient in new.items()
            ),
            batch_size=1000,
        )
        counts.patients = len(groups)
        counts.patients_created = len(new)
        return {**known, **new}

    def _chart_cases(self, groups, patients, counts) -> dict[tuple[int, int], int]:
        """``{(patient id, case id): chart case id}`` for every pair the rows need: the chart
        case already there (an active one first), else a new one starting on the pair's first
        record date (today at the latest)."""
        starts: dict[tuple[int, int], object] = {}
        for group in groups:
            patient_pk = patients[group[0].patient_id].pk
            for row in group:
                pair = (patient_pk, self.defaults[row.service_type_id].pk)
                starts[pair] = min(starts.get(pair, row.date), row.date)
        found: dict[tuple[int, int], int] = {}
        rows = (
            PatientChartCase.objects.filter(
                clinic_id=self.clinic.pk,
                patient_id__in={pair[0] for pair in starts},
                case_id__in={pair[1] for pair in starts},
            )
            # "active" sorts before "discharged".
            .order_by("patient_id", "case_id", "status", "-started_on")
            .values_list("patient_id", "case_id", "pk")
        )
        for patient_id, case_id, pk in rows:
            found.setdefault((patient_id, case_id), pk)
        missing = [pair for pair in starts if pair not in found]
        new = [
            PatientChartCase(
                clinic_id=self.clinic.pk,
                patient_id=patient_id,
                case_id=case_id,
                started_on=min(starts[(patient_id, case_id)], self.today),
            )
            for patient_id, case_id in missing
        ]
        PatientChartCase.objects.bulk_create(new, batch_size=1000)
        entries = []
        for chart_case in new:
            added = audit.entry(
                clinic_id=self.clinic.pk,
                actor=self.actor,
                action="import",
                obj=chart_case,
                object_repr="",
                details=f"Added to the chart by the import of “{self.run.file_name}”.",
            )
            # The patient rows are not loaded here; the entry needs only their id.
            added.patient_id = chart_case.patient_id
            entries.append(added)
        audit.record_many(entries)
        # Each new chart case is its patient's first of that case (none was found above).
        for case_id, added in Counter(chart_case.case_id for chart_case in new).items():
            PatientCase.objects.filter(pk=case_id).update(patient_count=F("patient_count") + added)
        for chart_case in new:
            found[(chart_case.patient_id, chart_case.case_id)] = chart_case.pk
        counts.chart_cases_created = len(new)
        counts.chart_cases_seen = set(found.values())
        return found

    def _audit_entry(self, patient: Patient, records) -> object:
        listed = ", ".join(
            f"{KIND_NAMES[kind]} #{object_id} (line {line})" for kind, object_id, line in records
        )
        return audit.entry(
            clinic_id=self.clinic.pk,
            actor=self.actor,
            action="import",
            object_type="import",
            object_id=self.run.pk,
            object_repr=self.run.file_name,
            patient=patient,
            details=(
                f"{len(records)} record(s) imported from “{self.run.file_name}” (import "
                f"#{self.run.pk}, SHA-256 {self.run.sha256[:12]}…): {listed}."
            ),
        )


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
    summary = Summary(rows=report.rows)
    # A real import commits chunk by chunk; a dry run is one transaction rolled back at the end.
    # So is an import with appointments, unless bad rows may be skipped: scheduling may refuse
    # one of them while writing (a clash the check cannot see, such as two rows of the file at
    # the same time), and then nothing at all may stay. Its progress shows at the end.
    whole = dry_run or (not skip_invalid and bool(report.per_kind.get(APPOINTMENT)))
    own_run = run is None
    with transaction.atomic() if whole else contextlib.nullcontext():
        if run is None:
            run = ImportRun.objects.create(
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
        writer = _Writer(clinic=clinic, run=run, actor=actor, summary=summary)
        writer.prepare_default_cases(report.service_type_ids)
        _write_all(writer, open_file, on_bytes, skip_invalid)
        summary.chart_cases = len(writer.chart_cases_seen)
        summary.seconds = time.monotonic() - started
        refused = summary.refused and not skip_invalid
        if dry_run or refused:
            transaction.set_rollback(True)
    if refused:
        # Rows refused while writing are bad rows like the check's: reported with their
        # lines, and nothing was written.
        for line, message in summary.refused_rows:
            report.add_error(line, message)
        report.error_count += summary.refused - len(summary.refused_rows)
        report.valid_rows -= summary.refused
        if own_run:
            return Outcome(report, None, None)
        _store_report(run, report)
        return Outcome(report, None, run)
    if not dry_run:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.DONE,
            summary={**report.as_dict(), **summary.as_dict()},
            rows_done=report.rows,
            progress_bytes=report.size,
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
    return Outcome(report, summary, None if dry_run else run)


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


def _write_all(writer: _Writer, open_file, on_bytes, skip_invalid) -> None:
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
