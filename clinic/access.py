"""The one gate that loads a Basic Setup row for a user: another clinic's row, or one the user
may not see, is a 404; one they may see but not change is a 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from clinic.models import AppointmentType, ServiceType
from core.roles import ADMINISTRATOR, has_role


def _get_for(model, user, pk, *, write: bool):
    row = get_object_or_404(model.objects.visible_to(user), pk=pk)
    if write and not has_role(user, ADMINISTRATOR):
        raise PermissionDenied
    return row


def get_service_type_for(user, pk, *, write: bool = False) -> ServiceType:
    return _get_for(ServiceType, user, pk, write=write)


def get_appointment_type_for(user, pk, *, write: bool = False) -> AppointmentType:
    return _get_for(AppointmentType, user, pk, write=write)
