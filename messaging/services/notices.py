"""Families are told when the clinic books, moves or cancels a visit.

Scheduling sends ``appointment_changed`` inside its services' transactions, once per row;
``signals.collect`` gathers them for the transaction and, once it commits, ``notices_send``
writes one message per patient, change and series (or visit: a co-treatment is one visit), so
a series of twelve is one e-mail listing its dates, not twelve. A rolled-back booking tells
nobody."""

from collections import defaultdict

from django.template.loader import render_to_string
from django_scopes import scope, scopes_disabled

from charts.models import PatientContact
from core import audit
from core.mail import queue_email
from messaging.models import ReminderSettings
from messaging.services.reminders import site_url, visit_values
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
    for contact in (
        PatientContact.objects.for_clinic(clinic_id)
        .filter(patient_id__in={patient_id for patient_id, _, _ in groups})
        .consented("email")
    ):
        contacts[contact.patient_id].append(contact)
    reminder_settings = ReminderSettings.of(clinic_id)
    sent = 0
    for (patient_id, change, _), group in groups.items():
        ordered = sorted(group.values(), key=lambda visit: visit.start)
        for contact in contacts[patient_id]:
            _notify(contact, change, ordered, reminder_settings)
            sent += 1
    return sent


def _notify(contact, change: str, visits: list[Appointment], reminder_settings) -> None:
    listed = [visit_values(visit, reminder_settings) for visit in visits]
    clinic = listed[0]["clinic"]
    queue_email(
        to=contact.email,
        subject=SUBJECTS[change].format(clinic=clinic),
        sender_name=clinic,
        body=render_to_string(
            "messaging/notice_email.txt",
            {
                "contact": contact,
                "change": change,
                "visits": listed,
                "clinic": clinic,
                "patient": visits[0].patient.first_name,
                "portal": site_url("/portal/"),
            },
        ),
    )
    audit.record(
        clinic_id=visits[0].clinic_id,
        actor=None,
        action="notify",
        obj=visits[0],
        object_type="appointment",
        patient=visits[0].patient,
        details=f"Told {contact.name} <{contact.email}> by e-mail: {len(visits)} visit(s) "
        f"{change}.",
    )


def notices_send_unscoped(changes) -> int:
    with scopes_disabled():
        return notices_send(changes)
