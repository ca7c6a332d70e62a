"""The session's user comes with its clinic and its roles in one query, and a change of roles
counts from the next request on."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import ClinicUserBackend
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST, role_names
from tests.factories import UserFactory


def test_the_user_is_loaded_with_clinic_and_roles_in_one_query(clinic):
    user = UserFactory(clinic=clinic, roles=[THERAPIST, SCHEDULER])
    with CaptureQueriesContext(connection) as queries:
        loaded = ClinicUserBackend().get_user(user.pk)
        roles = role_names(loaded)
        clinic_name = loaded.clinic.name
    assert len(queries) == 1
    assert roles == {THERAPIST, SCHEDULER}
    assert clinic_name == clinic.name


def test_a_user_without_roles_has_none(clinic):
    user = UserFactory(clinic=clinic, roles=[])
    assert role_names(ClinicUserBackend().get_user(user.pk)) == frozenset()


def test_a_role_taken_away_is_refused_on_the_next_request(client, clinic):
    user = UserFactory(clinic=clinic, roles=[ADMINISTRATOR])
    client.force_login(user)
    setup = reverse("clinic:servicetype_list")
    assert client.get(setup).status_code == 200

    user.groups.remove(Group.objects.get(name=ADMINISTRATOR))
    user.groups.add(Group.objects.get(name=THERAPIST))

    assert client.get(setup).status_code == 403
