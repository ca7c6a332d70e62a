"""The demo clinic's reminders (used by ``load_demo``): the demo parent (parent@demo.clinic)
is Liam Carter's contact and agreed to e-mail, and Liam has a visit in the next two days, so
``make run``'s worker mails the parent a reminder (to the console) within a minute of
starting, with links to confirm or cancel."""

import datetime

from django.utils import timezone

from accounts.models import User
from charts.models import PatientChartCase, PatientContact
from clinic.models import AppointmentType, Clinic
from messaging.models import ReminderSettings
from portal.demo import EMAIL as PARENT_EMAIL
from scheduling import services
from scheduling.models import Appointment, Location


def load(clinic: Clinic) -> None:
    # Short quiet hours, so that the demo shows a reminder at (nearly) any hour it is started;
    # a real clinic keeps the default 21:00-08:00.
    ReminderSettings.objects.update_or_create(
        clinic=clinic,
        defaults={
            "quiet_start": datetime.time(1),
            "quiet_end": datetime.time(1, 15),
            "phone": "(555) 010-0100",
        },
    )
    chart_case = (
        PatientChartCase.objects.filter(
            clinic=clinic, patient__first_name="Liam", patient__last_name="Carter"
        )
        .active()
        .select_related("case", "patient", "clinic")
        .first()
    )
    if chart_case is None:
        return
    admin = User.objects.get(email="admin@demo.clinic")
    PatientContact.objects.update_or_create(
        clinic=clinic,
        patient=chart_case.patient,
        email=PARENT_EMAIL,
        defaults={
            "name": "Paula Parent",
            "relationship": "Mother",
            "is_guardian": True,
            "email_consent_at": timezone.now(),
            "email_consent_by": admin,
        },
    )
    _visit_within_two_days(clinic, chart_case)


def _visit_within_two_days(clinic: Clinic, chart_case: PatientChartCase) -> None:
    now = timezone.now()
    soon = now + datetime.timedelta(hours=47)
    if (
        Appointment.objects.for_clinic(clinic)
        .awaited(now)
        .filter(patient=chart_case.patient, start__lt=soon)
        .exists()
    ):
        return
    location = Location.objects.for_clinic(clinic.pk).available_for_requests().first()
    therapists = [t.pk for t in services.case_therapists(chart_case)]
    if location is None or not therapists:
        return
    free = services.request_slots(
        chart_case=chart_case,
        location=location,
        duration_minutes=45,
        therapist_ids=therapists,
        within=(now + datetime.timedelta(hours=3), soon),
    )
    options = sorted((start, pk) for pk, starts in free.items() for start in starts)
    if not options:
        return
    start, therapist_pk = options[0]
    services.appointment_book(
        clinic=clinic,
        chart_case=chart_case,
        therapist=User.objects.get(pk=therapist_pk),
        location=location,
        appointment_type=AppointmentType.objects.get(clinic=clinic, name="Treatment"),
        start=start,
        duration_minutes=45,
        by=User.objects.get(email="scheduler@demo.clinic"),
    )
