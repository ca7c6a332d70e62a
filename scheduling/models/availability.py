"""Therapists' weekly availability and its one-off exceptions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clinic.models import (
    ClinicOwned,
    ClinicQuerySet,
    clinic_scoped,
)
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, role_names
from scheduling.models.places import Location, WeeklyInterval, weekly_interval_constraints


class AvailabilityQuerySet(ClinicQuerySet):
    def visible_to(self, user):
        """The front desk sees every therapist's working week; a therapist their own (their
        calendar is their own)."""
        roles = role_names(user)
        rows = self.for_clinic(user.clinic_id)
        if roles & {ADMINISTRATOR, SCHEDULER}:
            return rows
        if THERAPIST in roles:
            return rows.filter(therapist=user)
        return rows.none()


class TherapistAvailability(WeeklyInterval):
    """A weekly working interval of a therapist at a location (wall-clock time there)."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="availability", db_index=False
    )

    objects = clinic_scoped(AvailabilityQuerySet)

    class Meta(WeeklyInterval.Meta):
        verbose_name_plural = "therapist availability"
        constraints = weekly_interval_constraints("availability")
        indexes = [models.Index(fields=["clinic", "therapist", "weekday"])]


class AvailabilityException(ClinicOwned):
    """A dated change to a therapist's week: time off (the whole day, or an interval), or an
    extra interval at a location."""

    class Kind(models.TextChoices):
        TIME_OFF = "time_off", "Time off"
        EXTRA = "extra", "Extra hours"

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reason = models.CharField(max_length=200, blank=True)

    objects = clinic_scoped(ClinicQuerySet)

    class Meta:
        ordering = ["date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, end__gt=F("start")),
                name="exception_interval_valid",
                violation_error_message="Give both a start and a later end, or neither.",
            ),
            models.CheckConstraint(
                condition=Q(kind="time_off")
                | Q(kind="extra", start__isnull=False, location__isnull=False),
                name="exception_extra_has_interval",
                violation_error_message="Extra hours need a location, a start and an end.",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "therapist", "date"])]

    def __str__(self) -> str:
        when = f" {self.start:%H:%M}–{self.end:%H:%M}" if self.start else ""
        return f"{self.get_kind_display()} {self.date:%b %-d, %Y}{when}"
