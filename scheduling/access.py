"""Loading appointments for a user: another clinic's, or another therapist's, is a 404; a
therapist may read their own but only the front desk changes it (403)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from core.roles import ADMINISTRATOR, SCHEDULER, has_role
from scheduling.models import Appointment


def get_appointment_for(user, pk, *, write: bool = False) -> Appointment:
    appointment = get_object_or_404(Appointment.objects.visible_to(user).for_display(), pk=pk)
    if write and not has_role(user, ADMINISTRATOR, SCHEDULER):
        raise PermissionDenied
    return appointment
