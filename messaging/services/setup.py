"""The clinic's reminder settings."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core import audit
from core.concurrency import claim_version
from messaging.models import ReminderSettings
from messaging.wording import wording_errors

FIELDS = (
    "enabled",
    "first_lead_hours",
    "second_lead_hours",
    "quiet_start",
    "quiet_end",
    "wording",
    "show_service",
    "cancel_window_hours",
    "late_cancel",
    "phone",
    "feed_shows_names",
)


def _words(row: ReminderSettings) -> dict[str, str]:
    return {
        row._meta.get_field(name).verbose_name.capitalize(): str(getattr(row, name))
        for name in FIELDS
    }


@transaction.atomic
def reminder_settings_update(
    *, clinic_id: int, by: User, expected_version: int | None = None, **fields
) -> ReminderSettings:
    """``expected_version`` is the version the screen showed (0 for the defaults): refused
    when the row has moved on since, so that of two first saves the second is refused too;
    nothing to overwrite when this save creates the row."""
    row, created = ReminderSettings.objects.select_for_update().get_or_create(clinic_id=clinic_id)
    if expected_version is not None and not created:
        claim_version(row, expected_version)
    before = _words(row)
    for name in FIELDS:
        setattr(row, name, fields[name])
    errors = wording_errors(row.wording, show_service=row.show_service)
    if errors:
        raise ValidationError({"wording": errors})
    row.full_clean(exclude=["clinic", "version"])
    row.save()
    audit.record(
        clinic_id=clinic_id,
        actor=by,
        action="update",
        obj=row,
        object_type="reminder settings",
        changes=audit.diff(before, _words(row)),
    )
    return row
