import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower, Mod
from django.db.models.lookups import Exact
from django.utils import timezone

from core.tenancy import ClinicQuerySet, clinic_scoped

NAME_MAX_LENGTH = 100
DURATION_MIN = 5
DURATION_MAX = 480
DURATION_STEP = 5


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value} is not a known time zone.")


def duration_constraint(field: str, name: str, *, nullable: bool = False) -> models.CheckConstraint:
    """Whole minutes from 5 to 480 in steps of 5, kept by the database itself."""
    condition = models.Q(**{f"{field}__gte": DURATION_MIN, f"{field}__lte": DURATION_MAX}) & Exact(
        Mod(field, DURATION_STEP), 0
    )
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message=(
            f"Enter whole minutes from {DURATION_MIN} to {DURATION_MAX} in steps of "
            f"{DURATION_STEP}."
        ),
    )


def unique_name_constraint(name: str) -> models.UniqueConstraint:
    """A name once per clinic, whatever its case (names are stored trimmed)."""
    return models.UniqueConstraint("clinic", Lower("name"), name=name)


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    # A re-evaluation reminder falls due this many days after a chart case's last signed
    # evaluation.
    re_evaluation_interval_days = models.PositiveSmallIntegerField(
        "Re-evaluation due after (days)", default=90
    )
    # Appointment requests from the patient portal (Admin > Basic Setup > Appointment Requests).
    requests_enabled = models.BooleanField("Patients may request appointments", default=False)
    request_horizon_days = models.PositiveSmallIntegerField(
        "How far ahead patients may ask (days)", default=60
    )
    request_min_notice_hours = models.PositiveSmallIntegerField(
        "Minimum notice (hours)", default=24
    )
    request_max_pending = models.PositiveSmallIntegerField(
        "Most pending requests per patient", default=3
    )
    request_pending_lifetime_days = models.PositiveSmallIntegerField(
        "A pending request expires after (days)", default=7
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(request_horizon_days__gte=1, request_horizon_days__lte=365),
                name="clinic_request_horizon_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(request_min_notice_hours__lte=24 * 30),
                name="clinic_request_notice_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(request_max_pending__gte=1, request_max_pending__lte=50),
                name="clinic_request_max_pending_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    request_pending_lifetime_days__gte=1, request_pending_lifetime_days__lte=90
                ),
                name="clinic_request_lifetime_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def now(self) -> datetime.datetime:
        """The current moment on the clinic's wall clock."""
        return timezone.now().astimezone(self.tzinfo)

    def today(self) -> datetime.date:
        """Today's date where the clinic is, whatever time zone the process runs in: a
        management command or a worker runs in UTC, and for most of the evening in America
        the UTC date is already tomorrow."""
        return self.now().date()


class ActiveNamedQuerySet(ClinicQuerySet):
    def active(self):
        return self.filter(is_active=True)


class ClinicOwned(models.Model):
    """Every row of clinic data carries its clinic, and is found only through it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")

    objects = clinic_scoped()

    class Meta:
        abstract = True


class ServiceType(ClinicOwned):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    is_active = models.BooleanField("Active", default=True)

    objects = clinic_scoped(ActiveNamedQuerySet)

    class Meta:
        ordering = ["name"]
        constraints = [unique_name_constraint("servicetype_unique_name_per_clinic")]

    def __str__(self) -> str:
        return self.name


class AppointmentType(ClinicOwned):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    default_duration_minutes = models.PositiveSmallIntegerField("Default duration (minutes)")
    is_active = models.BooleanField("Active", default=True)

    objects = clinic_scoped(ActiveNamedQuerySet)

    class Meta:
        ordering = ["name"]
        constraints = [
            unique_name_constraint("appointmenttype_unique_name_per_clinic"),
            duration_constraint("default_duration_minutes", "appointmenttype_duration_valid"),
        ]

    def __str__(self) -> str:
        return self.name
