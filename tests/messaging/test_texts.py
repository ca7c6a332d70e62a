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
        retry = DBTaskResult.objects.get(status="READY", task_path="messaging.tasks.send_text")
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
