from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.emails import queue_password_email
from accounts.models import User
from clinic.models import Clinic, ServiceType
from core import audit
from core.roles import ADMINISTRATOR

STAFF_MEMBER = "staff member"


def staff_snapshot(user: User) -> dict[str, str]:
    """A staff member as the Staff screens show them, in plain words (reads roles and
    services fresh: two queries)."""
    return {
        "First name": user.first_name,
        "Last name": user.last_name,
        "E-mail": user.email,
        "Roles": ", ".join(sorted(user.groups.values_list("name", flat=True))) or "none",
        "Service types": ", ".join(sorted(user.service_types.values_list("name", flat=True)))
        or "none",
        "Status": "Active" if user.is_active else "Deactivated",
    }


def _record(user: User, action: str, by: User | None, changes) -> None:
    audit.record(
        clinic_id=user.clinic_id,
        actor=by,
        action=action,
        obj=user,
        object_type=STAFF_MEMBER,
        changes=changes,
    )


@transaction.atomic
def staff_create(
    *,
    clinic: Clinic,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Group],
    service_types: Iterable[ServiceType],
    credentials: str = "",
    by: User | None = None,
    base_url: str,
) -> User:
    """Add a staff member and e-mail them an invitation to set their own password (nobody
    else ever knows it). Until they do, their password is unusable."""
    user = User.objects.create_user(
        email=email,
        password=None,
        first_name=first_name,
        last_name=last_name,
        clinic=clinic,
        credentials=credentials.strip(),
    )
    user.groups.set(roles)
    user.service_types.set(service_types)
    _record(user, "create", by, audit.diff({}, staff_snapshot(user)))
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
    by: User | None = None,
    credentials: str = "",
) -> User:
    # "Before" from the stored row: a ModelForm bound to ``user`` has already copied the input.
    before = staff_snapshot(User.objects.get(pk=user.pk))
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.credentials = credentials.strip()
    user.save(update_fields=["email", "first_name", "last_name", "credentials"])
    user.groups.set(roles)
    user.service_types.set(service_types)
    changes = audit.diff(before, staff_snapshot(user))
    if changes:
        # A change of roles alone is its own action: the one an auditor looks for.
        action = "roles" if {label for label, *_ in changes} == {"Roles"} else "update"
        _record(user, action, by, changes)
    return user


@transaction.atomic
def staff_set_active(*, user: User, active: bool, by: User) -> User:
    """Deactivate or reactivate a staff user. Users are never deleted: charts name them."""
    if user.pk == by.pk and not active:
        raise ValidationError("You cannot deactivate your own account.")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    before, after = ("Deactivated", "Active") if active else ("Active", "Deactivated")
    _record(user, "reactivate" if active else "deactivate", by, [["Status", before, after]])
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
