"""The task that sends one text message (a reminder or a notice), enqueued by the services
that queue it; the reminder clock's own task is in ``messaging.tasks``."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from core.mail import retry_delay
from messaging.models import Reminder
from messaging.services.delivery import (
    REMINDER_REFERENCE,
    message_may_send,
    reminder_outcome,
    site_url,
)
from messaging.texts import TextError, backend

try:  # Django 6.0 ships the API; on 5.2 the django-tasks package provides the same one.
    from django.tasks import task
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task


@task()
def send_text(*, reminder_id: int, to: str, body: str, attempt: int = 1) -> dict:
    """Send one text (a reminder or a notice) through ``TEXT_BACKEND``; a failure is retried
    with the same back-off as e-mail (``core.mail.retry_delay``), then the row is marked
    failed."""
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
