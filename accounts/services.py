from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.emails import queue_password_email
from accounts.models import User
from clinic.models import Clinic, ServiceType
from core import audit


@transaction.atomic
def staff_create(
    *,
    clinic: Clinic,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Group],
    service_types: Iterable[ServiceType],
    by: User | None,
    base_url: str,
) -> User:
    """Add a staff member and e-mail them an invitation to set their own password (nobody
    else ever knows it). Until they do, their password is unusable."""
    user = User.objects.create_user(
        email=email, password=None, first_name=first_name, last_name=last_name, clinic=clinic
    )
    user.groups.set(roles)
    user.service_types.set(service_types)
    staff_invite(user=user, by=by, base_url=base_url)
    return user


@transaction.atomic
def staff_invite(*, user: User, by: User | None, base_url: str) -> None:
    """(Re)send a staff member their one-time link to set a password."""
    queue_password_email(user=user, kind="staff_invitation", base_url=base_url)
    audit.record(
        clinic_id=user.clinic_id,
        actor=by,
        action="invite",
        obj=user,
        object_type="staff member",
        details=f"Invitation e-mailed to {user.email}.",
    )


@transaction.atomic
def password_reset_request(*, email: str, base_url: str) -> None:
    """E-mail a reset link to the active account with this address, if there is one. The
    caller says the same thing either way: whether an address has an account is no one's
    business. An account that never set a password (a lost invitation) may reset too."""
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        queue_password_email(user=user, kind="password_reset", base_url=base_url)
        if user.clinic_id:
            audit.record(
                clinic_id=user.clinic_id,
                actor=None,
                action="password_reset_request",
                obj=user,
                object_type="user",
                details=f"Password reset link e-mailed to {user.email}.",
            )


@transaction.atomic
def password_set(*, user: User, password: str, via: str) -> User:
    """Set a password from a one-time link (``via`` is "invitation" or "reset"). Changing the
    password is also what makes the link dead: its token was signed over the old hash."""
    user.set_password(password)
    user.save(update_fields=["password"])
    if user.clinic_id:
        audit.record(
            clinic_id=user.clinic_id,
            actor=user,
            action="password_set",
            obj=user,
            object_type="user",
            details=f"Password set from a {via} link.",
        )
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
