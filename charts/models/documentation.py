"""The documentation that hangs off one chart case: goals, daily notes, evaluations, reminders.

Every row names its chart case; whoever may see the chart case sees all of it, so on a shared
case therapists of each discipline work on the very same goals.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from charts.models.chart import PatientChartCase
from clinic.models import ClinicOwned, ClinicQuerySet, clinic_scoped
from core.concurrency import Versioned


class Goal(Versioned, ClinicOwned):
    class Kind(models.TextChoices):
        LONG_TERM = "long_term", "Long-term"
        SHORT_TERM = "short_term", "Short-term"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        MET = "met", "Met"
        PARTIALLY_MET = "partially_met", "Partially met"
        NOT_MET = "not_met", "Not met"
        DISCONTINUED = "discontinued", "Discontinued"

    chart_case = models.ForeignKey(
        PatientChartCase, on_delete=models.PROTECT, related_name="goals", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LONG_TERM)
    # A short-term goal may belong to a long-term goal of the same chart case.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="short_term_goals",
        verbose_name="Long-term goal",
        db_index=False,
    )
    text = models.TextField("Goal")
    start_date = models.DateField()
    target_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = clinic_scoped(ClinicQuerySet)

    class Meta:
        ordering = ["kind", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__gte=F("start_date")),
                name="goal_target_after_start",
                violation_error_message="The target date cannot be before the goal's start.",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(kind="short_term"),
                name="goal_only_short_term_has_parent",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "chart_case", "status"])]

    def __str__(self) -> str:
        return self.text[:80]


class SignedQuerySet(ClinicQuerySet):
    def signed(self):
        return self.filter(signed_at__isnull=False)

    def unsigned(self):
        return self.filter(signed_at__isnull=True)


class Signable(ClinicOwned):
    """A document that, once signed, is never edited in place: corrections are addenda."""

    # Foreign keys to users here and below have no index of their own: users are deactivated,
    # never deleted, and no screen looks rows up by their author; such an index would not lead
    # with clinic_id (docs/scaling.md, tests/core/test_schema_catalogue.py).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The attestation as it read when signed ("Electronically signed by ..."): the signer's name
    # and credentials may change later, the signed document must not.
    signature = models.CharField(max_length=300, blank=True)

    objects = clinic_scoped(SignedQuerySet)

    class Meta:
        abstract = True

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class DailyNote(Versioned, Signable):
    chart_case = models.ForeignKey(
        PatientChartCase, on_delete=models.PROTECT, related_name="daily_notes", db_index=False
    )
    date_of_service = models.DateField()
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)

    class Meta:
        ordering = ["-date_of_service", "-pk"]
        indexes = [models.Index(fields=["clinic", "chart_case", "-date_of_service"])]

    def __str__(self) -> str:
        return f"Daily note of {self.date_of_service:%b %-d, %Y}"

    @property
    def has_content(self) -> bool:
        return any(
            part.strip() for part in (self.subjective, self.objective, self.assessment, self.plan)
        )


class Evaluation(Versioned, Signable):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial evaluation"
        RE_EVALUATION = "re_evaluation", "Re-evaluation"
        DISCHARGE = "discharge", "Discharge evaluation"

    chart_case = models.ForeignKey(
        PatientChartCase, on_delete=models.PROTECT, related_name="evaluations", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INITIAL)
    date = models.DateField()
    findings = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    # The re-evaluation reminder this evaluation was opened from ("Re-evaluation due" on the
    # home page): its signature moves that reminder to the next due date.
    reminder = models.ForeignKey(
        "Reminder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["clinic", "chart_case", "-date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.date:%b %-d, %Y}"

    @property
    def has_content(self) -> bool:
        return bool(self.findings.strip() or self.recommendations.strip())


class GoalProgress(ClinicOwned):
    """A dated entry on a goal: written with a daily note, or when its status changes."""

    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="progress", db_index=False
    )
    daily_note = models.ForeignKey(
        DailyNote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goal_progress",
        db_index=False,
    )
    date = models.DateField()
    status = models.CharField(max_length=16, choices=Goal.Status.choices)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Written by a discharge: reopening offers to reactivate the goals it closed.
    at_discharge = models.BooleanField(default=False)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["clinic", "goal", "-date"]),
            models.Index(fields=["clinic", "daily_note"]),
        ]


class Addendum(ClinicOwned):
    """A dated correction to a signed note or evaluation, by its author."""

    daily_note = models.ForeignKey(
        DailyNote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addenda",
        db_index=False,
    )
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addenda",
        db_index=False,
    )
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "addenda"
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_note__isnull=False, evaluation__isnull=True)
                | Q(daily_note__isnull=True, evaluation__isnull=False),
                name="addendum_on_one_document",
            )
        ]
        indexes = [
            models.Index(fields=["clinic", "daily_note"]),
            models.Index(fields=["clinic", "evaluation"]),
        ]


class ReminderQuerySet(ClinicQuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class Reminder(ClinicOwned):
    class Kind(models.TextChoices):
        MANUAL = "manual", "Reminder"
        RE_EVALUATION = "re_evaluation", "Re-evaluation due"
        PLAN_OF_CARE = "plan_of_care", "Plan of care ends"

    chart_case = models.ForeignKey(
        PatientChartCase, on_delete=models.PROTECT, related_name="reminders", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MANUAL)
    text = models.CharField(max_length=200)
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Why a reminder was closed without being done, e.g. "discharged".
    closed_reason = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = clinic_scoped(ReminderQuerySet)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["clinic", "chart_case", "due_on"])]

    def __str__(self) -> str:
        return self.text
