"""Who is asking: the bearer token of a request, checked, as an ``Access``.

A token is refused with 401 when it is missing, unknown, expired or revoked, when its client is
not an active integration, or when it acts for a user of another clinic than its integration's
or one who is no longer active; with 403 when its user holds no staff role or its scopes do not
allow the interaction.
"""

from dataclasses import dataclass

from oauth2_provider.oauth2_backends import get_oauthlib_core

from core.roles import STAFF_ROLES, role_names
from fhir.errors import FhirError
from fhir.oauth import SYSTEM, USER, granted, integration_of

CHALLENGE = 'Bearer realm="fhir", error="invalid_token"'


@dataclass
class Access:
    clinic: object
    integration: object
    user: object | None
    scope: str

    @property
    def level(self) -> str:
        return USER if self.user is not None else SYSTEM

    @property
    def client_name(self) -> str:
        return self.integration.application.name

    def visible(self, manager):
        """The rows of ``manager`` this token sees: its user's (``visible_to``), or for a
        back-end the whole of its clinic."""
        if self.user is not None:
            return manager.visible_to(self.user)
        return manager.for_clinic(self.clinic)

    def require(self, resource_type: str, interaction: str) -> None:
        grant = granted(self.scope, level=self.level, resource=resource_type)
        if not (grant.read if interaction == "read" else grant.search):
            needed = f"{self.level}/{resource_type}.{'r' if interaction == 'read' else 's'}"
            raise FhirError(
                403,
                "forbidden",
                f"This token's scopes do not allow this {interaction} of {resource_type}: "
                f"it needs {needed} (or {self.level}/{resource_type}.rs, {self.level}/*.rs).",
                headers={"WWW-Authenticate": 'Bearer realm="fhir", error="insufficient_scope"'},
            )


def _unauthorized(words: str) -> FhirError:
    return FhirError(401, "login", words, headers={"WWW-Authenticate": CHALLENGE})


def authenticate(request) -> Access:
    if not request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
        raise FhirError(
            401,
            "login",
            "Send an OAuth2 access token: Authorization: Bearer <token> (see /fhir/R4/metadata).",
            headers={"WWW-Authenticate": 'Bearer realm="fhir"'},
        )
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None) if valid else None
    if token is None:
        raise _unauthorized("The access token is not valid: it is unknown, expired or revoked.")
    integration = integration_of(token.application)
    if integration is None or not integration.is_active:
        raise _unauthorized("The client of this token is not an active integration.")
    user = token.user
    if user is not None:
        if not user.is_active or user.clinic_id != integration.clinic_id:
            raise _unauthorized("This token acts for a user this integration cannot act for.")
        if not role_names(user) & set(STAFF_ROLES):
            raise FhirError(403, "forbidden", "The token's user holds no staff role.")
        # The clinic is the integration's (loaded with it): the user's is the same row.
        user.clinic = integration.clinic
    return Access(clinic=integration.clinic, integration=integration, user=user, scope=token.scope)
