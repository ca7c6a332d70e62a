"""The front desk's day in Chromium (issue 24): a scheduler opens the patient's page, presses
**Book** on the case, picks a free time the finder offers and confirms it; then moves a sick
therapist's day in one screen, a visit nobody can take at its time to the next free time.
axe checks every page."""

import datetime

import pytest
from playwright.sync_api import expect

from scheduling import slots
from scheduling.models import Appointment
from tests.factories import AppointmentFactory, PatientChartCaseFactory, UserFactory
from tests.fixtures.scheduling import open_every_day

pytestmark = pytest.mark.browser


def test_scheduler_books_from_the_patient_page_and_moves_a_sick_day(
    page, visit, login, clinic, scheduler, therapist, speech, speech_chart_case, treatment
):
    from tests.factories import LocationFactory

    location = LocationFactory(clinic=clinic, name="Main Clinic")
    colleague = UserFactory(clinic=clinic, roles=["Therapist"], service_types=[speech])
    open_every_day(location, therapist, colleague)
    patient = speech_chart_case.patient
    login(scheduler)

    # Patient page -> Book -> a free time -> Book Appointment: three clicks.
    visit(f"/patients/{patient.pk}/")
    page.get_by_role("link", name=f"Book {speech_chart_case.case.name}").click()
    expect(page.get_by_role("heading", name="Free times", exact=False)).to_be_visible()
    page.locator("#free-heading ~ ul a").first.click()
    expect(page.get_by_role("heading", name=f"Book an appointment for {patient}")).to_be_visible()
    page.get_by_role("button", name="Book Appointment").click()
    expect(page.get_by_text(f"Booked {patient}")).to_be_visible()
    booked = Appointment.objects.get()

    # A sick day: the therapist's visits tomorrow move to the colleague in one screen.
    day = clinic.today() + datetime.timedelta(days=1)
    visits = [
        AppointmentFactory(
            chart_case=PatientChartCaseFactory(case=speech_chart_case.case),
            therapist=therapist,
            location=location,
            start=slots.wall(day, datetime.time(hour), location.tzinfo),
        )
        for hour in (9, 11, 14)
    ]
    # The colleague is busy at 14:00: that visit is offered the next free time instead.
    AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=speech_chart_case.case),
        therapist=colleague,
        location=location,
        start=visits[2].start,
    )
    visit(f"/schedule/therapists/{therapist.pk}/day/?date={day:%Y-%m-%d}")
    for each in visits[:2]:
        page.locator(f"#id_visit_{each.pk}").select_option(str(colleague.pk))
    page.locator(f"#id_visit_{visits[2].pk}").select_option("next")
    page.get_by_label("Reason", exact=False).fill("Out sick")
    page.get_by_role("button", name="Make these changes").click()
    expect(page.get_by_text("3 moved, 0 cancelled")).to_be_visible()
    moved = Appointment.objects.in_bulk([v.pk for v in visits])
    assert {row.therapist_id for row in moved.values()} == {colleague.pk}
    assert moved[visits[2].pk].start != visits[2].start  # the colleague's free time
    assert booked.pk
