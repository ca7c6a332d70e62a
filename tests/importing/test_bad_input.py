"""Bad files and bad rows: every one reported with its line number and reason, and nothing
half-written."""

import io
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from charts.models import DailyNote, Goal, Patient, PatientChartCase
from core.models import AuditEntry
from importing import handlers
from importing.format import COLUMNS
from importing.models import ImportedRecord
from importing.reader import MAX_LINE_BYTES
from tests.importing.helpers import HEADER, csv_text, note, run_import, write

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def staff(import_staff):
    return import_staff


def refused(tmp_path, clinic, text, *args) -> str:
    """Run the import, expect it to refuse, and return everything it said."""
    path = write(tmp_path, text)
    with pytest.raises(CommandError) as raised:
        run_import(path, clinic, *args)
    assert not Patient.objects.exists(), "nothing may be written"
    assert not DailyNote.objects.exists()
    assert not ImportedRecord.objects.exists()
    return str(raised.value)


def report_of(tmp_path, clinic, text) -> str:
    """The command's report for a file with bad rows (it refuses; the report is on stdout)."""
    out = io.StringIO()
    path = write(tmp_path, text)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_therapy_records",
            str(path),
            "--clinic",
            str(clinic.pk),
            "--no-progress",
            stdout=out,
        )
    assert not Patient.objects.exists()
    assert not DailyNote.objects.exists()
    assert not AuditEntry.objects.filter(action="import").exists()
    return out.getvalue()


def test_unknown_service_type_and_author(tmp_path, clinic):
    text = csv_text(
        note(),
        note(service_type="Music Therapy", subjective="Sang."),
        note(author_email="nobody@elsewhere.test", subjective="Other."),
    )
    out = report_of(tmp_path, clinic, text)
    assert "Line 3: service_type “Music Therapy” is not one of the clinic's service types." in out
    assert "Line 4: author_email “nobody@elsewhere.test” is not a user of this clinic." in out
    assert "Rows read: 3; valid: 1; bad: 2." in out


def test_another_clinics_author_is_unknown(tmp_path, clinic, other_admin):
    out = report_of(tmp_path, clinic, csv_text(note(author_email=other_admin.email)))
    assert "Line 2: author_email “admin@hillside.test” is not a user of this clinic." in out


def test_a_portal_user_is_not_an_author_but_a_former_therapist_is(
    tmp_path, clinic, patient_user, staff
):
    out = report_of(tmp_path, clinic, csv_text(note(author_email=patient_user.email)))
    assert "Line 2: author_email “parent@riverside.test” is not a user of this clinic." in out
    staff["slp"].is_active = False
    staff["slp"].save()
    out, _ = run_import(write(tmp_path, csv_text(note())), clinic)
    assert DailyNote.objects.get().author == staff["slp"]


def test_malformed_impossible_and_future_dates(tmp_path, clinic):
    text = csv_text(
        note(date="12-2024"),
        note(date="2023-02-30", subjective="b"),
        note(date_of_birth="2016-13-01", subjective="c"),
        note(date="2999-01-01", subjective="d"),
        note(date="", subjective="e"),
        {**note(subjective="f"), "kind": "goal", "subjective": "", "text": "Goal", "end_date": "x"},
    )
    out = report_of(tmp_path, clinic, text)
    assert "Line 2: date “12-2024” is not a date: write YYYY-MM-DD." in out
    assert "Line 3: date “2023-02-30” is not a real date." in out
    assert "Line 4: date_of_birth “2016-13-01” is not a real date." in out
    assert "Line 5: date (of service) 2999-01-01 is in the future." in out
    assert "Line 6: date is missing." in out
    assert "Line 7: end_date “x” is not a date" in out


def test_a_note_with_no_text(tmp_path, clinic):
    out = report_of(tmp_path, clinic, csv_text(note(subjective="")))
    assert (
        "Line 2: a daily note needs text: subjective, objective, assessment and plan are all "
        "empty." in out
    )


def test_duplicate_rows(tmp_path, clinic):
    text = csv_text(note(), note(subjective="Other text."), note())
    out = report_of(tmp_path, clinic, text)
    assert "Line 4: duplicate of line 2." in out
    assert "Line 3" not in out


def test_duplicate_record_ids(tmp_path, clinic):
    out = report_of(
        tmp_path, clinic, csv_text(note(record_id="N1"), note(record_id="N1", subjective="x"))
    )
    assert "Line 3: duplicate of line 2." in out


def test_a_patients_rows_must_come_together_and_agree(tmp_path, clinic):
    text = csv_text(
        note("P1"),
        note("P2", subjective="x"),
        note("P1", subjective="y"),
        note("P2", subjective="z", first_name="Maya"),
    )
    out = report_of(tmp_path, clinic, text)
    assert "Line 4: the rows of patient P1 must come together: they were already listed " in out
    assert "(last on line 2)" in out
    assert "Line 5: the name or date of birth of patient P2 differs from line 3." in out


def test_wrong_encoding_stops_at_its_line(tmp_path, clinic):
    text = csv_text(note(), note(subjective="Zoë said hi")).encode("latin-1")
    message = refused(tmp_path, clinic, text)
    assert "Line 3: the file is not UTF-8 text (byte 0xeb cannot be read)" in message
    assert "CSV UTF-8" in message


def test_a_byte_order_mark_is_fine(tmp_path, clinic):
    path = write(tmp_path, b"\xef\xbb\xbf" + csv_text(note()).encode())
    out, _ = run_import(path, clinic)
    assert "Records imported: 1 daily notes." in out


def test_missing_and_unknown_columns(tmp_path, clinic):
    header = HEADER.replace("date_of_birth,", "").replace("author_email", "author")
    message = refused(tmp_path, clinic, header + "\n")
    assert message.startswith("Line 1: missing columns: date_of_birth, author_email; unknown ")
    assert "unknown columns: author" in message
    assert "docs/import-format.md" in message


def test_optional_columns_may_be_left_out_and_spelled_loosely(tmp_path, clinic):
    header = "Patient ID,First name,Last name,Date of birth,Service type,Kind,Date,Author e-mail"
    header += ",Subjective"
    text = header + "\nP1,Mia,Lopez,2016-05-04,Speech Therapy,Daily note,2025-01-10,"
    text += "SLP@demo.clinic,Worked on /s/.\n"
    out, _ = run_import(write(tmp_path, text), clinic)
    assert "Records imported: 1 daily notes." in out


def test_a_row_with_too_many_or_too_few_values(tmp_path, clinic):
    good = csv_text(note()).splitlines()
    text = "\n".join([good[0], good[1] + ",extra", good[1][: good[1].rindex(",")]]) + "\n"
    out = report_of(tmp_path, clinic, text)
    assert f"Line 2: {len(COLUMNS) + 1} values, but the header has {len(COLUMNS)} columns." in out
    assert f"Line 3: {len(COLUMNS) - 1} values, but the header has {len(COLUMNS)} columns." in out


def test_empty_file_and_header_only(tmp_path, clinic):
    assert "The file is empty." in refused(tmp_path, clinic, "")
    assert "The file is empty." in refused(tmp_path, clinic, "\n\n")
    assert "header but no records" in refused(tmp_path, clinic, HEADER + "\n")


def test_binary_garbage_stops_at_once(tmp_path, clinic):
    garbage = os.urandom(3_000_000)
    message = refused(tmp_path, clinic, garbage)
    assert message.startswith("Line 1: ")
    assert "Nothing was imported." in message


def test_an_endless_line_is_not_read_into_memory(tmp_path, clinic):
    message = refused(tmp_path, clinic, "a" * (MAX_LINE_BYTES * 3))
    assert f"Line 1: the line is longer than {MAX_LINE_BYTES:,} bytes" in message


def test_nul_bytes(tmp_path, clinic):
    text = csv_text(note()).encode() + b"P2,\x00\x00\n"
    message = refused(tmp_path, clinic, text)
    assert "Line 3: " in message and "NUL byte" in message


def test_text_garbage_stops_after_a_thousand_bad_rows(tmp_path, clinic):
    """A large file of plausible-looking garbage: reading stops early with a clear message,
    well before its end."""
    path = tmp_path / "garbage.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        for n in range(50_000):
            handle.write(f"x{n},y,z\n")
    with pytest.raises(CommandError, match="none of the first 1,000 rows could be read"):
        run_import(path, clinic, "--skip-invalid")
    with pytest.raises(CommandError, match="Stopped reading at line 1001"):
        run_import(path, clinic)
    assert not Patient.objects.exists()


def test_formula_looking_cells_are_kept_as_text(tmp_path, clinic):
    text = csv_text(
        {
            **note(subjective=""),
            "kind": "goal",
            "text": '=HYPERLINK("http://evil.example","click")',
            "end_date": "2025-06-01",
        },
        note(subjective="+1+1", objective="@SUM(A1:A2)", assessment="-2"),
    )
    run_import(write(tmp_path, text), clinic)
    assert Goal.objects.get().text == '=HYPERLINK("http://evil.example","click")'
    saved = DailyNote.objects.get()
    assert (saved.subjective, saved.objective, saved.assessment) == ("+1+1", "@SUM(A1:A2)", "-2")


def test_columns_a_kind_does_not_use_are_refused(tmp_path, clinic):
    out = report_of(tmp_path, clinic, csv_text(note(text="Goal text?")))
    assert "Line 2: Daily notes do not use the column text." in out


def test_skip_invalid_imports_the_good_rows(tmp_path, clinic):
    text = csv_text(
        note("P1"),
        note("P1", subjective="", date="2025-01-11"),
        note("P2", subjective="Fine."),
        note("P3", service_type="Music Therapy"),
    )
    out, _ = run_import(write(tmp_path, text), clinic, "--skip-invalid")
    assert "Line 3: a daily note needs text" in out
    assert "Line 5: service_type “Music Therapy”" in out
    assert "Bad rows skipped: 2." in out
    assert "Records imported: 2 daily notes." in out
    assert set(Patient.objects.values_list("last_name", flat=True)) == {"Lopez"}
    assert Patient.objects.count() == 2


def test_a_patient_whose_write_fails_is_left_out_whole(tmp_path, clinic, monkeypatch):
    """A database error while writing one patient: the others are imported, that patient not
    at all (no patient row, no chart case, no goal), and the line is reported."""
    original = handlers.DailyNoteHandler.write

    def failing(self, items, context):
        if any(item.row.patient_id == "P2" for item in items):
            raise DatabaseError("simulated failure")
        return original(self, items, context)

    monkeypatch.setattr(handlers.DailyNoteHandler, "write", failing)
    goal = {
        **note("P2", subjective=""),
        "kind": "goal",
        "text": "A goal",
        "end_date": "2025-06-01",
    }
    text = csv_text(note("P1"), goal, note("P2", subjective="Fails."), note("P3"))
    out, _ = run_import(write(tmp_path, text), clinic)
    assert "Line 3: patient P2 not imported: simulated failure" in out
    assert Patient.objects.count() == 2
    assert not Goal.objects.exists()
    assert PatientChartCase.objects.count() == 2
    assert DailyNote.objects.count() == 2
