"""Appointment ← scheduling.Appointment, and ← scheduling.AppointmentRequest while it waits
for the front desk (status ``pending``; id ``req-<id>``).

Who sees what is ``Appointment.objects.visible_to`` and ``AppointmentRequest.objects
.visible_to``; a search lists a request while it is live (``AppointmentRequest.objects.live``,
the queue's own rule). Read by id, a request that was decided says so: ``booked`` (pointing at
its appointment) once approved, ``cancelled`` once declined, cancelled or expired. R4's
Appointment has no episode element, so ``supportingInformation`` points at the EpisodeOfCare.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, Value

from cases.models import PatientCaseServiceType
from core.sql import user_name
from fhir.errors import bad_request, not_found
from fhir.mapping.base import (
    APPOINTMENT_TYPE_SYSTEM,
    SERVICE_TYPE_SYSTEM,
    ModelResource,
    SearchParam,
    changed_times,
    concept,
    instant,
    moment_q,
    ref_ids,
    reference,
    token_codes,
    token_ids,
    with_meta,
)
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


# What an Appointment says, read as plain values: building a model graph of five related rows
# a visit and prefetching the cases' services cost more Python than the rest of the answer
# (bench/fhir_api.py).
COMMON = (
    "pk", "status", "start", "duration_minutes", "created_at", "version", "chart_case_id",
    "chart_case__case_id", "chart_case__case__name", "patient_id", "patient__first_name",
    "patient__last_name", "therapist_id", "therapist__first_name", "therapist__last_name",
    "therapist__email", "location_id", "location__name", "location__time_zone",
    "appointment_type_id", "appointment_type__name",
)  # fmt: skip
APPOINTMENT_FIELDS = (*COMMON, "end", "cancel_reason")
REQUEST_FIELDS = (*COMMON, "note", "decline_reason", "appointment_id")
AUDIT_TYPES = {0: "appointment", 1: "appointment request"}


def case_services(ctx, case_ids) -> dict[int, list[tuple[int, str]]]:
    """Each case's service types, ``{case id: [(id, name), ...]}`` by name; one query."""
    services = {pk: [] for pk in case_ids}
    rows = (
        PatientCaseServiceType.objects.filter(clinic_id=ctx.clinic.pk, case_id__in=list(services))
        .order_by("service_type__name", "service_type_id")
        .values_list("case_id", "service_type_id", "service_type__name")
    )
    for case_id, pk, name in rows:
        services[case_id].append((pk, name))
    return services


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
        return total, self._rows(ctx, shown)

    def _rows(self, ctx, shown) -> list[dict]:
        """The rows of ``shown`` (``(start, kind, pk)``, kind 0 an appointment, 1 a request)
        as dicts with ``kind``, their cases' services and their last change."""
        found = {}
        for kind, model, fields in (
            (0, Appointment, APPOINTMENT_FIELDS),
            (1, AppointmentRequest, REQUEST_FIELDS),
        ):
            pks = [pk for _, k, pk in shown if k == kind]
            if pks:
                for row in ctx.access.visible(model.objects).filter(pk__in=pks).values(*fields):
                    found[kind, row["pk"]] = {**row, "kind": kind}
        rows = [found[k, pk] for _, k, pk in shown if (k, pk) in found]
        services = case_services(ctx, {row["chart_case__case_id"] for row in rows})
        changed = changed_times(ctx, tuple(AUDIT_TYPES.values()), {row["pk"] for row in rows})
        for row in rows:
            row["services"] = services[row["chart_case__case_id"]]
            row["changed_at"] = changed.get((AUDIT_TYPES[row["kind"]], str(row["pk"])))
        return rows

    def read(self, ctx, resource_id):
        if resource_id.startswith(REQUEST_PREFIX):
            pk, kind = parse_int_id(resource_id[len(REQUEST_PREFIX) :]), 1
        else:
            pk, kind = parse_int_id(resource_id), 0
        rows = self._rows(ctx, [(None, kind, pk)]) if pk is not None else []
        if not rows:
            raise not_found(self.resource_type, resource_id)
        return rows[0]

    def patient_of(self, row):
        return PatientRef(
            row["patient_id"], f"{row['patient__first_name']} {row['patient__last_name']}"
        )

    def object_of(self, row):
        return (AUDIT_TYPES[row["kind"]], row["pk"])

    def to_fhir(self, row, ctx) -> dict:
        if row["kind"] == 1:
            return self._request(row, ctx)
        status = STATUS[row["status"]]
        body = self._common(row, ctx, str(row["pk"]), row["end"], status, participant="accepted")
        if status == "cancelled":
            body["cancelationReason"] = {
                "text": row["cancel_reason"] or Appointment.Status(row["status"]).label
            }
        return with_meta(body, version=row["version"], last_updated=row["changed_at"])

    def _request(self, row, ctx) -> dict:
        if row["status"] == AppointmentRequest.Status.APPROVED:
            status = "booked"
        elif row["status"] == AppointmentRequest.Status.PENDING and self._is_live(row, ctx):
            status = "pending"
        else:
            status = "cancelled"
        end = row["start"] + datetime.timedelta(minutes=row["duration_minutes"])
        body = self._common(
            row, ctx, f"{REQUEST_PREFIX}{row['pk']}", end, status,
            participant="accepted" if status == "booked" else "needs-action",
        )  # fmt: skip
        if row["note"].strip():
            body["comment"] = row["note"].strip()
        if row["appointment_id"]:
            body["supportingInformation"].append(
                reference("Appointment", row["appointment_id"], "The booked appointment")
            )
        if status == "cancelled":
            body["cancelationReason"] = {
                "text": row["decline_reason"] or AppointmentRequest.Status(row["status"]).label
            }
        body["participant"][0]["status"] = "accepted"
        return with_meta(body, version=row["version"], last_updated=row["changed_at"])

    def _is_live(self, row, ctx) -> bool:
        # A search lists only live requests; a read asks the queue's rule for the one row.
        if "searching" in ctx.cache:
            return True
        return AppointmentRequest.objects.live(ctx.clinic).filter(pk=row["pk"]).exists()

    def _common(self, row, ctx, resource_id, end, status, *, participant) -> dict:
        tz = ZoneInfo(row["location__time_zone"])
        case_name = row["chart_case__case__name"]
        type_name = row["appointment_type__name"]
        patient = f"{row['patient__first_name']} {row['patient__last_name']}"
        therapist = user_name(
            row["therapist__first_name"], row["therapist__last_name"], row["therapist__email"]
        )
        return {
            "resourceType": "Appointment",
            "id": resource_id,
            "status": status,
            "serviceType": [concept(SERVICE_TYPE_SYSTEM, pk, name) for pk, name in row["services"]],
            "appointmentType": concept(
                APPOINTMENT_TYPE_SYSTEM, row["appointment_type_id"], type_name
            ),
            "description": f"{type_name}: {case_name}",
            "start": instant(row["start"], tz),
            "end": instant(end, tz),
            "minutesDuration": row["duration_minutes"],
            "created": instant(row["created_at"], tz),
            "supportingInformation": [reference("EpisodeOfCare", row["chart_case_id"], case_name)],
            "participant": [
                {
                    "actor": reference("Patient", row["patient_id"], patient),
                    "required": "required",
                    "status": participant,
                },
                {
                    "actor": reference("Practitioner", row["therapist_id"], therapist),
                    "required": "required",
                    "status": participant,
                },
                {
                    "actor": reference("Location", row["location_id"], row["location__name"]),
                    "required": "required",
                    "status": participant,
                },
            ],
        }


@dataclass(frozen=True)
class PatientRef:
    """The patient of a row read as values, as the audit trail takes one (``pk``, words)."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


RESOURCE = AppointmentResource()
