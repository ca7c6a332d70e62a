"""When a reminder goes (``messaging.timing``), for any visit, lead, zone and quiet hours: at
its lead before the visit, or, when that falls in the quiet hours of the location's wall
clock, when they end; never during them, never at or after the visit (then not at all)."""

import datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from messaging.timing import in_quiet_hours, send_time

ZONES = [ZoneInfo(name) for name in ("America/New_York", "Asia/Kolkata", "Europe/London", "UTC")]
NEW_YORK = ZoneInfo("America/New_York")


def _at(day, hour, minute=0, tz=NEW_YORK):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


@given(
    visit=st.datetimes(
        min_value=datetime.datetime(2026, 1, 1), max_value=datetime.datetime(2028, 12, 31)
    ),
    lead_hours=st.integers(1, 14 * 24),
    tz=st.sampled_from(ZONES),
    quiet_start=st.times(),
    quiet_end=st.times(),
)
def test_a_send_is_never_in_the_quiet_hours_nor_after_the_visit(
    visit, lead_hours, tz, quiet_start, quiet_end
):
    if quiet_start == quiet_end:
        return  # refused by the settings (no time left to send)
    visit = visit.replace(tzinfo=datetime.UTC)
    lead = datetime.timedelta(hours=lead_hours)
    due = visit - lead
    at = send_time(
        visit_start=visit, lead=lead, tz=tz, quiet_start=quiet_start, quiet_end=quiet_end
    )
    quiet_then = in_quiet_hours(due.astimezone(tz).time(), quiet_start, quiet_end)
    if not quiet_then:
        assert at == due
        return
    if at is None:
        return  # the quiet hours last until the visit
    assert due < at < visit
    local = at.astimezone(tz)
    # At the end of the quiet hours on the location's wall clock, unless that wall time does
    # not exist that day (the hour skipped by a DST change).
    if local.time() != quiet_end:
        asked = datetime.datetime.combine(local.date(), quiet_end, tzinfo=tz)
        assert asked.astimezone(datetime.UTC).astimezone(tz).time() != quiet_end
    else:
        assert not in_quiet_hours(local.time(), quiet_start, quiet_end)
    assert at - due <= datetime.timedelta(hours=25)


def test_the_default_quiet_hours_move_an_evening_send_to_the_morning():
    day = datetime.date(2027, 3, 1)
    quiet = {"quiet_start": datetime.time(21), "quiet_end": datetime.time(8)}
    # Due at 22:00 the evening before a 10:00 visit two days later... (48 h): moved to 08:00.
    visit = _at(day, 22) + datetime.timedelta(hours=48)
    at = send_time(visit_start=visit, lead=datetime.timedelta(hours=48), tz=NEW_YORK, **quiet)
    assert at == _at(day + datetime.timedelta(days=1), 8)
    # Due at 03:00 (in the early-morning part): the same morning at 08:00.
    visit = _at(day, 5)
    at = send_time(visit_start=visit, lead=datetime.timedelta(hours=2), tz=NEW_YORK, **quiet)
    assert at is None  # 08:00 is after the 05:00 visit: not sent at all
    visit = _at(day, 9)
    at = send_time(visit_start=visit, lead=datetime.timedelta(hours=7), tz=NEW_YORK, **quiet)
    assert at == _at(day, 8)
    # Outside the quiet hours: at its lead.
    visit = _at(day, 15)
    at = send_time(visit_start=visit, lead=datetime.timedelta(hours=2), tz=NEW_YORK, **quiet)
    assert at == _at(day, 13)
