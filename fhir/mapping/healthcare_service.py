"""HealthcareService ← cases.PatientCase: a case of the clinic's catalogue, its services as
its types (``PatientCase.objects.visible_to``; archived cases are inactive)."""

from django.db.models import Exists, OuterRef, Prefetch

from cases.models import PatientCase, PatientCaseServiceType
from clinic.models import ServiceType
from fhir.mapping.base import (
    PATIENT_CASE_SYSTEM,
    SERVICE_TYPE_SYSTEM,
    ModelResource,
    SearchParam,
    concept,
    instant,
    string_q,
    token_ids,
    with_meta,
)


def _active(rows, value, ctx):
    return rows.filter(is_archived=not value)


def _name(rows, value, ctx):
    return rows.filter(string_q(("name",), value))


def _service_type(rows, tokens, ctx):
    links = PatientCaseServiceType.objects.filter(
        clinic_id=ctx.clinic.pk,
        case_id=OuterRef("pk"),
        service_type_id__in=token_ids("service-type", tokens, SERVICE_TYPE_SYSTEM),
    )
    return rows.filter(Exists(links))


def service_type_concepts(service_types) -> list[dict]:
    return [concept(SERVICE_TYPE_SYSTEM, s.pk, s.name) for s in service_types]


class HealthcareServiceResource(ModelResource):
    resource_type = "HealthcareService"
    order = ("name", "pk")
    params = {
        p.name: p
        for p in (
            SearchParam("active", "boolean", _active, "false for archived cases"),
            SearchParam(
                "name",
                "string",
                _name,
                "A part of the case's name (starts with)",
                modifiers=("contains", "exact"),
            ),
            SearchParam(
                "service-type",
                "token",
                _service_type,
                f"A service type of the case ({SERVICE_TYPE_SYSTEM})",
                repeatable=True,
            ),
        )
    }

    def rows(self, ctx):
        return ctx.access.visible(PatientCase.objects).prefetch_related(
            Prefetch("service_types", ServiceType.objects.order_by("name", "pk"))
        )

    def to_fhir(self, row, ctx) -> dict:
        body = {
            "resourceType": "HealthcareService",
            "id": str(row.pk),
            "identifier": [{"system": PATIENT_CASE_SYSTEM, "value": str(row.pk)}],
            "active": not row.is_archived,
            "name": row.name,
            "type": service_type_concepts(row.service_types.all()),
        }
        return with_meta(
            body, version=row.version, last_updated=instant(row.updated_at, ctx.clinic.tzinfo)
        )


RESOURCE = HealthcareServiceResource()
