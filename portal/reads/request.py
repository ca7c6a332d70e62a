"""The request screen's reads: what a request for a chart case may choose, through the rules
the request services check it against (``AppointmentTypeRule.objects.requestable_for``,
``Location.objects.available_for_requests``, ``User.objects.who_may_take``), and the week's
slots from the inputs ``scheduling.reads.availability.slot_inputs`` gathers."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, IntegerField, Value
from django.db.models.functions import Cast

from accounts.models import User
from cases.models import AppointmentTypeRule
from clinic.models import AppointmentType
from core.sql import user_name
from scheduling import slots
from scheduling.models import Location
from scheduling.reads.availability import slot_inputs
from scheduling.services import case_therapists, request_window
from scheduling.services.request_rules import STEP


@dataclass(frozen=True)
class Rule:
    """An appointment type patients may request for the case, and its duration."""

    pk: int
    appointment_type_id: int
    type_name: str
    duration_minutes: int


@dataclass(frozen=True)
class Place:
    """A location open to requests."""

    pk: int
    name: str
    address: str
    time_zone: str

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Therapist:
    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Choices:
    """What a request for a chart case may choose, in the services' order."""

    rules: list[Rule]
    locations: list[Place]
    therapists: list[Therapist]


# The union's filler columns, made once (each read builds three SELECTs around them).
_BLANK = Value("")
_NO_ID = Cast(Value(None), BigIntegerField())
_NO_MINUTES = Cast(Value(None), IntegerField())


def request_choices(chart_case) -> Choices:
    """The requestable rules of the case (``AppointmentTypeRule.objects.requestable_for``),
    the locations open to requests (``Location.objects.available_for_requests``) and the
    therapists who may take the case (``case_therapists``): the querysets ``request_create``
    checks a request against, as one UNION ALL of their rows (three round trips where one
    does; the approve form's choices are read the same way)."""
    blank, no_id, no_minutes = _BLANK, _NO_ID, _NO_MINUTES
    rules = (
        AppointmentTypeRule.objects.requestable_for(chart_case)
        .order_by()
        .annotate(kind=Value(0), second=blank, third=blank)
        .values_list(
            "kind", "pk", "appointment_type_id", "appointment_type__name", "second", "third",
            "duration_minutes",
        )
    )  # fmt: skip
    locations = (
        Location.objects.for_clinic(chart_case.clinic_id)
        .available_for_requests()
        .order_by()
        .annotate(kind=Value(1), ref=no_id, minutes=no_minutes)
        .values_list("kind", "pk", "ref", "name", "address", "time_zone", "minutes")
    )
    therapists = (
        case_therapists(chart_case)
        .order_by()
        .annotate(kind=Value(2), ref=no_id, minutes=no_minutes)
        .values_list("kind", "pk", "ref", "last_name", "first_name", "email", "minutes")
    )
    rows = rules.union(locations, therapists, all=True).order_by(
        "kind", "appointment_type__name", "second", "pk"
    )
    choices = Choices([], [], [])
    for kind, pk, ref, name, second, third, minutes in rows:
        if kind == 0:
            choices.rules.append(Rule(pk, ref, name, minutes))
        elif kind == 1:
            choices.locations.append(Place(pk, name, second, third))
        else:
            choices.therapists.append(Therapist(pk, user_name(second, name, third)))
    return choices


def request_rows(chart_case, rule: Rule, place: Place, therapist: Therapist | None):
    """The rows ``request_create`` takes for the choices a POST made, each None if it went
    since the page was read (the service refuses what is no longer allowed)."""
    clinic_id = chart_case.clinic_id
    return (
        AppointmentType.objects.for_clinic(clinic_id).filter(pk=rule.appointment_type_id).first(),
        Location.objects.for_clinic(clinic_id).filter(pk=place.pk).first(),
        therapist and User.objects.for_clinic(clinic_id).filter(pk=therapist.pk).first(),
    )


@dataclass(frozen=True)
class Week:
    """The week the slot step shows, at a location: the window of ``request_window`` now,
    its first and last local days, and the shown week's first day (kept between them)."""

    location: Place
    earliest: datetime.datetime
    latest: datetime.datetime
    first_day: datetime.date
    last_day: datetime.date
    day: datetime.date

    @classmethod
    def of(cls, clinic, location: Place, asked: str) -> "Week":
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


def week_starts(
    *, week: Week, clinic_id: int, patient_id: int, duration_minutes: int, therapist_ids: list[int]
):
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
        clinic_id=clinic_id,
        location_id=week.location.pk,
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
