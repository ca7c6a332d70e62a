"""What a therapist's time is made of (working hours, clinic hours, busy intervals) as the plain
values ``scheduling.slots`` works on, gathered in a fixed number of queries."""

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    TimeField,
    Value,
)

from accounts.models import User
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
    their time off and their extra hours there; with ``therapists`` asked, the clinic's active
    therapists who have weekly availability there, ``(pk, first, last, email)``."""

    tz: ZoneInfo
    first: datetime.date
    last: datetime.date
    hours: list[slots.Weekly] = field(default_factory=list)
    closures: list[datetime.date] = field(default_factory=list)
    weekly: dict = field(default_factory=lambda: defaultdict(list))
    time_off: dict = field(default_factory=lambda: defaultdict(list))
    extra: dict = field(default_factory=lambda: defaultdict(list))
    therapists: dict = field(default_factory=dict)

    def clinic_open(self) -> list[slots.Interval]:
        """When the location is open (its hours, minus its closures)."""
        return slots.clinic_open_intervals(
            first=self.first,
            last=self.last,
            tz=self.tz,
            clinic_hours=self.hours,
            closures=self.closures,
        )

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


# What each row of ``working_time``'s one statement is; its columns: which, therapist,
# weekday, date, start, end, exception kind, exception location, then (``therapists``
# asked) whether the therapist is one of the clinic's active ones and their name.
HOURS, CLOSURE, WEEKLY, EXCEPTION = range(4)


def _nothing(output_field):
    # An untyped NULL: PostgreSQL takes its type from a SELECT before it in the union (see
    # ``working_time``'s order); a Cast costs the ORM more than the statement it saves.
    return Value(None, output_field=output_field)


# The union's columns and their types, made once (a field's constructor is dear: four
# SELECTs a statement, a statement on every calendar and slot page).
_COLUMNS = {
    "who": IntegerField(),
    "weekday": IntegerField(),
    "day": DateField(),
    "begins": TimeField(),
    "ends": TimeField(),
    "kind": CharField(),
    "place": IntegerField(),
}
_NAME_COLUMNS = {
    **_COLUMNS,
    "active": BooleanField(),
    "first": CharField(),
    "last": CharField(),
    "email": CharField(),
}


def _shaped(rows, *, which, names, **columns):
    """``rows`` as one SELECT of the union: the columns given, a typed NULL for the rest."""
    blank = _NAME_COLUMNS if names else _COLUMNS
    # Named apart from the models' fields (an annotation may not take a field's name).
    shaped = {"row_which": Value(which)} | {
        f"row_{name}": columns[name] if name in columns else _nothing(output_field)
        for name, output_field in blank.items()
    }
    return rows.order_by().annotate(**shaped).values_list(*shaped)


def working_time(
    *,
    location: Location,
    therapist_ids: Iterable[int] | None,
    first: datetime.date,
    last: datetime.date,
    therapists: bool = False,
) -> WorkingTime:
    """The working time at ``location`` from ``first`` to ``last`` (local dates) of
    ``therapist_ids``, or of every therapist with None. One query (a ``UNION ALL`` of the four
    reads), whatever the number of therapists; plain values, not model rows (this runs on
    every slot and calendar page). ``therapists``: also the clinic's active therapists
    (``User.objects.active_therapists``) with weekly availability there, read with their
    availability."""
    read = WorkingTime(tz=ZoneInfo(location.time_zone), first=first, last=last)
    rows = _working_time_rows(
        location=location,
        therapist_ids=therapist_ids,
        first=first,
        last=last,
        names=_therapist_names(location.clinic_id) if therapists else None,
    )
    for row in rows:
        _add(read, row, location.pk)
    return read


def _therapist_names(clinic_id: int) -> dict:
    """The columns ``therapists`` adds to the weekly availability's rows: whether the therapist
    is one of the clinic's active ones (``User.objects.active_therapists``), and their name and
    email."""
    active = (
        User.objects.active_therapists(clinic_id).order_by().filter(pk=OuterRef("therapist_id"))
    )
    return {
        "active": Exists(active),
        "first": F("therapist__first_name"),
        "last": F("therapist__last_name"),
        "email": F("therapist__email"),
    }


def _working_time_rows(
    *,
    location: Location,
    therapist_ids: Iterable[int] | None,
    first: datetime.date,
    last: datetime.date,
    names: dict | None,
):
    """``working_time``'s one statement: exceptions, weekly availability, hours and closures
    as one ``UNION ALL``, each SELECT shaped to the same columns (``_shaped``)."""
    clinic_id = location.clinic_id
    weekly = TherapistAvailability.objects.filter(clinic_id=clinic_id, location=location)
    exceptions = AvailabilityException.objects.filter(
        clinic_id=clinic_id, date__range=(first, last)
    )
    if therapist_ids is not None:
        therapist_ids = list(therapist_ids)
        weekly = weekly.filter(therapist_id__in=therapist_ids)
        exceptions = exceptions.filter(therapist_id__in=therapist_ids)
    time = {"begins": F("start"), "ends": F("end")}
    shaped = functools.partial(_shaped, names=names is not None)
    hours = ClinicHours.objects.filter(clinic_id=clinic_id, location=location)
    closures = ClinicClosure.objects.filter(
        clinic_id=clinic_id, location=location, date__range=(first, last)
    )
    # Exceptions and availability first: PostgreSQL types each NULL of the union's columns
    # from the SELECTs before it, and these two have a value in every column between them.
    return shaped(
        exceptions,
        which=EXCEPTION,
        who=F("therapist_id"),
        day=F("date"),
        kind=F("kind"),
        place=F("location_id"),
        **time,
    ).union(
        shaped(
            weekly, which=WEEKLY, who=F("therapist_id"), weekday=F("weekday"), **time, **names or {}
        ),
        shaped(hours, which=HOURS, weekday=F("weekday"), **time),
        shaped(closures, which=CLOSURE, day=F("date")),
        all=True,
    )


def _add(read: WorkingTime, row: tuple, location_id: int) -> None:
    """One row of ``working_time``'s statement into ``read``."""
    which, who, weekday, day, start, end, kind, place = row[:8]
    if which == HOURS:
        read.hours.append(slots.Weekly(weekday, start, end))
    elif which == CLOSURE:
        read.closures.append(day)
    elif which == WEEKLY:
        read.weekly[who].append(slots.Weekly(weekday, start, end))
        if len(row) > 8 and row[8]:
            read.therapists[who] = row[9:]
    elif kind == AvailabilityException.Kind.TIME_OFF:
        read.time_off[who].append(slots.Dated(day, start, end))
    elif place == location_id:
        read.extra[who].append(slots.Dated(day, start, end))


def working_intervals(
    *,
    location: Location,
    therapist_ids: Iterable[int],
    first: datetime.date,
    last: datetime.date,
) -> dict[int, list[slots.Interval]]:
    """For each therapist, when they work at ``location`` from ``first`` to ``last`` (local
    dates), within its clinic hours. One query, whatever the number of therapists."""
    therapist_ids = list(therapist_ids)
    read = working_time(location=location, therapist_ids=therapist_ids, first=first, last=last)
    return {therapist_id: read.intervals(therapist_id) for therapist_id in therapist_ids}


def clinic_hours_intervals(
    *, location: Location, first: datetime.date, last: datetime.date
) -> list[slots.Interval]:
    """When the location is open from ``first`` to ``last``."""
    hours = [
        slots.Weekly(row.weekday, row.start, row.end)
        for row in ClinicHours.objects.filter(clinic_id=location.clinic_id, location=location)
    ]
    closures = ClinicClosure.objects.filter(
        clinic_id=location.clinic_id, location=location, date__range=(first, last)
    ).values_list("date", flat=True)
    return slots.clinic_open_intervals(
        first=first,
        last=last,
        tz=ZoneInfo(location.time_zone),
        clinic_hours=hours,
        closures=closures,
    )


def bookable_slots(**kwargs) -> dict[int, list[datetime.datetime]]:
    """``bookable_seconds`` (its arguments) as aware datetimes."""
    return {
        therapist_id: [slots.from_seconds(start) for start in starts]
        for therapist_id, starts in bookable_seconds(**kwargs).items()
    }


def bookable_seconds(
    *,
    location: Location,
    therapist_ids: Iterable[int],
    patient_id: int | None,
    duration: datetime.timedelta,
    now: datetime.datetime,
    notice: datetime.timedelta = datetime.timedelta(0),
    horizon: datetime.timedelta = datetime.timedelta(days=28),
    step: datetime.timedelta = datetime.timedelta(minutes=15),
) -> dict[int, list[int]]:
    """For each therapist, the starts (epoch seconds) at which an appointment of ``duration``
    fits at ``location``: in hours and availability, clear of the therapist's and the
    patient's appointments, between ``now + notice`` and ``now + horizon``. Two queries,
    whatever the number of therapists (for the portal's requests). The FHIR Slot search
    takes the seconds as they are: a datetime per start costs more than the rule."""
    therapist_ids = list(therapist_ids)
    if duration <= datetime.timedelta(0) or step <= datetime.timedelta(0):
        raise ValueError("duration and step must be positive")
    earliest, latest = now + notice, now + horizon
    offered = _offered_for(
        location=location,
        therapist_ids=therapist_ids,
        patient_id=patient_id,
        duration=duration,
        step=step,
        earliest=earliest,
        latest=latest,
    )
    return {therapist_id: offered(therapist_ids=[therapist_id]) for therapist_id in therapist_ids}


def _offered_for(
    *,
    location: Location,
    therapist_ids: list[int],
    patient_id: int | None,
    duration: datetime.timedelta,
    step: datetime.timedelta,
    earliest: datetime.datetime,
    latest: datetime.datetime,
):
    """``slots.offered_starts`` with every input but the therapists read (two queries): the
    working time of the local days ``earliest`` to the day after ``latest``, and the
    appointments a start from ``earliest`` to ``latest`` can touch."""
    tz = ZoneInfo(location.time_zone)
    first = earliest.astimezone(tz).date()
    last = latest.astimezone(tz).date() + datetime.timedelta(days=1)
    read = working_time(location=location, therapist_ids=therapist_ids, first=first, last=last)
    # Only the appointments a slot can touch: a slot starts from now + notice to now + horizon
    # and lasts ``duration`` (the whole days around it would be read and parsed for nothing).
    busy, patient_busy = busy_seconds(
        clinic_id=location.clinic_id,
        therapist_ids=therapist_ids,
        patient_id=patient_id,
        start=earliest,
        end=latest + duration,
    )
    # On epoch seconds, as the portal's week page computes them (``slots.offered_starts``,
    # the same starts as ``slots.slots`` on datetimes: tests/scheduling/
    # test_request_slots_property.py), one therapist at a time.
    return functools.partial(
        slots.offered_starts,
        clock=slots.WallClock(tz, first, last),
        first=first,
        last=last,
        clinic_hours=read.hours,
        closures=read.closures,
        availability=read.weekly,
        time_off=read.time_off,
        extra=read.extra,
        busy=busy,
        patient_busy=patient_busy,
        duration=int(duration.total_seconds()),
        step=int(step.total_seconds()),
        earliest=slots.to_seconds_up(earliest),
        latest=slots.to_seconds(latest),
    )


# --- The same inputs as plain values, for the portal's week of slots (slots.offered_starts) ----


@dataclass
class SlotInputs:
    """What ``slots.offered_starts`` computes from: the location's weekly hours and closed
    days, each therapist's weekly availability, time off and extra hours at the location
    (wall-clock values, read as ``working_intervals`` reads them), and the appointments of
    each therapist and of the patient (``busy_seconds``: epoch seconds, half open)."""

    clinic_hours: list[slots.Weekly]
    closures: list[datetime.date]
    availability: dict[int, list[slots.Weekly]]
    time_off: dict[int, list[slots.Dated]]
    extra: dict[int, list[slots.Dated]]
    busy: dict[int, list[slots.Seconds]]
    patient_busy: list[slots.Seconds]


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
    # The four reads of ``working_time`` (its one statement), wall-clock values; its time
    # zone is not used here (the caller has its WallClock).
    location = Location(pk=location_id, clinic_id=clinic_id, time_zone="UTC")
    read = working_time(location=location, therapist_ids=therapist_ids, first=first, last=last)
    inputs.clinic_hours, inputs.closures = read.hours, read.closures
    for name in ("availability", "time_off", "extra"):
        getattr(inputs, name).update(getattr(read, "weekly" if name == "availability" else name))
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
    """In epoch seconds, the appointments (not cancelled) overlapping
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
