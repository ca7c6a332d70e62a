"""Locations, the clinic's weekly hours and its closures."""

import zoneinfo

from django.db import models
from django.db.models import F, Q

from clinic.models import (
    ClinicOwned,
    ClinicQuerySet,
    clinic_scoped,
    unique_name_constraint,
    validate_time_zone,
)
from core.concurrency import Versioned

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class LocationQuerySet(ClinicQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def available_for_requests(self):
        """Where patients may ask for appointments from the portal."""
        return self.active().filter(available_for_requests=True)


class Location(Versioned, ClinicOwned):
    name = models.CharField(max_length=100)
    address = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    is_active = models.BooleanField("Active", default=True)
    available_for_requests = models.BooleanField(
        "Available for appointment requests",
        default=False,
        help_text="Patients may ask for appointments here from the portal.",
    )

    objects = clinic_scoped(LocationQuerySet)

    class Meta:
        ordering = ["name"]
        constraints = [unique_name_constraint("location_unique_name_per_clinic")]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


def weekly_interval_constraints(prefix: str) -> list[models.CheckConstraint]:
    """An interval ends after it starts, on a weekday from Monday (0) to Sunday (6)."""
    return [
        models.CheckConstraint(
            condition=Q(end__gt=F("start")),
            name=f"{prefix}_end_after_start",
            violation_error_message="The end must be after the start.",
        ),
        models.CheckConstraint(
            condition=Q(weekday__gte=0, weekday__lte=6), name=f"{prefix}_weekday_valid"
        ),
    ]


class WeeklyInterval(ClinicOwned):
    """An interval of a weekday, repeating every week (a location's hours, a therapist's
    working time)."""

    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    start = models.TimeField()
    end = models.TimeField()

    objects = clinic_scoped(ClinicQuerySet)

    class Meta:
        abstract = True
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class ClinicHours(WeeklyInterval):
    """One open interval of a location on a weekday; a day may have several, none is closed."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="hours", db_index=False
    )

    class Meta(WeeklyInterval.Meta):
        verbose_name = "clinic hours"
        verbose_name_plural = "clinic hours"
        constraints = weekly_interval_constraints("clinichours")
        indexes = [models.Index(fields=["clinic", "location", "weekday"])]


class ClinicClosure(ClinicOwned):
    """A dated day a location is closed (a holiday)."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="closures", db_index=False
    )
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    objects = clinic_scoped(ClinicQuerySet)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "location", "date"],
                name="clinicclosure_once_per_day",
                violation_error_message="This location is already closed on that day.",
            )
        ]

    def __str__(self) -> str:
        return f"Closed {self.date:%b %-d, %Y}"
