"""Admin > Audit Log, driven in Chromium: an administrator edits a case; a therapist opens a
patient's chart and signs a note there; the administrator finds the edit, the signature and the
therapist's read of the chart in the Audit Log, filtered by that patient, and downloads them as
CSV. Every page the browser loads is checked with axe (``tests/browser/a11y.py``)."""

import csv
import datetime
import io

import pytest
from playwright.sync_api import expect

from tests.browser.test_charts import chart_tabs, open_chart
from tests.factories import DailyNoteFactory, PatientChartCaseFactory, PatientFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def ava(clinic):
    return PatientFactory(
        clinic=clinic,
        first_name="Ava",
        last_name="Moreno",
        date_of_birth=datetime.date(2019, 3, 14),
    )


@pytest.fixture
def draft_note(ava, speech_case, therapist):
    chart_case = PatientChartCaseFactory(
        patient=ava, case=speech_case, started_on=ava.clinic.today() - datetime.timedelta(days=7)
    )
    return DailyNoteFactory(chart_case=chart_case, author=therapist)


def entries(page):
    return page.locator("li.audit-entry")


def test_administrator_finds_a_case_edit_a_signature_and_a_read_and_downloads_them(
    page, login, visit, administrator, therapist, ava, draft_note
):
    # The administrator renames the case under Basic Setup.
    login(administrator)
    visit("/setup/patient-cases/")
    page.get_by_role("link", name="Speech Therapy", exact=True).click()
    page.get_by_label("Case Name").fill("Speech and Language")
    page.get_by_role("button", name="Save Patient Case").click()
    expect(page.get_by_role("status")).to_have_text("Patient case “Speech and Language” saved.")

    # The therapist opens Ava's chart and signs the note.
    login(therapist)
    visit("/")
    open_chart(page, "Moreno", "Moreno, Ava")
    expect(chart_tabs(page)).to_contain_text(["Speech and Language"])
    notes = page.get_by_role("region", name="Daily notes")
    day = draft_note.date_of_service
    notes.get_by_role("link", name=f"{day:%b} {day.day}, {day.year}").click()
    page.get_by_role("link", name="Sign").click()
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_role("status")).to_have_text("Daily note signed.")

    # The administrator looks it all up.
    login(administrator)
    visit("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("navigation", name="Basic Setup").get_by_role("link", name="Audit Log").click()
    expect(page.get_by_role("heading", name="Audit Log", level=1)).to_be_visible()
    # Newest first: the therapist's read of the signed note, then the signature.
    expect(entries(page).first).to_contain_text("Viewed: Daily note of")
    expect(entries(page).nth(1)).to_contain_text("Signed: Daily note of")
    case_edit = entries(page).filter(has_text="Edited: Speech and Language")
    expect(case_edit).to_contain_text("Name: Speech Therapy → Speech and Language")
    expect(case_edit).to_contain_text(administrator.get_full_name())

    page.get_by_label("Patient (name or number)").fill("Ava Moreno")
    page.get_by_role("button", name="Show entries").click()
    expect(entries(page).filter(has_text="Signed: Daily note of")).to_contain_text(
        therapist.get_full_name()
    )
    chart_read = entries(page).filter(has_text="Chart, Speech and Language documentation")
    expect(chart_read.filter(has_text=therapist.get_full_name())).to_have_count(1)
    expect(chart_read.first).to_contain_text("Viewed:")
    expect(entries(page).filter(has_text="Edited: Speech and Language")).to_have_count(0)
    expect(entries(page).first).to_contain_text("Patient: Ava Moreno")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    mine = [(row["Staff member"], row["Action"]) for row in rows]
    assert (therapist.get_full_name(), "Signed") in mine
    assert (therapist.get_full_name(), "Viewed") in mine
    assert {row["Patient"] for row in rows} == {"Ava Moreno"}
    assert all(row["Time zone"] == administrator.clinic.time_zone for row in rows)

    # From the chart, "Who accessed this record" lists the reads alone.
    visit(f"/patients/{ava.pk}/")
    page.get_by_role("link", name="Who accessed this record").click()
    expect(page.get_by_role("heading", name="Audit Log", level=1)).to_be_visible()
    expect(page.get_by_label("Action")).to_have_value("access")
    expect(entries(page).filter(has_text="Signed:")).to_have_count(0)
    expect(entries(page).filter(has_text=therapist.get_full_name()).first).to_contain_text(
        "Viewed:"
    )

    # A date that does not exist is a message, not an error page.
    page.get_by_label("From").fill("2026-12-31")
    page.get_by_label("To").fill("2026-01-01")
    page.get_by_role("button", name="Show entries").click()
    expect(page.get_by_text("These filters could not be used")).to_be_visible()
    expect(page.get_by_text("The end of the range cannot be before its start.")).to_be_visible()
    expect(entries(page)).to_have_count(0)
