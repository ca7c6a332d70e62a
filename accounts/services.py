from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from clinic.models import Clinic, ServiceType
from core.concurrency import claim_version
from core.roles import ADMINISTRATOR

LAST_ADMINISTRATOR = (
    "{user} is the clinic's last active administrator: make someone else an administrator "
    "first, or the clinic would have nobody to manage it."
)


def _require_another_administrator(user: User) -> None:
    """Refuse to leave the clinic without an active administrator. The clinic's row is locked
    first and the administrators counted after: two administrators removing each other at the
    same moment take turns, and the second counts what the first left. (Locking the users
    themselves is not enough on PostgreSQL: a role removed meanwhile is a row of another table,
    which the re-check after the wait does not read again.)"""
    Clinic.objects.select_for_update().filter(pk=user.clinic_id).first()
    administrators = set(
        User.objects.filter(
            clinic_id=user.clinic_id, is_active=True, groups__name=ADMINISTRATOR
        ).values_list("pk", flat=True)
    )
    if user.pk in administrators and not administrators - {user.pk}:
        raise ValidationError(LAST_ADMINISTRATOR.format(user=user))


def _lock_service_types(service_types: Iterable[ServiceType]) -> list[ServiceType]:
    """Lock the service types the person will have, refusing any deleted since the form read
    them (a foreign-key failure at COMMIT otherwise); deleting a type locks it too."""
    service_types = list(service_types)
    locked = set(
        ServiceType.objects.select_for_update()
        .filter(pk__in=[service.pk for service in service_types])
        .values_list("pk", flat=True)
    )
    gone = [service.name for service in service_types if service.pk not in locked]
    if gone:
        raise ValidationError(
            {
                "service_types": f"{', '.join(gone)} was deleted by someone else a moment ago. "
                "Reload the page to see the clinic's current service types."
            }
        )
    return service_types


@transaction.atomic
def staff_create(
    *,
    clinic: Clinic,
    email: str,
    first_name: str,
    last_name: str,
    password: str,
    roles: Iterable[Group],
    service_types: Iterable[ServiceType],
) -> User:
    service_types = _lock_service_types(service_types)
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name, clinic=clinic
    )
    user.groups.set(roles)
    user.service_types.set(service_types)
    return user


@transaction.atomic
def staff_update(
    *,
    user: User,
    expected_version: int | None,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Group],
    service_types: Iterable[ServiceType],
) -> User:
    claim_version(user, expected_version)
    roles = list(roles)
    if not any(role.name == ADMINISTRATOR for role in roles):
        _require_another_administrator(user)
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    service_types = _lock_service_types(service_types)
    user.save(update_fields=["email", "first_name", "last_name"])
    user.groups.set(roles)
    user.service_types.set(service_types)
    return user


@transaction.atomic
def staff_set_active(*, user: User, active: bool, by: User) -> User:
    """Deactivate or reactivate a staff user. Users are never deleted: charts name them."""
    if user.pk == by.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not active:
        _require_another_administrator(user)
        # Every session opened so far stops matching the account, for good: reactivating
        # later does not bring them back.
        user.session_generation += 1
    user.is_active = active
    user.version += 1
    user.save(update_fields=["is_active", "session_generation", "version"])
    return user
