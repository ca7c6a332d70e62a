"""The free-time finder, the portal and booking on New York's autumn night (issue 24): the hour
from 1:00 to 2:00 AM is shown twice. A date and a time name its first pass (``slots.wall``, as
the booking form reads them), so the finder and the portal offer each reading once, in order,
and a visit booked there lasts as long as asked, whichever pass its start is in."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scheduling import services, slots
from scheduling.models import ClinicHours, Location, TherapistAvailability
from scheduling.reads.free_times import free_times_by_day, span
from tests.factories import PatientChartCaseFactory

NEW_YORK = ZoneInfo("America/New_York")
AUTUMN = datetime.date(2027, 11, 7)  # a Sunday: the clocks go back from 2:00 to 1:00 AM
NOW = datetime.datetime(2027, 11, 3, 15, tzinfo=datetime.UTC)
T = datetime.time


@pytest.fixture
def night(clinic, therapist):
    """A location open, and the therapist available, from midnight to 4:00 AM that Sunday."""
    clinic.time_zone = "America/New_York"
    clinic.requests_enabled = True
    clinic.request_min_notice_hours = 0
    clinic.request_horizon_days = 12
    clinic.save()
    location = Location.objects.create(
        clinic=clinic, name="Night", time_zone="America/New_York", available_for_requests=True
    )
    ClinicHours.objects.create(clinic=clinic, location=location, weekday=6, start=T(0), end=T(4))
    TherapistAvailability.objects.create(
        clinic=clinic, therapist=therapist, location=location, weekday=6, start=T(0), end=T(4)
    )
    return location


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_repeated_hour_is_offered_once_in_order_as_the_portal_offers_it(
    night, speech_case, therapist
):
    chart_case = PatientChartCaseFactory(case=speech_case)
    found = free_times_by_day(
        chart_case=chart_case,
        location=night,
        duration_minutes=15,
        therapists=[therapist],
        first=AUTUMN,
        last=AUTUMN,
        now=NOW,
    )
    starts = [time.start for _, times in found for time in times]
    # Midnight to 3:45, each reading once: 1:00 to 1:45 in its first pass (daylight time).
    assert [f"{start:%H:%M}" for start in starts] == [
        f"{hour:02}:{minute:02}" for hour in range(4) for minute in (0, 15, 30, 45)
    ]
    assert [start.fold for start in starts] == [0] * 16
    moments = [start.astimezone(datetime.UTC) for start in starts]
    assert moments == sorted(moments)
    portal = services.request_slots(
        chart_case=chart_case,
        location=night,
        duration_minutes=15,
        therapist_ids=[therapist.pk],
        now=NOW,
        within=span(AUTUMN, AUTUMN, NEW_YORK, NOW),
    )
    assert portal == {therapist.pk: moments}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("fold", [0, 1])
def test_a_visit_in_the_repeated_hour_lasts_as_long_as_asked(
    fold, night, speech_case, therapist, treatment, scheduler, clinic
):
    """Booking counts the duration in elapsed time, whatever zone its start comes in: 1:30 AM of
    the second pass plus 15 minutes is 1:45 AM of that pass, not of the first (before the
    start, which the database refuses)."""
    start = datetime.datetime.combine(AUTUMN, T(1, 30), tzinfo=NEW_YORK).replace(fold=fold)
    visit = {
        "clinic": clinic,
        "therapist": therapist,
        "location": night,
        "appointment_type": treatment,
        "duration_minutes": 15,
        "by": scheduler,
    }
    booked = services.appointment_book(
        chart_case=PatientChartCaseFactory(case=speech_case), start=start, **visit
    )
    moved = services.appointment_book(
        chart_case=PatientChartCaseFactory(case=speech_case),
        start=slots.wall(AUTUMN, T(3), NEW_YORK),
        **visit,
    )
    moved = services.appointment_reschedule(
        appointment=moved,
        # Local, in the start's pass: 1:45 AM.
        start=(slots.absolute(start) + datetime.timedelta(minutes=15)).astimezone(NEW_YORK),
        duration_minutes=15,
        reason="Earlier",
        by=scheduler,
    )
    for appointment in (booked, moved):
        appointment.refresh_from_db()
        assert appointment.end - appointment.start == datetime.timedelta(minutes=15)
    assert booked.start == slots.absolute(start)  # (a repeated reading equals no UTC time)
    zone = "EDT" if fold == 0 else "EST"
    assert f"{booked.end.astimezone(NEW_YORK):%H:%M %Z}" == f"01:45 {zone}"
    after = "02:00 EST" if fold else "01:00 EST"  # 2:00 AM daylight time is 1:00 AM standard
    assert f"{moved.end.astimezone(NEW_YORK):%H:%M %Z}" == after
