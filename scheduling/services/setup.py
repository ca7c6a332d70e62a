"""Basic Setup rows and the appointments step of a discharge."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from charts.models import PatientChartCase
from core.audit import diff, record
from core.concurrency import VersionedFormMixin, claim_version
from core.roles import ADMINISTRATOR, has_role
from insurance.stored import recount_once
from scheduling.models import Appointment

# Setup rows (locations, hours, closures, availability, exceptions) -------------------------


@transaction.atomic
def setup_row_save(*, form, by: User):
    """Save a Basic Setup row from its validated model form, with an audit entry. An edit of
    a versioned row (a location) first claims the version its screen showed: a save from a
    stale screen raises ``VersionConflict`` and writes nothing."""
    _require_admin(by)
    creating = form.instance.pk is None
    if not creating and isinstance(form, VersionedFormMixin):
        claim_version(form.instance, form.cleaned_data.get("version"))
    before = {} if creating else _row_words(type(form.instance).objects.get(pk=form.instance.pk))
    row = form.save()
    record(
        clinic_id=row.clinic_id,
        actor=by,
        action="create" if creating else "update",
        obj=row,
        changes=diff(before, _row_words(row)),
    )
    return row


@transaction.atomic
def setup_row_delete(*, row, by: User) -> None:
    _require_admin(by)
    record(clinic_id=row.clinic_id, actor=by, action="delete", obj=row, object_repr=str(row))
    row.delete()


def _require_admin(by: User) -> None:
    if not has_role(by, ADMINISTRATOR):
        raise PermissionDenied


def _row_words(row) -> dict[str, str]:
    words = {}
    for field in row._meta.concrete_fields:
        if field.name in {"id", "clinic"}:
            continue
        value = getattr(row, field.name)
        if field.choices:
            value = getattr(row, f"get_{field.name}_display")()
        words[str(field.verbose_name).capitalize()] = "" if value is None else str(value)
    return words


@transaction.atomic
@recount_once()
def chart_case_cancel_future(*, chart_case: PatientChartCase, reason: str, by: User) -> int:
    """Before a discharge: cancel (clinic cancelled) the chart case's appointments still
    scheduled from now on. The therapist discharging the case may do it, as may the front
    desk. Returns how many."""
    now = chart_case.clinic.now()
    future = list(
        Appointment.objects.filter(
            clinic_id=chart_case.clinic_id,
            chart_case=chart_case,
            start__gte=now,
            status=Appointment.Status.SCHEDULED,
        ).select_for_update()
    )
    for appointment in future:
        appointment.status = Appointment.Status.CLINIC_CANCELLED
        appointment.cancel_reason = reason[:300]
        appointment.version += 1
        appointment.save(update_fields=["status", "cancel_reason", "version"])
        record(
            clinic_id=appointment.clinic_id,
            actor=by,
            action="cancel",
            obj=appointment,
            object_type="appointment",
            patient=chart_case.patient,
            parent=chart_case,
            details=reason,
        )
    return len(future)
