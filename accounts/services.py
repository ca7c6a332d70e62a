import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.emails import queue_password_email
from accounts.models import PasswordResetRequest, User
from clinic.models import Clinic, ServiceType
from core import audit
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
    service_types = _lock_service_types(service_types)
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


RESET_WINDOW = datetime.timedelta(hours=1)


class TooManyResetRequests(ValidationError):
    def __init__(self):
        super().__init__(
            "Too many password reset requests came from your network in the last hour. "
            "Wait an hour and try again, or ask your clinic's administrator.",
            code="too_many_reset_requests",
        )


@transaction.atomic
def password_reset_request(*, email: str, base_url: str, client_address: str | None) -> None:
    """E-mail a reset link to the active account with this address, if there is one. The
    caller says the same thing either way: whether an address has an account is no one's
    business. An account that never set a password (a lost invitation) may reset too.

    Rate limits, each over the last hour: a client address asking more than
    ``PASSWORD_RESET_ADDRESS_LIMIT`` times is refused (``TooManyResetRequests``); an e-mail
    address asked for more than ``PASSWORD_RESET_EMAIL_LIMIT`` times is sent nothing more,
    answered as always (so the limit says nothing about the address, and nobody's inbox can
    be flooded)."""
    email = email.strip().lower()
    now = timezone.now()
    since = now - RESET_WINDOW
    PasswordResetRequest.objects.filter(at__lt=since).delete()
    recent = PasswordResetRequest.objects.filter(at__gte=since)
    if recent.filter(client_address=client_address).count() >= (
        settings.PASSWORD_RESET_ADDRESS_LIMIT
    ):
        raise TooManyResetRequests
    PasswordResetRequest.objects.create(client_address=client_address, email=email, at=now)
    if recent.filter(email=email).count() > settings.PASSWORD_RESET_EMAIL_LIMIT:
        return
    for user in User.objects.filter(email__iexact=email, is_active=True):
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
    expected_version: int | None,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Group],
    service_types: Iterable[ServiceType],
    by: User | None = None,
    credentials: str = "",
) -> User:
    claim_version(user, expected_version)
    roles = list(roles)
    if not any(role.name == ADMINISTRATOR for role in roles):
        _require_another_administrator(user)
    # "Before" from the stored row: a ModelForm bound to ``user`` has already copied the input.
    before = staff_snapshot(User.objects.get(pk=user.pk))
    user.email = email
    user.first_name = first_name
    user.last_name = last_name
    user.credentials = credentials.strip()
    service_types = _lock_service_types(service_types)
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
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    if not active:
        _require_another_administrator(user)
        # Every session opened so far stops matching the account, for good: reactivating
        # later does not bring them back.
        user.session_generation += 1
    user.is_active = active
    user.version += 1
    user.save(update_fields=["is_active", "session_generation", "version"])
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
