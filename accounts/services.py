from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from clinic.models import Clinic, ServiceType
from core.roles import ADMINISTRATOR


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
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Group],
    service_types: Iterable[ServiceType],
) -> User:
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


def command_actor(clinic: Clinic, email: str | None = None) -> User:
    """Who a management command acts as in a clinic: the staff member with that e-mail, or
    else the clinic's first active administrator. Raises ``User.DoesNotExist`` with a message
    a terminal can show."""
    users = User.objects.filter(clinic=clinic, is_active=True)
    if email:
        user = users.filter(email__iexact=email.strip()).first()
        if user is None:
            raise User.DoesNotExist(f"No active user {email} in {clinic}.")
        return user
    user = users.filter(groups__name=ADMINISTRATOR).order_by("pk").first()
    if user is None:
        raise User.DoesNotExist(f"{clinic} has no active administrator; name one with --by.")
    return user
