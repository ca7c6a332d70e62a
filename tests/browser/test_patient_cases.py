"""Admin > Basic Setup > Patient Cases, driven in Chromium as a new administrator would.

The journeys follow the clinic's help text: Admin tab, Basic Setup, Patient Cases,
+ Patient Case, name, services, the Appointment Requests tab, Allow and Duration,
Save Patient Case; then edit, delete with confirmation, and the archive path for a case that
is on a chart. Every page the browser loads is checked with axe (see ``tests/browser/a11y.py``).
"""

import re

import pytest
from playwright.sync_api import expect

from cases.models import AppointmentTypeRule, PatientCase
from core.roles import ADMINISTRATOR
from tests.browser.a11y import (
    A11yTracker,
    AccessibilityViolation,
    check_a11y,
    format_violations,
    run_axe,
)
from tests.browser.conftest import ACTION_TIMEOUT_MS, VIEWPORT
from tests.browser.helpers import PASSWORD, log_in_with_form
from tests.factories import (
    AppointmentTypeFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


# Fixtures and steps ---------------------------------------------------------------------------


@pytest.fixture
def reevaluation(clinic):
    return AppointmentTypeFactory(clinic=clinic, name="Re-evaluation", default_duration_minutes=60)


@pytest.fixture
def feeding_case(clinic, speech, occupational, administrator):
    """The shared "Feeding Therapy" case (Speech + Occupational), on one patient's chart."""
    case = PatientCaseFactory(
        clinic=clinic,
        name="Feeding Therapy",
        service_types=[speech, occupational],
        created_by=administrator,
    )
    PatientChartCaseFactory(case=case)
    return case


@pytest.fixture
def extra_context(browser, live_server, _a11y_replay_page):
    """``extra_context(**options)``: another browser context (a second person).

    Its documents are collected for axe like the main context's; ``finish_a11y(context)`` at
    the end of the test body replays them and fails on any violation.
    """
    made = []

    def _make(**options):
        context = browser.new_context(
            base_url=live_server.url, viewport=VIEWPORT, locale="en-US", **options
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        A11yTracker.install(context, _a11y_replay_page)
        made.append(context)
        return context

    yield _make
    for context in made:
        A11yTracker.uninstall(context)
        context.close()


class NoScriptBrowser:
    """A page with JavaScript off, and axe for it.

    axe cannot run where scripts are disabled, so ``check_a11y()`` replays the page's current
    HTML in a page that runs axe but blocks the page's own scripts: the page as a visitor
    without JavaScript gets it. ``raise_if_any()`` fails with every violation found.
    """

    def __init__(self, browser, base_url):
        self.context = browser.new_context(
            base_url=base_url, viewport=VIEWPORT, locale="en-US", java_script_enabled=False
        )
        self.context.set_default_timeout(ACTION_TIMEOUT_MS)
        self.page = self.context.new_page()
        self._axe_context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
        self._axe_context.route("**/*.js", lambda route: route.abort())
        self._axe_page = self._axe_context.new_page()
        self._axe_page.set_default_timeout(ACTION_TIMEOUT_MS)
        self.reports = []

    def check_a11y(self) -> None:
        self.page.wait_for_load_state("load")
        url, html = self.page.url.split("#", 1)[0], self.page.content()

        def serve(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        self._axe_page.route(url, serve)
        try:
            self._axe_page.goto(url, wait_until="load")
            violations = run_axe(self._axe_page)
        finally:
            self._axe_page.unroute(url, serve)
        if violations:
            self.reports.append(format_violations(url, violations))

    def raise_if_any(self) -> None:
        if self.reports:
            raise AccessibilityViolation("\n\n".join(self.reports))

    def close(self) -> None:
        self.context.close()
        self._axe_context.close()


@pytest.fixture
def no_js(browser, live_server):
    """``no_js.page``: a page with JavaScript disabled; ``no_js.check_a11y()`` checks it."""
    no_script = NoScriptBrowser(browser, live_server.url)
    yield no_script
    no_script.close()


def finish_a11y(context) -> None:
    """Check every document ``context`` loaded and not yet checked; fail on any violation."""
    tracker = A11yTracker.for_context(context)
    tracker.check_pending([page for page in context.pages if not page.is_closed()])
    tracker.raise_if_any()


def open_patient_cases(page) -> None:
    """Admin tab → Basic Setup menu → Patient Cases."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    menu = page.get_by_role("navigation", name="Basic Setup")
    menu.get_by_role("link", name="Patient Cases").click()
    expect(page.get_by_role("heading", name="Patient Cases", level=1)).to_be_visible()
    expect(menu.get_by_role("link", name="Patient Cases")).to_have_attribute("aria-current", "page")


def case_row(page, name: str):
    """The list row whose name link is exactly ``name``."""
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def open_case(page, name: str) -> None:
    """Open a case's edit page by its name in the list."""
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name="Edit Patient Case", level=1)).to_be_visible()


def status_message(page):
    return page.get_by_role("status")


# Journeys -------------------------------------------------------------------------------------


def test_administrator_adds_edits_and_deletes_a_shared_case(
    page, administrator, speech, occupational, treatment, reevaluation
):
    page.goto("/")
    page.get_by_label("E-mail").fill(administrator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    open_patient_cases(page)
    expect(page.get_by_text("No patient cases yet.")).to_be_visible()

    # "+ Patient Case", in the lower right of the window.
    add = page.get_by_role("link", name="+ Patient Case")
    box = add.bounding_box()
    assert box["x"] + box["width"] > VIEWPORT["width"] - 60, box
    assert box["y"] + box["height"] > VIEWPORT["height"] - 60, box
    add.click()

    expect(page.get_by_role("heading", name="Add Patient Case", level=1)).to_be_visible()
    details_tab = page.get_by_role("tab", name="Case Details")
    requests_tab = page.get_by_role("tab", name="Appointment Requests")
    expect(details_tab).to_have_attribute("aria-selected", "true")
    expect(requests_tab).to_have_attribute("aria-selected", "false")
    page.get_by_label("Case Name").fill("Feeding and Swallowing")
    page.get_by_role("checkbox", name="Speech Therapy").check()
    page.get_by_role("checkbox", name="Occupational Therapy").check()
    allow_treatment = page.get_by_role("checkbox", name="Allow Treatment")
    expect(allow_treatment).to_be_hidden()  # on the other tab

    requests_tab.click()
    expect(requests_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Appointment Requests")).to_be_visible()
    expect(page.get_by_label("Case Name")).to_be_hidden()
    check_a11y(page)  # the other tab, as shown now
    duration = page.get_by_label("Duration of Treatment in minutes")
    expect(duration).to_have_value("45")  # the type's default
    allow_treatment.check()
    duration.fill("50")
    expect(page.get_by_role("checkbox", name="Allow Re-evaluation")).not_to_be_checked()
    page.get_by_role("button", name="Save Patient Case").click()

    expect(status_message(page)).to_have_text("Patient case “Feeding and Swallowing” saved.")
    row = case_row(page, "Feeding and Swallowing")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_have_text("Occupational Therapy, Speech Therapy")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Treatment (50 min)")
    expect(row).to_contain_text("Shared")
    expect(row).to_contain_text("Unused")
    case = PatientCase.objects.get(name="Feeding and Swallowing")
    assert set(case.service_types.values_list("name", flat=True)) == {
        "Speech Therapy",
        "Occupational Therapy",
    }
    rule = AppointmentTypeRule.objects.get(case=case, allow_requests=True)
    assert (rule.appointment_type, rule.duration_minutes) == (treatment, 50)

    # Edit: open it by its name, rename, save from the keyboard.
    open_case(page, "Feeding and Swallowing")
    expect(page.get_by_role("note")).to_contain_text("No patient has this case on their chart yet.")
    name = page.get_by_label("Case Name")
    expect(name).to_have_value("Feeding and Swallowing")
    name.fill("Feeding Therapy")
    name.press("Enter")

    expect(status_message(page)).to_have_text("Patient case “Feeding Therapy” saved.")
    expect(case_row(page, "Feeding Therapy")).to_have_count(1)
    expect(case_row(page, "Feeding and Swallowing")).to_have_count(0)
    expect(case_row(page, "Feeding Therapy")).to_contain_text("Treatment (50 min)")

    # Delete: the icon, a confirmation page, then the button.
    delete_icon = page.get_by_role("link", name="Delete Feeding Therapy")
    expect(delete_icon).to_have_attribute("title", "Delete Feeding Therapy")
    delete_icon.click()
    expect(
        page.get_by_role("heading", name="Delete Patient Case “Feeding Therapy”")
    ).to_be_visible()
    expect(page.get_by_text("No patient has “Feeding Therapy” on their chart")).to_be_visible()
    page.get_by_role("button", name="Delete Patient Case").click()

    expect(status_message(page)).to_have_text("Patient case “Feeding Therapy” deleted.")
    expect(case_row(page, "Feeding Therapy")).to_have_count(0)
    assert not PatientCase.objects.filter(pk=case.pk).exists()


def test_case_on_a_chart_is_archived_instead_of_deleted_and_restored(
    page, login, visit, administrator, feeding_case
):
    login(administrator)
    visit("/")
    open_patient_cases(page)
    row = case_row(page, "Feeding Therapy")
    expect(row.get_by_role("cell").nth(3)).to_have_text("1")  # patients with it on their chart

    # The list offers Archive, not a delete that would only be refused ...
    expect(row.get_by_role("link", name="Delete Feeding Therapy")).to_have_count(0)
    expect(row.get_by_role("link", name="Archive Feeding Therapy")).to_be_visible()
    # ... and the delete screen, opened by hand, refuses and offers Archive.
    visit(f"/setup/patient-cases/{feeding_case.pk}/delete/")
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("“Feeding Therapy” cannot be deleted")
    expect(refusal).to_contain_text("because it is on 1 patient chart case")
    expect(refusal).to_contain_text("Archive it instead")
    expect(page.get_by_role("button", name="Delete Patient Case")).to_have_count(0)
    page.get_by_role("button", name="Archive").click()

    expect(status_message(page)).to_contain_text("Patient case “Feeding Therapy” archived.")
    expect(case_row(page, "Feeding Therapy")).to_have_count(0)
    feeding_case.refresh_from_db()
    assert feeding_case.is_archived

    page.get_by_role("checkbox", name="Show archived cases").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("checkbox", name="Show archived cases")).to_be_checked()
    row = case_row(page, "Feeding Therapy")
    expect(row).to_contain_text("Archived")

    open_case(page, "Feeding Therapy")
    expect(page.get_by_role("note")).to_contain_text("This case is archived.")
    page.get_by_role("link", name="Restore").click()
    expect(
        page.get_by_role("heading", name="Restore Patient Case “Feeding Therapy”")
    ).to_be_visible()
    page.get_by_role("button", name="Restore").click()

    expect(status_message(page)).to_have_text("Patient case “Feeding Therapy” restored.")
    row = case_row(page, "Feeding Therapy")
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text("Archived")
    feeding_case.refresh_from_db()
    assert not feeding_case.is_archived


def test_edit_says_how_many_patients_and_confirms_a_service_removal(
    page, login, visit, administrator, feeding_case
):
    PatientChartCaseFactory.create_batch(2, case=feeding_case)
    login(administrator)
    visit("/")
    open_patient_cases(page)
    open_case(page, "Feeding Therapy")

    expect(page.get_by_role("note")).to_contain_text(
        "Changes apply to all 3 patients with this case."
    )
    confirm = page.get_by_role("checkbox", name=re.compile("^Yes, remove it"))
    expect(confirm).to_have_count(0)
    page.get_by_role("checkbox", name="Occupational Therapy").uncheck()
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Save Patient Case").click()

    assert refused.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    expect(page.get_by_text("Removing Occupational Therapy:")).to_have_text(
        "Removing Occupational Therapy: therapists of Occupational Therapy will no longer see "
        "this case on 3 patient chart cases."
    )
    expect(page.get_by_text("Confirm the removal of Occupational Therapy to save.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Occupational Therapy")).not_to_be_checked()
    assert feeding_case.service_types.count() == 2
    check_a11y(page)  # the form with its error, as the tabs script left it

    confirm.check()
    page.get_by_role("button", name="Save Patient Case").click()

    expect(status_message(page)).to_have_text("Patient case “Feeding Therapy” saved.")
    row = case_row(page, "Feeding Therapy")
    expect(row.get_by_role("cell").nth(1)).to_have_text("Speech Therapy")
    expect(row).not_to_contain_text("Shared")
    assert list(feeding_case.service_types.values_list("name", flat=True)) == ["Speech Therapy"]


def test_second_administrator_saving_a_stale_case_is_told_what_changed(
    page, login, visit, extra_context, clinic, administrator, feeding_case
):
    colleague = UserFactory(
        clinic=clinic,
        email="admin2@riverside.test",
        first_name="Dana",
        last_name="Reyes",
        roles=[ADMINISTRATOR],
    )
    other = extra_context().new_page()
    log_in_with_form(other, colleague.email)
    expect(other.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    login(administrator)
    visit("/")

    # Both open the edit page of the same case.
    for person in (page, other):
        open_patient_cases(person)
        open_case(person, "Feeding Therapy")
        expect(person.get_by_label("Case Name")).to_have_value("Feeding Therapy")

    page.get_by_label("Case Name").fill("Feeding and Swallowing")
    page.get_by_role("button", name="Save Patient Case").click()
    expect(status_message(page)).to_have_text("Patient case “Feeding and Swallowing” saved.")

    other.get_by_label("Case Name").fill("Pediatric Feeding")
    with other.expect_navigation() as refused:
        other.get_by_role("button", name="Save Patient Case").click()

    assert refused.value.status == 409
    conflict = other.get_by_role("alert")
    expect(
        conflict.get_by_role("heading", name="Someone else saved this case after you opened it")
    ).to_be_visible()
    expect(conflict).to_contain_text("Your changes were not saved.")
    expect(conflict).to_contain_text(administrator.get_full_name())
    expect(conflict).to_contain_text("Name: Feeding Therapy → Feeding and Swallowing")
    expect(other.get_by_label("Case Name")).to_have_value("Pediatric Feeding")
    assert PatientCase.objects.get(pk=feeding_case.pk).name == "Feeding and Swallowing"

    # Having seen what changed, the second administrator saves again, on purpose.
    other.get_by_role("button", name="Save Patient Case").click()
    expect(status_message(other)).to_have_text("Patient case “Pediatric Feeding” saved.")
    assert PatientCase.objects.get(pk=feeding_case.pk).name == "Pediatric Feeding"
    finish_a11y(other.context)


def test_without_javascript_both_sections_show_in_one_form_and_save(
    no_js, administrator, speech, treatment
):
    page = no_js.page
    log_in_with_form(page, administrator.email)
    no_js.check_a11y()
    open_patient_cases(page)
    no_js.check_a11y()
    page.get_by_role("link", name="+ Patient Case").click()

    expect(page.get_by_role("heading", name="Add Patient Case", level=1)).to_be_visible()
    no_js.check_a11y()
    form = page.locator("form#case-form")
    expect(form.get_by_role("heading", name="Case Details", level=2)).to_be_visible()
    expect(form.get_by_role("heading", name="Appointment Requests", level=2)).to_be_visible()
    expect(page.get_by_role("tab")).to_have_count(0)  # the tab bar stays hidden
    page.get_by_label("Case Name").fill("Speech Therapy")
    page.get_by_role("checkbox", name="Speech Therapy").check()
    page.get_by_role("checkbox", name="Allow Treatment").check()
    page.get_by_label("Duration of Treatment in minutes").fill("30")
    page.get_by_role("button", name="Save Patient Case").click()

    expect(status_message(page)).to_have_text("Patient case “Speech Therapy” saved.")
    expect(case_row(page, "Speech Therapy")).to_contain_text("Treatment (30 min)")
    no_js.check_a11y()
    rule = AppointmentTypeRule.objects.get(case__name="Speech Therapy", allow_requests=True)
    assert rule.duration_minutes == 30
    no_js.raise_if_any()
