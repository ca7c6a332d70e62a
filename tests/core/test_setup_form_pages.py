"""The Basic Setup forms whose names are checked by ``core.forms`` (service and appointment
types), recorded as served (tests/snapshot.py): opened, and refused with a duplicate or blank
name, hostile names included."""

import pytest
from django.urls import reverse

from core.roles import ADMINISTRATOR
from tests.factories import AppointmentTypeFactory, ClinicFactory, ServiceTypeFactory, UserFactory
from tests.snapshot import assert_page

HOSTILE = "<script>alert(\"x\")</script> & 'O'Hara'"

recorded = pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)


@recorded
def test_the_setup_forms_as_recorded(client):
    clinic = ClinicFactory(name="Riverside Therapy")
    client.force_login(
        UserFactory(
            clinic=clinic,
            email="admin@riverside.test",
            first_name="Ada",
            last_name="Admin",
            roles=[ADMINISTRATOR],
        )
    )
    service = ServiceTypeFactory(clinic=clinic, name=HOSTILE)
    kind = AppointmentTypeFactory(clinic=clinic, name=HOSTILE, default_duration_minutes=45)
    service_add = reverse("clinic:servicetype_create")
    service_edit = reverse("clinic:servicetype_update", args=[service.pk])
    type_add = reverse("clinic:appointmenttype_create")
    type_edit = reverse("clinic:appointmenttype_update", args=[kind.pk])
    for name, method, url, data, status in [
        ("service-add", "get", service_add, None, 200),
        ("service-edit", "get", service_edit, None, 200),
        ("service-add-duplicate", "post", service_add, {"name": HOSTILE.upper()}, 400),
        ("service-edit-blank", "post", service_edit, {"name": " ", "version": "1"}, 400),
        ("type-add", "get", type_add, None, 200),
        ("type-edit", "get", type_edit, None, 200),
        (
            "type-add-duplicate",
            "post",
            type_add,
            {"name": f" {HOSTILE} ", "default_duration_minutes": "7"},
            400,
        ),
    ]:
        response = getattr(client, method)(url, data)
        assert response.status_code == status, name
        assert_page(f"setup_forms/{name}", response.content)
