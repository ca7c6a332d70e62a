"""When a reminder is due: pure, no ORM, so a property test can run it on any input."""

import datetime
from zoneinfo import ZoneInfo


def in_quiet_hours(moment: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    if start < end:
        return start <= moment < end
    # Quiet hours over midnight (21:00-08:00).
    return moment >= start or moment < end


def send_time(
    *,
    visit_start: datetime.datetime,
    lead: datetime.timedelta,
    tz: ZoneInfo,
    quiet_start: datetime.time,
    quiet_end: datetime.time,
) -> datetime.datetime | None:
    """When the reminder ``lead`` before ``visit_start`` goes: then, or at the end of the quiet
    hours (the location's wall clock) if it falls in them; None if that is not before the
    visit."""
    due = visit_start - lead
    local = due.astimezone(tz)
    if in_quiet_hours(local.time(), quiet_start, quiet_end):
        day = local.date()
        if local.time() >= quiet_end:  # the evening part: the quiet hours end tomorrow
            day += datetime.timedelta(days=1)
        due = datetime.datetime.combine(day, quiet_end, tzinfo=tz).astimezone(datetime.UTC)
    return due if due < visit_start else None


def sends_due(
    *,
    visit_start: datetime.datetime,
    leads: dict[int, datetime.timedelta],
    now: datetime.datetime,
    tz: ZoneInfo,
    quiet_start: datetime.time,
    quiet_end: datetime.time,
) -> tuple[int | None, list[int], dict[int, datetime.datetime]]:
    """Of a visit's sends, the one to send now (the latest that is due), the earlier due ones
    it replaces (never sent: a family gets one message, not two at once), and each due send's
    time."""
    times = {}
    for send, lead in leads.items():
        at = send_time(
            visit_start=visit_start, lead=lead, tz=tz, quiet_start=quiet_start, quiet_end=quiet_end
        )
        if at is not None and at <= now < visit_start:
            times[send] = at
    if not times:
        return None, [], {}
    latest = max(times, key=lambda send: (times[send], -leads[send].total_seconds()))
    return latest, [send for send in times if send != latest], times
