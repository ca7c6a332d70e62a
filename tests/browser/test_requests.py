"""Appointment requests end to end in Chromium, every page checked with axe: the administrator
allows Treatment for Speech Therapy; the parent, on a phone, requests a Treatment for their
child at an offered time; the scheduler sees the count on the Schedule tab and the request as a
striped block in the day grid (also on a phone, without sideways scroll), opens the request,
changes the duration and approves; the appointment is on the calendar; the parent sees it
approved and the e-mail arrives through the worker; a second request is declined with a reason
the parent reads."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from scheduling import services
from scheduling.models import Appointment, AppointmentRequest
from tests.browser.helpers import log_in_with_form
from tests.factories import PortalLinkFactory
from tests.fixtures.scheduling import local
from tests.worker import body_of, run_worker, smtp_server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def mail_server(settings):
    with smtp_server() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        yield server


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def test_a_parent_requests_and_the_scheduler_approves_and_declines(
    page,
    context,
    clinic,
    administrator,
    scheduler,
    patient_user,
    speech_chart_case,
    treatment,
    location,
    therapist,
    mail_server,
):
    clinic.requests_enabled = True
    clinic.save()
    location.available_for_requests = True
    location.save()
    liam = speech_chart_case.patient
    PortalLinkFactory(user=patient_user, patient=liam, relationship="parent")

    # The administrator allows Treatment for Speech Therapy.
    log_in_with_form(page, administrator.email)
    page.goto("/setup/patient-cases/")
    page.get_by_role("link", name="Speech Therapy", exact=True).click()
    page.get_by_role("tab", name="Appointment Requests").click()
    page.get_by_role("checkbox", name="Allow Treatment").check()
    page.get_by_label("Duration of Treatment in minutes").fill("45")
    page.get_by_role("button", name="Save Patient Case").click()
    expect(page.get_by_role("status")).to_contain_text("saved")

    # The parent, on a phone, requests a Treatment for Liam at an offered time.
    context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in_with_form(page, patient_user.email)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    _no_sideways_scroll(page)
    page.get_by_role("link", name=re.compile("^Request Appointment for Liam Carter")).click()
    expect(page.get_by_role("heading", name="Request an appointment")).to_be_visible()
    page.get_by_label("Treatment (45 minutes)").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Main Street").check()
    page.get_by_role("button", name="Show times").click()
    # The times page has loaded (measuring during the navigation finds no document yet).
    expect(page.locator(".slot label").first).to_be_visible()
    _no_sideways_scroll(page)
    page.locator(".slot label").first.click()
    page.get_by_label("Note to the clinic (optional)").fill("After school please.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("status")).to_contain_text("was sent")
    first = AppointmentRequest.objects.get()
    assert (first.duration_minutes, first.note) == (45, "After school please.")
    # The home shows it first, waiting for the clinic's answer (issue 24).
    waiting = page.get_by_role("region", name="Waiting for the clinic's answer")
    expect(waiting).to_contain_text("Pending")
    expect(waiting).to_contain_text("Liam Carter")
    _no_sideways_scroll(page)

    # The scheduler sees the count, opens the request, changes the duration, approves.
    context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_with_form(page, scheduler.email)
    main_nav = page.get_by_role("navigation", name="Main")
    expect(
        main_nav.get_by_role("link", name="Schedule 1 pending appointment requests")
    ).to_be_visible()
    # The request on its day: a striped block in the lane of requests with no therapist chosen.
    requested = first.local_start
    page.goto(f"/schedule/?location={location.pk}&date={requested.date().isoformat()}")
    expect(page.get_by_role("columnheader", name="Requests – no therapist chosen")).to_be_visible()
    block = page.locator("td.tentative").filter(has_text="Liam Carter")
    expect(block).to_contain_text("Requested · pending · Treatment, 45 min")
    expect(block).to_contain_text(f"{requested:%-I:%M}–")
    expect(page.locator("td.tentative")).to_have_count(1)
    # On a phone the grid scrolls inside its own box; the page does not scroll sideways.
    page.set_viewport_size(PHONE)
    page.reload()
    expect(block).to_be_attached()
    _no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    requests_link = page.get_by_role("link", name=re.compile("^Appointment Requests 1 pending"))
    requests_link.click()
    expect(page.get_by_role("heading", name="Appointment Requests", level=1)).to_be_visible()
    page.get_by_role("link", name="Liam Carter").click()
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_role("button", name="Approve and book").click()
    expect(page.get_by_role("status")).to_contain_text("Request approved")
    appointment = Appointment.objects.get()
    assert (appointment.duration_minutes, appointment.start) == (60, first.start)

    # On the calendar.
    day = appointment.local_start.date()
    page.goto(f"/schedule/?location={location.pk}&date={day.isoformat()}")
    expect(page.locator("td.appointment").filter(has_text="Liam Carter")).to_have_count(1)

    # The e-mail, through the worker and a real SMTP server.
    run_worker()
    [message] = mail_server.wait_for(1)
    assert message["To"] == patient_user.email
    assert "approved your appointment request for Liam Carter" in body_of(message)

    # A second request, declined with a reason.
    second = services.request_create(
        chart_case=speech_chart_case,
        appointment_type=treatment,
        location=location,
        start=local(location, day + datetime.timedelta(days=1), 15),
        by=patient_user,
    )
    page.goto(f"/schedule/requests/{second.pk}/")
    page.get_by_label("Reason (the patient reads it)").fill("The therapist is away then.")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_role("status")).to_contain_text("declined")

    # The parent sees both outcomes.
    context.clear_cookies()
    page.set_viewport_size(PHONE)
    log_in_with_form(page, patient_user.email)
    card = page.get_by_role("region", name="Liam Carter")
    expect(card).to_contain_text("Approved")
    expect(card).to_contain_text("Declined")
    expect(card).to_contain_text("The clinic's reason: The therapist is away then.")
    _no_sideways_scroll(page)
