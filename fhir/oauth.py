"""OAuth2 as the FHIR API has it: SMART v2 scopes, and clients that are a clinic's integrations.

Scopes are SMART App Launch v2's ``<level>/<resource type or *>.<permissions>``: ``user/`` for a
token acting for a staff member (authorization code), ``system/`` for a clinic's back-end
(client credentials). The API is read-only, so the permissions offered are ``r`` (read),
``s`` (search) and ``rs``. A client asks only for the level its kind allows.
"""

import re
from dataclasses import dataclass

from django_scopes import scopes_disabled
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from fhir.models import Integration

RESOURCE_TYPES = (
    "Appointment",
    "EpisodeOfCare",
    "HealthcareService",
    "Location",
    "Patient",
    "Practitioner",
    "Schedule",
    "Slot",
)
USER, SYSTEM = "user", "system"
PERMISSIONS = ("rs", "r", "s")
SCOPE_PATTERN = re.compile(r"^(user|system)/([A-Za-z]+|\*)\.([cruds]+)$")


def _scopes(level: str) -> dict[str, str]:
    scopes = {}
    for resource in ("*", *RESOURCE_TYPES):
        for permissions in PERMISSIONS:
            what = {"rs": "read and search", "r": "read", "s": "search"}[permissions]
            whose = "the user's" if level == USER else "the clinic's"
            name = "every kind of record" if resource == "*" else f"{resource} records"
            scopes[f"{level}/{resource}.{permissions}"] = f"{what.capitalize()} {whose} {name}"
    return scopes


ALL_SCOPES = {**_scopes(USER), **_scopes(SYSTEM)}


def integration_of(application) -> Integration | None:
    """The integration an OAuth2 application is; None for one registered some other way (in
    Django's admin), which the API refuses. The table is one row per registered client."""
    if application is None:
        return None
    with scopes_disabled():
        return (
            Integration.objects.select_related("clinic", "application")
            .filter(application_id=application.pk)
            .first()
        )


def level_of(application) -> str:
    if application.authorization_grant_type == application.GRANT_CLIENT_CREDENTIALS:
        return SYSTEM
    return USER


class SmartScopes(BaseScopes):
    def get_all_scopes(self):
        return ALL_SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return list(ALL_SCOPES)
        level = level_of(application)
        return [scope for scope in ALL_SCOPES if scope.startswith(f"{level}/")]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        level = SYSTEM if application is None else level_of(application)
        return [f"{level}/*.rs"]


class IntegrationValidator(OAuth2Validator):
    """django-oauth-toolkit's validator, refusing clients that are not an active integration
    (revoked ones, and applications made in Django's admin): they get no token at all."""

    def _load_application(self, client_id, request):
        application = super()._load_application(client_id, request)
        if application is None:
            return None
        integration = integration_of(application)
        if integration is None or not integration.is_active:
            request.client = None
            return None
        return application


@dataclass(frozen=True)
class Grant:
    """What a token's scopes allow on one resource type."""

    read: bool
    search: bool


def granted(scope: str, *, level: str, resource: str) -> Grant:
    """What the space-separated ``scope`` of a token of ``level`` allows on ``resource``."""
    read = search = False
    for each in scope.split():
        match = SCOPE_PATTERN.match(each)
        if not match or match[1] != level or match[2] not in ("*", resource):
            continue
        read = read or "r" in match[3]
        search = search or "s" in match[3]
    return Grant(read=read, search=search)
