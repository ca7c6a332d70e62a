import functools
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connections
from django.db.models import TextField
from django.db.models.expressions import RawSQL


@functools.cache
def _role_names_sql(vendor: str) -> str:
    """A correlated subquery of the user's group names as JSON text (JSON so that no character
    of a name can break the list apart): JSON_AGG on PostgreSQL, JSON_GROUP_ARRAY on SQLite,
    the two databases the product runs on."""
    if vendor == "postgresql":
        aggregate = "JSON_AGG(g.name)::text"
    elif vendor == "sqlite":
        aggregate = "JSON_GROUP_ARRAY(g.name)"
    else:
        raise NotImplementedError(f"No role names SQL for {vendor}")
    user_table = get_user_model()._meta.db_table
    through = get_user_model().groups.through._meta.db_table
    return (
        f'(SELECT {aggregate} FROM "{through}" ug JOIN "{Group._meta.db_table}" g '
        f'ON g.id = ug.group_id WHERE ug.user_id = "{user_table}".id)'
    )


class ClinicUserBackend(ModelBackend):
    """Django's model backend, loading the user's clinic and role names with the user in one
    query.

    Every clinic screen reads ``request.user.clinic`` and checks the user's roles
    (``core.roles.role_names``); each was a query of its own on every request.
    """

    def get_user(self, user_id):
        model = get_user_model()
        manager = model._default_manager
        roles = RawSQL(_role_names_sql(connections[manager.db].vendor), (), TextField())
        try:
            user = manager.select_related("clinic").annotate(role_names_json=roles).get(pk=user_id)
        except model.DoesNotExist:
            return None
        # What core.roles.role_names would read on first use: the roles as of this request.
        user._role_names = frozenset(json.loads(user.role_names_json or "[]"))
        return user if self.user_can_authenticate(user) else None
