"""Writing checked rows, a chunk of whole patients at a time: their patients and chart cases,
then each kind's records through its handler, the ledger that makes a second run skip them,
and one audit entry per patient. ``services.import_records`` drives it."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils.translation import ngettext

from accounts.models import User
from cases.models import PatientCase
from cases.services import case_create_default
from charts.models import Patient, PatientChartCase
from clinic.models import Clinic, ServiceType
from core import audit
from importing.checking import ERRORS_KEPT
from importing.format import KINDS, Row
from importing.handlers import HANDLERS, Item, WriteContext
from importing.models import ImportedPatient, ImportedRecord, ImportRun
from insurance.stored import recount_once

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


class Writer:
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
        # The insurance counts of the chunk's chart cases made once, at the end of the chunk.
        with recount_once():
            return self._write_chunk_rows(groups)

    def _write_chunk_rows(self, groups: list[list[Row]]) -> Summary:
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
        found = self._existing_chart_cases(starts)
        missing = [pair for pair in starts if pair not in found]
        new = self._add_chart_cases(missing, starts)
        for chart_case in new:
            found[(chart_case.patient_id, chart_case.case_id)] = chart_case.pk
        counts.chart_cases_created = len(new)
        counts.chart_cases_seen = set(found.values())
        return found

    def _existing_chart_cases(self, pairs) -> dict[tuple[int, int], int]:
        found: dict[tuple[int, int], int] = {}
        rows = (
            PatientChartCase.objects.filter(
                clinic_id=self.clinic.pk,
                patient_id__in={pair[0] for pair in pairs},
                case_id__in={pair[1] for pair in pairs},
            )
            # "active" sorts before "discharged".
            .order_by("patient_id", "case_id", "status", "-started_on")
            .values_list("patient_id", "case_id", "pk")
        )
        for patient_id, case_id, pk in rows:
            found.setdefault((patient_id, case_id), pk)
        return found

    def _add_chart_cases(self, missing, starts) -> list[PatientChartCase]:
        """Put each missing (patient, case) pair on its chart, with an audit entry each, and
        count the new patients on their cases."""
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
        return new

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
                f"{len(records)} {ngettext('record', 'records', len(records))} imported from "
                f"“{self.run.file_name}” (import "
                f"#{self.run.pk}, SHA-256 {self.run.sha256[:12]}…): {listed}."
            ),
        )
