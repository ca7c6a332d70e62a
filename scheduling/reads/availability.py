"""What a therapist's time is made of (working hours, clinic hours, busy intervals) as the plain
values ``scheduling.slots`` works on, gathered in a fixed number of queries."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, DateField, Func, Q, TimeField, Value
from django.db.models.functions import Cast

from core.sql import epoch
from scheduling import slots
from scheduling.models import (
    Appointment,
    AvailabilityException,
    ClinicClosure,
    ClinicHours,
    Location,
    TherapistAvailability,
)


@dataclass
class WorkingTime:
    """What working time at one location is made of from ``first`` to ``last``, as plain
    values: the location's hours and closures, each therapist's weekly availability there,
    their time off and their extra hours there."""

    tz: ZoneInfo
    first: datetime.date
    last: datetime.date
    hours: list[slots.Weekly] = field(default_factory=list)
    closures: list[datetime.date] = field(default_factory=list)
    weekly: dict = field(default_factory=lambda: defaultdict(list))
    time_off: dict = field(default_factory=lambda: defaultdict(list))
    extra: dict = field(default_factory=lambda: defaultdict(list))

    def intervals(self, therapist_id: int) -> list[slots.Interval]:
        """When the therapist works there, within its clinic hours (merged and sorted)."""
        return slots.open_intervals(
            first=self.first,
            last=self.last,
            tz=self.tz,
            clinic_hours=self.hours,
            availability=self.weekly.get(therapist_id, ()),
            closures=self.closures,
            time_off=self.time_off.get(therapist_id, ()),
            extra=self.extra.get(therapist_id, ()),
        )


def working_time(
    *,
    location: Location,
    therapist_ids: Iterable[int] | None,
    first: datetime.date,
    last: datetime.date,
) -> WorkingTime:
    """The working time at ``location`` from ``first`` to ``last`` (local dates) of
    ``therapist_ids``, or of every therapist with None. Four queries, whatever the number of
    therapists; plain values, not model rows (this runs on every slot and calendar page)."""
    clinic_id = location.clinic_id
    read = WorkingTime(tz=ZoneInfo(location.time_zone), first=first, last=last)
    read.hours = [
        slots.Weekly(*row)
        for row in ClinicHours.objects.filter(clinic_id=clinic_id, location=location).values_list(
            "weekday", "start", "end"
        )
    ]
    read.closures = list(
        ClinicClosure.objects.filter(
            clinic_id=clinic_id, location=location, date__range=(first, last)
        ).values_list("date", flat=True)
    )
    weekly = TherapistAvailability.objects.filter(clinic_id=clinic_id, location=location)
    exceptions = AvailabilityException.objects.filter(
        clinic_id=clinic_id, date__range=(first, last)
    )
    if therapist_ids is not None:
        therapist_ids = list(therapist_ids)
        weekly = weekly.filter(therapist_id__in=therapist_ids)
        exceptions = exceptions.filter(therapist_id__in=therapist_ids)
    for therapist_id, weekday, start, end in weekly.values_list(
        "therapist_id", "weekday", "start", "end"
    ):
        read.weekly[therapist_id].append(slots.Weekly(weekday, start, end))
    for therapist_id, date, start, end, kind, location_id in exceptions.values_list(
        "therapist_id", "date", "start", "end", "kind", "location_id"
    ):
        dated = slots.Dated(date, start, end)
        if kind == AvailabilityException.Kind.TIME_OFF:
            read.time_off[therapist_id].append(dated)
        elif location_id == location.pk:
            read.extra[therapist_id].append(dated)
    return read


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
    read = working_time(location=location, therapist_ids=therapist_ids, first=first, last=last)
    return {therapist_id: read.intervals(therapist_id) for therapist_id in therapist_ids}


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


def busy_intervals(
    *,
    clinic_id: int,
    therapist_ids: Iterable[int] = (),
    patient_id: int | None = None,
    start: datetime.datetime,
    end: datetime.datetime,
) -> tuple[dict[int, list[slots.Interval]], list[slots.Interval]]:
    """The appointments (not cancelled) overlapping ``[start, end)``: per therapist, and the
    patient's. One query."""
    from django.db.models import Q

    from scheduling.models import Appointment

    therapist_ids = list(therapist_ids)
    condition = Q(therapist_id__in=therapist_ids)
    if patient_id is not None:
        condition |= Q(patient_id=patient_id)
    by_therapist: dict[int, list[slots.Interval]] = {pk: [] for pk in therapist_ids}
    patient: list[slots.Interval] = []
    rows = (
        Appointment.objects.filter(clinic_id=clinic_id)
        .filter(condition)
        .not_cancelled()
        .overlapping(start, end)
        .order_by()
        .values_list("therapist_id", "patient_id", "start", "end")
    )
    for therapist_id, row_patient_id, row_start, row_end in rows:
        if therapist_id in by_therapist:
            by_therapist[therapist_id].append((row_start, row_end))
        if patient_id is not None and row_patient_id == patient_id:
            patient.append((row_start, row_end))
    return by_therapist, patient


def bookable_slots(
    *,
    location: Location,
    therapist_ids: Iterable[int],
    patient_id: int | None,
    duration: datetime.timedelta,
    now: datetime.datetime,
    notice: datetime.timedelta = datetime.timedelta(0),
    horizon: datetime.timedelta = datetime.timedelta(days=28),
    step: datetime.timedelta = datetime.timedelta(minutes=15),
) -> dict[int, list[datetime.datetime]]:
    """For each therapist, the starts at which an appointment of ``duration`` fits at
    ``location``: in hours and availability, clear of the therapist's and the patient's
    appointments, between ``now + notice`` and ``now + horizon``. Five queries, whatever the
    number of therapists (for the portal's requests)."""
    therapist_ids = list(therapist_ids)
    tz = ZoneInfo(location.time_zone)
    first = (now + notice).astimezone(tz).date()
    last = (now + horizon).astimezone(tz).date() + datetime.timedelta(days=1)
    working = working_intervals(
        location=location, therapist_ids=therapist_ids, first=first, last=last
    )
    # Only the appointments a slot can touch: a slot starts from now + notice to now + horizon
    # and lasts ``duration`` (the whole days around it would be read and parsed for nothing).
    busy, patient_busy = busy_intervals(
        clinic_id=location.clinic_id,
        therapist_ids=therapist_ids,
        patient_id=patient_id,
        start=now + notice,
        end=now + horizon + duration,
    )
    return {
        therapist_id: list(
            slots.slots(
                free=slots.subtract(working[therapist_id], busy[therapist_id] + patient_busy),
                duration=duration,
                now=now,
                tz=tz,
                step=step,
                notice=notice,
                horizon=horizon,
            )
        )
        for therapist_id in therapist_ids
    }


# --- The same inputs as plain values, for the portal's week of slots (slots.offered_starts) ----


@dataclass
class SlotInputs:
    """What ``slots.offered_starts`` computes from: the location's weekly hours and closed
    days, each therapist's weekly availability, time off and extra hours at the location
    (wall-clock values, read as ``working_intervals`` reads them), and the appointments of
    each therapist and of the patient (``busy_intervals``, as epoch seconds, half open)."""

    clinic_hours: list[slots.Weekly]
    closures: list[datetime.date]
    availability: dict[int, list[slots.Weekly]]
    time_off: dict[int, list[slots.Dated]]
    extra: dict[int, list[slots.Dated]]
    busy: dict[int, list[slots.Seconds]]
    patient_busy: list[slots.Seconds]


def _none(field) -> Cast:
    # Typed: PostgreSQL types a UNION's column from its first parts, and a bare NULL is text.
    return Cast(Value(None), output_field=field)


def _week_rows(clinic_id, location_id, therapist_ids, first, last):
    """The location's hours and closed days from ``first`` to ``last``, the therapists'
    weekly availability there and their exceptions on those days (the four reads of
    ``working_intervals``), as rows of one query: (what, therapist, weekday, date, start,
    end, location). A UNION ALL of the four querysets, because four small lists cost four
    round trips where one does; each part is its model's own filter."""
    hours = (
        ClinicHours.objects.filter(clinic_id=clinic_id, location_id=location_id)
        .annotate(what=Value("hours"), who=_none(BigIntegerField()), day=_none(DateField()))
        .annotate(at=_none(BigIntegerField()))
        .order_by()
        .values_list("what", "who", "weekday", "day", "start", "end", "at")
    )
    closures = (
        ClinicClosure.objects.filter(
            clinic_id=clinic_id, location_id=location_id, date__range=(first, last)
        )
        .annotate(what=Value("closed"), who=_none(BigIntegerField()))
        .annotate(weekday_=_none(BigIntegerField()), from_=_none(TimeField()))
        .annotate(to=_none(TimeField()), at=_none(BigIntegerField()))
        .order_by()
        .values_list("what", "who", "weekday_", "date", "from_", "to", "at")
    )
    weekly = (
        TherapistAvailability.objects.filter(
            clinic_id=clinic_id, location_id=location_id, therapist_id__in=therapist_ids
        )
        .annotate(what=Value("weekly"), day=_none(DateField()), at=_none(BigIntegerField()))
        .order_by()
        .values_list("what", "therapist_id", "weekday", "day", "start", "end", "at")
    )
    exceptions = (
        AvailabilityException.objects.filter(
            clinic_id=clinic_id, therapist_id__in=therapist_ids, date__range=(first, last)
        )
        .annotate(weekday_=_none(BigIntegerField()))
        .order_by()
        .values_list("kind", "therapist_id", "weekday_", "date", "start", "end", "location_id")
    )
    return hours.union(closures, weekly, exceptions, all=True)


def slot_inputs(
    *,
    clinic_id: int,
    location_id: int,
    therapist_ids: Iterable[int],
    patient_id: int,
    first: datetime.date,
    last: datetime.date,
    start: datetime.datetime,
    end: datetime.datetime,
) -> SlotInputs:
    """The inputs of ``slots.offered_starts`` for a location and the therapists from
    ``first`` to ``last`` (local dates), with the appointments overlapping ``[start, end)``
    (``busy_seconds``). Two queries, whatever the number of therapists."""
    therapist_ids = list(therapist_ids)
    inputs = SlotInputs(
        clinic_hours=[],
        closures=[],
        availability={pk: [] for pk in therapist_ids},
        time_off={pk: [] for pk in therapist_ids},
        extra={pk: [] for pk in therapist_ids},
        busy={},
        patient_busy=[],
    )
    for what, who, weekday, day, from_, to, at in _week_rows(
        clinic_id, location_id, therapist_ids, first, last
    ):
        if what == "hours":
            inputs.clinic_hours.append(slots.Weekly(weekday, from_, to))
        elif what == "closed":
            inputs.closures.append(day)
        elif what == "weekly":
            inputs.availability[who].append(slots.Weekly(weekday, from_, to))
        elif what == AvailabilityException.Kind.TIME_OFF:
            inputs.time_off[who].append(slots.Dated(day, from_, to))
        elif at == location_id:  # extra hours count at their own location only
            inputs.extra[who].append(slots.Dated(day, from_, to))
    inputs.busy, inputs.patient_busy = busy_seconds(
        clinic_id=clinic_id,
        therapist_ids=therapist_ids,
        patient_id=patient_id,
        start=start,
        end=end,
    )
    return inputs


class EpochSeconds(Func):
    """A datetime as whole epoch seconds, rounded down, or up with ``up=True`` (so that a
    busy interval never shrinks): ``core.sql.epoch`` as an ORM expression. The database
    sends an integer, where Django's time-zone-aware loader parses each datetime in Python
    (about half the slot step's time at a week's 450 appointments)."""

    output_field = BigIntegerField()

    def __init__(self, expression, *, up: bool = False):
        super().__init__(expression)
        self.up = up

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        sql = epoch(connection.vendor, column, up=self.up)
        return sql, tuple(params) * sql.count(column)


def busy_seconds(
    *,
    clinic_id: int,
    therapist_ids: Iterable[int],
    patient_id: int,
    start: datetime.datetime,
    end: datetime.datetime,
) -> tuple[dict[int, list[slots.Seconds]], list[slots.Seconds]]:
    """``busy_intervals`` in epoch seconds: the appointments (not cancelled) overlapping
    ``[start, end)``, per therapist, and the patient's. One query."""
    therapist_ids = list(therapist_ids)
    by_therapist: dict[int, list[slots.Seconds]] = {pk: [] for pk in therapist_ids}
    patient: list[slots.Seconds] = []
    rows = (
        Appointment.objects.filter(clinic_id=clinic_id)
        .filter(Q(therapist_id__in=therapist_ids) | Q(patient_id=patient_id))
        .not_cancelled()
        .overlapping(start, end)
        .order_by()
        .values_list(
            "therapist_id", "patient_id", EpochSeconds("start"), EpochSeconds("end", up=True)
        )
    )
    for therapist_id, row_patient_id, row_start, row_end in rows:
        if therapist_id in by_therapist:
            by_therapist[therapist_id].append((row_start, row_end))
        if row_patient_id == patient_id:
            patient.append((row_start, row_end))
    return by_therapist, patient
