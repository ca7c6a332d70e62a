"""An import's run (what was read, what came of it) and the ledger that makes a second run of
the same file add nothing: the patients and records each import created, by their key."""

from django.conf import settings
from django.db import models

from charts.models import Patient
from clinic.models import ClinicOwned, ClinicQuerySet, clinic_scoped


class ImportRunQuerySet(ClinicQuerySet):
    def for_list(self):
        # The uploaded bytes can be megabytes: never read them for a list.
        return self.defer("content").select_related("created_by").order_by("-created_at", "-pk")


class ImportRun(ClinicOwned):
    """One import of one file: from the screen (the file's bytes are kept here until it has run,
    so that a worker on another machine can read them) or from the command (``content`` empty,
    the file read from disk)."""

    class Status(models.TextChoices):
        INVALID = "invalid", "Has bad rows"
        READY = "ready", "Checked, ready to import"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices)
    skip_invalid = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    # Bytes read so far by the current pass, for the progress shown on the page.
    progress_bytes = models.PositiveBigIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # The validation report: the first bad rows as [[line, reason], ...], and how many in all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    fatal_error = models.TextField(blank=True)
    # Counts of the check and of the import (see ``importing.services.Summary``).
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = clinic_scoped(ImportRunQuerySet)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["clinic", "-created_at"])]

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress_percent(self) -> int:
        return min(100, round(100 * self.progress_bytes / self.size)) if self.size else 0


class ImportedPatient(ClinicOwned):
    """A patient as the file names them (their id in the system the clinic came from)."""

    external_id = models.CharField(max_length=100)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "external_id"], name="importedpatient_unique_external_id"
            ),
            models.UniqueConstraint(
                fields=["clinic", "patient"], name="importedpatient_unique_patient"
            ),
        ]


class ImportedRecord(ClinicOwned):
    """A record an import created, by its key (the file's ``record_id``, else a hash of the
    row), with the run and line it came from. The key is unique in the clinic, so a second run
    of the same rows finds them here and adds nothing. ``object_id`` names a row of the kind's
    table (goal, daily note, evaluation, reminder, appointment)."""

    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+", db_index=False)
    line = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "key"], name="importedrecord_unique_key")
        ]
        indexes = [models.Index(fields=["clinic", "kind", "object_id"])]
