"""The clinic's e-mails to families, as they arrive at a real SMTP server from the real worker:
the clinic's name in From, a link to the portal, times with their time zone ("Tue Dec 8,
10:00 AM EST"). Request answers (scheduling), a move's answer, and a notice (messaging)."""

import pytest

from scheduling import services
from tests.fixtures.scheduling import local
from tests.worker import body_of, run_worker, smtp_server

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _use_smtp(settings, server):
    for name, value in server.settings().items():
        setattr(settings, name, value)
    settings.DEFAULT_FROM_EMAIL = "Fusion Patient Cases <noreply@clinic.example>"
    settings.SITE_URL = "https://clinic.example"


def _zoned(moment, location) -> str:
    local_time = moment.astimezone(location.tzinfo)
    return f"{local_time:%a %b %-d, %-I:%M %p %Z}"


def test_request_answers_come_from_the_clinic_with_the_portal_and_the_zone(
    settings, pending_request, scheduler, clinic, location, request_day, patient_user
):
    with smtp_server() as server:
        _use_smtp(settings, server)
        approved = services.request_approve(request=pending_request, by=scheduler)
        move = services.request_create(
            chart_case=pending_request.chart_case,
            appointment_type=pending_request.appointment_type,
            location=location,
            start=local(location, request_day, 15),
            by=patient_user,
            move_of=approved.appointment,
        )
        services.request_decline(request=move, by=scheduler, reason="That afternoon is full.")
        run_worker()
        messages = server.wait_for(2)

    by_subject = {message["Subject"]: message for message in messages}
    yes = by_subject["Riverside Therapy: your appointment request was approved"]
    no = by_subject["Riverside Therapy: your appointment request was declined"]
    for message in (yes, no):
        assert message["From"] == "Riverside Therapy <noreply@clinic.example>"
        assert message["To"] == patient_user.email
        assert "https://clinic.example/portal/" in body_of(message)
    booked = _zoned(pending_request.start, location)
    assert booked.endswith((" EST", " EDT"))
    assert booked in body_of(yes)
    declined = body_of(no)
    assert f"could not move the visit of Liam Carter to {_zoned(move.start, location)}" in declined
    assert f"The visit stays at {booked}." in declined


def test_an_approved_move_says_the_new_time(
    settings, portal_visit, scheduler, location, request_day, patient_user
):
    move = services.request_create(
        chart_case=portal_visit.chart_case,
        appointment_type=portal_visit.appointment_type,
        location=location,
        start=local(location, request_day, 11),
        by=patient_user,
        move_of=portal_visit,
    )
    with smtp_server() as server:
        _use_smtp(settings, server)
        services.request_approve(request=move, by=scheduler)
        run_worker()
        messages = server.wait_for(1)
    [answer] = [m for m in messages if m["To"] == patient_user.email]
    body = body_of(answer)
    assert answer["From"] == "Riverside Therapy <noreply@clinic.example>"
    assert "approved your request to move the visit of Liam Carter. Its new time:" in body
    assert _zoned(move.start, location) in body


def test_a_notice_comes_from_the_clinic_with_the_portal_and_the_zone(
    settings, consenting_contact, speech_chart_case, therapist, location, treatment, scheduler,
    tomorrow, clinic,
):  # fmt: skip
    with smtp_server() as server:
        _use_smtp(settings, server)
        visit = services.appointment_book(
            clinic=clinic,
            chart_case=speech_chart_case,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=local(location, tomorrow, 10),
            duration_minutes=45,
            by=scheduler,
        )
        run_worker()
        [message] = server.wait_for(1)
    assert message["From"] == "Riverside Therapy <noreply@clinic.example>"
    body = body_of(message)
    assert "https://clinic.example/portal/" in body
    local_start = visit.start.astimezone(location.tzinfo)
    assert f"{local_start:%-I:%M %p} ({local_start:%Z})" in body


def test_an_approved_move_is_told_by_its_answer_and_a_later_move_by_a_notice(
    settings, portal_visit, consenting_contact, scheduler, location, request_day, patient_user
):
    """The family that asked to move a visit gets the answer to their request, not a second
    'your visit has moved' notice; a move the clinic makes later is told by a notice."""
    from messaging.models import Reminder

    assert consenting_contact.patient_id == portal_visit.patient_id
    move = services.request_create(
        chart_case=portal_visit.chart_case,
        appointment_type=portal_visit.appointment_type,
        location=location,
        start=local(location, request_day, 11),
        by=patient_user,
        move_of=portal_visit,
    )
    services.request_approve(request=move, by=scheduler)
    assert not Reminder.objects.filter(kind=Reminder.Kind.MOVED).exists()
    portal_visit.refresh_from_db()
    services.appointment_reschedule(
        appointment=portal_visit,
        start=local(location, request_day, 14),
        duration_minutes=portal_visit.duration_minutes,
        reason="Therapist out",
        by=scheduler,
    )
    assert Reminder.objects.filter(kind=Reminder.Kind.MOVED).count() == 1
