"""A family's visits in the portal: cancelled up to the clinic's cancellation window (the
window its reminder links use, messaging's ``ReminderSettings``), after it the clinic's phone
number instead of a Cancel button; another family's visit, one already started and one past
the window refused with a clear message, a 4xx and nothing changed; past visits a page away."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from core.models import AuditEntry
from messaging.models import ReminderSettings
from scheduling.models import Appointment
from tests.clinic.helpers import page_text
from tests.factories import (
    AppointmentFactory,
    ClinicFactory,
    PatientChartCaseFactory,
    PatientFactory,
    PortalLinkFactory,
    UserFactory,
)
from tests.fixtures.scheduling import local

HOME = reverse("portal:home")
PHONE = "(555) 010-0100"


def cancel_url(visit) -> str:
    return reverse("portal:visit_cancel", args=[visit.pk])


@pytest.fixture
def window(clinic):
    """The clinic's terms: 48 hours, its phone number."""
    return ReminderSettings.objects.create(clinic=clinic, cancel_window_hours=48, phone=PHONE)


def _unchanged(visit) -> None:
    before = (visit.status, visit.version, visit.cancel_reason)
    visit.refresh_from_db()
    assert (visit.status, visit.version, visit.cancel_reason) == before


def test_a_family_cancels_a_visit_before_the_window(portal_client, portal_visit, patient_user):
    home = page_text(portal_client.get(HOME))
    assert "Cancel the visit of" in home

    confirm = portal_client.get(cancel_url(portal_visit))
    assert confirm.status_code == 200
    assert "Cancel this visit" in page_text(confirm)

    response = portal_client.post(
        cancel_url(portal_visit), {"version": portal_visit.version}, follow=True
    )

    assert response.redirect_chain[-1][0] == HOME
    text = page_text(response)
    when = portal_visit.start.astimezone(portal_visit.location.tzinfo)
    assert f"Liam's visit of {when:%a %b %-d, %-I:%M %p %Z} is cancelled." in text
    assert "Patient cancelled" in text.split("Upcoming visits")[1]
    portal_visit.refresh_from_db()
    assert portal_visit.status == Appointment.Status.PATIENT_CANCELLED
    assert portal_visit.cancel_reason == "Cancelled by the family"
    entry = AuditEntry.objects.get(action="cancel", object_id=str(portal_visit.pk))
    assert entry.actor == patient_user
    assert "Patient portal" in entry.details


def test_inside_the_window_the_portal_gives_the_phone_and_refuses(
    portal_client, portal_visit, window, patient_user
):
    """48 hours before the visit and later: no Cancel button, the number to call; a POST
    anyway (an old page) is a 409 with the same words, and nothing changes."""
    late = portal_visit.start - datetime.timedelta(hours=47)
    with time_machine.travel(late, tick=False):
        portal_client.force_login(patient_user)  # a session of that moment
        home = portal_client.get(HOME)
        assert cancel_url(portal_visit) not in home.content.decode()
        assert f"To cancel, please call the clinic at {PHONE}" in page_text(home)
        assert f'href="tel:{PHONE}"' in home.content.decode()
        assert "Ask to move" in page_text(home)  # a request: the clinic decides

        page = portal_client.get(cancel_url(portal_visit))
        assert page.status_code == 409
        assert "Cancel this visit" not in page_text(page)

        response = portal_client.post(cancel_url(portal_visit), {"version": portal_visit.version})

    assert response.status_code == 409
    assert (
        f"It is too late to cancel this visit here. Please call the clinic at {PHONE}."
        in page_text(response)
    )
    _unchanged(portal_visit)
    assert not AuditEntry.objects.filter(action="cancel").exists()


def test_just_before_the_window_cancel_is_offered(
    portal_client, portal_visit, window, patient_user
):
    with time_machine.travel(portal_visit.start - datetime.timedelta(hours=49), tick=False):
        portal_client.force_login(patient_user)
        assert cancel_url(portal_visit) in portal_client.get(HOME).content.decode()
        response = portal_client.post(cancel_url(portal_visit))
    assert response.status_code == 302


def test_a_visit_already_started_cannot_be_cancelled(portal_client, portal_visit, patient_user):
    with time_machine.travel(portal_visit.start + datetime.timedelta(minutes=5), tick=False):
        portal_client.force_login(patient_user)
        home = portal_client.get(HOME).content.decode()
        assert cancel_url(portal_visit) not in home
        response = portal_client.post(cancel_url(portal_visit))
    assert response.status_code == 409
    assert "This visit is no longer booked at this time." in page_text(response)
    _unchanged(portal_visit)


def test_a_visit_the_clinic_cancelled_cannot_be_cancelled_again(portal_client, portal_visit):
    Appointment.objects.filter(pk=portal_visit.pk).update(
        status=Appointment.Status.CLINIC_CANCELLED, cancel_reason="Therapist ill"
    )
    portal_visit.refresh_from_db()
    assert portal_client.get(cancel_url(portal_visit)).status_code == 409
    response = portal_client.post(cancel_url(portal_visit))
    assert response.status_code == 409
    _unchanged(portal_visit)


def test_a_page_older_than_a_move_is_refused(portal_client, portal_visit):
    Appointment.objects.filter(pk=portal_visit.pk).update(version=portal_visit.version + 1)
    portal_visit.refresh_from_db()
    response = portal_client.post(cancel_url(portal_visit), {"version": portal_visit.version - 1})
    assert response.status_code == 409
    assert "changed after your page was shown" in page_text(response)
    _unchanged(portal_visit)


def test_another_familys_visit_is_a_404_and_unchanged(client, other_family, portal_visit, clinic):
    client.force_login(other_family)
    assert client.get(cancel_url(portal_visit)).status_code == 404
    assert client.post(cancel_url(portal_visit)).status_code == 404
    move = reverse("portal:visit_move", args=[portal_visit.pk])
    assert client.get(move).status_code == 404
    _unchanged(portal_visit)


def test_another_clinics_portal_user_gets_a_404(client, portal_visit):
    stranger_clinic = ClinicFactory(name="Hillside Rehab")
    stranger = UserFactory(clinic=stranger_clinic, email="p@hillside.test", roles=["Patient"])
    child = PatientFactory(clinic=stranger_clinic)
    PortalLinkFactory(user=stranger, patient=child)
    client.force_login(stranger)
    assert client.post(cancel_url(portal_visit)).status_code == 404
    assert client.get(reverse("portal:visit_move", args=[portal_visit.pk])).status_code == 404
    _unchanged(portal_visit)


def test_staff_cannot_use_the_portal_cancel(client, scheduler, portal_visit):
    client.force_login(scheduler)
    assert client.post(cancel_url(portal_visit)).status_code == 403
    _unchanged(portal_visit)


def test_past_visits_are_a_page_away_newest_first_and_paged(
    portal_client, portal_chart_case, therapist, location, treatment, clinic
):
    today = clinic.today()
    for days in range(1, 23):
        AppointmentFactory(
            chart_case=portal_chart_case,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=local(location, today - datetime.timedelta(days=days), 9),
            status=Appointment.Status.COMPLETED,
        )
    home = page_text(portal_client.get(HOME))
    assert "No upcoming visit." in home  # the past ones are not on the home
    first = portal_client.get(reverse("portal:past_visits"))
    assert first.status_code == 200
    text = page_text(first)
    assert text.count("Treatment at Main Street") == 20
    newest = today - datetime.timedelta(days=1)
    assert text.index(f"{newest:%a %b %-d, %Y}") < text.index(
        f"{today - datetime.timedelta(days=20):%a %b %-d, %Y}"
    )
    assert "Next" in text
    second = page_text(portal_client.get(reverse("portal:past_visits") + "?page=2"))
    assert second.count("Treatment at Main Street") == 2


def test_past_visits_show_only_the_users_patients(
    portal_client, other_family_patient, speech_case, therapist, location, treatment, clinic
):
    chart = PatientChartCaseFactory(patient=other_family_patient, case=speech_case)
    AppointmentFactory(
        chart_case=chart,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, clinic.today() - datetime.timedelta(days=3), 9),
    )
    text = page_text(portal_client.get(reverse("portal:past_visits")))
    assert "Zoe" not in text
    assert "No past visit yet." in text


def test_a_visit_the_family_confirmed_says_so_on_the_home(portal_client, portal_visit):
    from scheduling.services import appointment_family_confirm

    upcoming = page_text(portal_client.get(HOME)).split("Upcoming visits")[1]
    assert "You confirmed this visit." not in upcoming
    appointment_family_confirm(appointment=portal_visit, source="a reminder's link")
    upcoming = page_text(portal_client.get(HOME)).split("Upcoming visits")[1]
    assert "Confirmed You confirmed this visit." in upcoming.split("Past visits")[0]
