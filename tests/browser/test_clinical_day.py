"""The therapist's and administrator's working day (issue 12), on the demo clinic, in Chromium.

The speech therapist's home lists the demo's old unsigned note; discharging that case is
stopped and shows the note; they sign it with the attestation, write a discharge summary that
discharges the case, reopen it restoring one goal and find that goal on the next note's goal
progress. An administrator adds a diagnosis and a guardian contact. The Patient Cases list, a
chart and a note form at 390 px wide scroll only downwards. Every page is checked with axe.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from charts.models import Diagnosis, DischargeSummary, Goal, PatientChartCase, PatientContact
from tests.browser.helpers import log_in_with_form

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-pass-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(db):
    call_command("load_demo", "--force", stdout=StringIO())
    return PatientChartCase.objects.get(patient__first_name="Liam", case__name="Speech Therapy")


def _scrolls_only_downwards(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen"


def test_the_speech_therapists_day(page, demo):
    liam = demo
    chart = f"/patients/{liam.patient_id}/cases/{liam.pk}/"
    log_in_with_form(page, "slp@demo.clinic", DEMO_PASSWORD)

    # Home: the demo's seven-week-old unsigned note, with its age.
    unsigned = page.get_by_role("region", name="Your unsigned documentation")
    expect(unsigned).to_contain_text("Liam Carter, Speech Therapy")
    expect(unsigned).to_contain_text(re.compile(r"5\d days old"))
    expect(page.get_by_role("region", name="Overdue reminders")).to_contain_text(
        "Send the progress report to school"
    )

    # Discharge is stopped and shows the note.
    page.goto(chart)
    page.get_by_role("link", name="Discharge").click()
    expect(page.get_by_role("heading", name="Sign or delete these first")).to_be_visible()
    expect(page.get_by_label("Discharge date")).to_have_count(0)

    # Sign it with the attestation.
    page.get_by_role("link", name=re.compile("^sign it")).click()
    expect(page.get_by_test_id("attestation")).to_contain_text(
        "Electronically signed by Sophie Speech, CCC-SLP, on "
    )
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_text("Daily note signed.")).to_be_visible()
    expect(page.get_by_test_id("signature-line")).to_contain_text(
        re.compile(r"Electronically signed by Sophie Speech, CCC-SLP, on .* [AP]M E[SD]T")
    )

    # A discharge summary discharges the case, after the appointments step (scheduling): the
    # demo's weekly series still has visits to come, cancelled here.
    page.goto(chart)
    page.get_by_role("link", name="Discharge").click()
    expect(
        page.get_by_text(re.compile(r"appointments? of this case (is|are) still to come"))
    ).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Cancel (it|them) \(clinic cancelled\)")).click()
    expect(page.get_by_text(re.compile(r"\d+ appointments? cancelled"))).to_be_visible()
    page.get_by_role("link", name="Write a discharge summary").click()
    page.get_by_label("Reason for discharge").fill("Family moving out of state.")
    page.get_by_label(re.compile("Short-term goal: Liam will produce initial")).select_option(
        "partially_met"
    )
    page.get_by_label("Recommendations").fill("Continue home practice; refer to a local SLP.")
    page.get_by_role("button", name="Sign and discharge").click()
    expect(page.get_by_text("discharged.", exact=False).first).to_be_visible()
    expect(page.get_by_test_id("signature-line")).to_contain_text("Sophie Speech, CCC-SLP")
    liam.refresh_from_db()
    assert liam.status == "discharged"
    assert DischargeSummary.objects.get().chart_case == liam

    # Reopen, restoring the short-term goal.
    page.goto(chart)
    page.get_by_role("link", name="Reopen").click()
    page.get_by_label("Reason for reopening").fill("The move was postponed.")
    page.get_by_label(re.compile("Short-term: Liam will produce initial")).check()
    page.get_by_role("button", name="Reopen").click()
    short = Goal.objects.get(chart_case=liam, kind="short_term")
    long = Goal.objects.get(chart_case=liam, kind="long_term")
    assert (short.status, long.status) == ("active", "not_met")

    # The next note reports on it.
    page.get_by_role("link", name="+ Daily Note").click()
    progress = page.get_by_role("group", name="Goal progress")
    expect(progress).to_contain_text("Liam will produce initial /s/")
    expect(progress).not_to_contain_text("in conversation")

    # On a phone the chart and the note form scroll only downwards.
    page.set_viewport_size(PHONE)
    _scrolls_only_downwards(page)
    expect(page.get_by_role("button", name="Save and sign")).to_be_visible()
    page.goto(chart)
    _scrolls_only_downwards(page)


def test_an_administrator_adds_a_diagnosis_and_a_guardian(page, demo):
    liam = demo
    log_in_with_form(page, "admin@demo.clinic", DEMO_PASSWORD)
    page.goto(f"/patients/{liam.patient_id}/cases/{liam.pk}/")

    page.get_by_role("link", name="+ Diagnosis").click()
    page.get_by_label("ICD-10-CM code").fill("f80.0")
    page.get_by_label("Description").fill("Phonological disorder")
    page.get_by_role("button", name="Save Diagnosis").click()
    expect(page.get_by_role("region", name="Diagnoses and plan of care")).to_contain_text(
        "Treatment diagnosis: F80.0 Phonological disorder"
    )

    page.get_by_role("link", name="+ Contact").click()
    page.get_by_label("Name").fill("Maria Carter")
    page.get_by_label("Relationship").fill("Mother")
    page.get_by_label("Phone").fill("555-0142")
    page.get_by_label("E-mail").fill("maria.carter@example.com")
    page.get_by_label("Guardian").check()
    page.get_by_role("button", name="Save Contact").click()
    expect(page.get_by_role("region", name="Contacts")).to_contain_text("Maria Carter (Mother)")
    expect(page.get_by_role("region", name="Contacts")).to_contain_text("Guardian")

    assert Diagnosis.objects.get(chart_case=liam).code == "F80.0"
    assert PatientContact.objects.get(patient=liam.patient, name="Maria Carter").is_guardian

    # On a phone: the Patient Cases list and a chart scroll only downwards, the add is on screen.
    page.set_viewport_size(PHONE)
    page.goto("/setup/patient-cases/")
    _scrolls_only_downwards(page)
    expect(page.get_by_role("link", name="+ Patient Case")).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Patient Cases", exact=True)).to_be_in_viewport()
    page.goto(f"/patients/{liam.patient_id}/cases/{liam.pk}/")
    _scrolls_only_downwards(page)


def test_every_staff_page_fits_a_phone(page, demo, visit, login):
    """Every staff screen at 390 px: no sideways scrolling."""
    from accounts.models import User

    liam = demo
    note = liam.daily_notes.order_by("pk").first()
    goal = liam.goals.first()
    cc = f"/chart-cases/{liam.pk}"
    page.set_viewport_size(PHONE)
    therapist_pages = [
        "/",
        "/patients/",
        f"/patients/{liam.patient_id}/",
        f"/patients/{liam.patient_id}/cases/{liam.pk}/",
        f"{cc}/notes/add/",
        f"{cc}/evaluations/add/",
        f"{cc}/goals/add/",
        f"{cc}/goals/{goal.pk}/",
        f"{cc}/reminders/add/",
        f"{cc}/notes/{note.pk}/",
        f"{cc}/history/",
        f"{cc}/discharge/",
        f"{cc}/plan-of-care/",
        f"{cc}/diagnoses/add/",
        "/unsigned/",
    ]
    login(User.objects.get(email="slp@demo.clinic"))
    for path in therapist_pages:
        visit(path)
        _scrolls_only_downwards(page)
    admin = User.objects.get(email="admin@demo.clinic")
    case = liam.case
    admin_pages = [
        "/",
        "/setup/",
        "/setup/patient-cases/",
        "/setup/patient-cases/add/",
        f"/setup/patient-cases/{case.pk}/",
        f"/setup/patient-cases/{case.pk}/history/",
        "/setup/service-types/",
        "/setup/appointment-types/",
        "/setup/staff/",
        "/setup/staff/add/",
        f"/patients/{liam.patient_id}/edit/",
        f"/patients/{liam.patient_id}/contacts/add/",
    ]
    page.context.clear_cookies()
    login(admin)
    for path in admin_pages:
        visit(path)
        _scrolls_only_downwards(page)
