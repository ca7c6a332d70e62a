"""Families are told when the clinic books, moves or cancels a visit.

Scheduling sends ``appointment_changed`` inside its services' transactions, once per row;
``signals.collect`` gathers them for the transaction and, once it commits, ``notices_send``
writes one message per patient, change and series (or visit: a co-treatment is one visit), so
a series of twelve is one message listing its dates, not twelve, by e-mail and by text to each
contact who agreed to that channel. Each message has its ``Reminder`` row (kind the change),
claimed like a reminder's and checked like one right before it is sent
(``delivery.message_may_send``). A rolled-back booking tells nobody."""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django_scopes import scope, scopes_disabled

from charts.models import PatientContact
from core import audit
from core.mail import queue_email
from messaging.models import Reminder, ReminderSettings
from messaging.services.delivery import REMINDER_REFERENCE, site_url
from messaging.services.reminders import visit_values
from messaging.texting import send_text
from scheduling.models import Appointment, AppointmentRequest

SUBJECTS = {
    "booked": "{clinic}: your visit is booked",
    "moved": "{clinic}: your visit has moved",
    "cancelled": "{clinic}: your visit is cancelled",
}


def notices_send(changes: list[tuple[int, int, str]]) -> int:
    """``changes``: (clinic id, appointment id, change) as the services made them. Returns how
    many messages were queued."""
    by_clinic = defaultdict(list)
    for clinic_id, pk, change in changes:
        by_clinic[clinic_id].append((pk, change))
    sent = 0
    for clinic_id, rows in by_clinic.items():
        with scope(clinic=clinic_id):
            sent += _send_for_clinic(clinic_id, rows)
    return sent


def _send_for_clinic(clinic_id: int, rows: list[tuple[int, str]]) -> int:
    last_change = dict(rows)  # a row booked then moved in one transaction: tell the last
    visits = {
        visit.pk: visit
        for visit in Appointment.objects.for_clinic(clinic_id)
        .filter(pk__in=last_change)
        .select_related("clinic", "location", "therapist", "appointment_type", "patient")
    }
    # A booking that approves the family's own request: they get "request approved" instead.
    requested = set(
        AppointmentRequest.objects.for_clinic(clinic_id)
        .filter(appointment_id__in=[pk for pk, change in last_change.items() if change == "booked"])
        .values_list("appointment_id", flat=True)
    )
    groups = defaultdict(dict)
    for pk, change in last_change.items():
        visit = visits.get(pk)
        if visit is None or (change == "booked" and pk in requested):
            continue
        key = (visit.patient_id, change, visit.series_id or visit.visit)
        groups[key].setdefault(visit.visit, visit)  # co-therapists' rows: one visit
    if not groups:
        return 0
    contacts = defaultdict(list)
    patient_ids = {patient_id for patient_id, _, _ in groups}
    for channel in Reminder.Channel.values:
        for contact in (
            PatientContact.objects.for_clinic(clinic_id)
            .filter(patient_id__in=patient_ids)
            .consented(channel)
        ):
            contacts[contact.patient_id].append((channel, contact))
    reminder_settings = ReminderSettings.of(clinic_id)
    sent = 0
    for (patient_id, change, _), group in groups.items():
        ordered = sorted(group.values(), key=lambda visit: visit.start)
        for channel, contact in contacts[patient_id]:
            sent += _notify(contact, channel, change, ordered, reminder_settings)
    return sent


def _notify(contact, channel: str, change: str, visits: list[Appointment], settings_) -> int:
    """Claim the notice's row (the same once-only claim as a reminder's: one per change,
    channel and contact) and queue its message: 1 when this call claimed it."""
    first = visits[0]
    text = channel == Reminder.Channel.TEXT
    address = contact.phone if text else contact.email
    try:
        with transaction.atomic():
            row = Reminder.objects.create(
                clinic_id=first.clinic_id,
                appointment=first,
                contact=contact,
                kind=change,
                send=0,
                visit_version=first.version,
                visits=[[visit.pk, visit.start.isoformat()] for visit in visits],
                channel=channel,
                visit_start=first.start,
                due_at=timezone.now(),
                address=address,
            )
            context = {
                "contact": contact,
                "change": change,
                "visits": [visit_values(visit, settings_) for visit in visits],
                "patient": first.patient.first_name,
                "portal": site_url(reverse("portal:home")),
            }
            context["clinic"] = context["visits"][0]["clinic"]
            reference = f"{REMINDER_REFERENCE}{row.pk}"
            if text:
                body = render_to_string("messaging/notice_text.txt", context).strip()
                pk = row.pk
                transaction.on_commit(
                    lambda: send_text.enqueue(reminder_id=pk, to=address, body=body)
                )
            else:
                queue_email(
                    to=address,
                    subject=SUBJECTS[change].format(clinic=context["clinic"]),
                    body=render_to_string("messaging/notice_email.txt", context),
                    reference=reference,
                    sender_name=context["clinic"],
                )
            audit.record(
                clinic_id=first.clinic_id,
                actor=None,
                action="notify",
                obj=first,
                object_type="appointment",
                patient=first.patient,
                details=f"Told {contact.name} <{address}> by {row.get_channel_display().lower()}"
                f": {len(visits)} {ngettext('visit', 'visits', len(visits))} {change}.",
            )
    except IntegrityError:
        return 0  # this change was already told to this contact on this channel
    return 1


def notices_send_unscoped(changes) -> int:
    with scopes_disabled():
        return notices_send(changes)
