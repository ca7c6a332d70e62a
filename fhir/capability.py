"""The CapabilityStatement: what the API serves, written from the resource modules themselves."""

from django.urls import reverse

from fhir.mapping import RESOURCES
from fhir.search import ID_PARAM

FHIR_VERSION = "4.0.1"
SEARCH_TYPES = {"token", "reference", "date", "string"}


def _search_params(resource) -> list[dict]:
    params = [
        {"name": ID_PARAM, "type": "token", "documentation": "The id; several separated by commas"}
    ]
    for param in resource.params.values():
        entry = {"name": param.name, "type": "token" if param.kind == "boolean" else param.kind}
        entry["documentation"] = param.doc
        params.append(entry)
    if resource.resource_type == "Slot":
        params = params[1:]
    return params


def _security(request) -> dict:
    """How a client gets a token: SMART on FHIR, with the server's own OAuth endpoints."""
    token_url = request.build_absolute_uri(reverse("fhir:token"))
    authorize_url = request.build_absolute_uri(reverse("fhir:authorize"))
    return {
        "cors": False,
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ],
                "text": "OAuth2 (SMART v2 scopes)",
            }
        ],
        "extension": [
            {
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [
                    {"url": "token", "valueUri": token_url},
                    {"url": "authorize", "valueUri": authorize_url},
                ],
            }
        ],
        "description": (
            "Authorization code with PKCE for apps acting for a staff member "
            "(scopes user/<type>.rs), client credentials for a clinic's back-end "
            "(system/<type>.rs). Clients are registered by the clinic's "
            "administrator under Admin > Basic Setup > Integrations."
        ),
    }


def capability_statement(request, published: str) -> dict:
    base = request.build_absolute_uri("/fhir/R4/")
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": published,
        "publisher": "Fusion Patient Cases",
        "kind": "instance",
        "software": {"name": "Fusion Patient Cases"},
        "implementation": {"description": "Read-only FHIR R4 API of a clinic", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Read and search only. Searches answer a searchset Bundle with total, self "
                    "and next links; _count from 1 to 200 (50 if not given). Unknown parameters "
                    "are refused (400) unless the request sends Prefer: handling=lenient."
                ),
                "security": _security(request),
                "resource": [
                    {
                        "type": name,
                        "interaction": [{"code": code} for code in resource.interactions],
                        "searchParam": _search_params(resource),
                    }
                    for name, resource in sorted(RESOURCES.items())
                ],
            }
        ],
    }
