"""Appointments and weekly series."""

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
)
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, role_names
from scheduling.models.places import Location


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
        return self.awaited_at(self.status, self.start, now)

    @classmethod
    def awaited_at(cls, status: str, start: datetime.datetime, now: datetime.datetime) -> bool:
        """``awaited()`` for a row read as values (its status and start)."""
        return status == cls.Status.SCHEDULED and start > now
