"""E-mail through the task queue and the real worker: queued on commit, sent by
``db_worker`` through a real SMTP server, a failed send recorded and retried a bounded number
of times. Nothing here mocks the queue or the mail server."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.mail import queue_email
from tests.worker import body_of, free_port, run_worker, smtp_server

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _queue(subject="Hello"):
    with transaction.atomic():
        queue_email(to="ada@example.org", subject=subject, body="Body text.")
        # Nothing is queued while the transaction is open.
        assert not DBTaskResult.objects.exists()


def _closed_port_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_TIMEOUT = 2


def test_an_email_is_queued_on_commit_and_sent_by_the_worker_through_smtp(settings):
    with smtp_server() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        _queue("Your invitation")
        queued = DBTaskResult.objects.get()
        assert queued.status == "READY"
        assert queued.task_path == "core.mail.send_email"

        run_worker()

        [message] = server.wait_for(1)
    assert message["Subject"] == "Your invitation"
    assert message["To"] == "ada@example.org"
    assert message["X-Envelope-To"] == "ada@example.org"
    assert body_of(message).strip() == "Body text."
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == {
        "to": ["ada@example.org"],
        "subject": "Your invitation",
        "attempt": 1,
    }


def test_a_rolled_back_transaction_queues_nothing(mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(to="ada@example.org", subject="Never", body="Never sent.")
        raise RuntimeError
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mailoutbox == []


def test_a_failed_send_is_recorded_and_tried_again_later(settings):
    _closed_port_settings(settings)
    _queue("Retry me")

    run_worker()

    first = DBTaskResult.objects.get(status="FAILED")
    assert first.exception_class_path == "builtins.ConnectionRefusedError"
    assert "ConnectionRefusedError" in first.traceback
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    wait = retry.run_after - timezone.now()
    assert datetime.timedelta(minutes=1) < wait <= datetime.timedelta(minutes=2)

    # Not due yet: the worker leaves it.
    run_worker()
    retry.refresh_from_db()
    assert retry.status == "READY"

    with (
        smtp_server() as server,
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)),
    ):
        for name, value in server.settings().items():
            setattr(settings, name, value)
        run_worker()
        [message] = server.wait_for(1)
    assert message["Subject"] == "Retry me"
    retry.refresh_from_db()
    assert retry.status == "SUCCESSFUL"


def test_retries_stop_after_the_last_attempt(settings):
    _closed_port_settings(settings)
    settings.EMAIL_MAX_ATTEMPTS = 2
    _queue("Give up")
    run_worker()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)):
        run_worker()
        run_worker()

    rows = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [row.status for row in rows] == ["FAILED", "FAILED"]
    assert [row.args_kwargs["kwargs"].get("attempt", 1) for row in rows] == [1, 2]
