"""The clinic scope fails loudly: clinic data is never read outside a clinic."""

import pytest
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from cases.models import PatientCase
from charts.models import Patient
from tests.factories import PatientCaseFactory, PatientFactory


def test_a_query_on_clinic_data_outside_any_scope_raises(clinic, other_clinic):
    PatientFactory(clinic=clinic)
    with scope():
        with pytest.raises(ScopeError):
            list(Patient.objects.all())
        with pytest.raises(ScopeError):
            Patient.objects.for_clinic(clinic).count()
        with pytest.raises(ScopeError):
            PatientCase.objects.pickable().exists()


def test_inside_a_scope_a_forgotten_for_clinic_still_sees_one_clinic(clinic, other_clinic):
    ours = PatientFactory(clinic=clinic, last_name="Ours")
    PatientFactory(clinic=other_clinic, last_name="Theirs")
    PatientCaseFactory(clinic=other_clinic)
    with scope(clinic=clinic.pk):
        assert list(Patient.objects.all()) == [ours]
        assert not PatientCase.objects.exists()


def test_a_request_runs_in_its_users_clinic(administrator_client, clinic, other_clinic):
    PatientFactory(clinic=other_clinic, last_name="Zimmerman", first_name="Theirs")
    response = administrator_client.get("/patients/?q=Zimmerman")
    assert response.status_code == 200
    assert "Theirs" not in response.content.decode()
