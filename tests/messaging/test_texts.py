"""Text reminders through the Twilio-style backend, run against a local HTTP server on
127.0.0.1 standing in for the provider; its signed delivery callbacks and replies ("C"
cancels, STOP stops texts); a bad signature changes nothing."""

import base64
import contextlib
import datetime
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from charts.models import PatientContact
from core.models import AuditEntry
from messaging.models import Reminder, ReminderSettings
from messaging.services import reminders_send_due
from messaging.texts import signature
from scheduling.models import Appointment
from tests.factories import AppointmentFactory, PatientContactFactory
from tests.worker import run_worker

TOKEN = "test-auth-token"


class _Provider(BaseHTTPRequestHandler):
    received: list
    fail = False

    def do_POST(self):  # noqa: N802 - the http.server API
        length = int(self.headers["Content-Length"])
        fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        self.received.append({"path": self.path, "auth": self.headers["Authorization"], **fields})
        status, answer = (500, {"message": "down"}) if self.fail else (201, {"sid": "SM123"})
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def provider(fail=False):
    handler = type("Handler", (_Provider,), {"received": [], "fail": fail})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, handler.received
    finally:
        server.shutdown()
        server.server_close()


def _use(settings, server):
    settings.TEXT_BACKEND = "messaging.texts.TwilioBackend"
    settings.TWILIO_API_URL = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", TOKEN
    settings.TWILIO_FROM_NUMBER = "+15550000000"


@pytest.fixture
def texting_contact(speech_patient, scheduler):
    return PatientContactFactory(
        patient=speech_patient,
        phone="(555) 010-0123",
        email="",
        text_consent_at=timezone.now(),
        text_consent_by=scheduler,
    )


@pytest.fixture
def soon(speech_chart_case, therapist, location, treatment, scheduler):
    return AppointmentFactory(
        chart_case=speech_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=timezone.now() + datetime.timedelta(hours=47),
        created_by=scheduler,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_text_reminder_goes_through_the_provider_api(
    settings, reminder_settings, texting_contact, soon
):
    with provider() as (server, received):
        _use(settings, server)
        assert reminders_send_due() == 1
        run_worker()
    [sent] = received
    assert sent["path"] == "/2010-04-01/Accounts/AC1/Messages.json"
    assert sent["auth"] == "Basic " + base64.b64encode(f"AC1:{TOKEN}".encode()).decode()
    assert (sent["To"], sent["From"]) == ("(555) 010-0123", "+15550000000")
    assert "Reply C to cancel" in sent["Body"] and "/visit/confirm/" in sent["Body"]
    assert sent["StatusCallback"].endswith(f"/texts/{soon.clinic_id}/status/")
    reminder = Reminder.objects.get()
    assert (reminder.channel, reminder.status, reminder.provider_id) == ("text", "sent", "SM123")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_provider_is_retried_then_the_reminder_is_failed(
    settings, reminder_settings, texting_contact, soon
):
    settings.TEXT_MAX_ATTEMPTS = 2
    with provider(fail=True) as (server, received):
        _use(settings, server)
        reminders_send_due()
        run_worker()
        retry = DBTaskResult.objects.get(status="READY", task_path="messaging.texting.send_text")
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
        run_worker()
    assert len(received) == 2
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == ("failed", 2)
    assert AuditEntry.objects.filter(action="remind_failed", object_id=str(soon.pk)).exists()


def _post(client, name, clinic_id, fields, good=True):
    url = reverse(f"messaging:{name}", kwargs={"clinic": clinic_id})
    signed = signature(f"http://testserver{url}", fields, TOKEN if good else "wrong")
    return client.post(url, fields, HTTP_X_TWILIO_SIGNATURE=signed)


def _sent_text(contact, appointment):
    return Reminder.objects.create(
        clinic_id=appointment.clinic_id,
        appointment=appointment,
        contact=contact,
        send=1,
        channel="text",
        visit_start=appointment.start,
        due_at=timezone.now(),
        address=contact.phone,
        status="sent",
        provider_id="SM9",
    )


@pytest.mark.django_db
def test_a_delivery_failure_callback_marks_the_reminder(settings, client, texting_contact, soon):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    reminder = _sent_text(texting_contact, soon)
    fields = {"MessageSid": "SM9", "MessageStatus": "undelivered"}
    assert _post(client, "text_status", soon.clinic_id, fields, good=False).status_code == 403
    reminder.refresh_from_db()
    assert reminder.status == "sent"
    assert _post(client, "text_status", soon.clinic_id, fields).status_code == 204
    reminder.refresh_from_db()
    assert reminder.status == "failed"


@pytest.mark.django_db
def test_a_reply_of_c_cancels_the_visit_within_the_window(settings, client, texting_contact, soon):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    ReminderSettings.objects.create(clinic=soon.clinic, cancel_window_hours=24)
    _sent_text(texting_contact, soon)
    fields = {"From": "+15550100123", "Body": " c "}
    assert _post(client, "text_reply", soon.clinic_id, fields, good=False).status_code == 403
    soon.refresh_from_db()
    assert soon.status == "scheduled"
    response = _post(client, "text_reply", soon.clinic_id, fields)
    assert response.status_code == 200
    assert "is cancelled" in response.content.decode()
    soon.refresh_from_db()
    assert soon.status == Appointment.Status.PATIENT_CANCELLED


@pytest.mark.django_db
def test_a_late_reply_of_c_is_refused_with_the_phone(settings, client, texting_contact, soon):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    ReminderSettings.objects.create(
        clinic=soon.clinic, cancel_window_hours=72, late_cancel="refuse", phone="555-0199"
    )
    _sent_text(texting_contact, soon)
    response = _post(client, "text_reply", soon.clinic_id, {"From": "+15550100123", "Body": "C"})
    assert "555-0199" in response.content.decode()
    soon.refresh_from_db()
    assert soon.status == "scheduled"


@pytest.mark.django_db
def test_stop_withdraws_text_consent(settings, client, texting_contact):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    fields = {"From": "+1 555 010 0123", "Body": "STOP"}
    response = _post(client, "text_reply", texting_contact.clinic_id, fields)
    assert "no more texts" in response.content.decode()
    texting_contact.refresh_from_db()
    assert texting_contact.text_consent_at is None
    assert not PatientContact.objects.consented("text").exists()


def _book(clinic, chart_case, therapist, location, treatment, scheduler, start):
    from scheduling.services import appointment_book

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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notices_are_texted_to_contacts_who_agreed_to_texts(
    settings,
    mailoutbox,
    clinic,
    speech_chart_case,
    therapist,
    location,
    treatment,
    scheduler,
    texting_contact,
    consenting_contact,
    tomorrow,
):
    """Booked, moved, cancelled: each is one text through the provider (and one e-mail to the
    contact who agreed to e-mail); a contact with no text consent gets no text."""
    from scheduling.services import appointment_cancel, appointment_reschedule
    from tests.fixtures.scheduling import local

    PatientContactFactory(  # a mobile number, no consent to texts
        patient=speech_chart_case.patient, phone="555-010-0999", email=""
    )
    with provider() as (server, received):
        _use(settings, server)
        visit = _book(
            clinic,
            speech_chart_case,
            therapist,
            location,
            treatment,
            scheduler,
            local(location, tomorrow, 10),
        )
        run_worker()
        appointment_reschedule(
            appointment=visit,
            start=local(location, tomorrow, 11),
            duration_minutes=45,
            reason="Therapist's request",
            by=scheduler,
        )
        run_worker()
        appointment_cancel(
            appointment=visit, status="clinic_cancelled", reason="Closed", by=scheduler
        )
        run_worker()
    assert [text["To"] for text in received] == ["(555) 010-0123"] * 3
    booked, moved, cancelled = (text["Body"] for text in received)
    first = speech_chart_case.patient.first_name
    assert booked.startswith(f"{clinic.name}: {first}'s visit is booked for ")
    assert "10:00 AM" in booked and location.name in booked and "/portal/" in booked
    assert "has moved to" in moved and "11:00 AM" in moved
    assert "is cancelled" in cancelled
    assert treatment.name not in booked
    assert all(text["StatusCallback"].endswith(f"/texts/{clinic.id}/status/") for text in received)
    # The e-mail contact got the same three, by e-mail.
    assert [mail.subject.split(": ")[1] for mail in mailoutbox] == [
        "your visit is booked",
        "your visit has moved",
        "your visit is cancelled",
    ]
    notices = Reminder.objects.notices().filter(channel="text").order_by("pk")
    assert [(row.kind, row.status, row.provider_id) for row in notices] == [
        ("booked", "sent", "SM123"),
        ("moved", "sent", "SM123"),
        ("cancelled", "sent", "SM123"),
    ]
    assert AuditEntry.objects.filter(action="notify", details__contains="by text").count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_series_is_one_text_and_a_booking_cancelled_before_it_went_is_not_texted(
    settings,
    clinic,
    speech_chart_case,
    therapist,
    location,
    treatment,
    scheduler,
    texting_contact,
    tomorrow,
):
    from scheduling.services import SeriesRule, series_book, series_cancel
    from tests.fixtures.scheduling import local

    with provider() as (server, received):
        _use(settings, server)
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
        run_worker()
        assert len(received) == 1
        assert "12 visits for" in received[0]["Body"] and "are booked" in received[0]["Body"]
        # Booked and, before the worker sends it, cancelled: the booking's text is void, the
        # cancellation's goes.
        visit = _book(
            clinic,
            speech_chart_case,
            therapist,
            location,
            treatment,
            scheduler,
            local(location, tomorrow, 14),
        )
        from scheduling.services import appointment_cancel

        appointment_cancel(
            appointment=visit, status="clinic_cancelled", reason="Booked by mistake", by=scheduler
        )
        run_worker()
        first = Appointment.objects.filter(series=series).order_by("start").first()
        series_cancel(
            appointment=first,
            following=True,
            status="clinic_cancelled",
            reason="Moving away",
            by=scheduler,
        )
        run_worker()
    bodies = [text["Body"] for text in received]
    assert len(bodies) == 3, bodies
    assert "is cancelled" in bodies[1] and "2:00 PM" in bodies[1]
    assert "12 visits for" in bodies[2] and "are cancelled" in bodies[2]
    void = Reminder.objects.notices().get(kind="booked", appointment=visit)
    assert (void.status, void.void_reason) == ("void", "The visit was cancelled.")
