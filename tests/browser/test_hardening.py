"""The screens hardening added, in Chromium with axe on every page: a stale save answered with
what is saved now beside the kept input, and an administrator deleting an abandoned draft with
a reason. The Content-Security-Policy is on throughout; a page it broke would fail here."""

import pytest
from playwright.sync_api import expect

from charts.models import DailyNote, Patient
from tests.factories import DailyNoteFactory, PatientChartCaseFactory, PatientFactory

pytestmark = pytest.mark.browser


def test_a_stale_patient_edit_shows_what_is_saved_and_keeps_the_input(
    page, login, visit, administrator, clinic
):
    patient = PatientFactory(clinic=clinic, first_name="Ava", last_name="Moreno")
    login(administrator)
    visit(f"/patients/{patient.pk}/edit/")
    # Someone else saves the patient after this screen was opened.
    Patient.objects.filter(pk=patient.pk).update(last_name="Moreno-Diaz", version=2)

    page.get_by_label("Last name").fill("Morena")
    page.get_by_role("button", name="Save Patient").click()

    expect(
        page.get_by_role("heading", name="Someone else saved this after you opened it")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="Moreno-Diaz")).to_be_visible()
    expect(page.get_by_label("Last name")).to_have_value("Morena")
    page.get_by_role("button", name="Save Patient").click()
    expect(page.get_by_text("Patient Ava Morena saved.")).to_be_visible()


def test_an_administrator_deletes_an_abandoned_draft_with_a_reason(
    page, login, visit, administrator, therapist, speech_case, clinic
):
    chart_case = PatientChartCaseFactory(
        case=speech_case, patient=PatientFactory(clinic=clinic, first_name="Liam")
    )
    note = DailyNoteFactory(chart_case=chart_case, author=therapist)
    login(administrator)
    visit(f"/chart-cases/{chart_case.pk}/notes/{note.pk}/")

    page.get_by_role("link", name="Delete abandoned draft").click()
    check = page.get_by_label("Why is this draft deleted?")
    check.fill("The author left the clinic.")
    page.get_by_role("button", name="Delete Draft").click()

    expect(page.get_by_text("the reason is in the audit log")).to_be_visible()
    assert not DailyNote.objects.filter(pk=note.pk).exists()
