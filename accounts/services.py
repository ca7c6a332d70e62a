from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from clinic.models import Clinic, ServiceType
from core.concurrency import claim_version


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
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.save(update_fields=["email", "first_name", "last_name"])
    user.groups.set(roles)
    user.service_types.set(service_types)
    return user


@transaction.atomic
def staff_set_active(*, user: User, active: bool, by: User) -> User:
    """Deactivate or reactivate a staff user. Users are never deleted: charts name them."""
    if user.pk == by.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user
