"""Merging "Feeding" into "Feeding Therapy" as a new administrator would: the preview of what
moves, the confirmation, the History, the undo; and a therapist moving a note written on the
wrong case. Every page the browser loads is checked with axe (``tests/browser/a11y.py``)."""

import pytest
from playwright.sync_api import expect

from charts.models import DailyNote, PatientChartCase
from tests.browser.test_patient_cases import open_patient_cases, status_message
from tests.factories import (
    DailyNoteFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def two_feeding_cases(clinic, speech, therapist):
    feeding = PatientCaseFactory(clinic=clinic, name="Feeding", service_types=[speech])
    feeding_therapy = PatientCaseFactory(
        clinic=clinic, name="Feeding Therapy", service_types=[speech]
    )
    patient = PatientFactory(clinic=clinic, first_name="Ava", last_name="Stone")
    source = PatientChartCaseFactory(case=feeding, patient=patient)
    PatientChartCaseFactory(case=feeding_therapy, patient=patient)
    PatientChartCaseFactory(case=feeding)
    note = DailyNoteFactory(chart_case=source, author=therapist, signed_by=therapist)
    return feeding, feeding_therapy, note


def test_administrator_previews_merges_and_undoes(
    page, login, visit, administrator, two_feeding_cases
):
    feeding, feeding_therapy, note = two_feeding_cases
    login(administrator)
    visit("/")
    open_patient_cases(page)
    page.get_by_role("link", name="Merge them").click()
    expect(page.get_by_role("heading", name="Merge Patient Cases", level=1)).to_be_visible()

    page.get_by_label("Cases to merge").select_option(label="Feeding")
    page.get_by_label("Merge into").select_option(label="Feeding Therapy")
    page.get_by_role("button", name="Preview the merge").click()

    preview = page.get_by_role("region", name="What the merge will do")
    expect(preview).to_contain_text("“Feeding” is on 2 charts")
    expect(preview).to_contain_text("1 patient has both")
    expect(preview.get_by_role("row", name="Daily notes")).to_contain_text("1")
    page.get_by_role("button", name="Merge “Feeding” into “Feeding Therapy”").click()

    expect(status_message(page)).to_contain_text("Merged “Feeding” into “Feeding Therapy”")
    expect(page.get_by_role("heading", name="History of “Feeding Therapy”")).to_be_visible()
    merged_note = DailyNote.objects.get(pk=note.pk)
    assert PatientChartCase.objects.get(pk=merged_note.chart_case_id).case_id == feeding_therapy.pk

    page.get_by_role("link", name="Undo the latest merge…").click()
    expect(
        page.get_by_role("heading", name="Undo the merge into “Feeding Therapy”")
    ).to_be_visible()
    page.get_by_role("button", name="Undo the merge").click()
    expect(status_message(page)).to_contain_text("was undone")
    assert DailyNote.objects.get(pk=note.pk).chart_case_id == note.chart_case_id


def test_therapist_moves_a_note_written_on_the_wrong_case(
    page, login, visit, therapist, clinic, speech, speech_chart_case, signed_note
):
    feeding = PatientCaseFactory(clinic=clinic, name="Feeding Therapy", service_types=[speech])
    target = PatientChartCaseFactory(case=feeding, patient=speech_chart_case.patient)
    login(therapist)
    visit(f"/chart-cases/{speech_chart_case.pk}/notes/{signed_note.pk}/")
    page.get_by_role("link", name="Move to another case…").click()
    page.get_by_label("Move to").select_option(
        label=f"Feeding Therapy (since {target.started_on:%b %-d, %Y})"
    )
    page.get_by_label("Reason").fill("Written on the wrong case")
    page.get_by_role("button", name="Move").click()

    expect(status_message(page)).to_contain_text("from Speech Therapy to Feeding Therapy")
    assert DailyNote.objects.get(pk=signed_note.pk).chart_case_id == target.pk
    visit(f"/chart-cases/{speech_chart_case.pk}/history/")
    expect(page.get_by_text("Moved from Speech Therapy to Feeding Therapy by")).to_be_visible()
