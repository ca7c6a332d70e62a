"""Insurance authorizations in Chromium (issue 21): a scheduler booking a case with two visits
authorized sees "2 left", books them, is stopped at the third until giving a reason, finds it
marked on the calendar and in the authorizations report; the chart case's Authorizations page
and the administrator's Payers screen. axe checks every page."""

import pytest
from playwright.sync_api import expect

from scheduling.models import Appointment
from tests.factories import AuthorizationFactory, PayerFactory

pytestmark = pytest.mark.browser


def _book(page, therapist, location, treatment, day, time, *, reason=""):
    page.get_by_label("Location").select_option(str(location.pk))
    page.get_by_label("Appointment type").select_option(str(treatment.pk))
    page.get_by_label("Date").first.fill(day.isoformat())
    page.get_by_label("Start time").fill(time)
    if reason:
        page.get_by_label("Book over the authorization because").fill(reason)
    page.get_by_role("button", name="Book Appointment").click()


def test_scheduler_is_stopped_at_the_third_visit_until_giving_a_reason(
    page,
    visit,
    login,
    clinic,
    scheduler,
    administrator,
    therapist,
    speech_chart_case,
    location,
    treatment,
    tomorrow,
):
    payer = PayerFactory(clinic=clinic, name="Blue Shield")
    AuthorizationFactory(chart_case=speech_chart_case, payer=payer, quantity=2, number="BS-7")
    patient = speech_chart_case.patient
    add = f"/schedule/appointments/add/?patient={patient.pk}&therapist={therapist.pk}"

    login(scheduler)
    visit(add)
    page.get_by_role("button", name="Show cases for these therapists").click()
    page.get_by_label("Patient Case").select_option(f"chart:{speech_chart_case.pk}")
    page.get_by_role("button", name="Show cases for these therapists").click()
    expect(page.get_by_text("2 authorized · 0 used · 0 booked · 2 left")).to_be_visible()

    for time in ("09:00", "11:00"):
        _book(page, therapist, location, treatment, tomorrow, time)
        expect(page.get_by_text(f"Booked {patient}")).to_be_visible()
        visit(add)
        page.get_by_label("Patient Case").select_option(f"chart:{speech_chart_case.pk}")

    _book(page, therapist, location, treatment, tomorrow, "14:00")
    expect(
        page.get_by_text("has 0 left (2 authorized · 0 used · 2 booked · 0 left)")
    ).to_be_visible()
    assert Appointment.objects.count() == 2
    _book(page, therapist, location, treatment, tomorrow, "14:00", reason="Renewal requested")
    expect(page.get_by_text("Renewal requested")).to_be_visible()
    assert Appointment.objects.filter(authorization_override="Renewal requested").count() == 1

    visit(f"/schedule/?date={tomorrow.isoformat()}&location={location.pk}")
    expect(page.get_by_text("Over the authorization").first).to_be_visible()
    visit("/schedule/authorizations/?kind=over")
    expect(page.get_by_text("Over because: Renewal requested")).to_be_visible()
    visit(f"/chart-cases/{speech_chart_case.pk}/authorizations/")
    expect(page.get_by_text("2 authorized · 0 used · 3 booked · -1 left")).to_be_visible()

    login(administrator)
    visit("/setup/payers/")
    expect(page.get_by_role("link", name="Blue Shield")).to_be_visible()
    visit("/setup/insurance/")
    visit("/")
    expect(page.get_by_text("Authorizations needing attention")).to_be_visible()
