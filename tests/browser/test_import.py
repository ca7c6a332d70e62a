"""Admin > Basic Setup > Import: a new clinic loads the example file from the screen."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import PatientCase
from charts.models import DailyNote, Patient
from scheduling.models import Location
from tests.browser.helpers import log_in_with_form
from tests.fixtures.importing import EXAMPLE
from tests.importing.helpers import csv_text, note
from tests.worker import run_worker

pytestmark = pytest.mark.browser


def test_administrator_imports_the_example_file(page, administrator, import_staff, tmp_path):
    log_in_with_form(page, administrator.email)
    page.goto("/setup/")
    menu = page.get_by_role("navigation", name="Basic Setup")
    menu.get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", name="Import", level=1)).to_be_visible()
    expect(page.get_by_text("No imports yet.")).to_be_visible()

    page.get_by_label("CSV file").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name="Import of import-example.csv")).to_be_visible()
    expect(page.get_by_text("The file was checked: no bad rows.").first).to_be_visible()
    assert not Patient.objects.exists()

    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("“import-example.csv” is queued for import")).to_be_visible()
    expect(page.locator("#import-status")).to_have_text("Waiting for the worker")
    run_worker()
    # The page keeps its status current while the import waits or runs, then shows it.
    expect(page.locator("#import-status")).to_have_text("Imported", timeout=15_000)
    summary = page.get_by_role("region", name="What was imported")
    expect(summary).to_contain_text("Patients: 3 (3 new)")
    expect(summary).to_contain_text("Default cases created: Occupational Therapy, Speech Therapy")
    table = page.get_by_role("table", name="Records by kind")
    expect(table.get_by_role("row", name=re.compile("^Appointments"))).to_have_text(
        re.compile(r"Appointments\s*5\s*5")
    )
    assert DailyNote.objects.count() == 4

    # An imported visit is on the calendar of its day.
    location = Location.objects.get()
    page.goto(f"/schedule/?date=2025-01-27&location={location.pk}")
    expect(page.get_by_text("Ava Johnson").first).to_be_visible()
    page.goto("/setup/")

    # The default cases are under Basic Setup > Patient Cases.
    menu.get_by_role("link", name="Patient Cases").click()
    expect(page.get_by_role("link", name="Speech Therapy", exact=True)).to_be_visible()
    assert PatientCase.objects.get(name="Speech Therapy").patient_count == 3


def test_bad_rows_are_shown_with_their_line_numbers(
    page, login, visit, administrator, import_staff, tmp_path
):
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(note("P1"), note("P2", date="2023-02-30"), note("P3", subjective="")))
    login(administrator)
    visit("/setup/import/")
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and check").click()
    report = page.locator("#validation-report")
    expect(page.get_by_role("heading", name="Bad rows (2)")).to_be_visible()
    expect(report.get_by_role("row").nth(1)).to_contain_text("3")
    expect(report).to_contain_text("date “2023-02-30” is not a real date.")
    expect(report).to_contain_text("a daily note needs text")

    page.get_by_label("Import the valid rows and skip the bad ones").check()
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("is queued for import")).to_be_visible()
    run_worker()
    page.reload()
    expect(page.locator("#import-status")).to_have_text("Imported")
    assert Patient.objects.count() == 1
