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
