"""A parent on a phone (390 px) opens the site's address, lands on the portal home, sees her
pending request first (above a long list of booked visits), cancels next week's visit and sees
it cancelled; nothing scrolls sideways. Every page is checked with axe (the ``context``
fixture)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from scheduling.models import Appointment
from tests.browser.helpers import log_in_with_form
from tests.factories import AppointmentFactory
from tests.fixtures.scheduling import local

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


@pytest.fixture
def weekly_visits(portal_visit, next_week):
    """Twelve more weekly visits after next week's: the list a series makes."""
    for week in range(1, 13):
        AppointmentFactory(
            chart_case=portal_visit.chart_case,
            therapist=portal_visit.therapist,
            location=portal_visit.location,
            appointment_type=portal_visit.appointment_type,
            start=local(portal_visit.location, next_week + datetime.timedelta(weeks=week), 10),
        )


def test_a_parent_on_a_phone_sees_her_request_first_and_cancels_next_weeks_visit(
    page, patient_user, pending_request, portal_visit, weekly_visits
):
    page.set_viewport_size(PHONE)
    log_in_with_form(page, patient_user.email)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    waiting = page.get_by_role("region", name="Waiting for the clinic's answer")
    expect(waiting).to_contain_text("Pending")
    expect(waiting).to_contain_text("Liam Carter")
    # On screen at once, above the visits, without scrolling.
    expect(waiting.get_by_role("button", name=re.compile("^Cancel request"))).to_be_in_viewport()
    upcoming = page.get_by_role("region", name="Upcoming visits")
    assert waiting.bounding_box()["y"] < upcoming.bounding_box()["y"]
    expect(upcoming.get_by_role("listitem")).to_have_count(13)
    _no_sideways_scroll(page)

    when = portal_visit.start.astimezone(portal_visit.location.tzinfo)
    next_weeks = upcoming.get_by_role("listitem").filter(has_text=f"{when:%a %b %-d, %-I:%M %p}")
    next_weeks.get_by_role("link", name=re.compile("^Cancel")).click()
    expect(page.get_by_role("heading", name="Cancel Liam's visit")).to_be_visible()
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Cancel this visit").click()

    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("status")).to_contain_text(
        f"Liam's visit of {when:%a %b %-d, %-I:%M %p %Z} is cancelled."
    )
    cancelled = page.get_by_role("region", name="Upcoming visits").get_by_role("listitem").first
    expect(cancelled).to_contain_text("Patient cancelled")
    expect(cancelled.get_by_role("link", name=re.compile("^Cancel"))).to_have_count(0)
    _no_sideways_scroll(page)
    portal_visit.refresh_from_db()
    assert portal_visit.status == Appointment.Status.PATIENT_CANCELLED

    page.get_by_role("link", name="Past visits").click()
    expect(page.get_by_role("heading", name="Past visits")).to_be_visible()
    _no_sideways_scroll(page)
