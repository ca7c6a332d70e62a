"""The private calendar feed, parsed with ``icalendar`` as a calendar app would."""

import datetime

import icalendar
import pytest
from django.urls import reverse

from core.models import AuditEntry
from messaging.models import CalendarFeed, ReminderSettings
from scheduling.models import Appointment
from scheduling.services import appointment_cancel
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _turn_on(client, user) -> str:
    client.force_login(user)
    assert client.post(reverse("messaging:feed_settings"), {"action": "on"}).status_code == 302
    feed = CalendarFeed.objects.get(user=user)
    client.logout()
    return reverse("messaging:feed", kwargs={"clinic": feed.clinic_id, "token": feed.token})


def _events(client, url) -> list:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return list(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))


def test_a_cancelled_visit_stays_as_a_cancelled_event_with_a_higher_sequence(
    client, therapist, appointment, scheduler
):
    url = _turn_on(client, therapist)
    [event] = _events(client, url)
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == appointment.start
    patient = appointment.patient
    assert str(event["SUMMARY"]) == f"{patient.first_name[0]}.{patient.last_name[0]}. visit"
    assert patient.last_name not in str(event["SUMMARY"])

    appointment_cancel(
        appointment=appointment, status="clinic_cancelled", reason="Closed", by=scheduler
    )
    [event] = _events(client, url)
    assert str(event["UID"]) == uid
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) > sequence
    assert AuditEntry.objects.filter(action="feed", actor=therapist).count() == 2


def test_only_the_users_own_visits_in_the_window(client, therapist, appointment, location):
    AppointmentFactory(location=location, clinic=therapist.clinic)  # another therapist's
    AppointmentFactory(  # too far ahead
        chart_case=appointment.chart_case,
        therapist=therapist,
        location=location,
        start=appointment.start + datetime.timedelta(days=70),
    )
    [event] = _events(client, _turn_on(client, therapist))
    assert event.decoded("DTSTART") == appointment.start


def test_the_clinic_may_show_names(client, therapist, appointment):
    ReminderSettings.objects.create(clinic=therapist.clinic, feed_shows_names=True)
    [event] = _events(client, _turn_on(client, therapist))
    assert str(event["SUMMARY"]) == f"{appointment.patient} visit"


def test_regenerated_or_turned_off_addresses_stop_at_once(client, therapist, appointment):
    old = _turn_on(client, therapist)
    new = _turn_on(client, therapist)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    client.force_login(therapist)
    client.post(reverse("messaging:feed_settings"), {"action": "off"})
    client.logout()
    assert client.get(new).status_code == 404


@pytest.mark.parametrize("token", ["short", "x" * 43, "x" * 44])
def test_a_wrong_token_is_404(client, therapist, appointment, token):
    _turn_on(client, therapist)
    assert (
        client.get(
            reverse("messaging:feed", kwargs={"clinic": therapist.clinic_id, "token": token})
        ).status_code
        == 404
    )
    assert not AuditEntry.objects.filter(action="feed").exists()


def test_a_bad_action_is_400(client, therapist):
    client.force_login(therapist)
    assert client.post(reverse("messaging:feed_settings"), {"action": "x"}).status_code == 400
    assert not CalendarFeed.objects.exists()


def test_no_clinical_text(client, therapist, appointment):
    body = client.get(_turn_on(client, therapist)).content.decode()
    assert appointment.chart_case.case.name not in body
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("visits", [1, 8])
def test_the_feed_takes_a_fixed_number_of_queries(
    client, therapist, appointment, location, django_assert_num_queries, visits
):
    for day in range(1, visits):
        AppointmentFactory(
            chart_case=appointment.chart_case,
            therapist=therapist,
            location=location,
            start=appointment.start + datetime.timedelta(days=day),
        )
    url = _turn_on(client, therapist)
    # The feed row with its user, the settings, the visits, the audit entry.
    with django_assert_num_queries(4):
        assert len(_events(client, url)) == visits


@pytest.mark.parametrize("visits", [1, 6])
def test_a_tick_with_nothing_due_takes_a_fixed_number_of_queries(
    therapist, appointment, location, django_assert_num_queries, visits, consenting_contact
):
    from messaging.services import reminders_send_due

    for day in range(1, visits):
        AppointmentFactory(
            chart_case=appointment.chart_case,
            therapist=therapist,
            location=location,
            start=appointment.start + datetime.timedelta(hours=day),
        )
    reminders_send_due()  # claims what is due now
    # The clinics; for the one clinic: settings, visits, contacts by e-mail and by text, the
    # rows already claimed.
    with django_assert_num_queries(1 + 5):
        assert reminders_send_due() == 0


@pytest.mark.parametrize("role", ["therapist", "scheduler", "administrator"])
def test_the_user_menu_leads_staff_to_their_feed(client, request, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("messaging:feed_settings")}">My calendar feed</a>' in page


def test_the_user_menu_offers_no_feed_to_a_user_without_a_staff_role(client, rf, patient_user):
    from fusion.navigation import navigation

    request = rf.get("/")
    request.user = patient_user
    assert "nav_calendar_feed" not in navigation(request)
    client.force_login(patient_user)
    assert client.get(reverse("messaging:feed_settings")).status_code == 403
