"""What the database itself keeps, whatever path around the forms a write takes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from cases.models import AppointmentTypeRule, PatientCase, PatientCaseServiceType
from charts.models import PatientChartCase
from tests.factories import (
    AppointmentTypeRuleFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
)


def _refused(factory, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)


@pytest.mark.parametrize("name", ["Speech Therapy", "speech therapy", "SPEECH THERAPY"])
def test_case_name_is_unique_per_clinic_ignoring_case(speech_case, clinic, administrator, name):
    _refused(PatientCaseFactory, clinic=clinic, name=name, created_by=administrator)

    assert PatientCase.objects.filter(clinic=clinic).count() == 1


def test_same_case_name_is_allowed_in_another_clinic(speech_case, other_clinic, other_admin):
    PatientCaseFactory(clinic=other_clinic, name="speech therapy", created_by=other_admin)

    assert PatientCase.objects.filter(name__iexact="speech therapy").count() == 2


def test_one_rule_per_case_and_appointment_type(speech_case, treatment):
    AppointmentTypeRuleFactory(case=speech_case, appointment_type=treatment)

    _refused(
        AppointmentTypeRuleFactory,
        case=speech_case,
        appointment_type=treatment,
        allow_requests=False,
    )

    assert AppointmentTypeRule.objects.count() == 1


def test_one_service_link_per_case_and_service(speech_case, speech, clinic):
    _refused(
        PatientCaseServiceType.objects.create,
        clinic=clinic,
        case=speech_case,
        service_type=speech,
    )


@pytest.mark.parametrize(("allow", "duration"), [(True, 7), (True, 0), (True, 485), (False, 3)])
def test_duration_outside_5_to_480_in_steps_of_5_is_refused(
    speech_case, treatment, allow, duration
):
    _refused(
        AppointmentTypeRuleFactory,
        case=speech_case,
        appointment_type=treatment,
        allow_requests=allow,
        duration_minutes=duration,
    )

    assert not AppointmentTypeRule.objects.exists()


@pytest.mark.parametrize("duration", [5, 45, 480])
def test_duration_within_range_is_kept(speech_case, treatment, duration):
    AppointmentTypeRuleFactory(
        case=speech_case, appointment_type=treatment, duration_minutes=duration
    )

    assert AppointmentTypeRule.objects.get().duration_minutes == duration


def test_no_duration_only_when_requests_are_not_allowed(speech_case, treatment, evaluation):
    AppointmentTypeRuleFactory(
        case=speech_case, appointment_type=evaluation, allow_requests=False, duration_minutes=None
    )

    _refused(
        AppointmentTypeRuleFactory,
        case=speech_case,
        appointment_type=treatment,
        allow_requests=True,
        duration_minutes=None,
    )

    assert list(AppointmentTypeRule.objects.values_list("appointment_type__name", flat=True)) == [
        "Evaluation"
    ]


def test_rule_validation_says_an_allowed_type_needs_a_duration(speech_case, treatment):
    rule = AppointmentTypeRule(
        clinic=speech_case.clinic,
        case=speech_case,
        appointment_type=treatment,
        allow_requests=True,
        duration_minutes=None,
    )

    with pytest.raises(ValidationError) as error:
        rule.full_clean()

    assert "An allowed appointment type needs a duration." in error.value.messages


def test_archived_case_needs_its_archive_time(speech_case):
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientCase.objects.filter(pk=speech_case.pk).update(is_archived=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        PatientCase.objects.filter(pk=speech_case.pk).update(archived_at=timezone.now())


def test_a_case_is_active_at_most_once_on_a_chart(speech_case):
    patient = PatientFactory(clinic=speech_case.clinic)
    PatientChartCaseFactory(case=speech_case, patient=patient)

    _refused(PatientChartCaseFactory, case=speech_case, patient=patient)

    assert PatientChartCase.objects.count() == 1


def test_a_discharged_case_may_be_started_again_on_the_same_chart(speech_case):
    patient = PatientFactory(clinic=speech_case.clinic)
    for started, discharged in [
        (datetime.date(2023, 1, 2), datetime.date(2023, 6, 5)),
        (datetime.date(2024, 1, 8), datetime.date(2024, 6, 3)),
    ]:
        PatientChartCaseFactory(
            case=speech_case,
            patient=patient,
            status="discharged",
            started_on=started,
            discharged_on=discharged,
        )
    PatientChartCaseFactory(case=speech_case, patient=patient, started_on=datetime.date(2025, 1, 6))

    assert PatientChartCase.objects.filter(patient=patient).count() == 3
    assert PatientChartCase.objects.filter(patient=patient).active().count() == 1


def test_the_same_case_may_be_active_on_two_patients_charts(speech_case):
    PatientChartCaseFactory.create_batch(2, case=speech_case)

    assert PatientChartCase.objects.active().filter(case=speech_case).count() == 2


def test_deleting_a_case_on_a_chart_is_refused_by_the_orm(speech_case, treatment):
    AppointmentTypeRuleFactory(case=speech_case, appointment_type=treatment)
    PatientChartCaseFactory(
        case=speech_case,
        status="discharged",
        started_on=datetime.date(2024, 1, 8),
        discharged_on=datetime.date(2024, 2, 5),
    )

    with pytest.raises(ProtectedError), transaction.atomic():
        speech_case.delete()

    assert PatientCase.objects.filter(pk=speech_case.pk).exists()
    assert speech_case.rules.count() == 1


def test_deleting_an_unused_case_takes_its_rules_and_service_links(speech_case, treatment):
    AppointmentTypeRuleFactory(case=speech_case, appointment_type=treatment)

    speech_case.delete()

    assert not AppointmentTypeRule.objects.exists()
    assert not PatientCaseServiceType.objects.exists()


def test_a_service_type_of_a_case_cannot_be_deleted(speech_case, speech):
    with pytest.raises(ProtectedError), transaction.atomic():
        speech.delete()


def test_an_appointment_type_with_rules_cannot_be_deleted(speech_case, treatment):
    AppointmentTypeRuleFactory(case=speech_case, appointment_type=treatment)

    with pytest.raises(ProtectedError), transaction.atomic():
        treatment.delete()


def test_pickable_leaves_out_archived_cases(speech_case, clinic, administrator):
    archived = PatientCaseFactory(
        clinic=clinic,
        name="Old",
        is_archived=True,
        archived_at=timezone.now(),
        archived_by=administrator,
        created_by=administrator,
    )

    pickable = PatientCase.objects.for_clinic(clinic).pickable()

    assert speech_case in pickable and archived not in pickable
