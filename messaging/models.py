"""Reminder settings per clinic, and one row per message to a family claimed for sending.

A ``Reminder`` row is one message about a visit by one channel to one contact: a reminder
(``kind`` "reminder", ``send`` 1 or 2) or a notice that the clinic booked, moved or cancelled
it (``kind`` the change, ``send`` 0, ``visit_version`` the visit's version after the change,
and ``visits`` every visit the message lists: a series is one message). The row is unique per
visit (appointment and the start it was for), kind, send, visit version, channel and contact:
whoever inserts it is the one that sends it, so two workers never send the same message
twice. A moved visit has a new start, so it gets new rows; the old ones are for a time that
no longer exists and are never sent (``Reminder.objects.stale()``); right before sending,
each channel asks ``messaging.services.delivery.void_reason`` and a message no longer true is
voided with why.
"""

import datetime

from django.db import models
from django.db.models import F, Q

from clinic.models import ClinicOwned, ClinicQuerySet, clinic_scoped
from core.concurrency import Versioned

LEAD_MAX_HOURS = 14 * 24
DEFAULT_WORDING = (
    "This is a reminder from {clinic} of your visit on {date} at {time} "
    "at {location} with {therapist}."
)
# The only values a clinic's wording may name; {service} only when the clinic turns it on.
WORDING_FIELDS = ("clinic", "date", "time", "location", "therapist", "service")


class ReminderSettings(Versioned, ClinicOwned):
    class LateCancel(models.TextChoices):
        MARK = "mark", "Accept it and mark it a late cancellation"
        REFUSE = "refuse", "Refuse it and show the clinic's phone number"

    enabled = models.BooleanField("Send reminders", default=True)
    first_lead_hours = models.PositiveSmallIntegerField("First reminder (hours before)", default=48)
    second_lead_hours = models.PositiveSmallIntegerField(
        "Second reminder (hours before)", null=True, blank=True, default=2
    )
    quiet_start = models.TimeField("Quiet hours start", default=datetime.time(21))
    quiet_end = models.TimeField("Quiet hours end", default=datetime.time(8))
    wording = models.TextField(default=DEFAULT_WORDING)
    show_service = models.BooleanField("Name the appointment type in messages", default=False)
    cancel_window_hours = models.PositiveSmallIntegerField(
        "Cancellation window (hours before)", default=24
    )
    late_cancel = models.CharField(
        "A cancellation inside the window",
        max_length=8,
        choices=LateCancel.choices,
        default=LateCancel.MARK,
    )
    phone = models.CharField("Clinic phone number", max_length=40, blank=True)
    feed_shows_names = models.BooleanField(
        "Calendar feeds show patients' names (otherwise initials)", default=False
    )

    objects = clinic_scoped(ClinicQuerySet)

    class Meta:
        verbose_name_plural = "reminder settings"
        constraints = [
            models.UniqueConstraint(fields=["clinic"], name="remindersettings_one_per_clinic"),
            models.CheckConstraint(
                condition=Q(first_lead_hours__gte=1, first_lead_hours__lte=LEAD_MAX_HOURS),
                name="remindersettings_first_lead_valid",
            ),
            models.CheckConstraint(
                condition=Q(second_lead_hours__isnull=True)
                | Q(second_lead_hours__gte=1, second_lead_hours__lt=F("first_lead_hours")),
                name="remindersettings_second_lead_valid",
            ),
            models.CheckConstraint(
                condition=~Q(quiet_start=F("quiet_end")),
                name="remindersettings_quiet_hours_leave_time",
            ),
            models.CheckConstraint(
                condition=Q(cancel_window_hours__lte=LEAD_MAX_HOURS),
                name="remindersettings_cancel_window_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder settings of clinic {self.clinic_id}"

    @classmethod
    def of(cls, clinic_id: int) -> "ReminderSettings":
        """The clinic's settings, or the defaults (unsaved) when it never changed them."""
        return cls.objects.filter(clinic_id=clinic_id).first() or cls(clinic_id=clinic_id)

    @property
    def leads(self) -> dict[int, datetime.timedelta]:
        """Send number -> how long before the visit it is due."""
        leads = {1: datetime.timedelta(hours=self.first_lead_hours)}
        if self.second_lead_hours:
            leads[2] = datetime.timedelta(hours=self.second_lead_hours)
        return leads


class ReminderQuerySet(ClinicQuerySet):
    def reminders(self):
        return self.filter(kind=Reminder.Kind.REMINDER)

    def notices(self):
        return self.exclude(kind=Reminder.Kind.REMINDER)

    def stale(self):
        """Reminders for a time the visit no longer has (it moved)."""
        return self.exclude(visit_start=F("appointment__start"))

    def failed(self):
        return self.filter(status=Reminder.Status.FAILED)


class Reminder(ClinicOwned):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Claimed but not sent: a later send was due at the same time and went instead.
        SKIPPED = "skipped", "Skipped"
        # Not sent: by its send time the visit was cancelled, checked in or moved
        # (``void_reason`` says which).
        VOID = "void", "Void"

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        BOOKED = "booked", "Notice of a booking"
        MOVED = "moved", "Notice of a move"
        CANCELLED = "cancelled", "Notice of a cancellation"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        TEXT = "text", "Text message"

    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # Kept when the contact is deleted: the row still says what was sent, and to where.
    contact = models.ForeignKey(
        "charts.PatientContact",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REMINDER)
    # A reminder's send (1 or 2); 0 for a notice.
    send = models.PositiveSmallIntegerField()
    # A notice: the visit's version after the change it tells of (one notice per change); 0 for
    # a reminder (its send and start identify it).
    visit_version = models.PositiveIntegerField(default=0)
    # A notice: [[appointment id, start (ISO)], ...] of the visits it lists (the first is
    # ``appointment``).
    visits = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    visit_start = models.DateTimeField()
    due_at = models.DateTimeField()
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    # The text provider's id of the message, to match its delivery callbacks.
    provider_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = clinic_scoped(ReminderQuerySet)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "clinic",
                    "appointment",
                    "visit_start",
                    "kind",
                    "send",
                    "visit_version",
                    "channel",
                    "contact",
                ],
                name="reminder_once_per_visit_message_channel_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "status", "due_at"]),
            models.Index(fields=["clinic", "provider_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.channel}) of appointment {self.appointment_id}"

    @property
    def label(self) -> str:
        """What the message is, in words: "Reminder 1", "The notice of a booking"."""
        if self.kind == self.Kind.REMINDER:
            return f"Reminder {self.send}"
        return f"The {self.get_kind_display().lower()}"


FEED_TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


class CalendarFeed(ClinicOwned):
    """A staff member's private iCalendar address. Regenerating replaces the token (the old
    address stops at once); turning it off deletes the row (nothing points at it)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Unique within its clinic (every unique constraint leads with clinic_id, docs/scaling.md);
    # the feed's address names the clinic beside the token.
    token = models.CharField(max_length=FEED_TOKEN_LENGTH)
    created_at = models.DateTimeField(auto_now=True)

    objects = clinic_scoped(ClinicQuerySet)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "user"], name="calendarfeed_one_per_user"),
            models.UniqueConstraint(fields=["clinic", "token"], name="calendarfeed_token_once"),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"
