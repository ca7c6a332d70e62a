"""The one check right before a message goes (``delivery.message_may_send``), on rows as the
sender and the notices leave them: a notice listing several visits goes while any of them is
still to come as told; a row not queued never goes again."""

import datetime

import pytest
from django.utils import timezone

from messaging.models import Reminder
from messaging.services import REMINDER_REFERENCE, message_may_send
from scheduling.models import Appointment
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _row(visits, contact, **fields):
    first = visits[0]
    return Reminder.objects.create(
        clinic_id=first.clinic_id,
        appointment=first,
        contact=contact,
        kind=fields.pop("kind", "booked"),
        send=0,
        visit_version=first.version,
        visits=[[visit.pk, visit.start.isoformat()] for visit in visits],
        channel="email",
        visit_start=first.start,
        due_at=timezone.now(),
        address=contact.email,
        **fields,
    )


@pytest.fixture
def two_visits(appointment):
    second = AppointmentFactory(
        chart_case=appointment.chart_case,
        therapist=appointment.therapist,
        location=appointment.location,
        appointment_type=appointment.appointment_type,
        start=appointment.start + datetime.timedelta(days=7),
    )
    return [appointment, second]


def test_a_series_notice_goes_while_one_of_its_visits_is_still_to_come(
    two_visits, consenting_contact
):
    row = _row(two_visits, consenting_contact)
    Appointment.objects.filter(pk=two_visits[0].pk).update(status="clinic_cancelled")
    assert message_may_send(f"{REMINDER_REFERENCE}{row.pk}") is True
    Appointment.objects.filter(pk=two_visits[1].pk).update(start=two_visits[1].start + MINUTE)
    assert message_may_send(f"{REMINDER_REFERENCE}{row.pk}") is False
    row.refresh_from_db()
    assert (row.status, row.void_reason) == (
        "void",
        "None of its visits is still to come as told.",
    )


def test_a_cancellation_notice_always_goes(two_visits, consenting_contact):
    Appointment.objects.filter(pk=two_visits[0].pk).update(status="clinic_cancelled")
    row = _row(two_visits[:1], consenting_contact, kind="cancelled")
    assert message_may_send(f"{REMINDER_REFERENCE}{row.pk}") is True


@pytest.mark.parametrize("status", ["sent", "failed", "skipped", "void"])
def test_a_row_no_longer_queued_never_goes_again(two_visits, consenting_contact, status):
    row = _row(two_visits, consenting_contact, status=status)
    assert message_may_send(f"{REMINDER_REFERENCE}{row.pk}") is False
    row.refresh_from_db()
    assert row.status == status


MINUTE = datetime.timedelta(minutes=1)
