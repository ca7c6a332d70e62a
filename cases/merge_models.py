"""The record of each merge of patient cases, and of each row moved from one chart case to
another (by a merge or by hand), kept so that a merge can be undone and so that both chart
cases can say where their documentation came from.

Both live in ``cases`` because the merge does: cases sit below charts, so a moved row's chart
cases are named by id (``from_chart_case_id``, ``to_chart_case_id``), not by foreign key.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models import ClinicOwned, ClinicQuerySet, clinic_scoped


class CaseMerge(ClinicOwned):
    """One merge of ``sources`` into ``target``, with what undo needs to put it back."""

    target = models.ForeignKey(
        "cases.PatientCase", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # [source case id, ...]
    sources = models.JSONField(default=list)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    at = models.DateTimeField(default=timezone.now)
    # What the merge changed, as it was before: {"repointed": {chart case id: case id},
    # "folded": {chart case id: keeper id}, "keepers": {id: [status, started_on,
    # discharged_on]}, "cases": {id: [is_archived, archived_at, archived_by_id, patient_count]}}
    plan = models.JSONField(default=dict)
    # The last audit entry the merge wrote: anything written on its chart cases after it
    # refuses the undo.
    last_entry_id = models.BigIntegerField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    objects = clinic_scoped(ClinicQuerySet)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["clinic", "target", "-at"])]

    def __str__(self) -> str:
        return f"Merge into {self.target}"


class MoveRecordQuerySet(ClinicQuerySet):
    def touching(self, chart_case_id: int):
        """The moves into or out of one chart case that stand (an undone merge's do not)."""
        return self.filter(
            models.Q(from_chart_case_id=chart_case_id) | models.Q(to_chart_case_id=chart_case_id)
        ).filter(models.Q(merge__isnull=True) | models.Q(merge__undone_at__isnull=True))


class MoveRecord(ClinicOwned):
    """One row (a goal, a note, a visit...) moved from one chart case to another."""

    merge = models.ForeignKey(
        CaseMerge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moves",
        db_index=False,
    )
    kind = models.CharField(max_length=64)  # the audit trail's object type: "daily note"
    row_id = models.BigIntegerField()
    from_chart_case_id = models.BigIntegerField()
    to_chart_case_id = models.BigIntegerField()
    # The cases' names as they were: "Moved from Speech Therapy to Feeding Therapy".
    from_name = models.CharField(max_length=100)
    to_name = models.CharField(max_length=100)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    by_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    # The audit entry of this move: the source chart case's History lists it too.
    audit_entry_id = models.BigIntegerField(null=True, blank=True)

    objects = clinic_scoped(MoveRecordQuerySet)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["clinic", "merge", "kind", "row_id"]),
            models.Index(fields=["clinic", "from_chart_case_id"]),
            models.Index(fields=["clinic", "to_chart_case_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind.capitalize()} moved from {self.from_name} to {self.to_name}"

    @property
    def words(self) -> str:
        """ "Moved from Speech Therapy to Feeding Therapy by Dana Lee on Dec 7, 2026: reason"."""
        local = timezone.localtime(self.at)
        text = f"Moved from {self.from_name} to {self.to_name} by {self.by_name}"
        text += f" on {local:%b %-d, %Y}"
        return f"{text}: {self.reason}" if self.reason else text
