"""Schedule ← a therapist's working week at one location (``TherapistAvailability``): id
``<therapist id>-<location id>``, its actors the Practitioner and the Location. Who sees which
is ``TherapistAvailability.objects.visible_to`` (a therapist: their own)."""

from django.db.models import Prefetch, Q

from accounts.models import User
from clinic.models import ServiceType
from fhir.errors import bad_request, not_found
from fhir.mapping.base import (
    SERVICE_TYPE_SYSTEM,
    ModelResource,
    SearchParam,
    ref_ids,
    reference,
    token_ids,
    with_meta,
)
from fhir.mapping.healthcare_service import service_type_concepts
from fhir.params import parse_int_id
from scheduling.models import Location, TherapistAvailability


def parse_schedule_id(text: str) -> tuple[int, int] | None:
    therapist, dash, location = text.partition("-")
    pair = (parse_int_id(therapist), parse_int_id(location))
    return pair if dash and None not in pair else None


def schedule_ids(name: str, refs) -> list[tuple[int, int]]:
    pairs = []
    for ref in refs:
        if ref.resource_type not in (None, "Schedule"):
            raise bad_request(f"{name}: name a Schedule, as Schedule/3-1.")
        pair = parse_schedule_id(ref.id)
        if pair is None:
            raise bad_request(f"{name}: {ref.id!r} is not a Schedule id (therapist-location).")
        pairs.append(pair)
    return pairs


def pairs_q(pairs) -> Q:
    condition = Q(pk__in=[])
    for therapist_id, location_id in pairs:
        condition |= Q(therapist_id=therapist_id, location_id=location_id)
    return condition


def _actor(rows, refs, ctx):
    condition = Q(pk__in=[])
    for ref in refs:
        kind = ref.resource_type if ref.resource_type in ("Practitioner", "Location") else None
        ids = ref_ids("actor", [ref], kind or "Practitioner")
        field = "location_id" if kind == "Location" else "therapist_id"
        condition |= Q(**{f"{field}__in": ids})
    return rows.filter(condition)


def _active(rows, value, ctx):
    both = Q(therapist__is_active=True, location__is_active=True)
    return rows.filter(both if value else ~both)


def _service_type(rows, tokens, ctx):
    ids = token_ids("service-type", tokens, SERVICE_TYPE_SYSTEM)
    return rows.filter(therapist__service_types__in=ids)


SCHEDULE_PARAMS = {
    p.name: p
    for p in (
        SearchParam(
            "actor",
            "reference",
            _actor,
            "The therapist or the location",
            targets=("Practitioner", "Location"),
        ),
        SearchParam("active", "boolean", _active, "Whether therapist and location are active"),
        SearchParam(
            "service-type",
            "token",
            _service_type,
            f"A service type of the therapist ({SERVICE_TYPE_SYSTEM})",
        ),
    )
}


def load_schedules(ctx, pairs) -> list[dict]:
    """The Schedules of ``pairs`` as FHIR, therapists and locations read once each."""
    therapist_ids = {t for t, _ in pairs}
    location_ids = {loc for _, loc in pairs}
    therapists = User.objects.filter(
        clinic_id=ctx.clinic.pk, pk__in=therapist_ids
    ).prefetch_related(Prefetch("service_types", ServiceType.objects.order_by("name", "pk")))
    therapists = {t.pk: t for t in therapists}
    locations = {
        loc.pk: loc for loc in Location.objects.for_clinic(ctx.clinic).filter(pk__in=location_ids)
    }
    return [_schedule(therapists[t], locations[loc]) for t, loc in pairs]


def _schedule(therapist, location) -> dict:
    body = {
        "resourceType": "Schedule",
        "id": f"{therapist.pk}-{location.pk}",
        "active": therapist.is_active and location.is_active,
        "serviceType": service_type_concepts(therapist.service_types.all()),
        "actor": [
            reference("Practitioner", therapist.pk, str(therapist)),
            reference("Location", location.pk, location.name),
        ],
        "comment": f"When {therapist} works at {location.name}",
    }
    return with_meta(body, version=None, last_updated=None)


class ScheduleResource(ModelResource):
    resource_type = "Schedule"
    params = SCHEDULE_PARAMS

    def rows(self, ctx):
        return ctx.access.visible(TherapistAvailability.objects)

    def filter_ids(self, state, ids, ctx):
        pairs = [p for p in map(parse_schedule_id, ids) if p is not None]
        return state.filter(pairs_q(pairs))

    def page(self, state, ctx, offset, count):
        pairs = (
            state.order_by("therapist_id", "location_id")
            .values_list("therapist_id", "location_id")
            .distinct()
        )
        total = pairs.count()
        return total, list(pairs[offset : offset + count]) if total > offset else []

    def read(self, ctx, resource_id):
        pair = parse_schedule_id(resource_id)
        if pair is None or not self.rows(ctx).filter(pairs_q([pair])).exists():
            raise not_found(self.resource_type, resource_id)
        return pair

    def object_of(self, row):
        return ("fhir api", f"{row[0]}-{row[1]}")

    def render(self, rows, ctx):
        return load_schedules(ctx, rows) if rows else []

    def to_fhir(self, row, ctx):
        return load_schedules(ctx, [row])[0]


RESOURCE = ScheduleResource()
