"""EpisodeOfCare ← charts.PatientChartCase: a case on a patient's chart, its period from start
to discharge, its diagnoses (ICD-10-CM) as contained Conditions. Who sees which is
``PatientChartCase.objects.visible_to`` (a therapist: the cases of their service types)."""

from django.db.models import Prefetch, Q

from accounts.models import User
from charts.models import Diagnosis, PatientChartCase
from fhir.errors import bad_request
from fhir.mapping.base import (
    ICD10CM_SYSTEM,
    PATIENT_CASE_SYSTEM,
    ModelResource,
    SearchParam,
    as_dates,
    concept,
    ref_ids,
    reference,
    token_codes,
    token_ids,
    with_meta,
)

STATUS = {
    PatientChartCase.Status.ACTIVE: "active",
    PatientChartCase.Status.DISCHARGED: "finished",
}
FHIR_STATUSES = {
    "planned",
    "waitlist",
    "active",
    "onhold",
    "finished",
    "cancelled",
    "entered-in-error",
}
STATUS_SYSTEM = "http://hl7.org/fhir/episode-of-care-status"


def _patient(rows, refs, ctx):
    return rows.filter(patient_id__in=ref_ids("patient", refs, "Patient"))


def _status(rows, tokens, ctx):
    codes = token_codes("status", tokens, STATUS_SYSTEM)
    unknown = set(codes) - FHIR_STATUSES
    if unknown:
        raise bad_request(f"status: {sorted(unknown)[0]!r} is not an EpisodeOfCare status.")
    ours = [mine for mine, theirs in STATUS.items() if theirs in codes]
    return rows.filter(status__in=ours)


def _type(rows, tokens, ctx):
    return rows.filter(case_id__in=token_ids("type", tokens, PATIENT_CASE_SYSTEM))


def _date(rows, bounds, ctx):
    """The period against each value: it overlaps the value's days (eq), goes on until at
    least (ge, gt) or began by (le, lt) them; an open period goes on."""
    for bound in bounds:
        days = as_dates(bound, ctx.clinic.tzinfo)
        ongoing = Q(discharged_on__isnull=True)
        rows = rows.filter(
            {
                "eq": Q(started_on__lt=days.hi) & (ongoing | Q(discharged_on__gte=days.lo)),
                "ne": ~(Q(started_on__lt=days.hi) & (ongoing | Q(discharged_on__gte=days.lo))),
                "ge": ongoing | Q(discharged_on__gte=days.lo),
                "gt": ongoing | Q(discharged_on__gte=days.hi),
                "le": Q(started_on__lt=days.hi),
                "lt": Q(started_on__lt=days.lo),
            }[bound.prefix]
        )
    return rows


def _care_manager(rows, refs, ctx):
    """The episodes a practitioner treats: those whose documentation they may write
    (``PatientChartCase.objects.documentable_by``, the rule the chart uses)."""
    ids = ref_ids("care-manager", refs, "Practitioner")
    condition = Q(pk__in=[])
    for practitioner in ctx.access.visible(User.objects).staff().filter(pk__in=ids):
        condition |= Q(pk__in=PatientChartCase.objects.documentable_by(practitioner).values("pk"))
    return rows.filter(condition)


class EpisodeOfCareResource(ModelResource):
    resource_type = "EpisodeOfCare"
    audit_type = "patient chart case"
    order = ("started_on", "pk")
    params = {
        p.name: p
        for p in (
            SearchParam("patient", "reference", _patient, "The patient", targets=("Patient",)),
            SearchParam("status", "token", _status, "active, or finished once discharged"),
            SearchParam(
                "type",
                "token",
                _type,
                f"The patient case ({PATIENT_CASE_SYSTEM}: a HealthcareService id)",
            ),
            SearchParam("date", "date", _date, "The period from start to discharge"),
            SearchParam(
                "care-manager",
                "reference",
                _care_manager,
                "A practitioner who may document the episode (one of its services)",
                targets=("Practitioner",),
            ),
        )
    }

    def rows(self, ctx):
        return (
            ctx.access.visible(PatientChartCase.objects)
            .select_related("patient", "case")
            .prefetch_related(Prefetch("diagnoses", Diagnosis.objects.order_by("-kind", "pk")))
        )

    def patient_of(self, row):
        return row.patient

    def to_fhir(self, row, ctx) -> dict:
        patient = reference("Patient", row.patient_id, str(row.patient))
        body = {
            "resourceType": "EpisodeOfCare",
            "id": str(row.pk),
            "status": STATUS[row.status],
            "type": [concept(PATIENT_CASE_SYSTEM, row.case_id, row.case.name)],
            "patient": patient,
            "period": {"start": row.started_on.isoformat()},
        }
        if row.discharged_on:
            body["period"]["end"] = row.discharged_on.isoformat()
        diagnoses = list(row.diagnoses.all())
        if diagnoses:
            body["contained"] = [
                {
                    "resourceType": "Condition",
                    "id": f"dx{d.pk}",
                    "code": {
                        "coding": [
                            {"system": ICD10CM_SYSTEM, "code": d.code, "display": d.description}
                        ],
                        "text": d.description,
                    },
                    "subject": {"reference": f"Patient/{row.patient_id}"},
                }
                for d in diagnoses
            ]
            body["diagnosis"] = [
                {
                    "condition": {"reference": f"#dx{d.pk}", "display": str(d)},
                    "role": {"text": d.get_kind_display()},
                    "rank": rank,
                }
                for rank, d in enumerate(diagnoses, start=1)
            ]
        return with_meta(body, version=None, last_updated=row.changed_at)


RESOURCE = EpisodeOfCareResource()
