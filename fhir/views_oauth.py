"""The consent step of the authorization code flow, refused before it starts to anyone its
integration cannot act for."""

from django.core.exceptions import PermissionDenied
from oauth2_provider.models import Application
from oauth2_provider.views import AuthorizationView

from core.roles import STAFF_ROLES, role_names
from fhir.oauth import integration_of


class IntegrationAuthorizationView(AuthorizationView):
    """django-oauth-toolkit's consent page, for staff of the integration's own clinic only
    (a token for anyone else would be refused by the API anyway; this says so at once, 403).
    An unknown or revoked client is left to the toolkit, which answers with its error."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        client_id = request.GET.get("client_id") or request.POST.get("client_id")
        if user.is_authenticated and client_id:
            integration = integration_of(Application.objects.filter(client_id=client_id).first())
            if integration is not None and (
                integration.clinic_id != user.clinic_id or not role_names(user) & set(STAFF_ROLES)
            ):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
