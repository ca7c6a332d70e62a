"""The request screen's reads: what a request for a chart case may choose, through the rules
the request services check it against (``AppointmentTypeRule.objects.requestable_for``,
``Location.objects.available_for_requests``, ``User.objects.who_may_take``), and the week's
slots from the inputs ``scheduling.reads.availability.slot_inputs`` gathers."""

import datetime
from dataclasses import dataclass
from functools import cached_property

from scheduling import slots
from scheduling.models import Location
from scheduling.reads.availability import slot_inputs
from scheduling.services import allowed_rules, case_therapists, request_window
from scheduling.services.requests import STEP


class Choices:
    """What a request for ``chart_case`` may choose, each read when first asked for (the
    screen's first step shows the types only)."""

    def __init__(self, chart_case):
        self.chart_case = chart_case

    @cached_property
    def rules(self):
        """The requestable types with their durations (rules with ``appointment_type``)."""
        return allowed_rules(self.chart_case)

    @cached_property
    def locations(self) -> list[Location]:
        return list(Location.objects.for_clinic(self.chart_case.clinic_id).available_for_requests())

    @cached_property
    def therapists(self):
        return list(case_therapists(self.chart_case))


@dataclass(frozen=True)
class Week:
    """The week the slot step shows, at a location: the window of ``request_window`` now,
    its first and last local days, and the shown week's first day (kept between them)."""

    location: Location
    earliest: datetime.datetime
    latest: datetime.datetime
    first_day: datetime.date
    last_day: datetime.date
    day: datetime.date

    @classmethod
    def of(cls, clinic, location: Location, asked: str) -> "Week":
        """``asked`` is an ISO date from the query string; anything else is the first week."""
        tz = location.tzinfo
        earliest, latest = request_window(clinic, clinic.now())
        first_day, last_day = earliest.astimezone(tz).date(), latest.astimezone(tz).date()
        try:
            day = datetime.date.fromisoformat(asked or "")
        except ValueError:
            day = first_day
        day = min(max(day, first_day), last_day)
        return cls(location, earliest, latest, first_day, last_day, day)

    @property
    def following(self) -> datetime.date:
        return self.day + datetime.timedelta(days=7)

    @property
    def previous(self) -> datetime.date | None:
        if self.day <= self.first_day:
            return None
        return max(self.day - datetime.timedelta(days=7), self.first_day)


def week_starts(*, week: Week, patient_id: int, duration_minutes: int, therapist_ids: list[int]):
    """The starts a patient may request in the seven local days of ``week``, any of the
    therapists, as epoch seconds, and the clock that reads them: ``request_slots`` over the
    same span, computed on integers (``slots.offered_starts``).
    tests/portal/test_week_starts.py compares the two on random schedules."""
    tz = week.location.tzinfo
    low = max(week.earliest, slots.day_bounds(week.day, tz)[0])
    high = min(week.latest, slots.day_bounds(week.following, tz)[0])
    if high < low:
        return [], None
    first = low.astimezone(tz).date()
    last = high.astimezone(tz).date() + datetime.timedelta(days=1)
    duration = duration_minutes * 60
    inputs = slot_inputs(
        location=week.location,
        therapist_ids=therapist_ids,
        patient_id=patient_id,
        first=first,
        last=last,
        start=low,
        end=high + datetime.timedelta(seconds=duration),
    )
    clock = slots.WallClock(tz, first, last)
    starts = slots.offered_starts(
        clock=clock,
        first=first,
        last=last,
        therapist_ids=therapist_ids,
        duration=duration,
        step=int(STEP.total_seconds()),
        earliest=slots.to_seconds_up(low),
        latest=slots.to_seconds(high),
        **vars(inputs),
    )
    return starts, clock
