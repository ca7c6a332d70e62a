"""The database itself keeps the rules, for every path that goes around the forms."""

import pytest
from django.db import IntegrityError, transaction

from clinic.models import AppointmentType, ServiceType
from tests.clinic.kinds import KINDS


def _create(model, **fields):
    if model is AppointmentType:
        fields.setdefault("default_duration_minutes", 45)
    with transaction.atomic():
        return model.objects.create(**fields)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_a_name_differing_only_in_case_is_refused_in_the_same_clinic(kind, clinic):
    _create(kind.model, clinic=clinic, name="Speech Therapy")

    with pytest.raises(IntegrityError):
        _create(kind.model, clinic=clinic, name="speech therapy")

    assert kind.model.objects.count() == 1


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_the_same_name_is_allowed_in_another_clinic(kind, clinic, other_clinic):
    _create(kind.model, clinic=clinic, name="Speech Therapy")

    _create(kind.model, clinic=other_clinic, name="SPEECH THERAPY")

    assert kind.model.objects.count() == 2


@pytest.mark.parametrize("minutes", [0, 4, 7, 481, 485, 1000])
def test_the_database_refuses_a_bad_duration(minutes, clinic):
    with pytest.raises(IntegrityError):
        _create(AppointmentType, clinic=clinic, name="Visit", default_duration_minutes=minutes)

    assert not AppointmentType.objects.exists()


@pytest.mark.parametrize("minutes", [5, 45, 480])
def test_the_database_accepts_a_good_duration(minutes, clinic):
    _create(AppointmentType, clinic=clinic, name="Visit", default_duration_minutes=minutes)

    assert AppointmentType.objects.get().default_duration_minutes == minutes


def test_an_update_around_the_form_is_refused_too(clinic):
    visit = _create(AppointmentType, clinic=clinic, name="Visit")

    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentType.objects.filter(pk=visit.pk).update(default_duration_minutes=7)

    visit.refresh_from_db()
    assert visit.default_duration_minutes == 45


def test_rows_are_found_only_through_their_clinic(clinic, other_clinic):
    ours = _create(ServiceType, clinic=clinic, name="Speech Therapy")
    _create(ServiceType, clinic=other_clinic, name="Speech Therapy")

    assert list(ServiceType.objects.for_clinic(clinic)) == [ours]
