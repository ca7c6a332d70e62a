"""The import command on the example file: what lands where, and that a second run adds
nothing."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from cases.models import PatientCase
from charts.models import DailyNote, Evaluation, Goal, Patient, PatientChartCase, Reminder
from core.models import AuditEntry
from importing.models import ImportedPatient, ImportedRecord, ImportRun
from scheduling.models import Appointment
from tests.fixtures.importing import EXAMPLE
from tests.importing.helpers import run_import

pytestmark = pytest.mark.django_db


def test_example_file_lands_on_the_default_cases(clinic, import_staff, speech, occupational):
    out, _ = run_import(EXAMPLE, clinic)
    assert "Patients: 3 (3 new)." in out
    assert "Chart cases: 4 (4 new)." in out
    assert (
        "Records imported: 4 goals, 4 daily notes, 2 evaluations, 2 reminders, 5 appointments."
        in out
    )
    assert "NOT imported" not in out
    assert "Default cases created: Occupational Therapy, Speech Therapy." in out
    assert "rows/s" in out

    speech_case = PatientCase.objects.get(name="Speech Therapy")
    assert list(speech_case.service_types.all()) == [speech]
    assert speech_case.patient_count == 3
    ava = Patient.objects.get(first_name="Ava")
    assert ava.date_of_birth == datetime.date(2017, 3, 14)
    assert ImportedPatient.objects.get(patient=ava).external_id == "MRN-1001"
    chart_case = PatientChartCase.objects.get(patient=ava)
    assert chart_case.case == speech_case
    assert chart_case.started_on == datetime.date(2025, 1, 6)

    slp = import_staff["slp"]
    signed, unsigned = DailyNote.objects.filter(chart_case=chart_case).order_by("date_of_service")
    assert signed.date_of_service == datetime.date(2025, 1, 13)
    assert signed.author == slp and signed.signed_by == slp and signed.is_signed
    assert not unsigned.is_signed
    # Formula-looking text is kept as written, never evaluated.
    assert unsigned.subjective.startswith('=HYPERLINK("http://example.com","parent said")')
    evaluation = Evaluation.objects.get(chart_case=chart_case)
    assert evaluation.signed_at.astimezone(clinic.tzinfo).strftime("%Y-%m-%d %H:%M") == (
        "2025-01-06 16:30"
    )
    goals = Goal.objects.filter(chart_case=chart_case).order_by("kind")
    assert [(goal.kind, goal.status) for goal in goals] == [
        ("long_term", "active"),
        ("short_term", "met"),
    ]
    done = Reminder.objects.get(text="Order a slant board")
    assert done.done_at is not None and done.done_by == import_staff["ot"]
    # Ben has two chart cases: Occupational Therapy and Speech Therapy.
    ben = Patient.objects.get(first_name="Ben")
    assert {cc.case.name for cc in PatientChartCase.objects.filter(patient=ben)} == {
        "Occupational Therapy",
        "Speech Therapy",
    }

    # The audit trail: one "import" entry per patient, naming the file and every record (and
    # one per chart case the import added, on that chart case's history).
    entries = AuditEntry.objects.filter(action="import", object_type="import")
    assert entries.count() == 3
    assert AuditEntry.objects.filter(action="import", object_type="patient chart case").count() == 4
    ava_entry = entries.get(patient_id=ava.pk)
    assert ava_entry.object_repr == "import-example.csv"
    assert "Daily note #" in ava_entry.details and "(line 5)" in ava_entry.details
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DONE
    assert run.summary["records"]["daily_note"] == 4
    assert run.summary["records"]["appointment"] == 5
    assert ImportedRecord.objects.filter(run=run).count() == 17


def test_second_run_adds_nothing(clinic, import_staff):
    run_import(EXAMPLE, clinic)
    counts = _counts()
    out, _ = run_import(EXAMPLE, clinic)
    assert "Records imported: none." in out
    assert "Already imported before (skipped): 17." in out
    assert "Patients: 3 (0 new)." in out
    assert "Chart cases: 4 (0 new)." in out
    # Only the second run's own row is new.
    assert _counts() == {**counts, "runs": 2}
    assert PatientCase.objects.get(name="Speech Therapy").patient_count == 3


def test_dry_run_keeps_nothing(clinic, import_staff):
    out, _ = run_import(EXAMPLE, clinic, "--dry-run")
    assert (
        "Records imported: 4 goals, 4 daily notes, 2 evaluations, 2 reminders, 5 appointments."
        in out
    )
    assert "Dry run: nothing was kept." in out
    assert _counts() == {
        "patients": 0,
        "chart cases": 0,
        "notes": 0,
        "goals": 0,
        "ledger": 0,
        "runs": 0,
        "cases": 0,
        "audit": 0,
        "appointments": 0,
    }


def test_unknown_clinic_and_missing_file(clinic, import_staff, tmp_path):
    with pytest.raises(CommandError, match="No file"):
        run_import(tmp_path / "missing.csv", clinic)
    with pytest.raises(CommandError, match="No clinic"):
        call_command("import_therapy_records", str(EXAMPLE), "--clinic", "Nowhere")


def _counts() -> dict:
    return {
        "patients": Patient.objects.count(),
        "chart cases": PatientChartCase.objects.count(),
        "notes": DailyNote.objects.count(),
        "goals": Goal.objects.count(),
        "ledger": ImportedRecord.objects.count(),
        "runs": ImportRun.objects.count(),
        "cases": PatientCase.objects.count(),
        "audit": AuditEntry.objects.count(),
        "appointments": Appointment.objects.count(),
    }


def test_progress_bar_on_the_terminal(clinic, import_staff):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_therapy_records", str(EXAMPLE), "--clinic", str(clinic.pk), stdout=out, stderr=err
    )
    assert "Checking: 100%" in err.getvalue()
    assert "Importing: 100%" in err.getvalue()


def test_imported_records_show_on_the_chart(client, clinic, import_staff):
    """The therapist opens the imported patient's chart: the case tab with its goals and
    notes, written by the authors the file named."""
    from django.urls import reverse

    run_import(EXAMPLE, clinic)
    ava = Patient.objects.get(first_name="Ava")
    chart_case = PatientChartCase.objects.get(patient=ava)
    client.force_login(import_staff["slp"])
    page = client.get(
        reverse("charts:chart_case_detail", args=[ava.pk, chart_case.pk])
    ).content.decode()
    assert "Speech Therapy" in page
    assert "Ava will produce /k/ and /g/ in conversation with 90% accuracy." in page
    assert "Jan 13, 2025" in page
    history = client.get(reverse("charts:chart_case_history", args=[chart_case.pk]))
    assert "Imported" in history.content.decode()
