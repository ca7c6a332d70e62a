"""Locations, clinic hours, therapist availability and appointments.

Times of appointments are stored in UTC and shown in their location's time zone; weekly hours
and availability are wall-clock times of the location, so they keep meaning the same across a
daylight-saving change. Two appointments of one therapist, or of one patient, that are not
cancelled never overlap: on PostgreSQL an exclusion constraint says so (migration
``0002_no_double_booking``); on SQLite, where writers are serialised, ``appointment_book``
checks inside its transaction.
"""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from clinic.models import (
    DURATION_MAX,
    AppointmentType,
    ClinicOwned,
    ClinicQuerySet,
    clinic_scoped,
    duration_constraint,
    unique_name_constraint,
    validate_time_zone,
)
from core.concurrency import Versioned
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, role_names

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


class AppointmentSeries(ClinicOwned):
    """A weekly series; each occurrence is its own Appointment row pointing here."""

    rrule = models.TextField(help_text="RFC 5545 recurrence rule (python-dateutil rrulestr).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = clinic_scoped(ClinicQuerySet)

    class Meta:
        verbose_name_plural = "appointment series"

    def __str__(self) -> str:
        return f"Series {self.pk}"


class AppointmentQuerySet(ClinicQuerySet):
    def not_cancelled(self):
        return self.exclude(status__in=Appointment.CANCELLED)

    def awaited(self, now: datetime.datetime):
        """Visits still to come that the patient is expected at: scheduled (not cancelled,
        checked in or otherwise settled) and starting after ``now``. The one rule for which
        visits get reminders and may be confirmed or cancelled by the family."""
        return self.filter(status=Appointment.Status.SCHEDULED, start__gt=now)

    def overlapping(self, start: datetime.datetime, end: datetime.datetime):
        # No appointment is longer than DURATION_MAX, so one that overlaps starts at most that
        # long before ``start``: a bounded range on the (clinic, ..., start) indexes instead of
        # every appointment before ``end``.
        earliest = start - datetime.timedelta(minutes=DURATION_MAX)
        return self.filter(start__gt=earliest, start__lt=end, end__gt=start)

    def visible_to(self, user):
        """Schedulers and administrators see every appointment of their clinic; a therapist
        sees their own."""
        roles = role_names(user)
        appointments = self.for_clinic(user.clinic_id)
        if roles & {ADMINISTRATOR, SCHEDULER}:
            return appointments
        if THERAPIST in roles:
            return appointments.filter(therapist=user)
        return appointments.none()

    def for_display(self):
        return self.select_related(
            "patient", "chart_case__case", "appointment_type", "therapist", "location"
        )


class Appointment(ClinicOwned):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        PATIENT_CANCELLED = "patient_cancelled", "Patient cancelled"
        CLINIC_CANCELLED = "clinic_cancelled", "Clinic cancelled"
        NO_SHOW = "no_show", "No-show"

    CANCELLED = (Status.PATIENT_CANCELLED, Status.CLINIC_CANCELLED)
    # Once in one of these, date, time, patient and location no longer change.
    SETTLED = (
        Status.CHECKED_IN,
        Status.COMPLETED,
        Status.PATIENT_CANCELLED,
        Status.CLINIC_CANCELLED,
        Status.NO_SHOW,
    )

    chart_case = models.ForeignKey(
        "charts.PatientChartCase", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Copied from the chart case (which never changes patient) so that the database can keep
    # one patient out of two overlapping appointments.
    patient = models.ForeignKey(
        "charts.Patient", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="appointments", db_index=False
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    series = models.ForeignKey(
        AppointmentSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        db_index=False,
    )
    # Appointments booked together with several therapists (co-treatment) share this key: the
    # patient is in all of them at once, which the patient's overlap rule allows.
    visit = models.UUIDField(default=uuid.uuid4)
    cancel_reason = models.CharField(max_length=300, blank=True)
    override_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why an administrator booked outside clinic hours or availability.",
    )
    # Why the visit was booked over or outside the chart case's authorizations
    # (``insurance.counting.booking_problems``); empty when it was within them.
    authorization_override = models.CharField(max_length=300, blank=True)
    # The daily note written for this visit, linked when the therapist saves it: one visit per
    # note, unique with clinic_id (``appointment_daily_note_unique``) as every constraint is.
    daily_note = models.ForeignKey(
        "charts.DailyNote",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # When the family confirmed this time (a link in a reminder); cleared when it moves.
    patient_confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = clinic_scoped(AppointmentQuerySet)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="appointment_end_after_start",
                violation_error_message="The end must be after the start.",
            ),
            duration_constraint("duration_minutes", "appointment_duration_valid"),
            models.UniqueConstraint(
                fields=["clinic", "daily_note"], name="appointment_daily_note_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "therapist", "start"]),
            models.Index(fields=["clinic", "patient", "start"]),
            models.Index(fields=["clinic", "location", "start"]),
            models.Index(fields=["clinic", "chart_case", "start"]),
            models.Index(fields=["clinic", "series", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} {self.local_start:%b %-d, %Y %-I:%M %p}"

    @property
    def local_start(self) -> datetime.datetime:
        return self.start.astimezone(zoneinfo.ZoneInfo(self._time_zone()))

    @property
    def local_end(self) -> datetime.datetime:
        return self.end.astimezone(zoneinfo.ZoneInfo(self._time_zone()))

    def _time_zone(self) -> str:
        # The location is loaded by every screen that shows a time (``for_display``).
        return self.location.time_zone

    @property
    def is_cancelled(self) -> bool:
        return self.status in self.CANCELLED

    @property
    def is_settled(self) -> bool:
        return self.status in self.SETTLED

    def is_awaited(self, now: datetime.datetime) -> bool:
        """``awaited()`` for one loaded row."""
        return self.status == self.Status.SCHEDULED and self.start > now


def live_bounds(clinic) -> tuple[datetime.datetime, datetime.datetime]:
    """When a pending request stops being live: a live request starts after the first bound
    and was made after the second (the clinic's lifetime of a request)."""
    now = clinic.now()
    return now, now - datetime.timedelta(days=clinic.request_pending_lifetime_days)


class AppointmentRequestQuerySet(ClinicQuerySet):
    def visible_to(self, user):
        """Schedulers and administrators see every request of their clinic (they work the
        queue); a therapist sees the requests that prefer them, as their calendar shows."""
        roles = role_names(user)
        requests = self.for_clinic(user.clinic_id)
        if roles & {ADMINISTRATOR, SCHEDULER}:
            return requests
        if THERAPIST in roles:
            return requests.filter(preferred_therapist=user)
        return requests.none()

    def pending(self):
        return self.filter(status=AppointmentRequest.Status.PENDING)

    def live(self, clinic):
        """Pending and not yet due to expire: the queue ignores the others before the
        ``expire_requests`` command marks them Expired."""
        now, made_after = live_bounds(clinic)
        return self.for_clinic(clinic.pk).filter(
            status=AppointmentRequest.Status.PENDING, start__gt=now, created_at__gt=made_after
        )

    def overdue(self, clinic):
        """Pending, but past their time or older than the clinic's lifetime."""
        now = clinic.now()
        return (
            self.for_clinic(clinic.pk)
            .filter(status=AppointmentRequest.Status.PENDING)
            .filter(
                Q(start__lte=now)
                | Q(
                    created_at__lte=now
                    - datetime.timedelta(days=clinic.request_pending_lifetime_days)
                )
            )
        )

    def for_display(self):
        return self.select_related(
            "patient",
            "chart_case__case",
            "appointment_type",
            "location",
            "therapist",
            # Not the preferred therapist: pages say only whether there was one (its id).
            "appointment__location",
        )


class AppointmentRequest(ClinicOwned):
    """A patient's (or caregiver's) request from the portal for an appointment at a computed
    slot. Pending until a scheduler approves (which books it through ``appointment_book``) or
    declines it, the patient cancels it, or it expires."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    NOTE_MAX = 500

    chart_case = models.ForeignKey(
        "charts.PatientChartCase", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Copied from the chart case, for the patient's pending count and the audit trail.
    patient = models.ForeignKey(
        "charts.Patient", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    preferred_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The therapist free at the requested time (the preferred one when given).
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    start = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decline_reason = models.CharField(max_length=500, blank=True)
    # One request per appointment, kept by the (clinic, appointment) constraint below: a
    # one-to-one field's own unique index would not lead with clinic_id (docs/scaling.md).
    appointment = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        db_index=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = clinic_scoped(AppointmentRequestQuerySet)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            # One pending request per case and time: a double-submitted form writes one row.
            models.UniqueConstraint(
                fields=["clinic", "chart_case", "start"],
                condition=Q(status="pending"),
                name="appointmentrequest_one_pending_per_case_start",
            ),
            models.UniqueConstraint(
                fields=["clinic", "appointment"], name="appointmentrequest_one_per_appointment"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "declined", "cancelled", "expired"]),
                name="appointmentrequest_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="appointmentrequest_declined_has_reason",
                violation_error_message="Give the reason the patient will read.",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(appointment__isnull=False),
                name="appointmentrequest_approved_has_appointment",
            ),
            duration_constraint("duration_minutes", "appointmentrequest_duration_valid"),
        ]
        indexes = [
            models.Index(fields=["clinic", "status", "start"]),
            models.Index(fields=["clinic", "patient", "status"]),
            models.Index(fields=["clinic", "chart_case", "start"]),
            models.Index(fields=["clinic", "therapist", "start"]),
        ]

    def __str__(self) -> str:
        return f"Request: {self.appointment_type} {self.local_start:%b %-d, %Y %-I:%M %p}"

    @property
    def end(self) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def local_start(self) -> datetime.datetime:
        return self.start.astimezone(zoneinfo.ZoneInfo(self.location.time_zone))

    @property
    def local_end(self) -> datetime.datetime:
        return self.end.astimezone(zoneinfo.ZoneInfo(self.location.time_zone))

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
