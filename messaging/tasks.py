"""The reminder clock: a task that enqueues its next run, then sends what is due.

Why a self-renewing task and not a clock process beside the worker: the queue is already a
table both processes share, so a tick is one more row that any running worker picks up; there
is no second long-lived process for ``make run`` (or a deployment) to start, watch and stop,
and with several workers the tick still runs once per interval (one row, claimed by one
worker). The next tick is enqueued before this one's work, so a failure while sending never
stops the clock; ``manage.py reminders_start`` (run by ``make run``, idempotent) starts it.
"""

import datetime

from django.conf import settings
from django.utils import timezone

try:  # Django 6.0 ships the API; on 5.2 the django-tasks package provides the same one.
    from django.tasks import task
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

TICK_PATH = "messaging.tasks.tick"


@task()
def tick() -> dict:
    interval = datetime.timedelta(seconds=settings.REMINDER_TICK_SECONDS)
    tick.using(run_after=timezone.now() + interval).enqueue()
    from messaging.services import reminders_send_due

    return {"queued": reminders_send_due()}


def clock_start() -> bool:
    """Enqueue a tick unless one is waiting or running; True when one was enqueued."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=TICK_PATH, status__in=["READY", "RUNNING"]
    ).exists()
    if not waiting:
        tick.enqueue()
    return not waiting


@task()
def send_text(*, reminder_id: int, to: str, body: str, attempt: int = 1) -> dict:
    """Send one text (a reminder or a notice) through ``TEXT_BACKEND``; a failure is retried
    with the same back-off as e-mail (``core.mail.retry_delay``), then the row is marked
    failed."""
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from core.mail import retry_delay
    from messaging.models import Reminder
    from messaging.services import REMINDER_REFERENCE, message_may_send, reminder_outcome
    from messaging.services.reminders import site_url
    from messaging.texts import TextError, backend

    reference = f"{REMINDER_REFERENCE}{reminder_id}"
    # The same check as e-mail's, right before every attempt: a visit cancelled, checked in or
    # moved since the text was queued voids it.
    if not message_may_send(reference):
        return {"reminder": reminder_id, "void": True}
    with scopes_disabled():
        clinic_id = Reminder.objects.values_list("clinic_id", flat=True).get(pk=reminder_id)
    callback = site_url(reverse("messaging:text_status", kwargs={"clinic": clinic_id}))
    try:
        message_id = backend().send(to=to, body=body, callback_url=callback)
    except TextError as error:
        if attempt < settings.TEXT_MAX_ATTEMPTS:
            send_text.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                reminder_id=reminder_id, to=to, body=body, attempt=attempt + 1
            )
        else:
            reminder_outcome(reference, sent=False, attempt=attempt, error=str(error))
        raise
    with scopes_disabled():
        Reminder.objects.filter(pk=reminder_id).update(provider_id=message_id[:64])
    reminder_outcome(reference, sent=True, attempt=attempt, error="")
    return {"reminder": reminder_id, "provider_id": message_id, "attempt": attempt}
