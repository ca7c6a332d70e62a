"""E-mail through the task queue: queued when the transaction commits, sent by the worker.

``queue_email`` is what services call. Nothing is sent inside a transaction: an invitation
for a user whose creation then rolls back must never leave, and a slow mail server must never
hold a database transaction open. The worker (``manage.py db_worker``) runs ``send_email``;
a failed send is recorded on its task result row (status FAILED, exception and traceback) and
tried again later, up to ``EMAIL_MAX_ATTEMPTS`` attempts in all.

django-tasks has no retry of its own, so a failing attempt enqueues the next one (with a
growing delay) before it re-raises: the row of every failed attempt stays visible.
"""

import datetime
import logging
from collections.abc import Callable
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

try:  # Django 6.0 ships the API; on 5.2 the django-tasks package provides the same one.
    from django.tasks import task
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

logger = logging.getLogger(__name__)

# The first retry waits this long; each later one twice as long as the one before.
FIRST_RETRY_DELAY = datetime.timedelta(minutes=2)


# Apps above core that need to know how a message of theirs ended (messaging marks a reminder
# sent or failed) register a listener for a prefix of ``reference``: "messaging.reminder:".
# ``listener(reference, sent=bool, attempt=int, error=str)`` runs in the worker.
_outcome_listeners: dict[str, Callable] = {}


def register_outcome_listener(prefix: str, listener: Callable) -> None:
    _outcome_listeners[prefix] = listener


# Apps above core whose messages may stop being true while queued (a reminder of a visit since
# cancelled) register a check for their prefix of ``reference``: ``check(reference) -> bool``,
# asked in the worker right before every attempt; False drops the message (the check records
# why).
_send_checks: dict[str, Callable] = {}


def register_send_check(prefix: str, check: Callable) -> None:
    _send_checks[prefix] = check


def _may_send(reference: str) -> bool:
    return all(
        check(reference)
        for prefix, check in _send_checks.items()
        if reference and reference.startswith(prefix)
    )


def _report(reference: str, **outcome) -> None:
    for prefix, listener in _outcome_listeners.items():
        if reference.startswith(prefix):
            listener(reference, **outcome)


def site_url(path: str) -> str:
    """The absolute address of a path of this site, for messages (``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + path


def sender(name: str) -> str:
    """``DEFAULT_FROM_EMAIL``'s address under ``name`` (a clinic's): families see who wrote."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return formataddr((name, address)) if name else settings.DEFAULT_FROM_EMAIL


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait after failed attempt ``attempt`` (1, 2, ...): 2, 4, 8, 16 minutes."""
    return FIRST_RETRY_DELAY * (2 ** (attempt - 1))


@task()
def send_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str = "",
    attempt: int = 1,
    reference: str = "",
    from_email: str = "",
) -> dict:
    if not _may_send(reference):
        return {"to": to, "subject": subject, "attempt": attempt, "sent": False}
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=to, from_email=from_email or None
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    try:
        message.send()
    except Exception as error:
        if attempt < settings.EMAIL_MAX_ATTEMPTS:
            delay = retry_delay(attempt)
            send_email.using(run_after=timezone.now() + delay).enqueue(
                to=to,
                subject=subject,
                body=body,
                html_body=html_body,
                attempt=attempt + 1,
                **({"reference": reference} if reference else {}),
                **({"from_email": from_email} if from_email else {}),
            )
            logger.warning("E-mail %r to %s failed; retrying in %s.", subject, to, delay)
        else:
            logger.error("E-mail %r to %s failed %d times; giving up.", subject, to, attempt)
            _report(reference, sent=False, attempt=attempt, error=str(error) or repr(error))
        # Re-raised so that the worker marks this attempt's row FAILED with the traceback.
        raise
    _report(reference, sent=True, attempt=attempt, error="")
    return {"to": to, "subject": subject, "attempt": attempt}


def queue_email(
    *,
    to: str | list[str],
    subject: str,
    body: str,
    html_body: str = "",
    reference: str = "",
    sender_name: str = "",
) -> None:
    """Send once the current transaction commits (at once when there is none). ``reference``
    names what the message is about, for an outcome listener; ``sender_name`` (the clinic's
    name) is the From line's display name."""
    recipients = [to] if isinstance(to, str) else list(to)
    # Only passed when given, so that other messages' task rows keep their arguments.
    extra = {"reference": reference} if reference else {}
    if sender_name:
        extra["from_email"] = sender(sender_name)
    transaction.on_commit(
        lambda: send_email.enqueue(
            to=recipients, subject=subject, body=body, html_body=html_body, **extra
        )
    )
