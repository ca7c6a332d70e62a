"""Patient charts, driven in Chromium as new therapists and administrators would.

A speech therapist adds "Speech Therapy" to a patient's chart, writes a goal, writes and signs a
daily note with progress on it; an occupational therapist on the shared "Feeding Therapy" case
updates the goal a speech therapist wrote there; an occupational-only case stays out of the
speech therapist's sight; an administrator's rename in Basic Setup shows on the chart at once.
Every page the browser loads is checked with axe (see ``tests/browser/a11y.py``).
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from charts.models import DailyNote, Goal, GoalProgress
from tests.browser.helpers import log_in_with_form
from tests.factories import GoalFactory, PatientCaseFactory, PatientChartCaseFactory, PatientFactory

pytestmark = pytest.mark.browser


GOAL = "Ava will drink thin liquids from an open cup without coughing in 4 of 5 trials."


# Fixtures and steps ---------------------------------------------------------------------------


@pytest.fixture
def cases(clinic, speech, occupational, administrator):
    """The clinic's cases as the demo has them, plus an archived speech case."""
    made = {
        name: PatientCaseFactory(
            clinic=clinic, name=name, service_types=services, created_by=administrator
        )
        for name, services in (
            ("Speech Therapy", [speech]),
            ("Occupational Therapy", [occupational]),
            ("Feeding Therapy", [speech, occupational]),
        )
    }
    made["archived"] = PatientCaseFactory(
        clinic=clinic,
        name="Stuttering (old)",
        service_types=[speech],
        created_by=administrator,
        is_archived=True,
        archived_at=timezone.now(),
        archived_by=administrator,
    )
    return made


@pytest.fixture
def ava(clinic):
    return PatientFactory(
        clinic=clinic,
        first_name="Ava",
        last_name="Moreno",
        date_of_birth=datetime.date(2019, 3, 14),
    )


@pytest.fixture
def feeding_chart_case(ava, cases):
    """Ava's shared Feeding Therapy case: what lets the speech therapist find her."""
    return PatientChartCaseFactory(
        patient=ava, case=cases["Feeding Therapy"], started_on=ava.clinic.today()
    )


@pytest.fixture
def ot_chart_case(ava, cases):
    """Ava's occupational-only case: not for the speech therapist's eyes."""
    return PatientChartCaseFactory(
        patient=ava, case=cases["Occupational Therapy"], started_on=ava.clinic.today()
    )


def open_chart(page, search: str, patient_link: str) -> None:
    """Patients tab → search → open the patient's chart."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()
    page.get_by_label("Name or date of birth").fill(search)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=patient_link).click()


def chart_tabs(page):
    return page.get_by_role("navigation", name="Cases on this chart").get_by_role("link")


def log_out(page, user) -> None:
    page.locator("summary", has_text=user.get_full_name()).click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


# Journeys -------------------------------------------------------------------------------------


def test_speech_therapist_adds_speech_therapy_writes_a_goal_and_signs_a_daily_note(
    page, therapist, ava, feeding_chart_case, ot_chart_case
):
    log_in_with_form(page, therapist.email)
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    open_chart(page, "Moreno", "Moreno, Ava")

    expect(page.get_by_role("heading", name="Ava Moreno", level=1)).to_be_visible()
    expect(chart_tabs(page)).to_have_text(["Feeding Therapy"])
    page.get_by_role("link", name="Add Patient Case").click()

    expect(
        page.get_by_role("heading", name="Add Patient Case to Ava Moreno's chart")
    ).to_be_visible()
    choice = page.get_by_label("Patient case")
    # Only an active, non-archived case of a speech therapist's services not already on the chart.
    expect(choice.get_by_role("option")).to_have_text(["Choose a case", "Speech Therapy"])
    choice.select_option(label="Speech Therapy")
    page.get_by_role("button", name="Add Patient Case").click()

    expect(page.get_by_role("status")).to_have_text("“Speech Therapy” added to Ava Moreno's chart.")
    expect(chart_tabs(page)).to_have_text(["Feeding Therapy", "Speech Therapy"])
    expect(chart_tabs(page).filter(has_text="Speech Therapy")).to_have_attribute(
        "aria-current", "page"
    )
    case_tab = page.get_by_role("region", name="Speech Therapy")
    expect(case_tab).to_contain_text("Services: Speech Therapy")
    expect(case_tab).to_contain_text("Status: Active")

    # A long-term goal.
    page.get_by_role("link", name="+ Goal").click()
    expect(page.get_by_role("heading", name="Add Goal", level=1)).to_be_visible()
    expect(page.get_by_label("Kind")).to_have_value("long_term")
    page.get_by_role("textbox", name=re.compile(r"^Goal\b")).fill(GOAL)
    target = ava.clinic.today() + datetime.timedelta(days=90)
    page.get_by_label("Target date").fill(target.isoformat())
    page.get_by_role("button", name="Save Goal").click()

    expect(page.get_by_role("status")).to_have_text("Goal added.")
    goals = page.get_by_role("region", name="Goals")
    expect(goals).to_contain_text(GOAL)
    expect(goals).to_contain_text("Long-term")
    expect(goals).to_contain_text("Active")

    # A daily note with progress on that goal.
    page.get_by_role("link", name="+ Daily Note").click()
    expect(page.get_by_role("heading", name="New Daily Note", level=1)).to_be_visible()
    page.get_by_label("Subjective").fill("Mother reports fewer coughing episodes at meals.")
    page.get_by_label("Objective").fill("Drank from an open cup without coughing in 3 of 5 trials.")
    page.get_by_label("Assessment").fill("Steady progress toward the cup-drinking goal.")
    page.get_by_label("Plan").fill("Continue weekly; add thickened-to-thin transitions.")
    progress = page.get_by_role("group", name="Goal progress")
    expect(progress).to_contain_text(f"Long-term goal: {GOAL}")
    expect(progress.get_by_label("Status")).to_have_value("active")
    progress.get_by_label("Progress").fill("3 of 5 trials, up from 1 of 5.")
    page.get_by_role("button", name="Save Daily Note").click()

    expect(page.get_by_role("status")).to_have_text(
        "Daily note saved. Sign it when it is complete."
    )
    notes = page.get_by_role("region", name="Daily notes")
    today = ava.clinic.today()
    note_row = notes.get_by_role("row").filter(has_text="Steady progress")
    expect(note_row).to_contain_text("Not signed")
    note_row.get_by_role("link", name=f"{today:%b} {today.day}, {today.year}").click()

    expect(page.get_by_role("heading", name=re.compile("^Daily note of "), level=1)).to_be_visible()
    expect(page.get_by_text("3 of 5 trials, up from 1 of 5.")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_be_visible()
    page.get_by_role("link", name="Sign").click()
    expect(page.get_by_text("Electronically signed by ")).to_be_visible()
    page.get_by_role("button", name="Confirm and sign").click()

    expect(page.get_by_role("status")).to_have_text("Daily note signed.")
    expect(page.locator("main").get_by_text("Signed", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("link", name="Sign", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Add Addendum")).to_be_visible()

    note = DailyNote.objects.get()
    assert note.is_signed and note.signed_by == therapist
    assert note.chart_case.case.name == "Speech Therapy"
    entry = GoalProgress.objects.get(daily_note=note)
    assert (entry.goal.text, entry.note) == (GOAL, "3 of 5 trials, up from 1 of 5.")


def test_occupational_therapist_updates_the_goal_a_speech_therapist_wrote_on_a_shared_case(
    page, login, visit, therapist, ot_therapist, feeding_chart_case
):
    goal = GoalFactory(chart_case=feeding_chart_case, text=GOAL, created_by=therapist)
    login(ot_therapist)
    visit("/")
    open_chart(page, "Ava", "Moreno, Ava")

    expect(chart_tabs(page)).to_have_text(["Feeding Therapy"])
    goals = page.get_by_role("region", name="Goals")
    expect(goals).to_contain_text(GOAL)
    goals.get_by_role("link", name=re.compile("^Update goal: Ava will drink")).click()

    expect(page.get_by_role("heading", name="Update Goal", level=1)).to_be_visible()
    page.get_by_label("Status").select_option(label="Met")
    page.get_by_label("Progress note").fill("Met in OT session: 5 of 5 trials.")
    page.get_by_role("button", name="Save Goal").click()

    expect(page.get_by_role("status")).to_have_text("Goal saved.")
    goals = page.get_by_role("region", name="Goals")
    expect(goals.get_by_text("Met", exact=True)).to_be_visible()
    expect(goals).to_contain_text(
        f"({ot_therapist.get_full_name()}): status Met · Met in OT session: 5 of 5 trials."
    )
    goal.refresh_from_db()
    assert goal.status == Goal.Status.MET

    # The speech therapist, on the same shared case, sees the same goal met.
    log_out(page, ot_therapist)
    log_in_with_form(page, therapist.email)
    open_chart(page, "Moreno", "Moreno, Ava")
    page.get_by_role("link", name="Feeding Therapy").click()
    goals = page.get_by_role("region", name="Goals")
    expect(goals).to_contain_text(GOAL)
    expect(goals.get_by_text("Met", exact=True)).to_be_visible()


def test_speech_therapist_cannot_see_an_occupational_only_case(
    page, login, visit, therapist, ava, feeding_chart_case, ot_chart_case
):
    login(therapist)
    visit("/")
    open_chart(page, "2019-03-14", "Moreno, Ava")

    expect(chart_tabs(page)).to_have_text(["Feeding Therapy"])
    expect(page.get_by_text("Occupational Therapy", exact=True)).to_have_count(0)
    chart_url = page.url

    visit(f"/patients/{ava.pk}/cases/{ot_chart_case.pk}/", status=404)
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    visit(f"/chart-cases/{ot_chart_case.pk}/goals/add/", status=404)
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("link", name="Go to your home page").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    assert chart_url.endswith(f"/patients/{ava.pk}/")


def test_administrator_renames_a_case_and_the_chart_shows_the_new_name(
    page, login, visit, administrator, feeding_chart_case
):
    login(administrator)
    visit("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("navigation", name="Basic Setup").get_by_role(
        "link", name="Patient Cases"
    ).click()
    page.get_by_role("link", name="Feeding Therapy", exact=True).click()
    expect(page.get_by_role("note")).to_contain_text(re.compile(r"\b1 patient with this case"))
    page.get_by_label("Case Name").fill("Feeding and Swallowing")
    page.get_by_role("button", name="Save Patient Case").click()
    expect(page.get_by_role("status")).to_have_text("Patient case “Feeding and Swallowing” saved.")

    open_chart(page, "Moreno", "Moreno, Ava")
    expect(chart_tabs(page)).to_have_text(["Feeding and Swallowing"])
    expect(page.get_by_role("heading", name="Feeding and Swallowing", level=2)).to_be_visible()
    expect(page.get_by_text("Feeding Therapy")).to_have_count(0)
