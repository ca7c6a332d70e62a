"""When a therapist can be booked: interval arithmetic on plain values, without the ORM.

Weekly hours and availability are wall-clock times of a location's time zone; they are turned
into aware intervals day by day, so 09:00 stays 09:00 on both sides of a daylight-saving
change. An interval is a ``(start, end)`` pair of aware datetimes, half open. Everything here is
a pure function of its arguments, so a property test can run it thousands of times; callers
gather the inputs (``scheduling.reads.availability``) in a fixed number of queries.

The portal's week of slots (``offered_starts``, at the end) does the same arithmetic on epoch
seconds: plain integers compare, sort and step (``range``) far faster than aware datetimes, and
the time zone is asked once per day (``WallClock``) rather than once per interval and slot.
"""

import datetime
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
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


def absolute(moment: datetime.datetime) -> datetime.datetime:
    """An aware moment in UTC, so that adding a duration to it or comparing it counts elapsed
    time: on a datetime in a ``ZoneInfo`` zone both go by the wall clock, so 1:30 AM of an
    autumn's second pass plus 15 minutes reads 1:45 AM of the first, before it. Every service
    that takes a start from a caller (a form's, the finder's local time) takes it through
    here. A naive value is returned as it is (the checks refuse it)."""
    return moment.astimezone(datetime.UTC) if moment.tzinfo is not None else moment


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


def clinic_open_intervals(
    *,
    first: datetime.date,
    last: datetime.date,
    tz: ZoneInfo,
    clinic_hours: Iterable[Weekly],
    closures: Iterable[datetime.date] = (),
) -> list[Interval]:
    """When a location is open from ``first`` to ``last`` (local dates): its weekly hours,
    nothing on a closed day."""
    return subtract(
        weekly_intervals(clinic_hours, first, last, tz), [day_bounds(day, tz) for day in closures]
    )


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
    hours = clinic_open_intervals(
        first=first, last=last, tz=tz, clinic_hours=clinic_hours, closures=closures
    )
    working = merge(
        weekly_intervals(availability, first, last, tz)
        + dated_intervals([e for e in extra if first <= e.date <= last], tz)
    )
    return subtract(intersect(hours, working), dated_intervals(time_off, tz))


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


def second_reading(moment: datetime.datetime, tz: ZoneInfo) -> bool:
    """Whether the wall clock of ``tz`` already showed ``moment``'s reading an hour before (the
    autumn's repeated hour, second pass). No start is offered there: a date and a time name
    the first pass (``wall``), as the booking form reads them, so a second-pass start would
    book another moment; the visit of 1:30 AM is offered once, at the first 1:30."""
    return moment.astimezone(tz).fold == 1


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
    after ``now`` and starting no later than ``horizon`` after it, in order; none in the
    second pass of a repeated hour (``second_reading``)."""
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
            if not second_reading(candidate, tz):
                yield candidate.astimezone(datetime.UTC)
            candidate += step


# --- The same, on epoch seconds (the portal's request screen) ---------------------------------

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
DAY_SECONDS = 86400
Seconds = tuple[int, int]


def to_seconds(moment: datetime.datetime) -> int:
    """Epoch seconds of an aware moment, rounded down (exact integer arithmetic)."""
    return (moment - EPOCH) // SECOND


def to_seconds_up(moment: datetime.datetime) -> int:
    """Epoch seconds of an aware moment, rounded up."""
    return -((EPOCH - moment) // SECOND)


def from_seconds(seconds: int) -> datetime.datetime:
    return EPOCH + datetime.timedelta(seconds=seconds)


class WallClock:
    """Wall-clock times of ``tz`` on the local dates ``first`` to ``last`` as epoch seconds, and
    back, asking the time zone once per day. On a day that starts and ends at the same UTC offset,
    24 hours apart (every day but the one or two of a change), a wall time is that day's
    midnight plus its seconds; on any other day ``wall`` and ``datetime`` decide, exactly as
    the datetime functions above do. Wall times are taken to whole seconds (the forms set
    them in minutes)."""

    def __init__(self, tz: ZoneInfo, first: datetime.date, last: datetime.date):
        self.tz = tz
        self.first = first
        # Midnights of first .. last + 1: the bounds of every day of the span.
        self.midnights = [
            to_seconds(wall(day, datetime.time(0), tz))
            for day in dates(first, last + datetime.timedelta(days=1))
        ]
        offsets = [
            datetime.datetime.fromtimestamp(moment, tz).utcoffset() for moment in self.midnights
        ]
        self.regular = [
            self.midnights[i + 1] - self.midnights[i] == DAY_SECONDS
            and offsets[i] == offsets[i + 1]
            for i in range(len(self.midnights) - 1)
        ]

    def _index(self, day: datetime.date) -> int | None:
        index = (day - self.first).days
        return index if 0 <= index < len(self.regular) and self.regular[index] else None

    def at(self, day: datetime.date, at: datetime.time) -> int:
        """``wall(day, at, tz)`` in epoch seconds."""
        index = self._index(day)
        if index is None:
            return to_seconds(wall(day, at, self.tz))
        return self.midnights[index] + at.hour * 3600 + at.minute * 60 + at.second

    def day(self, day: datetime.date) -> Seconds:
        """``day_bounds(day, tz)`` in epoch seconds."""
        index = (day - self.first).days
        if 0 <= index < len(self.regular):
            return self.midnights[index], self.midnights[index + 1]
        start, end = day_bounds(day, self.tz)
        return to_seconds(start), to_seconds(end)

    def plain(self, start: int, end: int) -> bool:
        """Whether ``[start, end]`` lies within one day of the span without a clock change."""
        index = bisect_right(self.midnights, start) - 1
        return (
            0 <= index < len(self.regular)
            and self.regular[index]
            and end <= self.midnights[index + 1]
        )

    def second_reading(self, seconds: int) -> bool:
        """``second_reading`` of that moment (epoch seconds)."""
        return not self.plain(seconds, seconds) and second_reading(from_seconds(seconds), self.tz)

    def local(self, seconds: int) -> tuple[datetime.date, int]:
        """The local date of a moment and its wall-clock seconds since that date's midnight."""
        index = bisect_right(self.midnights, seconds) - 1
        if 0 <= index < len(self.regular) and self.regular[index]:
            return self.first + datetime.timedelta(days=index), seconds - self.midnights[index]
        local = datetime.datetime.fromtimestamp(seconds, self.tz)
        return local.date(), local.hour * 3600 + local.minute * 60 + local.second


def _time_label(minutes: int) -> str:
    """ "9:15 AM" for 555 minutes after midnight (``%-I:%M %p``)."""
    hour, minute = divmod(minutes, 60)
    return f"{hour % 12 or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


# A wall-clock time's label by its minutes since midnight: a page of a few hundred times looks
# each up rather than formatting a datetime (the portal's week, the finder's days).
TIME_LABELS = [_time_label(minutes) for minutes in range(24 * 60)]


def _weekly_seconds(
    weekly: Iterable[Weekly], days: list[datetime.date], clock: WallClock
) -> list[Seconds]:
    by_weekday: dict[int, list[Weekly]] = {}
    for item in weekly:
        by_weekday.setdefault(item.weekday, []).append(item)
    return [
        (clock.at(day, item.start), clock.at(day, item.end))
        for day in days
        for item in by_weekday.get(day.weekday(), ())
    ]


def _dated_seconds(dated: Iterable[Dated], clock: WallClock) -> list[Seconds]:
    return [
        clock.day(item.date)
        if item.start is None or item.end is None
        else (clock.at(item.date, item.start), clock.at(item.date, item.end))
        for item in dated
    ]


def _starts(
    free: list[Seconds],
    *,
    duration: int,
    step: int,
    earliest: int,
    latest: int,
    clock: WallClock,
) -> list[Iterable[int]]:
    """``slots`` on epoch seconds: the same grid of the local wall clock (whole minutes, on
    the step's multiples since local midnight), the same bounds, no start at a second
    reading (``second_reading``). One ``range`` a free interval without a clock change (a
    set takes it whole, without a Python step a start)."""
    step_minutes = step // 60
    found: list[Iterable[int]] = []
    for start, end in free:
        start = max(start, earliest)
        if start > latest:
            break  # (``free`` is sorted) none from here on
        if end - start < duration:
            continue  # too short, however its start is rounded (most gaps of a full day)
        if start % 60:
            start += 60 - start % 60
        remainder = (clock.local(start)[1] // 60) % step_minutes
        if remainder:
            start += (step_minutes - remainder) * 60
        starts = range(start, min(end - duration, latest) + 1, step)
        if clock.plain(start, end):
            found.append(starts)
        else:
            found.append([s for s in starts if not clock.second_reading(s)])
    return found


def offered_starts(**inputs) -> list[int]:
    """Every start (epoch seconds, sorted, each once) at which one of the therapists can take
    an appointment: ``offered_by_therapist`` (its arguments), any of them."""
    return sorted(set().union(*_offered_sets(**inputs).values()))


def offered_by_therapist(**inputs) -> dict[int, list[int]]:
    """For each therapist, every start (epoch seconds, sorted) at which they can take an
    appointment: ``_offered_sets`` (its arguments)."""
    return {pk: sorted(starts) for pk, starts in _offered_sets(**inputs).items()}


def _offered_sets(
    *,
    clock: WallClock,
    first: datetime.date,
    last: datetime.date,
    clinic_hours: Iterable[Weekly],
    closures: Iterable[datetime.date],
    therapist_ids: Iterable[int],
    availability: Mapping[int, Iterable[Weekly]],
    time_off: Mapping[int, Iterable[Dated]],
    extra: Mapping[int, Iterable[Dated]],
    busy: Mapping[int, list[Seconds]],
    patient_busy: list[Seconds],
    duration: int,
    step: int,
    earliest: int,
    latest: int,
) -> dict[int, set[int]]:
    """For each therapist, every start (epoch seconds) at which they can take an
    appointment of ``duration`` seconds: ``open_intervals`` from ``first`` to ``last`` minus
    their appointments and the patient's (``busy``, ``patient_busy``: epoch seconds, half
    open), then ``slots`` from ``earliest`` to ``latest`` (epoch seconds) on the ``step``
    grid. The same starts as ``slots.slots`` over ``free_intervals`` for each therapist,
    without a datetime in the loop (tests/scheduling/test_offered_starts.py compares them);
    the location's hours and closed days are read once for all of them."""
    days = list(dates(first, last))
    hours = _weekly_seconds(clinic_hours, days, clock)
    closed = [clock.day(day) for day in closures]
    offered: dict[int, set[int]] = {}
    for therapist_id in therapist_ids:
        working = merge(
            _weekly_seconds(availability.get(therapist_id, ()), days, clock)
            + _dated_seconds(
                [e for e in extra.get(therapist_id, ()) if first <= e.date <= last], clock
            )
        )
        holes = merge(closed + _dated_seconds(time_off.get(therapist_id, ()), clock))
        open_ = subtract(intersect(hours, working), holes)
        free = merge(subtract(open_, busy.get(therapist_id, []) + patient_busy))
        found: set[int] = set()
        for starts in _starts(
            free, duration=duration, step=step, earliest=earliest, latest=latest, clock=clock
        ):
            found.update(starts)
        offered[therapist_id] = found
    return offered
