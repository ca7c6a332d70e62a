"""Property: over random hours, availability, closures, appointments and time zones near a
daylight-saving change, every time the booking's free-time finder offers can be booked with
``appointment_book``, and over the portal's window it offers exactly the portal's times
(``request_slots``) for the same case, location, length and therapists."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling import services, slots
from scheduling.models import ClinicClosure, ClinicHours, Location, TherapistAvailability
from scheduling.reads.free_times import free_starts, free_times_by_day, span
from tests.factories import AppointmentFactory, PatientChartCaseFactory

ZONES = [
    ("America/New_York", datetime.datetime(2027, 3, 10, 15, tzinfo=datetime.UTC)),
    ("America/New_York", datetime.datetime(2027, 11, 3, 15, tzinfo=datetime.UTC)),
    ("Europe/London", datetime.datetime(2027, 3, 25, 10, tzinfo=datetime.UTC)),
    ("Australia/Sydney", datetime.datetime(2027, 4, 1, 3, tzinfo=datetime.UTC)),
]
T = datetime.time


def _setup(clinic, therapists, tz_name, today, hours, availability, closures, appointments, case):
    location = Location.objects.create(
        clinic=clinic, name="Random", time_zone=tz_name, available_for_requests=True
    )
    tz = ZoneInfo(tz_name)
    for weekday, start, length in hours:
        ClinicHours.objects.get_or_create(
            clinic=clinic,
            location=location,
            weekday=weekday,
            start=T(start),
            end=T(min(start + length, 23)),
        )
    for index, (weekday, start, length) in enumerate(availability):
        TherapistAvailability.objects.get_or_create(
            clinic=clinic,
            therapist=therapists[index % len(therapists)],
            location=location,
            weekday=weekday,
            start=T(start),
            end=T(min(start + length, 23)),
        )
    for offset in set(closures):
        ClinicClosure.objects.create(
            clinic=clinic, location=location, date=today + datetime.timedelta(days=offset)
        )
    taken = set()
    for index, (offset, hour) in enumerate(appointments):
        therapist = therapists[index % len(therapists)]
        # Keyed by the moment, not the wall reading: in a spring gap 02:00 and 03:00 are one
        # moment, and two hour-long visits of one therapist then would overlap (PostgreSQL's
        # constraint refuses the second).
        start = slots.wall(today + datetime.timedelta(days=offset), T(hour), tz)
        if (therapist.pk, start) in taken:
            continue
        taken.add((therapist.pk, start))
        AppointmentFactory(
            chart_case=PatientChartCaseFactory(case=case),
            therapist=therapist,
            location=location,
            start=start,
            duration_minutes=60,
        )
    return location


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    shift_hours=st.integers(0, 48),
    hours=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 10), st.integers(2, 12)), min_size=1
    ),
    availability=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 12), st.integers(1, 10)), min_size=1
    ),
    closures=st.lists(st.integers(0, 9), max_size=3),
    appointments=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 22)), max_size=8),
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    days=st.tuples(st.integers(0, 4), st.integers(0, 6)),
    notice_hours=st.sampled_from([0, 24]),
    seed=st.integers(0, 1000),
)
def test_every_found_time_can_be_booked_and_matches_the_portal(
    zone,
    shift_hours,
    hours,
    availability,
    closures,
    appointments,
    duration,
    days,
    notice_hours,
    seed,
    clinic,
    speech_case,
    therapist,
    treatment,
    scheduler,
    speech,
):
    from tests.factories import UserFactory

    tz_name, moment = zone
    now = moment + datetime.timedelta(hours=shift_hours)
    tz = ZoneInfo(tz_name)
    with time_machine.travel(now, tick=False), transaction.atomic():
        clinic.time_zone = tz_name
        clinic.requests_enabled = True
        clinic.request_min_notice_hours = notice_hours
        clinic.request_horizon_days = 12
        clinic.save()
        second = UserFactory(clinic=clinic, roles=["Therapist"], service_types=[speech])
        therapists = [therapist, second]
        today = now.astimezone(tz).date()
        location = _setup(
            clinic,
            therapists,
            tz_name,
            today,
            hours,
            availability,
            closures,
            appointments,
            speech_case,
        )
        chart_case = PatientChartCaseFactory(case=speech_case)
        first = today + datetime.timedelta(days=days[0])
        last = first + datetime.timedelta(days=days[1])

        found = free_times_by_day(
            chart_case=chart_case,
            location=location,
            duration_minutes=duration,
            therapists=therapists,
            first=first,
            last=last,
            now=now,
        )
        offered = [(t.therapist, t.start) for _, times in found for t in times]
        for day, times in found:
            assert first <= day <= last
            assert all(t.start.date() == day for t in times)
        for chosen, start in random.Random(seed).sample(offered, min(4, len(offered))):
            with transaction.atomic():
                services.appointment_book(
                    clinic=clinic,
                    chart_case=chart_case,
                    therapist=chosen,
                    location=location,
                    appointment_type=treatment,
                    start=start,
                    duration_minutes=duration,
                    by=scheduler,
                )
                transaction.set_rollback(True)

        # The same inputs over the portal's window: the same times (the finder's days, whose
        # last moment is just before the next day's midnight).
        within = span(first, last, tz, now)
        portal = services.request_slots(
            chart_case=chart_case,
            location=location,
            duration_minutes=duration,
            therapist_ids=[t.pk for t in therapists],
            now=now,
            within=within,
        )
        earliest, latest = services.request_window(clinic, now)
        finder = free_starts(
            chart_case=chart_case,
            location=location,
            duration_minutes=duration,
            therapist_ids=[t.pk for t in therapists],
            earliest=max(earliest, within[0]),
            latest=min(latest, within[1]),
            now=now,
        )
        assert finder == portal
        if notice_hours == 0:
            # No notice and the days inside the horizon: the finder's page is the portal's offer.
            # (In UTC: a local time in the first pass of a repeated hour equals no UTC time,
            # Python's rule for a reading that names two moments.)
            page = {t.pk: [] for t in therapists}
            for chosen, start in offered:
                page[chosen.pk].append(slots.absolute(start))
            assert {pk: sorted(starts) for pk, starts in page.items()} == portal
        transaction.set_rollback(True)
