from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from clinic.models import Clinic, ServiceType


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
    credentials: str = "",
) -> User:
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        clinic=clinic,
        credentials=credentials.strip(),
    )
    user.groups.set(roles)
    user.service_types.set(service_types)
    return user


@transaction.atomic
def staff_update(
    *,
    user: User,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Group],
    service_types: Iterable[ServiceType],
    credentials: str = "",
) -> User:
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.credentials = credentials.strip()
    user.save(update_fields=["email", "first_name", "last_name", "credentials"])
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
