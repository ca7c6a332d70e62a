"""Slot ← what the portal offers, computed, never stored: a ``free`` Slot is a start at which
the slot rule the portal uses (``scheduling.reads.availability.bookable_slots`` inside the
clinic's request window, ``scheduling.services.requests.request_window``, on its 15-minute
grid) fits a visit of the Slot's length for that Schedule's therapist at its location; a
``busy`` Slot is one of the therapist's appointments there (``not_cancelled().overlapping``)
that overlaps the span searched, with its own start and end: the request window's notice and
horizon are about what a patient may ask for, not about when the therapist is taken.

A Slot lasts the default duration of the ``appointment-type`` asked for, or 15 minutes; free
Slots of one Schedule may overlap (a 45-minute visit may start at 9:00 or 9:15). Search only:
a Slot has no row to read by id.
"""

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass, replace

from accounts.models import User
from clinic.models import AppointmentType
from fhir.errors import bad_request
from fhir.mapping.base import (
    APPOINTMENT_TYPE_SYSTEM,
    ModelResource,
    SearchParam,
    concept,
    instant,
    token_ids,
)
from fhir.mapping.schedule import SCHEDULE_PARAMS, pairs_q, schedule_ids
from fhir.params import DateBound, date_range
from scheduling.models import Appointment, Location, TherapistAvailability
from scheduling.reads.availability import EpochSeconds, bookable_seconds
from scheduling.services.request_rules import STEP, request_window
from scheduling.slots import to_seconds_up

DEFAULT_SPAN = datetime.timedelta(days=7)
MAX_SPAN = datetime.timedelta(days=31)
STATUSES = {"free", "busy", "busy-unavailable", "busy-tentative", "entered-in-error"}


@dataclass(frozen=True)
class Search:
    schedules: object
    bounds: tuple[DateBound, ...] = ()
    statuses: frozenset = frozenset({"free", "busy"})
    appointment_type: object = None


def _schedule(state, refs, ctx):
    return replace(state, schedules=state.schedules.filter(pairs_q(schedule_ids("schedule", refs))))


def _start(state, bounds, ctx):
    if any(b.prefix == "ne" for b in bounds):
        raise bad_request("start: the prefix 'ne' is not supported for Slot.", code="not-supported")
    return replace(state, bounds=state.bounds + tuple(bounds))


def _status(state, tokens, ctx):
    codes = {t.code for t in tokens}
    unknown = codes - STATUSES
    if unknown:
        raise bad_request(f"status: {sorted(unknown)[0]!r} is not a Slot status.")
    return replace(state, statuses=state.statuses & codes)


def _appointment_type(state, tokens, ctx):
    ids = token_ids("appointment-type", tokens, APPOINTMENT_TYPE_SYSTEM)
    if len(ids) != 1:
        raise bad_request(
            "appointment-type: name one appointment type, whose length the Slots have."
        )
    kind = AppointmentType.objects.for_clinic(ctx.clinic).filter(pk=ids[0]).first()
    if kind is None:
        raise bad_request(f"appointment-type: {ids[0]} is not an appointment type of the clinic.")
    ctx.cache["slot_appointment_type"] = kind
    return replace(state, appointment_type=kind)


def _schedule_param(name):
    param = SCHEDULE_PARAMS[name]

    def apply(state, value, ctx):
        return replace(state, schedules=param.apply(state.schedules, value, ctx))

    return replace(param, apply=apply, doc=f"{param.doc} (of the Schedule)")


@dataclass(frozen=True)
class Window:
    """The span searched (busy Slots overlap it) and, inside the clinic's request window, the
    span free Slots start in."""

    start: datetime.datetime
    end: datetime.datetime
    free_start: datetime.datetime
    free_end: datetime.datetime


def window(state: Search, ctx, now: datetime.datetime) -> Window:
    """The ``start`` values asked for; when none, from now to a week after the earliest start
    the portal offers. Free Slots start inside the clinic's request window too."""
    earliest, latest = request_window(ctx.clinic, now)
    lower, upper = date_range(state.bounds)
    first = lower or earliest
    end = upper or max(first, earliest) + DEFAULT_SPAN
    if end - first > MAX_SPAN:
        raise bad_request(
            "start: ask for at most 31 days of Slots at a time, "
            "such as start=ge2026-12-07&start=lt2026-12-14."
        )
    return Window(
        start=lower or now, end=end, free_start=max(first, earliest), free_end=min(end, latest)
    )


class SlotResource(ModelResource):
    resource_type = "Slot"
    interactions = ("search-type",)
    params = {
        p.name: p
        for p in (
            SearchParam(
                "schedule",
                "reference",
                _schedule,
                "The Schedule (therapist-location)",
                targets=("Schedule",),
            ),
            SearchParam(
                "start", "date", _start, "The start (at most 31 days; a week if not given)"
            ),
            SearchParam("status", "token", _status, "free or busy"),
            SearchParam(
                "appointment-type",
                "token",
                _appointment_type,
                "The appointment type whose default length the Slots have (else 15 minutes)",
            ),
            _schedule_param("service-type"),
        )
    }

    def start(self, ctx):
        return Search(schedules=ctx.access.visible(TherapistAvailability.objects))

    def filter_ids(self, state, ids, ctx):
        raise bad_request(
            "_id: Slots are computed and cannot be searched by id.", code="not-supported"
        )

    def read(self, ctx, resource_id):
        raise bad_request(
            "A Slot cannot be read by id: search for Slots instead.", code="not-supported"
        )

    def page(self, state, ctx, offset, count):
        slots = self.compute(state, ctx)
        return len(slots), slots[offset : offset + count]

    def compute(self, state, ctx) -> list[tuple]:
        """Every Slot of the search, in order: ``(start, therapist, status, end, location id,
        location)``, no two alike before the location (which does not compare). Start and end
        are epoch seconds: a datetime each for a week's 2,000 Slots cost more than the slot
        rule, so ``render`` makes them for the page only. Queries: the pairs, the slot rule's
        two a location (``bookable_seconds``), the busy appointments."""
        now = ctx.clinic.now().astimezone(datetime.UTC)
        span = window(state, ctx, now)
        free = "free" in state.statuses and span.free_start < span.free_end
        busy = "busy" in state.statuses and span.start < span.end
        if not (free or busy):
            return []
        # Free and busy times only of the clinic's active therapists (the portal's
        # ``who_may_take`` offers no one else) at active locations; each location's time zone
        # read with its pairs (all that the slot rule and the Slots' offsets need of it).
        working = User.objects.active_therapists(ctx.clinic.pk).order_by()
        pairs = list(
            state.schedules.filter(
                therapist_id__in=working.values("pk"),
                location_id__in=Location.objects.for_clinic(ctx.clinic).active().values("pk"),
            )
            .order_by("therapist_id", "location_id")
            .values_list("therapist_id", "location_id", "location__time_zone")
            .distinct()
        )
        locations, by_location = {}, defaultdict(list)
        for therapist_id, location_id, time_zone in pairs:
            locations.setdefault(
                location_id, Location(pk=location_id, clinic=ctx.clinic, time_zone=time_zone)
            )
            by_location[location_id].append(therapist_id)
        minutes = state.appointment_type.default_duration_minutes if state.appointment_type else 15
        duration = datetime.timedelta(minutes=minutes)
        length, before = minutes * 60, to_seconds_up(span.free_end)
        found = []
        for location_id, therapist_ids in by_location.items() if free else ():
            location = locations[location_id]
            offered = bookable_seconds(
                location=location, therapist_ids=therapist_ids, patient_id=None,
                duration=duration, now=now, notice=span.free_start - now,
                horizon=span.free_end - now, step=STEP,
            )  # fmt: skip
            for therapist_id, starts in offered.items():
                found.extend(
                    (start, therapist_id, "free", start + length, location_id, location)
                    for start in starts
                    if start < before
                )
        if busy and pairs:
            found.extend(self._busy(ctx, span, pairs, locations))
        found.sort()
        return found

    def _busy(self, ctx, span: Window, pairs, locations) -> list[tuple]:
        """The appointments of the pairs overlapping the span, as they are: one query for
        every location. Rounded down to the second, as a Slot shows its times."""
        wanted = {(therapist_id, location_id) for therapist_id, location_id, _ in pairs}
        rows = (
            Appointment.objects.for_clinic(ctx.clinic)
            .filter(
                location_id__in=list(locations),
                therapist_id__in={therapist_id for therapist_id, _ in wanted},
            )
            .not_cancelled()
            .overlapping(span.start, span.end)
            .order_by()
            .values_list(
                "therapist_id", "location_id", "pk", EpochSeconds("start"), EpochSeconds("end")
            )
        )
        return [
            (start, therapist_id, f"busy:{pk}", end, location_id, locations[location_id])
            for therapist_id, location_id, pk, start, end in rows
            if (therapist_id, location_id) in wanted
        ]

    def render(self, rows, ctx):
        return [self._slot(row, ctx) for row in rows]

    def _slot(self, row, ctx) -> dict:
        start, therapist_id, status, end, _, location = row
        tz = location.tzinfo
        schedule = f"{therapist_id}-{location.pk}"
        if status == "free":
            utc = time.strftime("%Y%m%dT%H%M", time.gmtime(start))
            slot_id = f"{schedule}-{utc}Z-{(end - start) // 60}"
        else:
            slot_id = f"{schedule}-a{status.partition(':')[2]}"
            status = "busy"
        body = {
            "resourceType": "Slot",
            "id": slot_id,
            "schedule": {"reference": f"Schedule/{schedule}"},
            "status": status,
            # Straight from the seconds to the clinic's clock: a third of the time of a UTC
            # datetime moved there, on every Slot of the page.
            "start": instant(datetime.datetime.fromtimestamp(start, tz), tz),
            "end": instant(datetime.datetime.fromtimestamp(end, tz), tz),
        }
        appointment_type = ctx.cache.get("slot_appointment_type")
        if appointment_type is not None and status == "free":
            body["appointmentType"] = concept(
                APPOINTMENT_TYPE_SYSTEM, appointment_type.pk, appointment_type.name
            )
        # No meta: a computed Slot has no version of its own; its id says what it is.
        return body


RESOURCE = SlotResource()
