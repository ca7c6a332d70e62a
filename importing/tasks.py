"""The import as a background task, run by the worker (``manage.py db_worker``)."""

import logging

from django.core.exceptions import ValidationError

try:  # Django 6.0 ships the API; on 5.2 the django-tasks package provides the same one.
    from django.tasks import task
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

from importing.services import import_run_execute

logger = logging.getLogger(__name__)


@task()
def import_run_task(*, clinic_id: int, run_id: int, skip_invalid: bool) -> dict:
    """Import one uploaded run. Its progress and outcome are on the run's row, which the
    Import screen shows; an unexpected failure marks the run Failed and this task's row
    FAILED with the traceback."""
    try:
        run = import_run_execute(clinic_id=clinic_id, run_id=run_id, skip_invalid=skip_invalid)
    except ValidationError as refusal:
        # Someone else started it meanwhile (a shell, a second worker): nothing to do.
        logger.warning("Import run %s not started: %s", run_id, "; ".join(refusal.messages))
        return {"run": run_id, "status": "refused"}
    return {"run": run_id, "status": run.status}
