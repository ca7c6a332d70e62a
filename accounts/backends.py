from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from core.sql import read_json_list


class ClinicUserBackend(ModelBackend):
    """Django's model backend, loading the user's clinic and role names with the user in one
    query.

    Every clinic screen reads ``request.user.clinic`` and checks the user's roles
    (``core.roles.role_names``); each was a query of its own on every request.
    """

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("clinic").with_role_names().get(pk=user_id)
        except model.DoesNotExist:
            return None
        # What core.roles.role_names would read on first use: the roles as of this request.
        user._role_names = frozenset(read_json_list(user.role_names_json))
        return user if self.user_can_authenticate(user) else None
