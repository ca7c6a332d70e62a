"""The one gate that loads scheduling rows for a user: another clinic's row is a 404; a
therapist may read their own appointments but only the front desk changes them (403); Basic
Setup rows (locations, hours, closures, availability) are changed by administrators only."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from core.roles import ADMINISTRATOR, SCHEDULER, has_role
from scheduling.models import Appointment, Location


def get_appointment_for(user, pk, *, write: bool = False) -> Appointment:
    appointment = get_object_or_404(Appointment.objects.visible_to(user).for_display(), pk=pk)
    if write and not has_role(user, ADMINISTRATOR, SCHEDULER):
        raise PermissionDenied
    return appointment


def get_location_for(user, pk, *, write: bool = False) -> Location:
    location = get_object_or_404(Location.objects.for_clinic(user.clinic_id), pk=pk)
    if write and not has_role(user, ADMINISTRATOR):
        raise PermissionDenied
    return location


def get_setup_row_for(user, model, pk, *, write: bool = False, **lookup):
    """A clinic hours, closure, availability or exception row of the user's clinic, further
    narrowed by ``lookup`` (its location or therapist)."""
    row = get_object_or_404(model.objects.for_clinic(user.clinic_id), pk=pk, **lookup)
    if write and not has_role(user, ADMINISTRATOR):
        raise PermissionDenied
    return row
