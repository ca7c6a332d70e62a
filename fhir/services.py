"""Registering and revoking a clinic's integrations (OAuth2 clients of the FHIR API)."""

from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from core.audit import record
from fhir.models import Integration

GRANT_TYPES = {
    Integration.Kind.BACKEND: Application.GRANT_CLIENT_CREDENTIALS,
    Integration.Kind.APP: Application.GRANT_AUTHORIZATION_CODE,
}


@transaction.atomic
def integration_register(
    *,
    clinic,
    by,
    name: str,
    kind: str,
    redirect_uris: str = "",
    client_id: str | None = None,
    client_secret: str | None = None,
) -> tuple[Integration, str]:
    """A new OAuth2 client bound to ``clinic``, and its secret in clear: shown to the
    administrator once, stored only hashed. (``client_id``/``client_secret`` are given only by
    the demo data, whose integration the README's example uses.)"""
    secret = client_secret or generate_client_secret()
    application = Application(
        name=name,
        client_id=client_id or generate_client_id(),
        client_secret=secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=GRANT_TYPES[kind],
        redirect_uris=redirect_uris if kind == Integration.Kind.APP else "",
        algorithm=Application.NO_ALGORITHM,
        skip_authorization=False,
    )
    application.full_clean(exclude=["user"])
    application.save()
    integration = Integration.objects.create(
        clinic=clinic, application=application, kind=kind, created_by=by
    )
    record(
        clinic_id=clinic.pk,
        actor=by,
        action="created",
        obj=integration,
        object_type="integration",
        object_repr=name,
        changes=[
            ["Name", "", name],
            ["Kind", "", integration.get_kind_display()],
            ["Client id", "", application.client_id],
        ],
    )
    return integration, secret


@transaction.atomic
def integration_revoke(*, integration: Integration, by) -> None:
    """End the integration: no new token, and every token and code it holds is deleted (a
    token is a credential, not a record). The row stays, for the audit trail's names."""
    integration = Integration.objects.select_for_update().get(pk=integration.pk)
    if integration.revoked_at is not None:
        return
    integration.revoked_at = timezone.now()
    integration.revoked_by = by
    integration.save(update_fields=["revoked_at", "revoked_by"])
    application_id = integration.application_id
    RefreshToken.objects.filter(application_id=application_id).delete()
    AccessToken.objects.filter(application_id=application_id).delete()
    Grant.objects.filter(application_id=application_id).delete()
    record(
        clinic_id=integration.clinic_id,
        actor=by,
        action="revoked",
        obj=integration,
        object_type="integration",
        object_repr=integration.application.name,
    )
