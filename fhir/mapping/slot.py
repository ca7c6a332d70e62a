"""Slot ← what the portal offers, computed, never stored: a ``free`` Slot is a start at which
the slot rule the portal uses (``scheduling.reads.availability.bookable_slots`` inside the
clinic's request window, ``scheduling.services.requests.request_window``, on its 15-minute
grid) fits a visit of the Slot's length for that Schedule's therapist at its location; a
``busy`` Slot is one of the therapist's appointments there (``not_cancelled().overlapping``).

A Slot lasts the default duration of the ``appointment-type`` asked for, or 15 minutes; free
Slots of one Schedule may overlap (a 45-minute visit may start at 9:00 or 9:15). Search only:
a Slot has no row to read by id.
"""

import datetime
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
from scheduling.reads.availability import bookable_slots
from scheduling.services.requests import STEP, request_window

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


def window(
    state: Search, ctx, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """The span the Slots start in: the ``start`` values asked for (a week from the earliest
    start the portal offers when none), inside the clinic's request window."""
    earliest, latest = request_window(ctx.clinic, now)
    lower, upper = date_range(state.bounds)
    start = lower or earliest
    end = upper or max(start, earliest) + DEFAULT_SPAN
    if end - start > MAX_SPAN:
        raise bad_request(
            "start: ask for at most 31 days of Slots at a time, "
            "such as start=ge2026-12-07&start=lt2026-12-14."
        )
    return max(start, earliest), min(end, latest)


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
        """Every Slot of the search, by start: ``(start, end, status, therapist, location)``."""
        now = ctx.clinic.now().astimezone(datetime.UTC)
        start, end = window(state, ctx, now)
        if end <= start or not state.statuses & {"free", "busy"}:
            return []
        # Free and busy times only of active therapists (the portal's ``who_may_take`` offers
        # no one else) at active locations.
        working = User.objects.for_clinic(ctx.clinic).filter(is_active=True).therapists()
        pairs = list(
            state.schedules.filter(
                therapist_id__in=working.values("pk"),
                location_id__in=Location.objects.for_clinic(ctx.clinic).active().values("pk"),
            )
            .order_by("therapist_id", "location_id")
            .values_list("therapist_id", "location_id")
            .distinct()
        )
        by_location = defaultdict(list)
        for therapist_id, location_id in pairs:
            by_location[location_id].append(therapist_id)
        minutes = state.appointment_type.default_duration_minutes if state.appointment_type else 15
        duration = datetime.timedelta(minutes=minutes)
        found = []
        for location in Location.objects.for_clinic(ctx.clinic).filter(pk__in=list(by_location)):
            therapist_ids = by_location[location.pk]
            if "free" in state.statuses:
                offered = bookable_slots(
                    location=location, therapist_ids=therapist_ids, patient_id=None,
                    duration=duration, now=now, notice=start - now, horizon=end - now, step=STEP,
                )  # fmt: skip
                for therapist_id, starts in offered.items():
                    found.extend(
                        (s, s + duration, "free", therapist_id, location) for s in starts if s < end
                    )
            if "busy" in state.statuses:
                busy = (
                    Appointment.objects.for_clinic(ctx.clinic)
                    .filter(location=location, therapist_id__in=therapist_ids)
                    .not_cancelled()
                    .overlapping(start, end)
                    .order_by()
                    .values_list("start", "end", "therapist_id", "pk")
                )
                found.extend((s, e, f"busy:{pk}", t, location) for s, e, t, pk in busy)
        found.sort(key=lambda slot: (slot[0], slot[3], slot[2]))
        return found

    def render(self, rows, ctx):
        return [self._slot(row, ctx) for row in rows]

    def _slot(self, row, ctx) -> dict:
        start, end, status, therapist_id, location = row
        tz = location.tzinfo
        schedule = f"{therapist_id}-{location.pk}"
        if status == "free":
            minutes = int((end - start).total_seconds() // 60)
            slot_id = f"{schedule}-{start:%Y%m%dT%H%M}Z-{minutes}"
        else:
            slot_id = f"{schedule}-a{status.partition(':')[2]}"
            status = "busy"
        body = {
            "resourceType": "Slot",
            "id": slot_id,
            "schedule": {"reference": f"Schedule/{schedule}"},
            "status": status,
            "start": instant(start, tz),
            "end": instant(end, tz),
        }
        appointment_type = ctx.cache.get("slot_appointment_type")
        if appointment_type is not None and status == "free":
            body["appointmentType"] = concept(
                APPOINTMENT_TYPE_SYSTEM, appointment_type.pk, appointment_type.name
            )
        # No meta: a computed Slot has no version of its own; its id says what it is.
        return body


RESOURCE = SlotResource()
