"""Location ← scheduling.Location: every staff member sees the clinic's locations."""

from fhir.mapping.base import ModelResource, SearchParam, string_q, with_meta
from scheduling.models import Location


def _name(rows, value, ctx):
    return rows.filter(string_q(("name",), value))


class LocationResource(ModelResource):
    resource_type = "Location"
    audit_type = "location"
    order = ("name", "pk")
    params = {
        "name": SearchParam(
            "name",
            "string",
            _name,
            "A part of the name (starts with)",
            modifiers=("contains", "exact"),
        )
    }

    def rows(self, ctx):
        return Location.objects.for_clinic(ctx.clinic)

    def to_fhir(self, row, ctx) -> dict:
        body = {
            "resourceType": "Location",
            "id": str(row.pk),
            "status": "active" if row.is_active else "inactive",
            "name": row.name,
            "mode": "instance",
        }
        if row.address.strip():
            body["address"] = {"text": row.address.strip()}
        return with_meta(body, version=row.version, last_updated=row.changed_at)


RESOURCE = LocationResource()
