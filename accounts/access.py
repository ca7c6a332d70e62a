"""The one gate that loads a staff member for a user: another clinic's user, or a portal
user, is a 404; a staff member the user may see but not change is a 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from accounts.models import User
from clinic.models import ServiceType
from core.roles import ADMINISTRATOR, has_role


def staff_for(user):
    """The clinic's staff as the Staff screens show them, with their roles and services."""
    return (
        User.objects.visible_to(user)
        .staff()
        .prefetch_related(
            "groups", Prefetch("service_types", queryset=ServiceType.objects.order_by("name"))
        )
    )


def get_staff_member_for(user, pk, *, write: bool = False) -> User:
    staff_member = get_object_or_404(staff_for(user), pk=pk)
    if write and not has_role(user, ADMINISTRATOR):
        raise PermissionDenied
    return staff_member
