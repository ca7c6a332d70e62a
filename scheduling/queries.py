"""Gathering the plain values ``scheduling.slots`` works on, in a fixed number of queries."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from scheduling import slots
from scheduling.models import (
    AvailabilityException,
    ClinicClosure,
    ClinicHours,
    Location,
    TherapistAvailability,
)


def working_intervals(
    *,
    location: Location,
    therapist_ids: Iterable[int],
    first: datetime.date,
    last: datetime.date,
) -> dict[int, list[slots.Interval]]:
    """For each therapist, when they work at ``location`` from ``first`` to ``last`` (local
    dates), within its clinic hours. Four queries, whatever the number of therapists."""
    therapist_ids = list(therapist_ids)
    tz = ZoneInfo(location.time_zone)
    hours = [
        slots.Weekly(row.weekday, row.start, row.end)
        for row in ClinicHours.objects.filter(clinic_id=location.clinic_id, location=location)
    ]
    closures = list(
        ClinicClosure.objects.filter(
            clinic_id=location.clinic_id, location=location, date__range=(first, last)
        ).values_list("date", flat=True)
    )
    weekly = defaultdict(list)
    for row in TherapistAvailability.objects.filter(
        clinic_id=location.clinic_id, location=location, therapist_id__in=therapist_ids
    ):
        weekly[row.therapist_id].append(slots.Weekly(row.weekday, row.start, row.end))
    time_off, extra = defaultdict(list), defaultdict(list)
    for row in AvailabilityException.objects.filter(
        clinic_id=location.clinic_id,
        therapist_id__in=therapist_ids,
        date__range=(first, last),
    ):
        dated = slots.Dated(row.date, row.start, row.end)
        if row.kind == AvailabilityException.Kind.TIME_OFF:
            time_off[row.therapist_id].append(dated)
        elif row.location_id == location.pk:
            extra[row.therapist_id].append(dated)
    return {
        therapist_id: slots.open_intervals(
            first=first,
            last=last,
            tz=tz,
            clinic_hours=hours,
            availability=weekly[therapist_id],
            closures=closures,
            time_off=time_off[therapist_id],
            extra=extra[therapist_id],
        )
        for therapist_id in therapist_ids
    }


def clinic_hours_intervals(
    *, location: Location, first: datetime.date, last: datetime.date
) -> list[slots.Interval]:
    """When the location is open from ``first`` to ``last``."""
    tz = ZoneInfo(location.time_zone)
    hours = [
        slots.Weekly(row.weekday, row.start, row.end)
        for row in ClinicHours.objects.filter(clinic_id=location.clinic_id, location=location)
    ]
    closures = ClinicClosure.objects.filter(
        clinic_id=location.clinic_id, location=location, date__range=(first, last)
    ).values_list("date", flat=True)
    return slots.subtract(
        slots.weekly_intervals(hours, first, last, tz),
        [slots.day_bounds(day, tz) for day in closures],
    )
