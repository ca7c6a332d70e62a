"""When a therapist can be booked: interval arithmetic on plain values, without the ORM.

Weekly hours and availability are wall-clock times of a location's time zone; they are turned
into aware intervals day by day, so 09:00 stays 09:00 on both sides of a daylight-saving
change. An interval is a ``(start, end)`` pair of aware datetimes, half open. Everything here is
a pure function of its arguments, so a property test can run it thousands of times; callers
gather the inputs (``scheduling.queries.booking_inputs``) in a fixed number of queries.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

Interval = tuple[datetime.datetime, datetime.datetime]


@dataclass(frozen=True)
class Weekly:
    """An interval repeated every week: weekday 0 = Monday, wall-clock start and end."""

    weekday: int
    start: datetime.time
    end: datetime.time


@dataclass(frozen=True)
class Dated:
    """An interval on one date; without start and end it is the whole day."""

    date: datetime.date
    start: datetime.time | None = None
    end: datetime.time | None = None


def wall(day: datetime.date, at: datetime.time, tz: ZoneInfo) -> datetime.datetime:
    """The aware moment a wall clock in ``tz`` shows ``at`` on ``day``. A time that does not
    exist (skipped by a spring-forward change) resolves to the moment after the gap; a time
    that occurs twice (autumn) to its first occurrence."""
    # fold=0: in an autumn repeat the first reading; in a spring gap PEP 495 reads the time
    # with the offset before the change, which lands after the gap (02:30 -> 03:30).
    moment = datetime.datetime.combine(day, at).replace(tzinfo=tz, fold=0)
    return moment.astimezone(datetime.UTC)


def day_bounds(day: datetime.date, tz: ZoneInfo) -> Interval:
    """From midnight to the next midnight of ``day`` in ``tz`` (23 or 25 hours at a change)."""
    return wall(day, datetime.time(0), tz), wall(
        day + datetime.timedelta(days=1), datetime.time(0), tz
    )


def dates(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with touching or overlapping intervals joined; empty ones dropped."""
    merged: list[list[datetime.datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    a, b = merge(a), merge(b)
    result, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract(a: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """``a`` without ``holes``, in one sweep over both (sorted and merged): linear in their
    lengths, so sixty days of a therapist's appointments cost what a week's cost, times
    nine, not times eighty."""
    result = []
    holes = merge(holes)
    first = 0  # holes before this one end before every interval still to come
    for start, end in merge(a):
        while first < len(holes) and holes[first][1] <= start:
            first += 1
        cursor = start
        index = first
        while index < len(holes) and holes[index][0] < end:
            hole_start, hole_end = holes[index]
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            index += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def weekly_intervals(
    weekly: Iterable[Weekly], first: datetime.date, last: datetime.date, tz: ZoneInfo
) -> list[Interval]:
    weekly = list(weekly)
    return merge(
        (wall(day, item.start, tz), wall(day, item.end, tz))
        for day in dates(first, last)
        for item in weekly
        if item.weekday == day.weekday()
    )


def dated_intervals(dated: Iterable[Dated], tz: ZoneInfo) -> list[Interval]:
    intervals = []
    for item in dated:
        if item.start is None or item.end is None:
            intervals.append(day_bounds(item.date, tz))
        else:
            intervals.append((wall(item.date, item.start, tz), wall(item.date, item.end, tz)))
    return merge(intervals)


def open_intervals(
    *,
    first: datetime.date,
    last: datetime.date,
    tz: ZoneInfo,
    clinic_hours: Iterable[Weekly],
    availability: Iterable[Weekly],
    closures: Iterable[datetime.date] = (),
    time_off: Iterable[Dated] = (),
    extra: Iterable[Dated] = (),
) -> list[Interval]:
    """When a therapist works at a location from ``first`` to ``last`` (local dates): inside
    the location's hours and the therapist's week, plus extra hours, minus time off; nothing
    on a closed day."""
    hours = weekly_intervals(clinic_hours, first, last, tz)
    working = merge(
        weekly_intervals(availability, first, last, tz)
        + dated_intervals([e for e in extra if first <= e.date <= last], tz)
    )
    closed = [day_bounds(day, tz) for day in closures]
    return subtract(intersect(hours, working), merge(closed + dated_intervals(time_off, tz)))


def free_intervals(
    *,
    first: datetime.date,
    last: datetime.date,
    tz: ZoneInfo,
    clinic_hours: Iterable[Weekly],
    availability: Iterable[Weekly],
    closures: Iterable[datetime.date] = (),
    time_off: Iterable[Dated] = (),
    extra: Iterable[Dated] = (),
    busy: Iterable[Interval] = (),
) -> list[Interval]:
    """``open_intervals`` minus the therapist's (or patient's) existing appointments."""
    return subtract(
        open_intervals(
            first=first,
            last=last,
            tz=tz,
            clinic_hours=clinic_hours,
            availability=availability,
            closures=closures,
            time_off=time_off,
            extra=extra,
        ),
        busy,
    )


def fits(start: datetime.datetime, end: datetime.datetime, free: Iterable[Interval]) -> bool:
    """Whether ``[start, end)`` lies wholly inside one of the (merged) intervals."""
    return any(f_start <= start and end <= f_end for f_start, f_end in merge(free))


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def slots(
    *,
    free: Iterable[Interval],
    duration: datetime.timedelta,
    now: datetime.datetime,
    tz: ZoneInfo,
    step: datetime.timedelta = datetime.timedelta(minutes=15),
    notice: datetime.timedelta = datetime.timedelta(0),
    horizon: datetime.timedelta = datetime.timedelta(days=60),
) -> Iterator[datetime.datetime]:
    """Start times (aware, UTC) at which an appointment of ``duration`` fits in ``free``: on
    the ``step`` grid of the local wall clock (09:00, 09:15...), no sooner than ``notice``
    after ``now`` and starting no later than ``horizon`` after it, in order."""
    if duration <= datetime.timedelta(0) or step <= datetime.timedelta(0):
        raise ValueError("duration and step must be positive")
    earliest, latest = now + notice, now + horizon
    step_minutes = step.total_seconds() / 60
    for start, end in merge(free):
        start = max(start, earliest)
        if start.second or start.microsecond:
            start = start.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        local = start.astimezone(tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        minutes = (local - midnight).total_seconds() / 60
        remainder = round(minutes) % step_minutes
        candidate = start
        if remainder:
            candidate = start + datetime.timedelta(minutes=step_minutes - remainder)
        while candidate + duration <= end and candidate <= latest:
            yield candidate.astimezone(datetime.UTC)
            candidate += step
