"""The import's ``authorization`` kind: validated like the other kinds (a bad row is reported
with its line and nothing is written), written through ``authorization_save``, counted by the
one rule, and a future visit imported in the same file is checked against it."""

import pytest

from insurance.models import Authorization
from scheduling.models import Appointment
from tests.factories import PayerFactory
from tests.importing.helpers import csv_text, run_import, write

pytestmark = pytest.mark.django_db


def grant(patient="P1", **values) -> dict:
    row = {
        "patient_id": patient,
        "first_name": "Mia",
        "last_name": f"Lopez {patient}",
        "date_of_birth": "2016-05-04",
        "service_type": "Speech Therapy",
        "kind": "authorization",
        "date": "2026-01-01",
        "end_date": "2026-12-31",
        "author_email": "slp@demo.clinic",
        "payer": "Blue Shield",
        "authorization_number": "BS-1",
        "quantity": "12",
    }
    row.update(values)
    return row


@pytest.fixture
def blue_shield(clinic):
    return PayerFactory(clinic=clinic, name="Blue Shield")


def test_an_authorization_row_is_imported_once(tmp_path, clinic, import_staff, blue_shield):
    path = write(tmp_path, csv_text(grant(appointment_type="Treatment", unit="units")))
    run_import(path, clinic)
    row = Authorization.objects.get()
    assert (row.number, row.quantity, row.unit) == ("BS-1", 12, "units")
    assert [t.name for t in row.appointment_types.all()] == ["Treatment"]
    assert row.chart_case.patient.last_name == "Lopez P1"
    run_import(path, clinic)
    assert Authorization.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"end_date": "2025-12-01"}, "end_date (the last date) is before date"),
        ({"quantity": "0"}, "quantity must be a whole number from 1"),
        ({"quantity": "-4"}, "quantity must be a whole number from 1"),
        ({"payer": "Nobody"}, "payer “Nobody” is not an active payer"),
        ({"authorization_number": ""}, "authorization_number is missing."),
        ({"unit": "hours"}, "unit “hours” must be one of"),
        ({"appointment_type": "Massage"}, "appointment_type “Massage” is not one of"),
        ({"start_time": "09:00"}, "Authorizations do not use the column start_time."),
    ],
)
def test_bad_authorization_rows_are_reported(
    tmp_path, clinic, import_staff, blue_shield, values, message
):
    from tests.importing.test_appointments import _refused_report

    out = _refused_report(write(tmp_path, csv_text(grant(**values))), clinic)
    assert "Line 2: " in out and message in out
    assert not Authorization.objects.exists()


def test_authorization_columns_on_another_kind_are_refused(tmp_path, clinic, import_staff):
    from tests.importing.helpers import note
    from tests.importing.test_appointments import _refused_report

    out = _refused_report(write(tmp_path, csv_text(note(payer="Blue Shield"))), clinic)
    assert "only authorizations use the column payer." in out


def test_a_duplicate_number_for_the_payer_and_patient_is_refused(
    tmp_path, clinic, import_staff, blue_shield
):
    path = write(tmp_path, csv_text(grant(), grant(date="2026-02-01")))
    out, _ = run_import(path, clinic, "--skip-invalid")
    assert "already has an authorization with this number" in out
    assert Authorization.objects.count() == 1


def test_a_future_visit_of_the_file_is_checked_against_its_authorization(
    tmp_path, clinic, import_staff, blue_shield
):
    from tests.importing.test_appointments import visit

    today = clinic.today()
    rows = [
        visit(date=f"{today.replace(year=today.year + 1):%Y-%m-%d}", status="booked"),
        grant(date=f"{today:%Y-%m-%d}", end_date=f"{today:%Y-%m-%d}"),
    ]
    out, _ = run_import(write(tmp_path, csv_text(*rows)), clinic, "--skip-invalid")
    assert Authorization.objects.count() == 1
    assert not Appointment.objects.exists()
    assert "No authorization of this case covers" in out


def _next_year(clinic) -> str:
    today = clinic.today()
    return f"{today.replace(year=today.year + 1):%Y-%m-%d}"


def _outside(clinic, **values) -> list[dict]:
    """An authorization ending today and a visit of the same case next year (outside it)."""
    from tests.importing.test_appointments import visit

    today = f"{clinic.today():%Y-%m-%d}"
    return [
        grant(date=today, end_date=today),
        visit(date=_next_year(clinic), status="booked", **values),
    ]


def test_an_imported_visit_outside_its_authorizations_without_a_reason_is_refused(
    tmp_path, clinic, import_staff, blue_shield
):
    from tests.importing.test_appointments import _refused_report

    out = _refused_report(write(tmp_path, csv_text(*_outside(clinic))), clinic)
    assert "Line 3: appointment not imported: No authorization of this case covers" in out
    assert "To book it anyway, say why in the authorization_override column." in out
    assert "Book over the authorization because" not in out
    assert not Appointment.objects.exists()
    assert not Authorization.objects.exists()


def test_an_imported_visit_outside_its_authorizations_with_a_reason_is_booked_with_it(
    tmp_path, clinic, import_staff, blue_shield
):
    from core.models import AuditEntry

    reason = "Renewal sent to the payer on the 2nd; =approved by phone"
    path = write(tmp_path, csv_text(*_outside(clinic, authorization_override=reason)))
    run_import(path, clinic)

    appointment = Appointment.objects.get()
    assert appointment.authorization_override == reason
    entry = AuditEntry.objects.get(action="book", object_id=str(appointment.pk))
    assert f"Over the authorization: {reason}" in entry.details
    assert "line 3" in entry.details
    # The reason is no part of what the visit is: the same file again adds nothing.
    run_import(path, clinic)
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"date": "2025-01-13", "status": "completed", "authorization_override": "Renewal"},
            "authorization_override is only for a future visit (booked)",
        ),
        (
            {"status": "booked", "authorization_override": "x" * 301},
            "authorization_override is longer than 300 characters.",
        ),
        (
            {"kind": "daily_note", "subjective": "Worked on /s/.", "authorization_override": "R"},
            "only appointments use the column authorization_override.",
        ),
    ],
)
def test_bad_override_reasons_are_reported(tmp_path, clinic, import_staff, row, message):
    from tests.importing.test_appointments import _refused_report, visit

    values = {"date": _next_year(clinic), **row}
    if row.get("kind") == "daily_note":
        values.update(start_time="", duration_minutes="", appointment_type="", status="")
        values["date"] = "2025-01-10"
    out = _refused_report(write(tmp_path, csv_text(visit(**values))), clinic)
    assert "Line 2: " in out and message in out
    assert not Appointment.objects.exists()
