"""The free-time finder of booking: the times each therapist who may take a chart case is free
for one appointment type at one location, day by day.

The times come from ``bookable_seconds`` (``reads/availability.py`` over the pure ``slots``
module), the one rule that also offers the portal its times (``services.requests.
request_slots``): the finder only chooses the span, the front desk's span being the days asked
for from now on, the portal's the clinic's notice and horizon.
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from accounts.models import User
from cases.models import AppointmentTypeRule
from charts.models import PatientChartCase
from clinic.models import AppointmentType
from scheduling import slots
from scheduling.models import Location
from scheduling.reads.availability import bookable_seconds

MAX_DAYS = 90
STEP = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class FreeTime:
    start: datetime.datetime
    therapist: User


def duration_for(chart_case: PatientChartCase, appointment_type: AppointmentType) -> int:
    """Minutes of the visit: the case's duration for the type where the administrator set
    one, else the type's default."""
    minutes = (
        AppointmentTypeRule.objects.for_clinic(chart_case.clinic_id)
        .filter(case_id=chart_case.case_id, appointment_type=appointment_type)
        .values_list("duration_minutes", flat=True)
        .first()
    )
    return minutes or appointment_type.default_duration_minutes


def span(
    first: datetime.date, last: datetime.date, tz, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """From the start of ``first`` (or now, if later) to the end of ``last`` in ``tz``: the
    last moment of that day, since a slot may start at its span's end (``bookable_slots`` is
    inclusive) and midnight is the next day's."""
    end = slots.day_bounds(last, tz)[1] - datetime.timedelta(microseconds=1)
    return max(slots.day_bounds(first, tz)[0], now), end


def free_starts(
    *,
    chart_case: PatientChartCase,
    location: Location,
    duration_minutes: int,
    therapist_ids: list[int],
    earliest: datetime.datetime,
    latest: datetime.datetime,
    now: datetime.datetime,
) -> dict[int, list[datetime.datetime]]:
    """``free_seconds`` as aware datetimes."""
    return {
        therapist_id: [slots.from_seconds(start) for start in starts]
        for therapist_id, starts in free_seconds(
            chart_case=chart_case,
            location=location,
            duration_minutes=duration_minutes,
            therapist_ids=therapist_ids,
            earliest=earliest,
            latest=latest,
            now=now,
        ).items()
    }


def free_seconds(
    *,
    chart_case: PatientChartCase,
    location: Location,
    duration_minutes: int,
    therapist_ids: list[int],
    earliest: datetime.datetime,
    latest: datetime.datetime,
    now: datetime.datetime,
) -> dict[int, list[int]]:
    """Each therapist's free starts (epoch seconds) from ``earliest`` to ``latest``:
    ``bookable_seconds`` (two queries) with that span as its notice and horizon."""
    if latest <= earliest:
        return {therapist_id: [] for therapist_id in therapist_ids}
    return bookable_seconds(
        location=location,
        therapist_ids=therapist_ids,
        patient_id=chart_case.patient_id,
        duration=datetime.timedelta(minutes=duration_minutes),
        now=now,
        notice=earliest - now,
        horizon=latest - now,
        step=STEP,
    )


class Offered(NamedTuple):
    """A free time as the finder's page takes it: plain values, a page holds hundreds."""

    seconds: int  # the moment, epoch seconds
    day: datetime.date  # its local date
    wall: int  # its wall-clock seconds since that date's midnight
    therapist: User


def offered_by_day(
    *,
    chart_case: PatientChartCase,
    location: Location,
    duration_minutes: int,
    therapists: list[User],
    first: datetime.date,
    last: datetime.date,
    now: datetime.datetime,
) -> list[tuple[datetime.date, list[Offered]]]:
    """The finder's page: each day from ``first`` to ``last`` with a free time, its times in
    order (a time two therapists share shows twice, one a therapist, by name), read on epoch
    seconds and the location's wall clock (``slots.WallClock``), without a datetime a time."""
    tz = location.tzinfo
    earliest, latest = span(first, last, tz, now)
    starts = free_seconds(
        chart_case=chart_case,
        location=location,
        duration_minutes=duration_minutes,
        therapist_ids=[t.pk for t in therapists],
        earliest=earliest,
        latest=latest,
        now=now,
    )
    by_pk = {t.pk: t for t in therapists}
    order = sorted(
        (start, by_pk[pk].last_name, pk) for pk, found in starts.items() for start in found
    )
    clock = slots.WallClock(tz, first, last)
    days: dict[datetime.date, list[Offered]] = {}
    for start, _, pk in order:
        day, wall = clock.local(start)
        days.setdefault(day, []).append(Offered(start, day, wall, by_pk[pk]))
    return list(days.items())


def free_times_by_day(
    *,
    chart_case: PatientChartCase,
    location: Location,
    duration_minutes: int,
    therapists: list[User],
    first: datetime.date,
    last: datetime.date,
    now: datetime.datetime,
) -> list[tuple[datetime.date, list[FreeTime]]]:
    """``offered_by_day`` with each time an aware datetime of the location's zone."""
    tz = location.tzinfo
    return [
        (day, [FreeTime(slots.from_seconds(o.seconds).astimezone(tz), o.therapist) for o in times])
        for day, times in offered_by_day(
            chart_case=chart_case,
            location=location,
            duration_minutes=duration_minutes,
            therapists=therapists,
            first=first,
            last=last,
            now=now,
        )
    ]
