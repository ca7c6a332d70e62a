"""A parent's journey: the worker mails a reminder through a real SMTP server on 127.0.0.1;
its confirm link, followed in the browser, marks the visit, and the front desk's calendar
shows it "Confirmed by patient"."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from messaging.tasks import clock_start
from scheduling.models import Appointment
from tests.factories import AppointmentFactory, PatientContactFactory
from tests.worker import body_of, link_in, run_worker, smtp_server

pytestmark = pytest.mark.browser


def test_a_mailed_confirm_link_followed_in_the_browser_marks_the_visit(
    settings,
    visit,
    page,
    login,
    reminder_settings,
    speech_chart_case,
    therapist,
    location,
    treatment,
    scheduler,
):
    appointment = AppointmentFactory(
        chart_case=speech_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=timezone.now() + datetime.timedelta(hours=47),
        created_by=scheduler,
    )
    PatientContactFactory(
        patient=speech_chart_case.patient,
        email="parent@example.org",
        email_consent_at=timezone.now(),
        email_consent_by=scheduler,
    )
    with smtp_server() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        clock_start()
        run_worker()
        [message] = server.wait_for(1)
    assert message["To"] == "parent@example.org"

    visit(link_in(body_of(message), "/visit/confirm/"))
    expect(page.get_by_role("heading", name="Confirm your visit")).to_be_visible()
    page.get_by_role("button", name="Yes, we are coming").click()
    expect(page.get_by_role("heading", name="Thank you: your visit is confirmed")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.patient_confirmed_at is not None
    assert Appointment.objects.filter(patient_confirmed_at__isnull=False).count() == 1

    login(scheduler)
    day = appointment.local_start.date().isoformat()
    visit(f"/schedule/?date={day}&location={location.pk}")
    expect(page.get_by_text("Confirmed by patient").first).to_be_visible()
