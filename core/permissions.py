"""Role checks, used the same way on every view: ``@role_required`` or ``RoleRequiredMixin``.

Anonymous visitors never get here (``LoginRequiredMiddleware`` sends them to log in). A user
without one of the roles, or without a clinic, gets 403. Object-level rules (another clinic's
row is a 404) live in the querysets the views load through.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied

from core.roles import has_role


def check_roles(user, roles: tuple[str, ...]) -> None:
    if getattr(user, "clinic_id", None) is None or not has_role(user, *roles):
        raise PermissionDenied


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            check_roles(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMixin:
    required_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        check_roles(request.user, self.required_roles)
        return super().dispatch(request, *args, **kwargs)
