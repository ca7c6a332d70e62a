"""Practitioner ← accounts.User: the clinic's staff (``User.objects.visible_to(...).staff()``)."""

from accounts.models import User
from fhir.mapping.base import (
    STAFF_SYSTEM,
    ModelResource,
    SearchParam,
    string_q,
    token_ids,
    with_meta,
)


def _name(rows, value, ctx):
    return rows.filter(string_q(("first_name", "last_name", "email"), value))


def _identifier(rows, tokens, ctx):
    return rows.filter(pk__in=token_ids("identifier", tokens, STAFF_SYSTEM))


class PractitionerResource(ModelResource):
    resource_type = "Practitioner"
    audit_type = "staff member"
    order = ("last_name", "first_name", "pk")
    params = {
        p.name: p
        for p in (
            SearchParam(
                "name",
                "string",
                _name,
                "A part of the name or e-mail (starts with)",
                modifiers=("contains", "exact"),
            ),
            SearchParam("identifier", "token", _identifier, f"The staff number ({STAFF_SYSTEM})"),
        )
    }

    def rows(self, ctx):
        return ctx.access.visible(User.objects).staff()

    def to_fhir(self, row, ctx) -> dict:
        name = {"use": "official", "text": str(row)}
        if row.last_name:
            name["family"] = row.last_name
        if row.first_name:
            name["given"] = [row.first_name]
        if row.credentials:
            name["suffix"] = [row.credentials]
        body = {
            "resourceType": "Practitioner",
            "id": str(row.pk),
            "identifier": [{"use": "usual", "system": STAFF_SYSTEM, "value": str(row.pk)}],
            "active": row.is_active,
            "name": [name],
            "telecom": [{"system": "email", "value": row.email, "use": "work"}],
        }
        return with_meta(body, version=row.version, last_updated=row.changed_at)


RESOURCE = PractitionerResource()
