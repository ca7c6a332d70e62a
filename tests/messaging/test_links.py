"""The confirm and cancel links: no log-in, only the visit's time and place, single purpose,
expiring with the visit; bad links get a 4xx and change nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from messaging.links import make_token
from messaging.models import ReminderSettings
from scheduling.models import Appointment
from scheduling.services import LATE_CANCELLATION

pytestmark = pytest.mark.django_db


def _url(appointment, purpose, start=None):
    token = make_token(
        appointment_id=appointment.pk, visit_start=start or appointment.start, purpose=purpose
    )
    return reverse(f"messaging:{purpose}", kwargs={"token": token})


def _unchanged(appointment):
    before = (appointment.status, appointment.patient_confirmed_at, appointment.version)
    appointment.refresh_from_db()
    return before == (appointment.status, appointment.patient_confirmed_at, appointment.version)


def test_the_pages_show_only_the_time_and_place(client, appointment):
    for purpose in ("confirm", "cancel"):
        page = client.get(_url(appointment, purpose)).content.decode()
        assert appointment.location.name in page
        assert appointment.patient.last_name not in page
        assert appointment.appointment_type.name not in page
        assert str(appointment.therapist) not in page


def test_confirm_marks_the_visit_and_is_audited(client, appointment):
    response = client.post(_url(appointment, "confirm"))
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.patient_confirmed_at is not None
    assert AuditEntry.objects.filter(action="confirm", object_id=str(appointment.pk)).exists()


@pytest.mark.parametrize(
    "token",
    ["nonsense", "x" * 300, "WzEsMl0:1tW0Bx:" + "A" * 43],
    ids=["garbage", "too long", "bad signature"],
)
def test_a_tampered_link_is_400_and_changes_nothing(client, appointment, token):
    for purpose in ("confirm", "cancel"):
        response = client.post(reverse(f"messaging:{purpose}", kwargs={"token": token}))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert _unchanged(appointment)


def test_a_link_for_another_visits_time_has_expired(client, appointment):
    response = client.post(
        _url(appointment, "confirm", appointment.start - datetime.timedelta(hours=1))
    )
    assert response.status_code == 410
    assert "has moved" in response.content.decode()
    assert _unchanged(appointment)


def test_a_link_of_a_visit_that_started_has_expired(client, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(
        start=timezone.now() - datetime.timedelta(minutes=5), end=timezone.now()
    )
    appointment.refresh_from_db()
    response = client.post(_url(appointment, "cancel"))
    assert response.status_code == 410
    assert _unchanged(appointment)


def test_cancel_frees_the_slot_and_a_used_link_says_so(client, appointment):
    ReminderSettings.objects.create(clinic=appointment.clinic, cancel_window_hours=2)
    url = _url(appointment, "cancel")
    assert client.post(url).status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.PATIENT_CANCELLED
    assert not Appointment.objects.filter(pk=appointment.pk).not_cancelled().exists()
    again = client.post(url)
    assert again.status_code == 409
    assert "already cancelled" in again.content.decode()


def test_a_late_cancellation_is_marked(client, appointment):
    ReminderSettings.objects.create(clinic=appointment.clinic, cancel_window_hours=48)
    assert client.post(_url(appointment, "cancel")).status_code == 200
    appointment.refresh_from_db()
    assert appointment.cancel_reason == LATE_CANCELLATION


def test_a_late_cancellation_is_refused_with_the_clinics_phone(client, appointment):
    ReminderSettings.objects.create(
        clinic=appointment.clinic, cancel_window_hours=48, late_cancel="refuse", phone="555-0199"
    )
    assert "555-0199" in client.get(_url(appointment, "cancel")).content.decode()
    response = client.post(_url(appointment, "cancel"))
    assert response.status_code == 409
    assert "555-0199" in response.content.decode()
    assert _unchanged(appointment)


def test_a_cancelled_visit_cannot_be_confirmed(client, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(status="clinic_cancelled")
    response = client.post(_url(appointment, "confirm"))
    assert response.status_code == 409
    appointment.refresh_from_db()
    assert appointment.patient_confirmed_at is None


def test_a_confirmed_visit_shows_on_the_calendar(client, appointment, scheduler):
    from scheduling.reads.calendar import CONFIRMED, calendar_appointments

    client.post(_url(appointment, "confirm"))
    day = dict(
        start=appointment.start - datetime.timedelta(hours=1),
        end=appointment.end + datetime.timedelta(hours=1),
        location_id=appointment.location_id,
    )
    [block] = calendar_appointments(scheduler, **day)
    assert block.status == CONFIRMED
    client.force_login(scheduler)
    page = client.get(
        reverse("scheduling:calendar_day"),
        {"date": appointment.local_start.date().isoformat(), "location": appointment.location_id},
    )
    assert "Confirmed by patient" in page.content.decode()
