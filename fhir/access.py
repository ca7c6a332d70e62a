"""The one gate that loads an integration for a user: administrators of its clinic only."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from core.roles import ADMINISTRATOR, has_role
from fhir.models import Integration


def get_integration_for(user, pk, *, write: bool = False) -> Integration:
    if not has_role(user, ADMINISTRATOR):
        raise PermissionDenied
    return get_object_or_404(
        Integration.objects.for_clinic(user.clinic_id).select_related("application"), pk=pk
    )
