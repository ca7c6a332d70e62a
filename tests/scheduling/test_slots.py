"""The pure slot module: interval arithmetic, daylight-saving changes, slot properties."""

import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling import slots
from scheduling.services import SeriesRule, series_starts

NY = ZoneInfo("America/New_York")
T = datetime.time


def at(day, hour, minute=0):
    return slots.wall(day, T(hour, minute), NY)


def test_wall_clock_hours_keep_their_hour_across_both_changes():
    # 2026: clocks go forward on Sunday March 8 and back on Sunday November 1.
    week = [slots.Weekly(d, T(9), T(17)) for d in range(7)]
    for before, after in [
        (datetime.date(2026, 3, 7), datetime.date(2026, 3, 9)),
        (datetime.date(2026, 10, 31), datetime.date(2026, 11, 2)),
    ]:
        intervals = slots.weekly_intervals(week, before, after, NY)
        assert [start.astimezone(NY).hour for start, _ in intervals] == [9, 9, 9]
        assert {end - start for start, end in intervals} == {datetime.timedelta(hours=8)}


def test_days_of_the_changes_have_23_and_25_hours():
    start, end = slots.day_bounds(datetime.date(2026, 3, 8), NY)
    assert end - start == datetime.timedelta(hours=23)
    start, end = slots.day_bounds(datetime.date(2026, 11, 1), NY)
    assert end - start == datetime.timedelta(hours=25)


def test_a_time_in_the_spring_gap_moves_after_it():
    moment = slots.wall(datetime.date(2026, 3, 8), T(2, 30), NY)
    assert moment.astimezone(NY).hour == 3


def test_weekly_series_keeps_its_wall_clock_time_across_both_changes():
    for first_day in (datetime.date(2026, 2, 23), datetime.date(2026, 10, 19)):
        starts = series_starts(
            rule=SeriesRule(interval=1, weekdays=(0,), count=4), first=at(first_day, 10), tz=NY
        )
        assert [s.astimezone(NY).time() for s in starts] == [T(10)] * 4
        utc_hours = {s.hour for s in starts}
        assert len(utc_hours) == 2  # the UTC hour moves by one with the clocks


def test_series_is_cut_after_the_maximum():
    starts = series_starts(
        rule=SeriesRule(interval=1, weekdays=(0,), count=60),
        first=at(datetime.date(2026, 1, 5), 10),
        tz=NY,
    )
    assert len(starts) == 53


def test_open_intervals_respect_closures_time_off_and_extra_hours():
    monday = datetime.date(2026, 6, 1)
    hours = [slots.Weekly(d, T(8), T(18)) for d in range(7)]
    week = [slots.Weekly(0, T(9), T(12)), slots.Weekly(0, T(13), T(17))]
    intervals = slots.open_intervals(
        first=monday,
        last=monday + datetime.timedelta(days=7),
        tz=NY,
        clinic_hours=hours,
        availability=week,
        closures=[monday + datetime.timedelta(days=7)],
        time_off=[slots.Dated(monday, T(10), T(11))],
        extra=[slots.Dated(monday + datetime.timedelta(days=1), T(7), T(9))],
    )
    assert intervals == [
        (at(monday, 9), at(monday, 10)),
        (at(monday, 11), at(monday, 12)),
        (at(monday, 13), at(monday, 17)),
        # Extra hours before opening are cut to the clinic hours.
        (at(monday + datetime.timedelta(days=1), 8), at(monday + datetime.timedelta(days=1), 9)),
    ]


minutes = st.integers(min_value=0, max_value=24 * 60 - 5)


@st.composite
def intervals(draw, most=6):
    base = datetime.datetime(2026, 3, 7, 5, tzinfo=datetime.UTC)
    items = []
    for _ in range(draw(st.integers(0, most))):
        start = draw(st.integers(0, 3 * 24 * 60))
        length = draw(st.integers(5, 8 * 60))
        items.append(
            (
                base + datetime.timedelta(minutes=start),
                base + datetime.timedelta(minutes=start + length),
            )
        )
    return items


@settings(max_examples=200, deadline=None)
@given(free=intervals(), busy=intervals(), duration=st.sampled_from([15, 30, 45, 60, 90]))
def test_every_slot_fits_the_free_time_and_misses_the_busy_time(free, busy, duration):
    now = datetime.datetime(2026, 3, 7, 0, tzinfo=datetime.UTC)
    length = datetime.timedelta(minutes=duration)
    free_now = slots.subtract(free, busy)
    found = list(
        slots.slots(
            free=free_now, duration=length, now=now, tz=NY, horizon=datetime.timedelta(days=5)
        )
    )
    assert found == sorted(found)
    for start in found:
        assert slots.fits(start, start + length, free)
        assert not any(slots.overlaps((start, start + length), b) for b in busy)
        assert start.astimezone(NY).minute % 15 == 0


@settings(max_examples=200, deadline=None)
@given(a=intervals(), b=intervals())
def test_interval_algebra(a, b):
    both = slots.intersect(a, b)
    rest = slots.subtract(a, b)
    # Together they are exactly a, and they do not overlap.
    assert slots.merge(both + rest) == slots.merge(a)
    assert not slots.intersect(both, rest)
    assert not slots.intersect(rest, b)


@settings(max_examples=200, deadline=None)
@given(a=intervals(most=40), b=intervals(most=40))
def test_subtract_sweeps_many_intervals_exactly(a, b):
    """The sweep (each hole passed once) leaves exactly the minutes of ``a`` outside ``b``."""

    def minutes(items):
        return {
            start + datetime.timedelta(minutes=m)
            for start, end in items
            for m in range(int((end - start).total_seconds() // 60))
        }

    rest = slots.subtract(a, b)
    assert minutes(rest) == minutes(a) - minutes(b)
    assert rest == slots.merge(rest)
