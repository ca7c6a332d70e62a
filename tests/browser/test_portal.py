"""The patient portal and account e-mails, driven in Chromium as new users would.

A scheduler invites a parent from each child's page; the invitation e-mail travels through the
real worker to a real SMTP server on 127.0.0.1; the parent sets a password from the link, logs
in on a phone-sized screen (390 px) and sees both children, with nothing scrolling sideways.
A therapist resets a forgotten password from the login page. Every page is checked with axe.
"""

import re

import pytest
from playwright.sync_api import expect

from charts.models import PatientChartCase
from portal.models import PortalLink
from tests.browser.helpers import log_in_with_form
from tests.factories import PatientCaseFactory, PatientChartCaseFactory, PatientFactory
from tests.worker import body_of, link_in, run_worker, smtp_server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "Willow-Harbour-Comet-6"


@pytest.fixture
def mail_server(settings):
    with smtp_server() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        yield server


@pytest.fixture
def children(clinic, speech, occupational, administrator):
    speech_case = PatientCaseFactory(
        clinic=clinic, name="Speech Therapy", service_types=[speech], created_by=administrator
    )
    ot_case = PatientCaseFactory(
        clinic=clinic, name="Occupational Therapy", service_types=[occupational]
    )
    liam = PatientFactory(clinic=clinic, first_name="Liam", last_name="Carter")
    mia = PatientFactory(clinic=clinic, first_name="Mia", last_name="Carter")
    PatientChartCaseFactory(patient=liam, case=speech_case)
    PatientChartCaseFactory(patient=mia, case=ot_case)
    PatientChartCaseFactory(
        patient=mia,
        case=speech_case,
        status=PatientChartCase.Status.DISCHARGED,
        discharged_on=clinic.today(),
    )
    return liam, mia


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def _invite(page, patient, email):
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Portal access").click()
    expect(page.get_by_role("heading", name=f"Portal access for {patient}")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Parent").check()
    page.get_by_role("button", name="Send Invitation").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Portal invitation for {patient} e-mailed to {email}."
    )


def test_a_scheduler_invites_a_parent_who_sees_their_children_on_a_phone(
    page, context, scheduler, children, mail_server
):
    liam, mia = children
    log_in_with_form(page, scheduler.email)
    _invite(page, liam, "maria@family.test")
    _invite(page, mia, "maria@family.test")
    expect(page.get_by_role("listitem").filter(has_text="maria@family.test")).to_contain_text(
        "invited, no password set yet"
    )
    assert PortalLink.objects.filter(user__email="maria@family.test").count() == 2

    # The worker sends the invitation through the SMTP server.
    run_worker()
    messages = mail_server.wait_for(2)
    assert [m["To"] for m in messages] == ["maria@family.test", "maria@family.test"]
    invitation = body_of(messages[0])
    assert "follow the care of Liam Carter" in invitation

    # The parent, on a phone.
    context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(link_in(invitation, "/accounts/invitation/"))
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    _no_sideways_scroll(page)
    page.get_by_label("New password*", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is set.")

    page.get_by_label("E-mail").fill("maria@family.test")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", name="Liam Carter")).to_be_visible()
    expect(page.get_by_role("heading", name="Mia Carter")).to_be_visible()
    mia_card = page.get_by_role("region", name="Mia Carter")
    expect(mia_card).to_contain_text("Occupational Therapy")
    expect(mia_card).not_to_contain_text("Speech Therapy")  # discharged
    expect(page.get_by_role("navigation", name="Portal")).to_be_visible()
    expect(page.get_by_role("link", name="Patients")).to_have_count(0)
    _no_sideways_scroll(page)

    page.get_by_role("link", name="Mia Carter").click()
    expect(page.get_by_role("heading", name="Mia Carter", level=1)).to_be_visible()
    _no_sideways_scroll(page)

    # The used link no longer works.
    page.goto(link_in(invitation, "/accounts/invitation/"))
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    _no_sideways_scroll(page)


def test_a_staff_member_resets_a_forgotten_password(page, therapist, mail_server):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(therapist.email)
    page.get_by_role("button", name="E-mail me a link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    run_worker()
    [message] = mail_server.wait_for(1)
    assert message["Subject"] == "Reset your Fusion Patient Cases password"
    page.goto(link_in(body_of(message), "/accounts/reset/"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password*", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is set.")

    log_in_with_form(page, therapist.email, NEW_PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()


def test_an_administrator_invites_new_staff_who_set_their_own_password(
    page, context, administrator, mail_server
):
    log_in_with_form(page, administrator.email)
    page.goto("/setup/staff/add/")
    page.get_by_label("First name").fill("Tess")
    page.get_by_label("Last name").fill("Turner")
    page.get_by_label("E-mail").fill("tess@riverside.test")
    page.get_by_label("Scheduler").check()
    expect(page.get_by_label(re.compile("password", re.I))).to_have_count(0)
    page.get_by_role("button", name="Save Staff Member").click()
    expect(page.get_by_role("status")).to_contain_text("An invitation to set a password")

    run_worker()
    [message] = mail_server.wait_for(1)
    context.clear_cookies()
    page.goto(link_in(body_of(message), "/accounts/invitation/"))
    page.get_by_label("New password*", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    log_in_with_form(page, "tess@riverside.test", NEW_PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()


def test_an_administrator_turns_appointment_requests_on(page, administrator, clinic):
    log_in_with_form(page, administrator.email)
    page.goto("/setup/")
    page.get_by_role("navigation", name="Basic Setup").get_by_role(
        "link", name="Appointment Requests"
    ).click()
    expect(page.get_by_role("heading", name="Appointment Requests")).to_be_visible()
    page.get_by_label("Patients may request appointments").check()
    page.get_by_label("Minimum notice (hours)").fill("1000")
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="Save Settings").click()
    assert refused.value.status == 400
    expect(page.locator("#div_id_request_min_notice_hours .invalid-feedback")).to_contain_text(
        "less than or equal to 720"
    )
    page.get_by_label("Minimum notice (hours)").fill("48")
    page.get_by_role("button", name="Save Settings").click()
    expect(page.get_by_role("status")).to_have_text("Appointment request settings saved.")
    clinic.refresh_from_db()
    assert (clinic.requests_enabled, clinic.request_min_notice_hours) == (True, 48)
