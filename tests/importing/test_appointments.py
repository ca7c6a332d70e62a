"""Appointment rows: visits of the past recorded as they went, future ones booked, both under
scheduling's no-overlap rule; a clash or a broken rule is a reported row, never a double
booking, and without --skip-invalid nothing is written at all."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from charts.models import DailyNote, Patient, PatientChartCase
from core.models import AuditEntry
from importing.models import ImportedRecord
from scheduling.models import Appointment
from tests.factories import AppointmentFactory, LocationFactory
from tests.fixtures.importing import EXAMPLE
from tests.importing.helpers import csv_text, note, run_import, write

pytestmark = pytest.mark.django_db


def visit(patient="P1", **values) -> dict:
    row = {
        "patient_id": patient,
        "first_name": "Mia",
        "last_name": f"Lopez {patient}",
        "date_of_birth": "2016-05-04",
        "service_type": "Speech Therapy",
        "kind": "appointment",
        "date": "2025-01-13",
        "start_time": "09:00",
        "duration_minutes": "45",
        "appointment_type": "Treatment",
        "author_email": "slp@demo.clinic",
        "status": "completed",
    }
    row.update(values)
    return row


def local(appointment: Appointment) -> str:
    return f"{appointment.start.astimezone(appointment.location.tzinfo):%Y-%m-%d %H:%M}"


def test_example_appointments_land_on_the_chart_case(client, clinic, import_staff, administrator):
    run_import(EXAMPLE, clinic)
    slp, location = import_staff["slp"], import_staff["location"]
    ava = Patient.objects.get(first_name="Ava")
    chart_case = PatientChartCase.objects.get(patient=ava)
    visits = Appointment.objects.filter(chart_case=chart_case).order_by("start")
    assert [(local(a), a.duration_minutes, a.status) for a in visits] == [
        ("2025-01-27 09:00", 45, "completed"),
        ("2025-02-03 09:00", 45, "no_show"),
    ]
    assert {(a.therapist, a.location, a.patient) for a in visits} == {(slp, location, ava)}
    cancelled = Appointment.objects.get(patient__first_name="Ben")
    assert cancelled.status == "patient_cancelled"
    assert cancelled.cancel_reason == "Family holiday"
    assert cancelled.chart_case.case.name == "Occupational Therapy"
    future = Appointment.objects.get(status="scheduled")
    assert local(future) == "2030-06-03 10:00"
    assert future.chart_case.patient.first_name == "Chloe"

    # Each is in the audit trail as imported, with the file and its line; the patient's import
    # entry lists them like every other record.
    entry = AuditEntry.objects.get(object_type="appointment", object_id=str(visits[0].pk))
    assert entry.action == "import"
    assert "Imported from “import-example.csv”, line 8. Notes: Weekly treatment" in entry.details
    booked = AuditEntry.objects.get(object_type="appointment", object_id=str(future.pk))
    assert booked.action == "book"
    assert "Imported from “import-example.csv”, line 18." in booked.details
    ava_entry = AuditEntry.objects.get(action="import", object_type="import", patient_id=ava.pk)
    assert f"Appointment #{visits[0].pk} (line 8)" in ava_entry.details

    # The front desk sees the visit on the calendar of its day, and the booked one on the
    # chart case's appointments still to come.
    client.force_login(administrator)
    day = client.get(
        reverse("scheduling:calendar_day"), {"date": "2025-01-27", "location": location.pk}
    )
    assert day.status_code == 200
    assert "Ava Johnson" in day.content.decode()
    upcoming = client.get(
        reverse("scheduling:chart_case_appointments", args=[future.chart_case_id])
    ).content.decode()
    assert "Jun 3, 2030" in upcoming


def test_second_run_books_nothing(clinic, import_staff):
    run_import(EXAMPLE, clinic)
    out, _ = run_import(EXAMPLE, clinic)
    assert "Records imported: none." in out
    assert Appointment.objects.count() == 5


def test_a_clash_with_a_booked_visit_is_reported_and_nothing_is_written(
    tmp_path, clinic, import_staff
):
    slp, location = import_staff["slp"], import_staff["location"]
    start = datetime.datetime(2025, 1, 13, 9, 30, tzinfo=location.tzinfo)
    AppointmentFactory(
        clinic=clinic,
        therapist=slp,
        location=location,
        start=start,
        end=start + datetime.timedelta(minutes=30),
        duration_minutes=30,
        status="completed",
    )
    patients = Patient.objects.count()
    path = write(tmp_path, csv_text(note("P1"), visit("P2"), visit("P3", start_time="11:00")))
    out = _refused_report(path, clinic)
    assert "Line 3: appointment not imported: " in out
    assert "Rows read: 3; valid: 2; bad: 1." in out
    assert Appointment.objects.count() == 1, "never a double booking"
    assert Patient.objects.count() == patients, "nothing written"
    assert not DailyNote.objects.exists() and not ImportedRecord.objects.exists()

    out, _ = run_import(path, clinic, "--skip-invalid")
    assert "Line 3: appointment not imported: " in out
    assert f"{slp} already has an appointment from Mon Jan 13, 2025 9:30 AM to 10:00 AM." in out
    assert "Rows refused while writing (skipped): 1." in out
    assert "Records imported: 1 daily notes, 1 appointments." in out
    assert Appointment.objects.filter(therapist=slp).count() == 2
    assert not ImportedRecord.objects.filter(line=3).exists()
    # A second run tries the refused row again (it is not in the ledger) and adds nothing else.
    out, _ = run_import(path, clinic, "--skip-invalid")
    assert "Already imported before (skipped): 2." in out
    assert Appointment.objects.count() == 2


def test_two_rows_of_the_file_at_the_same_time(tmp_path, clinic, import_staff):
    path = write(tmp_path, csv_text(visit("P1"), visit("P2", start_time="09:15")))
    assert "Line 3: appointment not imported: " in _refused_report(path, clinic)
    assert not Appointment.objects.exists() and not Patient.objects.exists()

    out, _ = run_import(path, clinic, "--skip-invalid")
    assert "Line 3: appointment not imported: " in out and "already has an appointment" in out
    assert Appointment.objects.count() == 1


def test_the_screen_lists_a_refused_row_as_a_bad_one(clinic, import_staff, administrator):
    from importing.models import ImportRun
    from importing.services import import_run_create, import_run_execute

    content = csv_text(visit("P1"), visit("P2", start_time="09:15")).encode()
    run = import_run_create(clinic=clinic, file_name="two.csv", content=content, by=administrator)
    assert run.status == ImportRun.Status.READY
    run = import_run_execute(clinic_id=clinic.pk, run_id=run.pk, skip_invalid=False)
    assert run.status == ImportRun.Status.INVALID
    assert run.errors[0][0] == 3 and "already has an appointment" in run.errors[0][1]
    assert not Appointment.objects.exists()
    run = import_run_execute(clinic_id=clinic.pk, run_id=run.pk, skip_invalid=True)
    assert run.status == ImportRun.Status.DONE
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"status": "booked"},
            "the appointment of 2025-01-13 09:00 is in the past: say how it went",
        ),
        ({"status": ""}, "is in the past: say how it went"),
        ({"status": "maybe"}, "status “maybe” must be one of:"),
        ({"location": "Harbour"}, "location “Harbour” is not one of the clinic's locations."),
        ({"date": "2030-06-03"}, "is in the future: its status can only be booked."),
        (
            {"date": "9999-12-31", "start_time": "23:30", "status": "booked"},
            "the appointment's date 9999-12-31 is not between 1900-01-01 and 2999-12-31.",
        ),
        ({"date": "0001-01-01", "start_time": "00:10"}, "the appointment's date 0001-01-01"),
        ({"duration_minutes": "7"}, "duration_minutes must be whole minutes"),
        ({"appointment_type": "Massage"}, "appointment_type “Massage” is not one of"),
    ],
)
def test_bad_appointment_rows_are_reported(tmp_path, clinic, import_staff, values, message):
    out = _refused_report(write(tmp_path, csv_text(visit(**values))), clinic)
    assert "Line 2: " in out and message in out
    assert not Appointment.objects.exists() and not Patient.objects.exists()


def test_location_may_be_left_out_only_with_one_active_location(tmp_path, clinic, import_staff):
    path = write(tmp_path, csv_text(visit()))
    run_import(path, clinic)
    assert Appointment.objects.get().location == import_staff["location"]

    LocationFactory(clinic=clinic, name="Westside Annex")
    path = write(tmp_path, csv_text(visit("P2", start_time="11:00")), "second.csv")
    out = _refused_report(path, clinic)
    assert "location is missing: the clinic has 2 active locations, name one." in out
    path = write(
        tmp_path, csv_text(visit("P2", start_time="11:00", location="main clinic")), "third.csv"
    )
    run_import(path, clinic)
    assert Appointment.objects.count() == 2


def test_location_on_another_kind_is_refused(tmp_path, clinic, import_staff):
    out = _refused_report(write(tmp_path, csv_text(note(location="Main Clinic"))), clinic)
    assert "Line 2: Daily notes do not use the column location." in out


def test_a_therapist_who_cannot_take_the_case_is_reported(tmp_path, clinic, import_staff):
    ot = import_staff["ot"]
    path = write(tmp_path, csv_text(visit(author_email="ot@demo.clinic")))
    out = _refused_report(path, clinic)
    assert f"Line 2: appointment not imported: “Speech Therapy” is not a case of {ot}'s" in out
    assert not Appointment.objects.exists()


def test_a_future_row_obeys_clinic_hours(tmp_path, clinic, import_staff):
    early = visit(date="2030-06-03", start_time="07:00", status="booked")
    out = _refused_report(write(tmp_path, csv_text(early)), clinic)
    assert "Line 2: appointment not imported: " in out
    assert "This time is outside Main Clinic's opening hours that day (" in out
    assert not Appointment.objects.exists()

    fine = visit(date="2030-06-03", start_time="10:00", status="booked")
    run_import(write(tmp_path, csv_text(fine), "fine.csv"), clinic)
    assert Appointment.objects.get().status == "scheduled"


def test_a_past_visit_of_a_patient_already_booked_elsewhere(tmp_path, clinic, import_staff):
    """The patient's overlap rule holds too (the patient was with someone else then)."""
    run_import(write(tmp_path, csv_text(visit("P1"))), clinic)
    patient = Patient.objects.get()
    out = _refused_report(
        write(
            tmp_path,
            csv_text(
                visit("P1", service_type="Occupational Therapy", author_email="ot@demo.clinic")
            ),
            "ot.csv",
        ),
        clinic,
    )
    assert f"{patient} already has an appointment with" in out
    assert Appointment.objects.count() == 1


def _refused_report(path, clinic) -> str:
    """What the command said when it refused the file (nothing written)."""
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_therapy_records",
            str(path),
            "--clinic",
            str(clinic.pk),
            "--no-progress",
            stdout=out,
        )
    return out.getvalue()


def test_appointments_need_an_import_by_the_front_desk(tmp_path, clinic, import_staff):
    path = write(tmp_path, csv_text(note("P1"), visit("P2")))
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_therapy_records", str(path), "--clinic", str(clinic.pk), "--no-progress",
            "--by", "slp@demo.clinic", stdout=out,
        )  # fmt: skip
    assert "Line 3: appointments are booked by an administrator or scheduler" in out.getvalue()
    assert not Patient.objects.exists() and not Appointment.objects.exists()
