"""An authorization follows its chart case in a merge of patient cases and goes back with its
undo; the counts stored on it follow the visits it counts."""

import datetime

import pytest

from cases.merge import case_merge
from cases.merge_preview import merge_preview
from cases.merge_undo import case_merge_undo
from insurance.models import Authorization
from tests.factories import (
    AppointmentFactory,
    AuthorizationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db


def test_a_merge_moves_the_authorization_with_its_visits_and_undo_moves_it_back(
    clinic, speech, administrator, therapist, treatment, location, payer
):
    feeding = PatientCaseFactory(clinic=clinic, name="Feeding", service_types=[speech])
    kept = PatientCaseFactory(clinic=clinic, name="Feeding Therapy", service_types=[speech])
    patient = PatientFactory(clinic=clinic)
    source = PatientChartCaseFactory(case=feeding, patient=patient)
    target = PatientChartCaseFactory(case=kept, patient=patient)
    authorization = AuthorizationFactory(chart_case=source, payer=payer, quantity=5)
    AppointmentFactory(
        chart_case=source,
        therapist=therapist,
        appointment_type=treatment,
        location=location,
        start=datetime.datetime.combine(
            clinic.today() + datetime.timedelta(days=2), datetime.time(15), datetime.UTC
        ),
    )
    assert Authorization.objects.get(pk=authorization.pk).booked == 1

    preview = merge_preview(target=kept, sources=[feeding])
    assert [(k.total, k.onto_target) for k in preview.kinds if k.plural == "authorizations"] == [
        (1, 1)
    ]
    merge = case_merge(target=kept, sources=[feeding], token=preview.token, by=administrator)

    moved = Authorization.objects.get(pk=authorization.pk)
    assert (moved.chart_case_id, moved.booked, moved.remaining) == (target.pk, 1, 4)

    case_merge_undo(merge=merge, by=administrator)

    back = Authorization.objects.get(pk=authorization.pk)
    assert (back.chart_case_id, back.booked, back.remaining) == (source.pk, 1, 4)
