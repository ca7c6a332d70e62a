from django.conf import settings
from django.db import models
from django.utils import timezone

from core.tenancy import ClinicQuerySet, clinic_scoped

ACTION_LABELS = {
    "create": "Created",
    "update": "Edited",
    "delete": "Deleted",
    "archive": "Archived",
    "restore": "Restored",
    "sign": "Signed",
    "addendum": "Addendum added",
    "discharge": "Discharged",
    "reopen": "Reopened",
    "roles": "Roles changed",
    "deactivate": "Deactivated",
    "reactivate": "Reactivated",
    "access": "Viewed",
    "discard": "Draft deleted",
    "import": "Imported",
    "book": "Booked",
    "reschedule": "Rescheduled",
    "cancel": "Cancelled",
    "status": "Status changed",
    "complete": "Marked done",
    "export": "Exported",
    "invite": "Invited",
    "password_reset_request": "Password reset requested",
    "password_set": "Password set",
    "request": "Requested",
    "approve": "Approved",
    "decline": "Declined",
    "expire": "Expired",
    "merge": "Merged",
    "merge_undo": "Merge undone",
    "move": "Moved",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())


class AppendOnlyError(Exception):
    """The audit trail is never changed or deleted."""


class AuditEntryQuerySet(ClinicQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are never changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries are never deleted.")

    def for_patient(self, patient_id):
        return self.filter(patient_id=patient_id)


class AuditEntry(models.Model):
    """One thing someone did (or read) in a clinic: who, when, from where, to what and whom,
    and what changed, in plain words. Written by ``core.audit`` in the same transaction as the
    change it records; never changed or deleted.

    ``action`` and ``object_type`` are plain strings, not choices: every app adds its own
    (``core.audit.ACTION_LABELS`` holds the words shown for them)."""

    # Found through the indexes below, which all lead with the clinic: one on the clinic
    # alone would only be one more index every entry's INSERT writes.
    clinic = models.ForeignKey(
        "clinic.Clinic", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Kept as written: a later rename of the user or patient does not rewrite history.
    actor_name = models.CharField(max_length=200, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    # No foreign key: core sits below charts, and an entry outlives anything it names.
    patient_id = models.BigIntegerField(null=True, blank=True)
    patient_name = models.CharField(max_length=300, blank=True)
    # The record the object hangs off, if any (a note's chart case): that record's history
    # lists the entries of what hangs off it too.
    parent_type = models.CharField(max_length=64, blank=True)
    parent_id = models.CharField(max_length=64, blank=True)
    # [[label, before, after], ...] in plain words.
    changes = models.JSONField(default=list, blank=True)
    details = models.TextField(blank=True)

    objects = clinic_scoped(AuditEntryQuerySet)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["clinic", "-at"], name="audit_clinic_at"),
            models.Index(fields=["clinic", "patient_id", "-at"], name="audit_clinic_patient_at"),
            models.Index(fields=["clinic", "actor", "-at"], name="audit_clinic_actor_at"),
            models.Index(
                fields=["clinic", "object_type", "object_id", "-at"], name="audit_clinic_object"
            ),
            models.Index(
                fields=["clinic", "parent_type", "parent_id", "-at"], name="audit_clinic_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are never deleted.")

    @property
    def action_display(self) -> str:
        return action_label(self.action)
