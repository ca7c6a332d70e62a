"""Admin > Basic Setup > Integrations (administrators only). The FHIR API and the OAuth2
endpoints answer bearer tokens, not sessions: tests/fhir/ tries them for every kind of token."""

from tests.routes import ADMIN_ONLY, Route

ROUTES = [
    Route("fhir:integration_list", ADMIN_ONLY),
    Route("fhir:integration_create", ADMIN_ONLY),
    Route("fhir:integration_revoke", ADMIN_ONLY, obj="backend_integration"),
]

NOT_IN_MATRIX = {
    "fhir:metadata",
    "fhir:read",
    "fhir:search",
    "fhir:search_post",
    "fhir:authorize",
    "fhir:token",
    "fhir:revoke_token",
}
