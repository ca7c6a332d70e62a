"""The one gate that loads a patient case for a user: another clinic's case, or one the user
may not see, is a 404; one they may see but not change is a 403."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from cases.models import PatientCase
from core.roles import ADMINISTRATOR, has_role


def get_case_for(user, pk, *, write: bool = False) -> PatientCase:
    case = get_object_or_404(PatientCase.objects.visible_to(user), pk=pk)
    if write and not has_role(user, ADMINISTRATOR):
        raise PermissionDenied
    return case
