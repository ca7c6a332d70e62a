"""Appointment ← scheduling.Appointment, and ← scheduling.AppointmentRequest while it waits
for the front desk (status ``pending``; id ``req-<id>``).

Who sees what is ``Appointment.objects.visible_to`` and ``AppointmentRequest.objects
.visible_to``; a search lists a request while it is live (``AppointmentRequest.objects.live``,
the queue's own rule). Read by id, a request that was decided says so: ``booked`` (pointing at
its appointment) once approved, ``cancelled`` once declined, cancelled or expired. R4's
Appointment has no episode element, so ``supportingInformation`` points at the EpisodeOfCare.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, Value

from cases.models import PatientCaseServiceType
from clinic.models import ServiceType
from fhir.errors import bad_request, not_found
from fhir.mapping.base import (
    APPOINTMENT_TYPE_SYSTEM,
    SERVICE_TYPE_SYSTEM,
    ModelResource,
    SearchParam,
    concept,
    instant,
    last_changed,
    moment_q,
    ref_ids,
    reference,
    token_codes,
    token_ids,
    with_meta,
)
from fhir.mapping.healthcare_service import service_type_concepts
from fhir.params import parse_int_id
from scheduling.models import Appointment, AppointmentRequest

S = Appointment.Status
STATUS = {
    S.SCHEDULED: "booked",
    S.CHECKED_IN: "arrived",
    S.COMPLETED: "fulfilled",
    S.PATIENT_CANCELLED: "cancelled",
    S.CLINIC_CANCELLED: "cancelled",
    S.NO_SHOW: "noshow",
}
FHIR_STATUSES = {
    "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
    "entered-in-error", "checked-in", "waitlist",
}  # fmt: skip
STATUS_SYSTEM = "http://hl7.org/fhir/appointmentstatus"
REQUEST_PREFIX = "req-"


@dataclass(frozen=True)
class Search:
    """A search runs over both tables with the same conditions."""

    appointments: object
    requests: object

    def filter(self, *args, **kwargs) -> "Search":
        return Search(
            self.appointments.filter(*args, **kwargs), self.requests.filter(*args, **kwargs)
        )


def _patient(state, refs, ctx):
    return state.filter(patient_id__in=ref_ids("patient", refs, "Patient"))


def _practitioner(state, refs, ctx):
    return state.filter(therapist_id__in=ref_ids("practitioner", refs, "Practitioner"))


ACTOR_FIELDS = {"Patient": "patient_id", "Practitioner": "therapist_id", "Location": "location_id"}


def _actor(state, refs, ctx):
    condition = Q(pk__in=[])
    for ref in refs:
        if ref.resource_type not in ACTOR_FIELDS:
            raise bad_request(
                f"actor: name the kind of actor, as Patient/12, Practitioner/3 or Location/1 "
                f"(was {ref.resource_type or ref.id!r})."
            )
        ids = ref_ids("actor", [ref], ref.resource_type)
        condition |= Q(**{f"{ACTOR_FIELDS[ref.resource_type]}__in": ids})
    return state.filter(condition)


def _date(state, bounds, ctx):
    for bound in bounds:
        state = state.filter(moment_q("start", bound))
    return state


def _status(state, tokens, ctx):
    codes = set(token_codes("status", tokens, STATUS_SYSTEM))
    unknown = codes - FHIR_STATUSES
    if unknown:
        raise bad_request(f"status: {sorted(unknown)[0]!r} is not an Appointment status.")
    ours = [mine for mine, theirs in STATUS.items() if theirs in codes]
    requests = state.requests if "pending" in codes else state.requests.none()
    return Search(state.appointments.filter(status__in=ours), requests)


def _service_type(state, tokens, ctx):
    links = PatientCaseServiceType.objects.filter(
        clinic_id=ctx.clinic.pk,
        case_id=OuterRef("chart_case__case_id"),
        service_type_id__in=token_ids("service-type", tokens, SERVICE_TYPE_SYSTEM),
    )
    return state.filter(Exists(links))


def _appointment_type(state, tokens, ctx):
    ids = token_ids("appointment-type", tokens, APPOINTMENT_TYPE_SYSTEM)
    return state.filter(appointment_type_id__in=ids)


def _prefetched(queryset):
    return (
        queryset.select_related(
            "patient", "chart_case__case", "appointment_type", "therapist", "location"
        )
        .prefetch_related(
            Prefetch("chart_case__case__service_types", ServiceType.objects.order_by("name", "pk"))
        )
        .order_by()
    )


class AppointmentResource(ModelResource):
    resource_type = "Appointment"
    params = {
        p.name: p
        for p in (
            SearchParam("patient", "reference", _patient, "The patient", targets=("Patient",)),
            SearchParam(
                "practitioner",
                "reference",
                _practitioner,
                "The therapist",
                targets=("Practitioner",),
            ),
            SearchParam(
                "actor",
                "reference",
                _actor,
                "The patient, therapist or location",
                targets=tuple(ACTOR_FIELDS),
            ),
            SearchParam("date", "date", _date, "The start"),
            SearchParam(
                "status",
                "token",
                _status,
                "booked, arrived, fulfilled, cancelled, noshow; pending for requests",
            ),
            SearchParam(
                "service-type",
                "token",
                _service_type,
                f"A service type of the case ({SERVICE_TYPE_SYSTEM})",
            ),
            SearchParam(
                "appointment-type",
                "token",
                _appointment_type,
                f"The appointment type ({APPOINTMENT_TYPE_SYSTEM})",
            ),
        )
    }

    def start(self, ctx):
        access = ctx.access
        return Search(
            access.visible(Appointment.objects),
            access.visible(AppointmentRequest.objects).live(ctx.clinic),
        )

    def filter_ids(self, state, ids, ctx):
        appointment_ids = [i for i in map(parse_int_id, ids) if i is not None]
        request_ids = [
            i
            for i in (
                parse_int_id(x[len(REQUEST_PREFIX) :]) for x in ids if x.startswith(REQUEST_PREFIX)
            )
            if i is not None
        ]
        return Search(
            state.appointments.filter(pk__in=appointment_ids),
            state.requests.filter(pk__in=request_ids),
        )

    def page(self, state, ctx, offset, count):
        """One list of both, by start: the union of their keys gives the page and the total,
        then each table's rows of the page are read shaped for display."""
        keys = (
            state.appointments.order_by().annotate(kind=Value(0)).values_list("start", "kind", "pk")
        )
        keys = keys.union(
            state.requests.order_by().annotate(kind=Value(1)).values_list("start", "kind", "pk"),
            all=True,
        )
        total = keys.count()
        if total <= offset:
            return total, []
        shown = list(keys.order_by("start", "kind", "pk")[offset : offset + count])
        appointments = {
            row.pk: row
            for row in self._appointments(ctx).filter(pk__in=[pk for _, k, pk in shown if k == 0])
        }
        requests = {
            row.pk: row
            for row in self._requests(ctx).filter(pk__in=[pk for _, k, pk in shown if k == 1])
        }
        return total, [(appointments if k == 0 else requests)[pk] for _, k, pk in shown]

    def _appointments(self, ctx):
        return _prefetched(ctx.access.visible(Appointment.objects)).annotate(
            changed_at=last_changed("appointment")
        )

    def _requests(self, ctx):
        return _prefetched(ctx.access.visible(AppointmentRequest.objects)).annotate(
            changed_at=last_changed("appointment request")
        )

    def read(self, ctx, resource_id):
        if resource_id.startswith(REQUEST_PREFIX):
            pk, rows = parse_int_id(resource_id[len(REQUEST_PREFIX) :]), self._requests(ctx)
        else:
            pk, rows = parse_int_id(resource_id), self._appointments(ctx)
        row = rows.filter(pk=pk).first() if pk is not None else None
        if row is None:
            raise not_found(self.resource_type, resource_id)
        return row

    def patient_of(self, row):
        return row.patient

    def to_fhir(self, row, ctx) -> dict:
        if isinstance(row, AppointmentRequest):
            return self._request(row, ctx)
        status = STATUS[row.status]
        body = self._common(row, ctx, str(row.pk), status, participant="accepted")
        if status == "cancelled":
            body["cancelationReason"] = {"text": row.cancel_reason or row.get_status_display()}
        return self._meta(body, row)

    def _request(self, row, ctx) -> dict:
        if row.status == AppointmentRequest.Status.APPROVED:
            status = "booked"
        elif row.status == AppointmentRequest.Status.PENDING and self._is_live(row, ctx):
            status = "pending"
        else:
            status = "cancelled"
        body = self._common(
            row,
            ctx,
            f"{REQUEST_PREFIX}{row.pk}",
            status,
            participant="accepted" if status == "booked" else "needs-action",
        )
        if row.note.strip():
            body["comment"] = row.note.strip()
        if row.appointment_id:
            body["supportingInformation"].append(
                reference("Appointment", row.appointment_id, "The booked appointment")
            )
        if status == "cancelled":
            body["cancelationReason"] = {"text": row.decline_reason or row.get_status_display()}
        body["participant"][0]["status"] = "accepted"
        return self._meta(body, row)

    def _is_live(self, row, ctx) -> bool:
        # A search lists only live requests; a read asks the queue's rule for the one row.
        if "searching" in ctx.cache:
            return True
        return AppointmentRequest.objects.live(ctx.clinic).filter(pk=row.pk).exists()

    def _common(self, row, ctx, resource_id, status, *, participant) -> dict:
        tz = row.location.tzinfo
        case = row.chart_case.case
        return {
            "resourceType": "Appointment",
            "id": resource_id,
            "status": status,
            "serviceType": service_type_concepts(case.service_types.all()),
            "appointmentType": concept(
                APPOINTMENT_TYPE_SYSTEM, row.appointment_type_id, row.appointment_type.name
            ),
            "description": f"{row.appointment_type.name}: {case.name}",
            "start": instant(row.start, tz),
            "end": instant(row.end, tz),
            "minutesDuration": row.duration_minutes,
            "created": instant(row.created_at, tz),
            "supportingInformation": [reference("EpisodeOfCare", row.chart_case_id, case.name)],
            "participant": [
                {
                    "actor": reference("Patient", row.patient_id, str(row.patient)),
                    "required": "required",
                    "status": participant,
                },
                {
                    "actor": reference("Practitioner", row.therapist_id, str(row.therapist)),
                    "required": "required",
                    "status": participant,
                },
                {
                    "actor": reference("Location", row.location_id, row.location.name),
                    "required": "required",
                    "status": participant,
                },
            ],
        }

    def _meta(self, body, row) -> dict:
        changed = row.changed_at
        return with_meta(
            body,
            version=row.version,
            last_updated=changed and changed.isoformat(timespec="seconds"),
        )


RESOURCE = AppointmentResource()
