"""The four roles. Each is an auth group made by a data migration in ``accounts``."""

ADMINISTRATOR = "Administrator"
SCHEDULER = "Scheduler"
THERAPIST = "Therapist"
PATIENT = "Patient"

STAFF_ROLES = (ADMINISTRATOR, SCHEDULER, THERAPIST)
ALL_ROLES = (*STAFF_ROLES, PATIENT)


def role_names(user) -> frozenset[str]:
    """The names of the user's roles, read once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(role_names(user).intersection(roles))
