"""Patient ← charts.Patient: who a user sees is ``Patient.objects.visible_to``."""

from charts.models import Patient
from fhir.mapping.base import (
    PATIENT_SYSTEM,
    ModelResource,
    SearchParam,
    as_dates,
    moment_q,
    string_q,
    token_ids,
    with_meta,
)

GENDERS = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def _name(rows, value, ctx):
    return rows.filter(string_q(("first_name", "last_name"), value))


def _birthdate(rows, bounds, ctx):
    for bound in bounds:
        rows = rows.filter(moment_q("date_of_birth", as_dates(bound, ctx.clinic.tzinfo)))
    return rows


def _identifier(rows, tokens, ctx):
    return rows.filter(pk__in=token_ids("identifier", tokens, PATIENT_SYSTEM))


class PatientResource(ModelResource):
    resource_type = "Patient"
    audit_type = "patient"
    order = ("last_name", "first_name", "pk")
    params = {
        p.name: p
        for p in (
            SearchParam(
                "name",
                "string",
                _name,
                "A part of the first or last name (starts with)",
                modifiers=("contains", "exact"),
            ),
            SearchParam("birthdate", "date", _birthdate, "Date of birth"),
            SearchParam(
                "identifier", "token", _identifier, f"The patient number ({PATIENT_SYSTEM})"
            ),
        )
    }

    def rows(self, ctx):
        return ctx.access.visible(Patient.objects)

    def patient_of(self, row):
        return row

    def to_fhir(self, row, ctx) -> dict:
        body = {
            "resourceType": "Patient",
            "id": str(row.pk),
            "identifier": [{"use": "usual", "system": PATIENT_SYSTEM, "value": str(row.pk)}],
            "name": [
                {
                    "use": "official",
                    "text": str(row),
                    "family": row.last_name,
                    "given": [row.first_name],
                }
            ],
            "birthDate": row.date_of_birth.isoformat(),
        }
        if row.sex:
            body["gender"] = GENDERS[row.sex]
        telecom = []
        if row.phone:
            telecom.append({"system": "phone", "value": row.phone})
        if row.email:
            telecom.append({"system": "email", "value": row.email})
        if telecom:
            body["telecom"] = telecom
        if row.address.strip():
            body["address"] = [{"text": row.address.strip()}]
        if row.preferred_language:
            body["communication"] = [
                {"language": {"text": row.preferred_language}, "preferred": True}
            ]
        return with_meta(body, version=row.version, last_updated=row.changed_at)


RESOURCE = PatientResource()
