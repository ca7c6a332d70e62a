"""Reminders sent by the real worker through a real SMTP server: due at their lead before the
visit, only to contacts who agreed, never for a visit cancelled, checked in or moved (a moved
visit gets new ones), a failure retried and then shown on the appointment's history."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import AuditEntry
from messaging.models import Reminder, ReminderSettings
from messaging.services import reminders_send_due
from messaging.tasks import TICK_PATH, clock_start
from scheduling.models import Appointment
from scheduling.services import appointment_cancel, appointment_reschedule
from tests.factories import AppointmentFactory, PatientContactFactory
from tests.worker import body_of, free_port, link_in, run_worker, smtp_server

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _visit(speech_chart_case, therapist, location, treatment, scheduler, hours=47):
    return AppointmentFactory(
        chart_case=speech_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=timezone.now() + datetime.timedelta(hours=hours),
        created_by=scheduler,
    )


@pytest.fixture
def visit(speech_chart_case, therapist, location, treatment, scheduler):
    return _visit(speech_chart_case, therapist, location, treatment, scheduler)


def _use_smtp(settings, server):
    for name, value in server.settings().items():
        setattr(settings, name, value)


def test_the_worker_clock_mails_the_reminder_and_its_link_confirms_the_visit(
    settings, client, reminder_settings, consenting_contact, visit
):
    with smtp_server() as server:
        _use_smtp(settings, server)
        assert clock_start() is True
        assert clock_start() is False  # one clock, however often make run starts it

        run_worker()

        [message] = server.wait_for(1)
    assert message["To"] == "maria.carter@example.com"
    assert message["Subject"].startswith("Reminder: your visit at ")
    body = body_of(message)
    assert visit.location.name in body
    assert visit.therapist.first_name in body
    assert visit.appointment_type.name not in body  # no service unless the clinic says so
    reminder = Reminder.objects.get()
    assert (reminder.send, reminder.status, reminder.attempts) == (1, "sent", 1)
    # The clock has its next tick waiting.
    assert DBTaskResult.objects.filter(task_path=TICK_PATH, status="READY").count() == 1
    assert AuditEntry.objects.filter(action="remind", object_id=str(visit.pk)).count() == 2

    confirm = link_in(body, "/visit/confirm/")
    page = client.get(confirm)
    assert page.status_code == 200
    assert visit.location.name in page.content.decode()
    visit.refresh_from_db()
    assert visit.patient_confirmed_at is None  # a GET (a mail scanner) changes nothing
    done = client.post(confirm)
    assert "your visit is confirmed" in done.content.decode()
    visit.refresh_from_db()
    assert visit.patient_confirmed_at is not None
    assert client.post(confirm).status_code == 409  # used

    # The next ticks send nothing more.
    assert reminders_send_due() == 0


def test_no_consent_no_message(reminder_settings, speech_patient, visit, mailoutbox):
    PatientContactFactory(patient=speech_patient, email="no.consent@example.com")
    assert reminders_send_due() == 0
    run_worker()
    assert mailoutbox == []
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("status", ["clinic_cancelled", "patient_cancelled", "checked_in"])
def test_no_reminder_for_a_visit_cancelled_or_checked_in(
    reminder_settings, consenting_contact, visit, status, mailoutbox
):
    Appointment.objects.filter(pk=visit.pk).update(status=status)
    assert reminders_send_due() == 0
    run_worker()
    assert mailoutbox == []


def test_a_moved_visit_gets_new_reminders_and_the_old_are_void(
    settings, reminder_settings, consenting_contact, visit, administrator
):
    """Moved after its reminder was queued, before the worker sent it: the family gets the
    notice of the move and the new time's reminder; the old time's reminder is void."""
    old_start = visit.start
    with smtp_server() as server:
        _use_smtp(settings, server)
        assert reminders_send_due() == 1
        appointment_reschedule(
            appointment=visit,
            start=visit.start + datetime.timedelta(minutes=30),
            duration_minutes=45,
            reason="Therapist's request",
            by=administrator,
            override_reason="The visit's time is set by the test's clock.",
        )
        assert reminders_send_due() == 1
        assert reminders_send_due() == 0
        run_worker()
        messages = server.wait_for(2)
    visit.refresh_from_db()
    assert sorted(message["Subject"].split(": ", 1)[1] for message in messages) == sorted(
        [f"your visit at {visit.clinic.name} on {_date(visit)}", "your visit has moved"]
    )
    reminder_body = next(body_of(m) for m in messages if m["Subject"].startswith("Reminder"))
    assert _time(visit) in reminder_body
    old = Reminder.objects.reminders().get(visit_start=old_start)
    assert (old.status, old.void_reason) == ("void", "The visit moved.")
    assert Reminder.objects.reminders().get(visit_start=visit.start).status == "sent"
    assert AuditEntry.objects.filter(
        action="remind_void", object_id=str(visit.pk), details__contains="The visit moved."
    ).exists()


@pytest.mark.parametrize("status", ["clinic_cancelled", "patient_cancelled"])
def test_a_reminder_queued_then_cancelled_is_not_mailed(
    settings, reminder_settings, consenting_contact, visit, scheduler, status
):
    """Cancelled between the clock queueing its reminder and the worker sending it: the family
    gets the cancellation, never the reminder."""
    with smtp_server() as server:
        _use_smtp(settings, server)
        assert reminders_send_due() == 1
        appointment_cancel(appointment=visit, status=status, reason="Closed", by=scheduler)
        run_worker()
        messages = server.wait_for(2, timeout=1)
    assert [message["Subject"].split(": ", 1)[1] for message in messages] == [
        "your visit is cancelled"
    ]
    reminder = Reminder.objects.reminders().get()
    assert (reminder.status, reminder.void_reason) == ("void", "The visit was cancelled.")


def test_a_reminder_checked_in_before_it_went_is_void(
    reminder_settings, consenting_contact, visit, mailoutbox
):
    assert reminders_send_due() == 1
    Appointment.objects.filter(pk=visit.pk).update(status="checked_in")
    run_worker()
    assert mailoutbox == []
    assert Reminder.objects.get().void_reason == "The visit is checked in."


def test_a_voided_reminder_is_not_tried_again(
    settings, reminder_settings, consenting_contact, visit, scheduler
):
    """A first try failed; the visit is cancelled before the retry: the retry sends nothing."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    reminders_send_due()
    run_worker()
    appointment_cancel(appointment=visit, status="clinic_cancelled", reason="Closed", by=scheduler)
    with smtp_server() as server:
        _use_smtp(settings, server)
        DBTaskResult.objects.filter(status="READY", task_path="core.mail.send_email").update(
            run_after=timezone.now()
        )
        run_worker()
        messages = server.wait_for(2, timeout=1)
    assert [m["Subject"].split(": ", 1)[1] for m in messages] == ["your visit is cancelled"]
    assert Reminder.objects.reminders().get().status == "void"


def _date(visit):
    local = visit.local_start
    return f"{local:%A, %B} {local.day}, {local.year}"


def _time(visit):
    return f"{visit.local_start:%-I:%M %p}"


def test_the_latest_due_send_goes_alone(
    reminder_settings,
    consenting_contact,
    speech_chart_case,
    therapist,
    location,
    treatment,
    scheduler,
    mailoutbox,
):
    """Booked an hour ahead: the 48-hour and 2-hour reminders are both due; one message."""
    _visit(speech_chart_case, therapist, location, treatment, scheduler, hours=1)
    assert reminders_send_due() == 1
    run_worker()
    assert len(mailoutbox) == 1
    assert sorted(Reminder.objects.values_list("send", "status")) == [
        (1, "skipped"),
        (2, "sent"),
    ]


def test_a_failed_reminder_is_retried_then_shown_on_the_appointment(
    settings, client, scheduler, reminder_settings, consenting_contact, visit
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_MAX_ATTEMPTS = 2
    reminders_send_due()
    run_worker()
    reminder = Reminder.objects.get()
    assert reminder.status == "queued"  # the first try failed; the retry waits
    retry = DBTaskResult.objects.get(status="READY", task_path="core.mail.send_email")
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("failed", 2)
    failed = AuditEntry.objects.get(action="remind_failed")
    assert failed.object_id == str(visit.pk)
    assert "could not be sent after 2 tries" in failed.details
    # Shown on the appointment's page.
    client.force_login(scheduler)
    page = client.get(reverse("scheduling:appointment_detail", kwargs={"pk": visit.pk}))
    assert "The e-mail reminder to maria.carter@example.com could not be sent" in (
        page.content.decode()
    )


def test_reminders_off_sends_nothing(reminder_settings, consenting_contact, visit):
    reminder_settings.enabled = False
    reminder_settings.save()
    assert reminders_send_due() == 0


def test_a_rolled_back_claim_queues_nothing(reminder_settings, consenting_contact, visit):
    with pytest.raises(RuntimeError), transaction.atomic():
        reminders_send_due()
        raise RuntimeError
    assert not DBTaskResult.objects.filter(task_path="core.mail.send_email").exists()
    assert not Reminder.objects.exists()


def test_the_confirm_link_cannot_cancel(client, reminder_settings, consenting_contact, visit):
    from messaging.links import make_token

    token = make_token(appointment_id=visit.pk, visit_start=visit.start, purpose="confirm")
    response = client.post(reverse("messaging:cancel", kwargs={"token": token}))
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.status == "scheduled"


def test_the_demo_parent_gets_a_reminder_from_the_worker(mailoutbox):
    from django.core.management import call_command

    call_command("load_demo", force=True, verbosity=0)
    # The demo's quiet quarter-hour (01:00 in New York) must not be now for this test.
    ReminderSettings.objects.update(quiet_start=datetime.time(12), quiet_end=datetime.time(12, 1))
    clock_start()
    run_worker()
    reminders = [m for m in mailoutbox if m.subject.startswith("Reminder: ")]
    assert reminders
    assert reminders[0].to == ["parent@demo.clinic"]
    assert "/visit/confirm/" in reminders[0].body


def test_a_booking_notice_not_yet_sent_when_the_visit_is_cancelled_is_void(
    settings,
    clinic,
    speech_chart_case,
    therapist,
    location,
    treatment,
    scheduler,
    consenting_contact,
    tomorrow,
):
    from scheduling.services import appointment_book
    from tests.fixtures.scheduling import local

    with smtp_server() as server:
        _use_smtp(settings, server)
        booked = appointment_book(
            clinic=clinic,
            chart_case=speech_chart_case,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=local(location, tomorrow, 10),
            duration_minutes=45,
            by=scheduler,
        )
        appointment_cancel(
            appointment=booked, status="clinic_cancelled", reason="Booked by mistake", by=scheduler
        )
        run_worker()
        messages = server.wait_for(2, timeout=1)
    assert [m["Subject"].split(": ", 1)[1] for m in messages] == ["your visit is cancelled"]
    notice = Reminder.objects.notices().get(kind="booked")
    assert (notice.channel, notice.status, notice.void_reason) == (
        "email",
        "void",
        "The visit was cancelled.",
    )
