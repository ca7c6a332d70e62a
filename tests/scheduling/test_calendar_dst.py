"""The calendar across daylight-saving changes (issue 26, item 2): in an autumn change's
repeated hour both visits show, each labelled with its offset's name; on random visits
around both changes in three time zones every booked visit is on the grid of its day, and of
its week, exactly once."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scheduling import slots
from scheduling.models import Appointment
from tests.factories import AppointmentFactory, LocationFactory
from tests.pages import text

# Each zone's changes of 2026-27 (spring forward, autumn back; Sydney's spring is October).
CHANGES = {
    "America/New_York": (datetime.date(2027, 3, 14), datetime.date(2026, 11, 1)),
    "Europe/Berlin": (datetime.date(2027, 3, 28), datetime.date(2026, 10, 25)),
    "Australia/Sydney": (datetime.date(2026, 10, 4), datetime.date(2027, 4, 4)),
}
_LINK = re.compile(r'href="/schedule/appointments/(\d+)/"')


def _table(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    start = html.find('<table class="table table-bordered table-sm calendar')
    return "" if start < 0 else html[start : html.index("</table>", start)]


def _linked(html: str) -> list[int]:
    return [int(pk) for pk in _LINK.findall(html)]


@pytest.fixture
def places(clinic):
    return {zone: LocationFactory(clinic=clinic, name=zone, time_zone=zone) for zone in CHANGES}


def test_the_repeated_hour_shows_both_visits_with_their_offsets(
    client, scheduler, therapist, speech_chart_case, treatment, places
):
    location = places["America/New_York"]
    day = CHANGES["America/New_York"][1]
    first = datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC)  # 1:30 EDT
    visits = [
        AppointmentFactory(
            chart_case=speech_chart_case,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=start,
            duration_minutes=30,
        )
        for start in (first, first + datetime.timedelta(hours=1))  # 1:30 EST
    ]
    client.force_login(scheduler)

    table = _table(
        client.get(
            reverse("scheduling:calendar_day"), {"location": location.pk, "date": day.isoformat()}
        )
    )

    assert sorted(_linked(table)) == [visit.pk for visit in visits]
    words = text(table)
    assert "1:30 AM EDT–1:00 AM EST" in words and "1:30 AM EST–2:00 AM EST" in words
    rows = re.findall(r'<th scope="row" class="text-nowrap">([^<]*)</th>', table)
    # The grid starts at the first visit: the first pass, the second, then on.
    assert rows[:5] == ["1:30 AM EDT", "1:45 AM EDT", "1:30 AM EST", "1:45 AM EST", "2:00 AM"]


# A visit: minutes after the start of the day before the change (a multiple of 5), minutes.
visits = st.lists(
    st.tuples(
        st.integers(0, 3 * 24 * 12 - 1).map(lambda n: n * 5), st.sampled_from(range(15, 125, 5))
    ),
    max_size=8,
)


def _book(location, therapist, chart_case, kind, first_day, wanted):
    """The wanted visits that fit in the three days and do not overlap an earlier one."""
    tz = location.tzinfo
    begin, _ = slots.day_bounds(first_day, tz)
    _, finish = slots.day_bounds(first_day + datetime.timedelta(days=2), tz)
    booked, free_from = [], begin
    for minutes, duration in sorted(wanted):
        start = begin + datetime.timedelta(minutes=minutes)
        if start < free_from or start >= finish:
            continue
        visit = AppointmentFactory(
            chart_case=chart_case,
            therapist=therapist,
            location=location,
            appointment_type=kind,
            start=start,
            duration_minutes=duration,
        )
        booked.append(visit)
        free_from = visit.end
    return booked


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(zone=st.sampled_from(sorted(CHANGES)), autumn=st.booleans(), wanted=visits)
# The last quarter of a day, ending at midnight: the grid stopped a row short of it.
@example(zone="America/New_York", autumn=False, wanted=[(1425, 15)])
def test_every_visit_is_on_the_grid_exactly_once(
    client, scheduler, therapist, speech_chart_case, treatment, places, zone, autumn, wanted
):
    location = places[zone]
    change = CHANGES[zone][autumn]
    first_day = change - datetime.timedelta(days=1)
    booked = _book(location, therapist, speech_chart_case, treatment, first_day, wanted)
    client.force_login(scheduler)
    try:
        days = [first_day + datetime.timedelta(days=n) for n in range(3)]
        shown_by_day = []
        for day in days:
            query = {"location": location.pk, "date": day.isoformat()}
            shown_by_day += _linked(_table(client.get(reverse("scheduling:calendar_day"), query)))
        shown_by_week = []
        for monday in sorted({day - datetime.timedelta(days=day.weekday()) for day in days}):
            query = {"location": location.pk, "date": monday.isoformat(), "therapist": therapist.pk}
            page = _linked(_table(client.get(reverse("scheduling:calendar_week"), query)))
            tz = ZoneInfo(zone)
            shown_by_week += [
                pk
                for pk in page
                if any(v.pk == pk and v.start.astimezone(tz).date() in days for v in booked)
            ]
        expected = sorted(visit.pk for visit in booked)
        assert sorted(shown_by_day) == expected
        assert sorted(shown_by_week) == expected
    finally:
        Appointment.objects.filter(pk__in=[visit.pk for visit in booked]).delete()
