"""Admin > Basic Setup journeys, driven in Chromium as a new user would."""

import re

import pytest
from playwright.sync_api import expect

from clinic.models import AppointmentType, ServiceType
from tests.browser.a11y import check_a11y
from tests.browser.helpers import PASSWORD, focus_outline, log_in_with_form, tab_to

pytestmark = pytest.mark.browser

ORANGE = "rgb(253, 126, 20)"  # the :focus-visible outline of static/css/fusion.css


def test_administrator_adds_a_service_type(page, administrator, clinic, speech):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("E-mail").fill(administrator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    menu = page.get_by_role("navigation", name="Basic Setup")
    expect(menu.get_by_role("heading", name="Basic Setup")).to_be_visible()
    menu.get_by_role("link", name="Service Types").click()
    expect(page.get_by_role("heading", name="Service Types", level=1)).to_be_visible()
    expect(menu.get_by_role("link", name="Service Types")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="+ Service Type").click()
    expect(page.get_by_role("heading", name="Add Service Type")).to_be_visible()
    page.get_by_label("Name").fill("Physical Therapy")
    page.get_by_role("button", name="Save Service Type").click()

    expect(page).to_have_url(re.compile(r"/setup/service-types/$"))
    expect(page.get_by_role("status")).to_have_text("Service type “Physical Therapy” added.")
    rows = page.get_by_role("row")
    expect(rows.filter(has=page.get_by_role("link", name="Physical Therapy"))).to_have_count(1)
    expect(rows.filter(has=page.get_by_role("link", name="Speech Therapy"))).to_have_count(1)
    assert ServiceType.objects.filter(clinic=clinic, name="Physical Therapy").count() == 1


def test_administrator_fixes_an_invalid_appointment_duration(page, login, visit, administrator):
    login(administrator)
    visit("/setup/")
    page.get_by_role("navigation", name="Basic Setup").get_by_role(
        "link", name="Appointment Types"
    ).click()
    page.get_by_role("link", name="+ Appointment Type").click()
    page.get_by_label("Name").fill("Evaluation")
    duration = page.get_by_label("Default duration (minutes)")
    duration.fill("7")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Save Appointment Type").click()

    assert refused.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Please correct the error below.")
    expect(duration).to_have_attribute("aria-invalid", "true")
    expect(duration).to_have_accessible_description(re.compile("multiple of step size 5"))
    error = page.locator("#div_id_default_duration_minutes .invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Ensure this value is a multiple of step size 5")
    expect(page.get_by_label("Name")).to_have_value("Evaluation")
    assert not AppointmentType.objects.filter(name="Evaluation").exists()

    duration.fill("50")
    page.get_by_role("button", name="Save Appointment Type").click()

    expect(page.get_by_role("status")).to_have_text("Appointment type “Evaluation” added.")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Evaluation"))
    expect(row).to_contain_text("50 min")
    assert AppointmentType.objects.get(name="Evaluation").default_duration_minutes == 50


def test_scheduler_has_no_admin_tab_and_is_refused_basic_setup(page, visit, scheduler):
    log_in_with_form(page, scheduler.email)
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    main_menu = page.get_by_role("navigation", name="Main")
    expect(main_menu.get_by_role("link", name="Fusion Patient Cases")).to_be_visible()
    expect(main_menu.get_by_role("link", name="Admin")).to_have_count(0)
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)

    visit("/setup/", status=403)

    expect(
        page.get_by_role("heading", name="You are not allowed to open this page")
    ).to_be_visible()
    expect(page.get_by_role("navigation", name="Basic Setup")).to_have_count(0)
    page.get_by_role("link", name="Go to your home page").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()


def test_keyboard_only_log_in_and_open_basic_setup(page, visit, administrator):
    visit("/accounts/login/")
    email = page.get_by_label("E-mail")
    expect(email).to_be_focused()  # autofocus
    page.keyboard.type(administrator.email)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()

    skip_link = page.get_by_role("link", name="Skip to main content")
    assert tab_to(page, skip_link) == 1
    expect(skip_link).to_be_visible()
    assert focus_outline(skip_link) == {
        "style": "solid",
        "width": "3px",
        "color": ORANGE,
        "focusVisible": True,
    }

    admin_tab = page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")
    tab_to(page, admin_tab)
    outline = focus_outline(admin_tab)
    assert outline["style"] != "none" and outline["focusVisible"], outline
    assert outline["color"] == ORANGE
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Basic Setup", level=1)).to_be_visible()

    # The user menu opens from the keyboard and its Log out button is reachable.
    user_menu = page.locator("summary", has_text=administrator.get_full_name())
    tab_to(page, user_menu)
    page.keyboard.press("Enter")
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()
    check_a11y(page)
    tab_to(page, log_out)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
