"""Sending what is due. ``reminders_send_due`` runs in the worker on a timer (``tasks.tick``):
for each clinic it reads the awaited visits within its longest lead, works out each one's due
send (``timing.sends_due``) and claims it by inserting its ``Reminder`` row. The insert is the
claim: the unique constraint lets one worker win, and only the winner queues the message (in
the same transaction, so it is queued exactly when the claim exists). ``core.mail`` retries a
failed send with back-off and reports how it ended to ``reminder_outcome``."""

import datetime
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from charts.models import PatientContact
from clinic.models import Clinic
from core import audit
from core.mail import queue_email
from messaging import links, timing
from messaging.models import Reminder, ReminderSettings
from messaging.services.delivery import REMINDER_REFERENCE, site_url
from messaging.texting import send_text
from messaging.wording import render_wording
from scheduling.models import Appointment


def visit_values(appointment: Appointment, reminder_settings: ReminderSettings) -> dict:
    """What a message may say about a visit: nothing clinical unless the clinic chose so."""
    local = appointment.local_start
    return {
        "clinic": appointment.clinic.name,
        "date": f"{local:%A, %B} {local.day}, {local.year}",
        "time": f"{local:%-I:%M %p} ({local:%Z})",
        "location": appointment.location.name,
        "address": appointment.location.address,
        "therapist": appointment.therapist.first_name or "your therapist",
        "service": appointment.appointment_type.name if reminder_settings.show_service else "",
    }


def visit_links(appointment: Appointment) -> dict[str, str]:
    made = {
        purpose: site_url(
            reverse(
                f"messaging:{purpose}",
                kwargs={
                    "token": links.make_token(
                        appointment_id=appointment.pk,
                        visit_start=appointment.start,
                        purpose=purpose,
                    )
                },
            )
        )
        for purpose in links.PURPOSES
    }
    made["portal"] = site_url(reverse("portal:home"))
    return made


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Claim and queue every reminder due at ``now``; returns how many this call queued."""
    now = now or timezone.now()
    with scopes_disabled():
        clinic_ids = list(Clinic.objects.order_by("pk").values_list("pk", flat=True))
    queued = 0
    for clinic_id in clinic_ids:
        with scope(clinic=clinic_id):
            queued += _send_due_for_clinic(clinic_id, now)
    return queued


def _send_due_for_clinic(clinic_id: int, now: datetime.datetime) -> int:
    reminder_settings = ReminderSettings.of(clinic_id)
    if not reminder_settings.enabled:
        return 0
    horizon = now + max(reminder_settings.leads.values())
    visits = list(
        Appointment.objects.for_clinic(clinic_id)
        .awaited(now)
        .filter(start__lte=horizon)
        .select_related("clinic", "location", "therapist", "appointment_type", "patient")
    )
    if not visits:
        return 0
    contacts = defaultdict(list)
    for channel in Reminder.Channel.values:
        for contact in (
            PatientContact.objects.for_clinic(clinic_id)
            .filter(patient_id__in={visit.patient_id for visit in visits})
            .consented(channel)
        ):
            contacts[contact.patient_id].append((channel, contact))
    claimed = set(
        Reminder.objects.for_clinic(clinic_id)
        .reminders()
        .filter(appointment_id__in=[visit.pk for visit in visits])
        .values_list("appointment_id", "visit_start", "send", "channel", "contact_id")
    )
    queued = 0
    for visit in visits:
        latest, replaced, times = timing.sends_due(
            visit_start=visit.start,
            leads=reminder_settings.leads,
            now=now,
            tz=visit.location.tzinfo,
            quiet_start=reminder_settings.quiet_start,
            quiet_end=reminder_settings.quiet_end,
        )
        for channel, contact in contacts[visit.patient_id] if latest else []:
            for send in [latest, *replaced]:
                if (visit.pk, visit.start, send, channel, contact.pk) in claimed:
                    continue
                queued += _claim(
                    visit=visit,
                    contact=contact,
                    channel=channel,
                    send=send,
                    due_at=times[send],
                    skip=send != latest,
                    reminder_settings=reminder_settings,
                )
    return queued


def _claim(*, visit, contact, channel, send, due_at, skip, reminder_settings) -> int:
    """Insert the reminder's row and, unless it is skipped, queue its message: 1 when this
    call won the row and queued, 0 when another worker had it."""
    text = channel == Reminder.Channel.TEXT
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                clinic_id=visit.clinic_id,
                appointment=visit,
                contact=contact,
                send=send,
                channel=channel,
                visit_start=visit.start,
                due_at=due_at,
                address=contact.phone if text else contact.email,
                status=Reminder.Status.SKIPPED if skip else Reminder.Status.QUEUED,
            )
            if skip:
                return 0
            (_queue_text if text else _queue_email)(reminder, visit, contact, reminder_settings)
            audit.record(
                clinic_id=visit.clinic_id,
                actor=None,
                action="remind",
                obj=visit,
                object_type="appointment",
                patient=visit.patient,
                details=f"Reminder {send} by {reminder.get_channel_display().lower()} to "
                f"{contact.name} <{reminder.address}> queued.",
            )
    except IntegrityError:
        return 0
    return 1


def _context(visit, contact, reminder_settings) -> dict:
    values = visit_values(visit, reminder_settings)
    return {
        "values": values,
        "text": render_wording(reminder_settings.wording, values),
        "links": visit_links(visit),
        "contact": contact,
    }


def _queue_email(reminder, visit, contact, reminder_settings) -> None:
    context = _context(visit, contact, reminder_settings)
    queue_email(
        to=contact.email,
        subject=f"Reminder: your visit at {context['values']['clinic']} on "
        f"{context['values']['date']}",
        body=render_to_string("messaging/reminder_email.txt", context),
        reference=f"{REMINDER_REFERENCE}{reminder.pk}",
        sender_name=context["values"]["clinic"],
    )


def _queue_text(reminder, visit, contact, reminder_settings) -> None:
    body = render_to_string(
        "messaging/reminder_text.txt", _context(visit, contact, reminder_settings)
    ).strip()
    pk, to = reminder.pk, contact.phone
    transaction.on_commit(lambda: send_text.enqueue(reminder_id=pk, to=to, body=body))


def failed_reminders(appointment) -> list[str]:
    """The appointment's messages (reminders, notices) that could not be sent, for its page
    (``scheduling.hooks``)."""
    return [
        f"The {reminder.get_channel_display().lower()} "
        f"{'reminder' if reminder.kind == Reminder.Kind.REMINDER else 'notice'} to "
        f"{reminder.address} could not be sent: {reminder.error or 'the provider refused it'}"
        for reminder in Reminder.objects.for_clinic(appointment.clinic_id)
        .failed()
        .filter(appointment_id=appointment.pk, visit_start=appointment.start)
    ]
