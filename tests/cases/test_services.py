"""The write services called directly: each is one transaction and leaves one history entry."""

import pytest
from django.db import IntegrityError

from cases import services
from cases.models import PatientCase
from tests.cases.helpers import case_history, case_state, row_counts
from tests.factories import AppointmentTypeRuleFactory


@pytest.fixture
def case(speech_case, treatment):
    AppointmentTypeRuleFactory(case=speech_case, appointment_type=treatment, duration_minutes=45)
    return PatientCase.objects.get(pk=speech_case.pk)


def _update(case, by, **changes):
    fields = {
        "case": case,
        "expected_version": case.version,
        "name": case.name,
        "service_types": list(case.service_types.all()),
        "rules": [
            services.RuleInput(rule.appointment_type, rule.allow_requests, rule.duration_minutes)
            for rule in case.rules.all()
        ],
        "by": by,
    }
    fields.update(changes)
    return services.case_update(**fields)


def test_rename_of_an_instance_a_form_already_changed_is_saved(case, administrator):
    """A ModelForm bound to the case copies the posted name onto it while validating."""
    case.name = "Speech and Language"

    _update(case, administrator, name="Speech and Language")

    assert case_state(case)["name"] == "Speech and Language"
    assert case_state(case)["version"] == 2
    entry = case_history(case).get()
    assert entry.changes == [["Name", "Speech Therapy", "Speech and Language"]]


def test_update_without_change_keeps_version_and_history(case, administrator):
    state = case_state(case)

    returned = _update(case, administrator)

    assert returned.version == 1
    assert case_state(case) == state


def test_update_whose_rule_the_database_refuses_changes_nothing(
    case, administrator, treatment, occupational
):
    state, before = case_state(case), row_counts()

    with pytest.raises(IntegrityError):
        _update(
            PatientCase.objects.get(pk=case.pk),
            administrator,
            name="Renamed",
            service_types=[occupational],
            rules=[services.RuleInput(treatment, True, 7)],
        )

    assert case_state(case) == state
    assert row_counts() == before


def test_duplicate_name_that_slips_past_the_form_is_a_validation_error(
    case, administrator, clinic, speech
):
    """Two saves racing to one name: the loser gets the form's message, not a 500."""
    other = services.case_create(
        clinic=clinic, name="Fluency", service_types=[speech], rules=[], by=administrator
    )
    before = row_counts()

    with pytest.raises(services.ValidationError) as error:
        services.case_create(
            clinic=clinic, name="FLUENCY", service_types=[speech], rules=[], by=administrator
        )
    assert error.value.message_dict == {"name": [services.DUPLICATE_NAME]}
    with pytest.raises(services.ValidationError):
        _update(case, administrator, name="fluency")

    assert row_counts() == before
    assert case_state(case)["name"] == "Speech Therapy"
    assert other.name == "Fluency"
