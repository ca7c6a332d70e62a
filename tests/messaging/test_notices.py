"""Families are told when the clinic books, moves or cancels a visit: one message per
change (a series is one message), only to contacts who agreed, sent once the change commits."""

import datetime

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from core.models import AuditEntry
from scheduling.models import Appointment
from scheduling.services import (
    SeriesRule,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    series_book,
    series_cancel,
)
from tests.factories import PatientContactFactory
from tests.fixtures.scheduling import local

pytestmark = pytest.mark.django_db


def _mails():
    return [
        row.args_kwargs["kwargs"]
        for row in DBTaskResult.objects.filter(task_path="core.mail.send_email").order_by(
            "enqueued_at"
        )
    ]


def _book(clinic, chart_case, therapist, location, treatment, scheduler, start):
    return appointment_book(
        clinic=clinic,
        chart_case=chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=start,
        duration_minutes=45,
        by=scheduler,
    )


def test_book_move_and_cancel_each_tell_the_family_once(
    django_capture_on_commit_callbacks,
    clinic,
    speech_chart_case,
    therapist,
    location,
    treatment,
    scheduler,
    consenting_contact,
    tomorrow,
):
    PatientContactFactory(patient=speech_chart_case.patient, email="no.consent@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        visit = _book(
            clinic,
            speech_chart_case,
            therapist,
            location,
            treatment,
            scheduler,
            local(location, tomorrow, 10),
        )
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(
            appointment=visit,
            start=local(location, tomorrow, 11),
            duration_minutes=45,
            reason="Therapist's request",
            by=scheduler,
        )
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(
            appointment=visit,
            status=Appointment.Status.CLINIC_CANCELLED,
            reason="Closed",
            by=scheduler,
        )
    mails = _mails()
    assert [mail["to"] for mail in mails] == [["maria.carter@example.com"]] * 3
    assert [mail["subject"].split(": ")[1] for mail in mails] == [
        "your visit is booked",
        "your visit has moved",
        "your visit is cancelled",
    ]
    assert clinic.name in mails[0]["subject"]
    assert "11:00 AM" in mails[1]["body"]
    assert location.name in mails[0]["body"] and "/portal/" in mails[0]["body"]
    assert treatment.name not in mails[0]["body"]
    assert AuditEntry.objects.filter(action="notify").count() == 3


def test_a_series_is_one_message(
    django_capture_on_commit_callbacks,
    clinic,
    speech_chart_case,
    therapist,
    location,
    treatment,
    scheduler,
    consenting_contact,
    tomorrow,
):
    with django_capture_on_commit_callbacks(execute=True):
        series, _ = series_book(
            clinic=clinic,
            chart_case=speech_chart_case,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=local(location, tomorrow, 10),
            duration_minutes=45,
            rule=SeriesRule(interval=1, weekdays=(tomorrow.weekday(),), count=12),
            by=scheduler,
        )
    [booked] = _mails()
    assert booked["body"].count("\n- ") == 12
    first = Appointment.objects.filter(series=series).order_by("start")[4]
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            series_cancel(
                appointment=first,
                following=True,
                status="clinic_cancelled",
                reason="Moving away",
                by=scheduler,
            )
            == 8
        )
    cancelled = _mails()[1]
    assert "cancelled" in cancelled["subject"]
    assert cancelled["body"].count("\n- ") == 8


def test_a_rolled_back_booking_tells_nobody(
    clinic,
    speech_chart_case,
    therapist,
    location,
    treatment,
    scheduler,
    consenting_contact,
    tomorrow,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            _book(
                clinic,
                speech_chart_case,
                therapist,
                location,
                treatment,
                scheduler,
                local(location, tomorrow, 10),
            )
            raise RuntimeError
        # A later booking in its own transaction is told alone.
        _book(
            clinic,
            speech_chart_case,
            therapist,
            location,
            treatment,
            scheduler,
            local(location, tomorrow + datetime.timedelta(days=1), 10),
        )
    assert len(_mails()) == 1


def test_approving_the_familys_own_request_is_not_told_twice(
    django_capture_on_commit_callbacks, pending_request, scheduler, consenting_contact
):
    from scheduling.services import request_approve

    with django_capture_on_commit_callbacks(execute=True):
        request_approve(request=pending_request, by=scheduler)
    subjects = [mail["subject"] for mail in _mails()]
    assert not [subject for subject in subjects if subject.endswith("your visit is booked")]
