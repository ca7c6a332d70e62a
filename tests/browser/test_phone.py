"""Issue 24, part 6: the front desk on a phone (390 px), on the demo clinic, in Chromium.

The week and day calendars, a patient's page and the request queue scroll only downwards (the
week's grid may scroll inside its own box); the staff menu is a toggle button that opens with
the keyboard and shows its focus; the "+ Appointment" button sits in the calendar's toolbar,
over no cell of the grid. Every page is checked with axe."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from charts.models import PatientChartCase
from tests.browser.helpers import focus_outline, tab_to

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(db):
    call_command("load_demo", "--force", stdout=StringIO())
    return PatientChartCase.objects.get(patient__first_name="Liam", case__name="Speech Therapy")


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    # What sticks out, to say where to look when it fails.
    wide = page.evaluate(
        """() => [...document.body.querySelectorAll("*")]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.parentElement.closest(".table-responsive"))
            .slice(0, 5)
            .map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`)"""
    )
    assert widths[0] <= widths[1], (
        f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen: {wide}"
    )


@pytest.mark.parametrize(
    "path", ["/schedule/week/", "/schedule/", "patient", "/schedule/requests/"]
)
def test_the_front_desk_pages_scroll_only_downwards_on_a_phone(page, demo, visit, login, path):
    page.set_viewport_size(PHONE)
    login(User.objects.get(email="scheduler@demo.clinic"))

    visit(f"/patients/{demo.patient_id}/" if path == "patient" else path)

    _no_sideways_scroll(page)


def test_the_staff_menu_is_a_toggle_that_opens_with_the_keyboard(page, demo, visit, login):
    page.set_viewport_size(PHONE)
    login(User.objects.get(email="scheduler@demo.clinic"))
    visit("/schedule/")
    menu = page.get_by_role("navigation", name="Main")
    toggle = menu.get_by_role("button", name="Menu")
    # Hidden links are not in the accessibility tree: found by their text.
    patients = menu.locator("a.nav-link", has_text="Patients")
    expect(patients).to_have_count(1)
    expect(patients).to_be_hidden()

    tab_to(page, toggle)
    assert focus_outline(toggle)["focusVisible"]
    assert focus_outline(toggle)["style"] != "none"
    page.keyboard.press("Enter")

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(patients).to_be_visible()
    tab_to(page, patients)
    _no_sideways_scroll(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/patients/")

    # On a desktop the menu is a row of links again, with no toggle.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(toggle).to_be_hidden()
    expect(patients).to_be_visible()


@pytest.mark.parametrize("path", ["/schedule/week/", "/schedule/"])
def test_the_add_button_covers_no_calendar_cell(page, demo, visit, login, path):
    login(User.objects.get(email="scheduler@demo.clinic"))
    for viewport in (PHONE, {"width": 1366, "height": 768}):
        page.set_viewport_size(viewport)
        visit(path)
        add = page.get_by_role("link", name="+ Appointment")
        expect(add).to_be_in_viewport()

        # It sits in the toolbar above the grid and scrolls with the page: over no cell,
        # wherever the page is scrolled.
        where = add.evaluate(
            """button => ({
                position: getComputedStyle(button).position,
                bottom: button.getBoundingClientRect().bottom,
                grid: document.querySelector("table.calendar").getBoundingClientRect().top,
            })"""
        )
        assert where["position"] != "fixed", viewport
        assert where["bottom"] <= where["grid"], viewport
