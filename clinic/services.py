"""Writes to the Basic Setup rows (service types, appointment types): one transaction each,
with its audit entry."""

from django.db import transaction

from clinic.models import AppointmentType, Clinic, ServiceType
from core import audit


def setup_row_snapshot(row: ServiceType | AppointmentType) -> dict[str, str]:
    snapshot = {"Name": row.name}
    if isinstance(row, AppointmentType):
        snapshot["Default duration"] = f"{row.default_duration_minutes} min"
    snapshot["Active"] = "Yes" if row.is_active else "No"
    return snapshot


@transaction.atomic
def setup_row_save(*, row: ServiceType | AppointmentType, by) -> ServiceType | AppointmentType:
    """Save a new or edited row (its fields already set, as a ModelForm leaves them)."""
    if row.pk is None:
        row.save()
        audit.record(
            clinic_id=row.clinic_id,
            actor=by,
            action="create",
            obj=row,
            changes=audit.diff({}, setup_row_snapshot(row)),
        )
        return row
    # "Before" from the row as stored: the form has already copied the input onto ``row``.
    before = setup_row_snapshot(type(row).objects.get(pk=row.pk))
    changes = audit.diff(before, setup_row_snapshot(row))
    row.save()
    if changes:
        audit.record(clinic_id=row.clinic_id, actor=by, action="update", obj=row, changes=changes)
    return row


@transaction.atomic
def setup_row_delete(*, row: ServiceType | AppointmentType, by) -> None:
    """Delete a row nothing uses (a ProtectedError from the database rolls back the entry)."""
    audit.record(
        clinic_id=row.clinic_id,
        actor=by,
        action="delete",
        obj=row,
        changes=audit.diff(setup_row_snapshot(row), {}),
    )
    row.delete()


REQUEST_SETTINGS = [
    "requests_enabled",
    "request_horizon_days",
    "request_min_notice_hours",
    "request_max_pending",
    "request_pending_lifetime_days",
]


def _request_settings_words(clinic: Clinic) -> dict[str, str]:
    words = {}
    for name in REQUEST_SETTINGS:
        field = Clinic._meta.get_field(name)
        value = getattr(clinic, name)
        if isinstance(value, bool):
            value = "On" if value else "Off"
        words[str(field.verbose_name)] = str(value)
    return words


@transaction.atomic
def clinic_request_settings_update(*, clinic: Clinic, by, **values) -> Clinic:
    """Change the clinic's appointment request settings (one audit entry with what changed)."""
    unknown = set(values) - set(REQUEST_SETTINGS)
    if unknown:
        raise TypeError(f"Not a request setting: {', '.join(sorted(unknown))}")
    clinic = Clinic.objects.select_for_update().get(pk=clinic.pk)
    before = _request_settings_words(clinic)
    for name, value in values.items():
        setattr(clinic, name, value)
    # The form checks the bounds already; this catches any other caller (the database too).
    clinic.full_clean(exclude=[f.name for f in Clinic._meta.fields if f.name not in values])
    clinic.save(update_fields=list(values))
    changes = audit.diff(before, _request_settings_words(clinic))
    if changes:
        audit.record(
            clinic_id=clinic.pk,
            actor=by,
            action="update",
            obj=clinic,
            object_type="appointment request settings",
            changes=changes,
        )
    return clinic
