"""Fixtures for the Patient Cases tests, on top of the role fixtures in ``tests/conftest.py``."""

import pytest
from django.test import Client

from core.roles import ADMINISTRATOR
from tests.factories import AppointmentTypeFactory, ServiceTypeFactory, UserFactory


@pytest.fixture
def evaluation(clinic):
    return AppointmentTypeFactory(clinic=clinic, name="Evaluation", default_duration_minutes=60)


@pytest.fixture
def consultation_inactive(clinic):
    """An appointment type switched off: it gets no row on the Appointment Requests tab."""
    return AppointmentTypeFactory(
        clinic=clinic, name="Consultation", default_duration_minutes=30, is_active=False
    )


@pytest.fixture
def physical_inactive(clinic):
    return ServiceTypeFactory(clinic=clinic, name="Physical Therapy", is_active=False)


@pytest.fixture
def other_service(other_clinic):
    return ServiceTypeFactory(clinic=other_clinic, name="Hillside Speech")


@pytest.fixture
def other_type(other_clinic):
    return AppointmentTypeFactory(clinic=other_clinic, name="Hillside Visit")


@pytest.fixture
def types(treatment, evaluation):
    """Two active appointment types: the form shows Evaluation (row 0), then Treatment (row 1)."""
    return [evaluation, treatment]


@pytest.fixture
def second_admin(clinic):
    return UserFactory(
        clinic=clinic,
        email="second-admin@riverside.test",
        first_name="Bea",
        last_name="Second",
        roles=[ADMINISTRATOR],
    )


@pytest.fixture
def second_client(second_admin):
    client = Client()
    client.force_login(second_admin)
    return client
