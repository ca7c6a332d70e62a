"""Requests for appointments made from the portal."""

import datetime
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.models import (
    AppointmentType,
    ClinicOwned,
    ClinicQuerySet,
    clinic_scoped,
    duration_constraint,
)
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, role_names
from scheduling.models.appointments import Appointment
from scheduling.models.places import Location


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
    # A request to move a booked visit (asked from the portal) names the visit; approving it
    # moves that visit (``appointment_reschedule``) instead of booking a new one, and
    # ``appointment`` stays empty. One pending move per visit (the constraint below).
    move_of = models.ForeignKey(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="move_requests",
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
                condition=~Q(status="approved")
                | Q(appointment__isnull=False)
                | Q(move_of__isnull=False),
                name="appointmentrequest_approved_has_appointment",
            ),
            models.UniqueConstraint(
                fields=["clinic", "move_of"],
                condition=Q(status="pending"),
                name="appointmentrequest_one_pending_move_per_visit",
            ),
            duration_constraint("duration_minutes", "appointmentrequest_duration_valid"),
        ]
        indexes = [
            models.Index(fields=["clinic", "status", "start"]),
            models.Index(fields=["clinic", "patient", "status"]),
            models.Index(fields=["clinic", "chart_case", "start"]),
            models.Index(fields=["clinic", "therapist", "start"]),
            models.Index(fields=["clinic", "move_of"]),
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

    @property
    def is_move(self) -> bool:
        return self.move_of_id is not None
