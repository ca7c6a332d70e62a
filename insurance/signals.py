"""Keeping the stored counts (``insurance.stored.store``) right: every write that changes what
the rule counts recounts the chart cases it touched, in its own transaction.

Scheduling sits above this app and never needs to know: its appointment rows are watched by
label (``"scheduling.Appointment"``, as ``counting.appointment_model`` reads them), so every
path that writes one (booking, moving, cancelling, a status, an import, the demo) is covered
without a call of its own. Rows moved between chart cases by ``UPDATE`` (a merge of cases, its
undo, a note moved with its visit) are reported by ``cases.merge_rows.rows_moved``. Writes of
many rows batch their recounts with ``stored.recount_once``."""

from django.db.models.signals import post_init, post_save

from cases.merge_rows import register_rows_moved
from insurance import stored
from insurance.models import Authorization, AuthorizationType, InsuranceSettings

# The appointment's columns the rule reads; a save of others only (a confirmation, a note's
# link) changes no count.
COUNTED = {
    "status",
    "start",
    "end",
    "appointment_type",
    "appointment_type_id",
    "duration_minutes",
    "chart_case",
    "chart_case_id",
    "visit",
    "location",
    "location_id",
    "authorization_override",
}


def appointment_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not COUNTED & set(update_fields)):
        return
    stored.recount(instance.clinic_id, [instance.chart_case_id])


def authorization_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        stored.recount(instance.clinic_id, [instance.chart_case_id])


def authorization_type_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        chart_case_id = (
            Authorization.objects.filter(pk=instance.authorization_id)
            .values_list("chart_case_id", flat=True)
            .first()
        )
        stored.recount(instance.clinic_id, [chart_case_id])


def settings_loaded(sender, instance, **kwargs):
    instance._counted_no_shows = instance.count_no_shows if instance.pk else False


def settings_saved(sender, instance, raw=False, **kwargs):
    """No-shows counted or not: every authorization of the clinic is recounted."""
    if raw or instance.count_no_shows == getattr(instance, "_counted_no_shows", False):
        return
    instance._counted_no_shows = instance.count_no_shows
    stored.recount_clinic(instance.clinic_id)


def rows_moved(clinic_id: int, kind: str, chart_case_ids) -> None:
    """Visits or authorizations went from some chart cases to others: the authorizations of
    those chart cases count again."""
    if kind in {"appointment", "authorization"}:
        stored.recount(clinic_id, chart_case_ids)


def connect() -> None:
    post_save.connect(
        appointment_saved, sender="scheduling.Appointment", dispatch_uid="insurance_count_visit"
    )
    post_save.connect(authorization_saved, sender=Authorization, dispatch_uid="insurance_count")
    post_save.connect(
        authorization_type_saved, sender=AuthorizationType, dispatch_uid="insurance_count_type"
    )
    post_init.connect(settings_loaded, sender=InsuranceSettings, dispatch_uid="insurance_ns")
    post_save.connect(settings_saved, sender=InsuranceSettings, dispatch_uid="insurance_ns")
    register_rows_moved(rows_moved)
