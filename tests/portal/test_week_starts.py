"""Property: on random schedules (clinic hours, closures, two therapists' weeks, time off and
extra hours, their appointments and the patient's at odd minutes, time zones a few days before
a daylight-saving change, any notice, horizon, duration, week and therapist choice) the request
screen offers exactly the starts of the straightforward computation it replaced:
``scheduling.services.request_slots`` over the week shown (aware datetimes, five ORM queries),
kept to the week's local days. ``test_request_slots_property.py`` shows that every one of those
can be booked, so every start the page offers can be too."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from core.roles import THERAPIST
from scheduling import services, slots
from scheduling.models import (
    Appointment,
    AvailabilityException,
    ClinicClosure,
    ClinicHours,
    Location,
    TherapistAvailability,
)
from tests.factories import AppointmentFactory, PatientChartCaseFactory, UserFactory
from tests.scheduling.test_request_slots_property import ZONES

T = datetime.time
VALUE = re.compile(r'name="start" id="slot-\d+-\d+" value="([^"]+)"')

# Often every day 07:00-19:00 (so that slots are offered), else a random week.
weekly = st.one_of(
    st.just([(weekday, 7, 12) for weekday in range(7)]),
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 20), st.integers(1, 12)),
        min_size=1,
        max_size=8,
    ),
)
exceptions = st.lists(
    st.tuples(
        st.integers(0, 1),  # therapist
        st.integers(-1, 12),  # day
        st.sampled_from(["time_off", "extra", "extra elsewhere"]),
        st.one_of(st.none(), st.tuples(st.integers(0, 21), st.sampled_from([0, 20, 30]))),
        st.integers(1, 6),
    ),
    max_size=5,
)
appointments = st.lists(
    st.tuples(
        st.integers(0, 2),  # therapist 0 or 1, or the patient's own with a third therapist
        st.integers(0, 12),
        st.integers(0, 22),
        st.integers(0, 59),
        st.sampled_from([15, 30, 45, 50, 90]),
        # Now and then off the minute (an import may bring seconds): busy to the microsecond.
        st.sampled_from([0, 0, 0, 1_500_001]),
    ),
    max_size=12,
)


def _end(start: int, length: int) -> T:
    return T(23, 59) if start + length >= 24 else T(start + length)


@pytest.mark.django_db
@settings(
    max_examples=80,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    shift_minutes=st.integers(0, 48 * 60),
    hours=weekly,
    availability=st.tuples(weekly, weekly),
    closures=st.lists(st.integers(0, 12), max_size=3),
    exceptions=exceptions,
    appointments=appointments,
    duration=st.sampled_from([15, 30, 45, 60, 90]),
    notice_hours=st.sampled_from([0, 5, 24, 48]),
    horizon_days=st.integers(1, 12),
    week_offset=st.integers(-1, 13),
    chosen=st.sampled_from([None, 0, 1]),
)
def test_the_page_offers_exactly_the_starts_of_request_slots(
    zone, shift_minutes, hours, availability, closures, exceptions, appointments, duration,
    notice_hours, horizon_days, week_offset, chosen,
    client, patient_user, portal_chart_case, requests_on, clinic, speech, therapist, ot_therapist,
    treatment,
):  # fmt: skip
    time_zone, moment = zone
    now = moment + datetime.timedelta(minutes=shift_minutes, seconds=17, microseconds=250)
    tz = ZoneInfo(time_zone)
    with time_machine.travel(now, tick=False), transaction.atomic():
        clinic.time_zone = time_zone
        clinic.request_min_notice_hours = notice_hours
        clinic.request_horizon_days = horizon_days
        clinic.save()
        requests_on.duration_minutes = duration
        requests_on.save()
        second = UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech])
        therapists = [therapist, second]
        location = Location.objects.create(
            clinic=clinic, name="Random", time_zone=time_zone, available_for_requests=True
        )
        elsewhere = Location.objects.create(clinic=clinic, name="Elsewhere", time_zone=time_zone)
        for weekday, start, length in hours:
            ClinicHours.objects.get_or_create(
                clinic=clinic, location=location, weekday=weekday, start=T(start),
                end=_end(start, length),
            )  # fmt: skip
        for each, rows in zip(therapists, availability, strict=True):
            for weekday, start, length in rows:
                TherapistAvailability.objects.get_or_create(
                    clinic=clinic, therapist=each, location=location, weekday=weekday,
                    start=T(start), end=_end(start, length),
                )  # fmt: skip
        today = now.astimezone(tz).date()
        for offset in set(closures):
            ClinicClosure.objects.create(
                clinic=clinic, location=location, date=today + datetime.timedelta(days=offset)
            )
        for number, offset, kind, at, length in exceptions:
            start = end = None
            if at is not None:
                start = T(at[0], at[1])
                end = _end(at[0], length) if at[1] == 0 else T(min(at[0] + length, 23), 10)
            if kind != "time_off" and start is None:
                continue  # extra hours are always an interval
            AvailabilityException.objects.create(
                clinic=clinic,
                therapist=therapists[number],
                date=today + datetime.timedelta(days=offset),
                kind="time_off" if kind == "time_off" else "extra",
                start=start,
                end=end,
                location=None if kind == "time_off" else elsewhere if "else" in kind else location,
            )
        patient = portal_chart_case.patient
        for who, offset, hour, minute, length, micro in appointments:
            start = slots.wall(today + datetime.timedelta(days=offset), T(hour, minute), tz)
            start += datetime.timedelta(microseconds=micro)
            end = start + datetime.timedelta(minutes=length)
            each = therapists[who] if who < 2 else ot_therapist
            chart_case = portal_chart_case if who == 2 else None
            clash = Appointment.objects.filter(start__lt=end, end__gt=start).filter(
                therapist=each
            ) | Appointment.objects.filter(start__lt=end, end__gt=start, patient=patient)
            if clash.exists():
                continue
            AppointmentFactory(
                chart_case=chart_case or PatientChartCaseFactory(case=portal_chart_case.case),
                therapist=each,
                location=location,
                appointment_type=treatment,
                start=start,
                duration_minutes=length,
            )

        earliest, latest = services.request_window(clinic, now)
        first_day = earliest.astimezone(tz).date()
        last_day = latest.astimezone(tz).date()
        week = first_day + datetime.timedelta(days=week_offset)
        shown = min(max(week, first_day), last_day)
        following = shown + datetime.timedelta(days=7)
        ids = [t.pk for t in therapists] if chosen is None else [therapists[chosen].pk]
        free = services.request_slots(
            chart_case=portal_chart_case,
            location=location,
            duration_minutes=duration,
            therapist_ids=ids,
            now=now,
            within=(slots.day_bounds(shown, tz)[0], slots.day_bounds(following, tz)[0]),
        )
        expected = [
            start.isoformat()
            for start in sorted({start for each in free.values() for start in each})
            if shown <= start.astimezone(tz).date() < following
        ]

        url = reverse("portal:request_create", args=[portal_chart_case.pk])
        url += f"?type={treatment.pk}&location={location.pk}&week={week.isoformat()}"
        url += f"&therapist={'' if chosen is None else therapists[chosen].pk}"
        client.force_login(patient_user)  # a session of the travelled-to day
        response = client.get(url)
        assert response.status_code == 200
        offered = VALUE.findall(response.content.decode())
        event("slots offered" if offered else "no slot offered")
        assert offered == expected
        transaction.set_rollback(True)
