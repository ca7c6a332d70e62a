"""Property: over random clinic hours, availability, closures, existing appointments, time
zones and a "now" a few days before a daylight-saving change, every start the portal offers
(``request_slots``) lies inside the location's hours and the therapist's availability, clear of
their appointments, inside the notice/horizon window, on a quarter hour; and booking it with
``appointment_book`` succeeds. (``test_slots.py`` covers the pure functions alone,
``test_properties.py`` the booking operations.)"""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scheduling import services, slots
from scheduling.models import (
    Appointment,
    ClinicClosure,
    ClinicHours,
    Location,
    TherapistAvailability,
)
from scheduling.reads.availability import working_intervals
from tests.factories import AppointmentFactory, AppointmentTypeRuleFactory, PatientChartCaseFactory

# (time zone, a UTC moment a few days before one of its changes)
ZONES = [
    ("America/New_York", datetime.datetime(2027, 3, 10, 15, tzinfo=datetime.UTC)),
    ("America/New_York", datetime.datetime(2027, 11, 3, 15, tzinfo=datetime.UTC)),
    ("Europe/London", datetime.datetime(2027, 3, 25, 10, tzinfo=datetime.UTC)),
    ("Europe/London", datetime.datetime(2027, 10, 28, 10, tzinfo=datetime.UTC)),
    ("Australia/Sydney", datetime.datetime(2027, 4, 1, 3, tzinfo=datetime.UTC)),
    ("America/Santiago", datetime.datetime(2027, 9, 2, 14, tzinfo=datetime.UTC)),
]
T = datetime.time

hours = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 10), st.integers(2, 12)),
    min_size=1,
    max_size=7,
)
availability = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 12), st.integers(1, 10)), min_size=1, max_size=8
)
closures = st.lists(st.integers(0, 9), max_size=3)
appointments = st.lists(
    st.tuples(st.integers(0, 9), st.integers(0, 22), st.sampled_from([0, 15, 30, 45])),
    max_size=8,
)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    shift_hours=st.integers(0, 48),
    hours=hours,
    availability=availability,
    closures=closures,
    appointments=appointments,
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    notice_hours=st.sampled_from([0, 12, 24, 48]),
    seed=st.integers(0, 1000),
)
def test_every_offered_slot_is_inside_the_rules_and_can_be_booked(
    zone,
    shift_hours,
    hours,
    availability,
    closures,
    appointments,
    duration,
    notice_hours,
    seed,
    clinic,
    speech_case,
    therapist,
    treatment,
    scheduler,
):
    time_zone, moment = zone
    now = moment + datetime.timedelta(hours=shift_hours)
    tz = ZoneInfo(time_zone)
    with time_machine.travel(now, tick=False), transaction.atomic():
        clinic.time_zone = time_zone
        clinic.requests_enabled = True
        clinic.request_min_notice_hours = notice_hours
        clinic.request_horizon_days = 8
        clinic.save()
        location = Location.objects.create(
            clinic=clinic, name="Random", time_zone=time_zone, available_for_requests=True
        )
        for weekday, start, length in hours:
            end = min(start + length, 23)
            ClinicHours.objects.get_or_create(
                clinic=clinic, location=location, weekday=weekday, start=T(start), end=T(end)
            )
        for weekday, start, length in availability:
            end = min(start + length, 23)
            TherapistAvailability.objects.get_or_create(
                clinic=clinic,
                therapist=therapist,
                location=location,
                weekday=weekday,
                start=T(start),
                end=T(end),
            )
        today = now.astimezone(tz).date()
        for offset in set(closures):
            ClinicClosure.objects.create(
                clinic=clinic, location=location, date=today + datetime.timedelta(days=offset)
            )
        chart_case = PatientChartCaseFactory(case=speech_case)
        for offset, hour, minute in appointments:
            start = slots.wall(today + datetime.timedelta(days=offset), T(hour, minute), tz)
            if (
                not Appointment.objects.filter(
                    therapist=therapist, start__lt=start + datetime.timedelta(minutes=45)
                )
                .filter(end__gt=start)
                .exists()
            ):
                AppointmentFactory(
                    chart_case=PatientChartCaseFactory(case=speech_case),
                    therapist=therapist,
                    location=location,
                    appointment_type=treatment,
                    start=start,
                )
        AppointmentTypeRuleFactory(
            case=speech_case, appointment_type=treatment, duration_minutes=duration
        )

        offered = services.request_slots(
            chart_case=chart_case,
            location=location,
            duration_minutes=duration,
            therapist_ids=[therapist.pk],
        )[therapist.pk]

        event("slots offered" if offered else "no slot offered")
        length = datetime.timedelta(minutes=duration)
        first, last = today, today + datetime.timedelta(days=10)
        working = working_intervals(
            location=location, therapist_ids=[therapist.pk], first=first, last=last
        )[therapist.pk]
        # The therapist's booked time, read plainly (the oracle, not the rule's own read).
        busy = [
            (row.start, row.end)
            for row in Appointment.objects.filter(clinic=clinic, therapist=therapist)
            if row.status not in Appointment.CANCELLED
        ]
        for start in offered:
            assert now + datetime.timedelta(hours=notice_hours) <= start
            # The horizon counts days of the clinic's wall clock.
            assert start <= (now.astimezone(tz) + datetime.timedelta(days=8)).astimezone(
                datetime.UTC
            )
            assert start.astimezone(tz).minute % 15 == 0
            assert slots.fits(start, start + length, working)
            assert all(not (b0 < start + length and start < b1) for b0, b1 in busy)
        for start in random.Random(seed).sample(offered, min(4, len(offered))):
            with transaction.atomic():
                services.appointment_book(
                    clinic=clinic,
                    chart_case=chart_case,
                    therapist=therapist,
                    location=location,
                    appointment_type=treatment,
                    start=start,
                    duration_minutes=duration,
                    by=scheduler,
                )
                transaction.set_rollback(True)
        transaction.set_rollback(True)
