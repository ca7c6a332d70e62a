"""Demo locations, hours, availability and two weeks of appointments around today, including
a weekly series (used by ``load_demo``, inside the demo clinic's scope). Safe to run again:
appointments are only made when the clinic has none."""

import datetime

from accounts.models import User
from charts.models import PatientChartCase
from clinic.models import AppointmentType, Clinic
from scheduling import services, slots
from scheduling.models import Appointment, ClinicHours, Location, TherapistAvailability

T = datetime.time
WEEKDAYS = range(5)
# (location, weekdays, open intervals)
HOURS = [
    ("Main Clinic", WEEKDAYS, [(T(8), T(12)), (T(13), T(18))]),
    ("Main Clinic", [5], [(T(9), T(13))]),
    ("Westside Annex", [1, 3], [(T(9), T(17))]),
]
# therapist e-mail: [(location, weekdays, start, end)]
AVAILABILITY = {
    "slp@demo.clinic": [("Main Clinic", WEEKDAYS, T(8), T(17))],
    "ot@demo.clinic": [
        ("Main Clinic", [0, 2, 4], T(8), T(17)),
        ("Westside Annex", [1, 3], T(9), T(17)),
    ],
    "pt@demo.clinic": [("Main Clinic", WEEKDAYS, T(9), T(16))],
}
# therapist e-mail: [(hour, patient's last name, case)] every weekday at Main Clinic; the hours
# differ between therapists so that a patient with two therapists is never booked twice.
DAILY = {
    "slp@demo.clinic": [
        (9, "Carter", "Speech Therapy"),
        (11, "Patel", "Feeding Therapy"),
        (14, "Johnson", "Speech Therapy"),
    ],
    "ot@demo.clinic": [
        (10, "Nguyen", "Occupational Therapy"),
        (15, "Johnson", "Occupational Therapy"),
    ],
    "pt@demo.clinic": [(13, "Rossi", "Physical Therapy")],
}


def load(clinic: Clinic) -> None:
    locations = {}
    for name, address, requests in [
        ("Main Clinic", "120 Harbor Street", True),
        ("Westside Annex", "48 Westview Avenue", False),
    ]:
        locations[name], _ = Location.objects.get_or_create(
            clinic=clinic,
            name=name,
            defaults={
                "address": address,
                "time_zone": clinic.time_zone,
                "available_for_requests": requests,
            },
        )
    for name, weekdays, intervals in HOURS:
        for weekday in weekdays:
            for start, end in intervals:
                ClinicHours.objects.get_or_create(
                    clinic=clinic, location=locations[name], weekday=weekday, start=start, end=end
                )
    therapists = {email: User.objects.get(email=email) for email in AVAILABILITY}
    for email, rows in AVAILABILITY.items():
        for name, weekdays, start, end in rows:
            for weekday in weekdays:
                TherapistAvailability.objects.get_or_create(
                    clinic=clinic,
                    therapist=therapists[email],
                    location=locations[name],
                    weekday=weekday,
                    start=start,
                    end=end,
                )
    if Appointment.objects.for_clinic(clinic).exists():
        return
    _appointments(clinic, locations["Main Clinic"], therapists)


def _appointments(clinic, location, therapists):
    treatment = AppointmentType.objects.for_clinic(clinic).get(name="Treatment")
    scheduler = User.objects.get(email="scheduler@demo.clinic")
    chart_cases = {
        (row.patient.last_name, row.case.name): row
        for row in PatientChartCase.objects.for_clinic(clinic)
        .active()
        .select_related("patient", "case")
    }
    today = clinic.today()
    _fortnight_of_visits(clinic, location, today, therapists, treatment, scheduler, chart_cases)
    tz = location.tzinfo
    # A weekly series through the booking path: Liam Carter, Tuesdays and Thursdays at 16:00.
    first = today + datetime.timedelta(days=1)
    while first.weekday() not in (1, 3):
        first += datetime.timedelta(days=1)
    services.series_book(
        clinic=clinic,
        chart_case=chart_cases[("Carter", "Speech Therapy")],
        therapist=therapists["slp@demo.clinic"],
        location=location,
        appointment_type=treatment,
        start=slots.wall(first, T(16), tz),
        duration_minutes=45,
        rule=services.SeriesRule(interval=1, weekdays=(1, 3), count=8),
        by=scheduler,
        skip_conflicts=True,
    )


def _fortnight_of_visits(clinic, location, today, therapists, treatment, scheduler, chart_cases):
    """Each therapist's daily visits on the weekdays of the week before and after today."""
    tz = location.tzinfo
    now = clinic.now()
    # Made directly, as an import would: the booking path refuses times in the past.
    for offset in range(-7, 8):
        day = today + datetime.timedelta(days=offset)
        if day.weekday() > 4:
            continue
        for email, visits in DAILY.items():
            for hour, last_name, case_name in visits:
                start = slots.wall(day, T(hour), tz)
                chart_case = chart_cases[(last_name, case_name)]
                past = start + datetime.timedelta(minutes=45) < now and day < today
                Appointment.objects.create(
                    clinic=clinic,
                    chart_case=chart_case,
                    patient=chart_case.patient,
                    therapist=therapists[email],
                    location=location,
                    appointment_type=treatment,
                    start=start,
                    end=start + datetime.timedelta(minutes=45),
                    duration_minutes=45,
                    status=Appointment.Status.COMPLETED if past else Appointment.Status.SCHEDULED,
                    created_by=scheduler,
                )
