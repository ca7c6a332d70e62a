from django.db import transaction

from clinic.models import Clinic
from core import audit

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
