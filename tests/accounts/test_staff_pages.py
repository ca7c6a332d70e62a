"""The Staff list recorded as served (tests/snapshot.py): roles, service types, deactivated
staff, two pages, hostile names."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from tests.factories import ClinicFactory, ServiceTypeFactory, UserFactory
from tests.snapshot import assert_page

LIST_URL = reverse("accounts:staff_list")
HOSTILE = "<script>alert(\"x\")</script> & 'O'Hara'"

recorded = pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)


def _staff(clinic):
    speech = ServiceTypeFactory(clinic=clinic, name="Speech Therapy")
    occupational = ServiceTypeFactory(clinic=clinic, name=f"occupational {HOSTILE}")
    aba = ServiceTypeFactory(clinic=clinic, name="ABA", is_active=False)
    admin = UserFactory(
        clinic=clinic,
        email="admin@riverside.test",
        first_name="Ada",
        last_name="Admin & <b>Co</b>",
        roles=[ADMINISTRATOR],
    )
    role_sets = [[THERAPIST], [SCHEDULER], [THERAPIST, SCHEDULER], [ADMINISTRATOR, THERAPIST]]
    service_sets = [[speech], [occupational], [speech, occupational, aba], []]
    for n in range(62):
        UserFactory(
            clinic=clinic,
            email=f"staff{n:02}@riverside.test",
            first_name="" if n == 5 else (HOSTILE if n % 9 == 0 else f"First{n:02}"),
            last_name="" if n == 5 else f"Last{n % 20:02}",
            roles=role_sets[n % 4],
            service_types=service_sets[n % 4] if THERAPIST in role_sets[n % 4] else [],
            is_active=n % 10 != 3,
        )
    # Neither a portal user nor a user without a role, nor another clinic's staff, is listed.
    UserFactory(clinic=clinic, email="parent@riverside.test", roles=[PATIENT])
    UserFactory(clinic=clinic, email="norole@riverside.test")
    other = ClinicFactory(name="Hillside Rehab")
    UserFactory(clinic=other, email="admin@hillside.test", roles=[ADMINISTRATOR])
    assert Group.objects.count() == 4
    return admin


@recorded
def test_the_staff_list_as_recorded(client):
    clinic = ClinicFactory(name="Riverside Therapy")
    client.force_login(_staff(clinic))
    for name, query in [
        ("first", {}),
        ("page-2", {"page": 2}),
        ("all", {"show": "all"}),
        ("all-page-2", {"show": "all", "page": 2}),
        ("page-past-the-end", {"page": 9}),
        ("page-not-a-number", {"page": "abc"}),
    ]:
        response = client.get(LIST_URL, query)
        assert response.status_code in (200, 404), name
        assert_page(f"staff/list-{name}", f"{response.status_code}\n" + response.content.decode())
