"""A staff member's own visits as an iCalendar feed (RFC 5545), written with ``icalendar``.

Stable ids (one UID per appointment), SEQUENCE the appointment's version (every change through
a service raises it), a cancelled visit kept as a cancelled event, patients by initials unless
the clinic chooses names, and no clinical text: the summary is the patient and "visit"."""

import datetime
import secrets

import icalendar
from django.db import transaction
from django.utils import timezone

from core import audit
from messaging.models import CalendarFeed, ReminderSettings
from scheduling.models import Appointment

PAST = datetime.timedelta(days=14)
AHEAD = datetime.timedelta(days=60)


@transaction.atomic
def feed_turn_on(*, user) -> CalendarFeed:
    """Turn the feed on, or give it a new address (the old one stops at once)."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        clinic_id=user.clinic_id, user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    if not created:
        feed.token = secrets.token_urlsafe(32)
        feed.save(update_fields=["token", "created_at"])
    audit.record(
        clinic_id=user.clinic_id,
        actor=user,
        action="create" if created else "regenerate",
        obj=feed,
        object_type="calendar feed",
    )
    return feed


@transaction.atomic
def feed_turn_off(*, user) -> None:
    for feed in CalendarFeed.objects.filter(clinic_id=user.clinic_id, user=user):
        audit.record(
            clinic_id=user.clinic_id,
            actor=user,
            action="delete",
            obj=feed,
            object_type="calendar feed",
        )
        feed.delete()


def _initials(first: str, last: str) -> str:
    return "".join(f"{name[:1].upper()}." for name in (first, last) if name)


def feed_calendar(feed: CalendarFeed, *, now: datetime.datetime | None = None) -> bytes:
    now = now or timezone.now()
    names = ReminderSettings.of(feed.clinic_id).feed_shows_names
    rows = (
        Appointment.objects.for_clinic(feed.clinic_id)
        .filter(therapist_id=feed.user_id, start__gte=now - PAST, start__lt=now + AHEAD)
        .select_related("patient", "location")
        .order_by("start", "pk")
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Fusion Patient Cases//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "My visits")
    for row in rows:
        patient = (
            f"{row.patient.first_name} {row.patient.last_name}"
            if names
            else _initials(row.patient.first_name, row.patient.last_name)
        )
        event = icalendar.Event()
        event.add("uid", f"appointment-{row.pk}-clinic-{row.clinic_id}@fusion-patient-cases")
        event.add("sequence", row.version)
        event.add("dtstamp", now)
        event.add("dtstart", row.start)
        event.add("dtend", row.end)
        event.add("summary", f"{patient} visit" + (" (cancelled)" if row.is_cancelled else ""))
        event.add("location", row.location.name)
        event.add("status", "CANCELLED" if row.is_cancelled else "CONFIRMED")
        calendar.add_component(event)
    audit.record(
        clinic_id=feed.clinic_id,
        actor=feed.user,
        action="feed",
        obj=feed,
        object_type="calendar feed",
        details=f"Calendar feed fetched: {rows.count()} visits.",
    )
    return calendar.to_ical()
