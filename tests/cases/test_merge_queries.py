"""The merge preview reads a fixed number of queries whatever the number of charts: pinned at
two sizes, for the read and for the page an administrator opens."""

import pytest
from django.urls import reverse

from cases.merge_preview import merge_preview
from tests.factories import (
    AppointmentTypeRuleFactory,
    DailyNoteFactory,
    GoalFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The chart counts and the preview's token, patients with both, services, therapists losing
# sight, request rules; one per kind of row (6 of charts, 2 of scheduling, 1 of insurance).
PREVIEW_QUERIES = 14
# The page adds the session and its user, the cases the form names (sources, target), the
# Schedule tab's pending count, and the form's two choice lists when it is drawn.
PAGE_QUERIES = 24


def _clinic(clinic, speech, occupational, therapist, charts: int):
    source = PatientCaseFactory(clinic=clinic, name="Feeding", service_types=[speech])
    target = PatientCaseFactory(clinic=clinic, name="Feeding Therapy", service_types=[occupational])
    AppointmentTypeRuleFactory(case=source, clinic=clinic)
    UserFactory(clinic=clinic, roles=["Therapist"], service_types=[speech])
    for number in range(charts):
        patient = PatientFactory(clinic=clinic)
        chart_case = PatientChartCaseFactory(case=source, patient=patient)
        GoalFactory(chart_case=chart_case, created_by=therapist)
        DailyNoteFactory(chart_case=chart_case, author=therapist, signed_by=therapist)
        if number % 2:
            PatientChartCaseFactory(case=target, patient=patient)
    return source, target


@pytest.mark.parametrize("charts", [1, 12])
def test_preview_queries_do_not_grow_with_the_charts(
    charts, clinic, speech, occupational, therapist, django_assert_num_queries
):
    source, target = _clinic(clinic, speech, occupational, therapist, charts)
    with django_assert_num_queries(PREVIEW_QUERIES):
        preview = merge_preview(target=target, sources=[source])
    assert preview.charts[source.pk] == charts
    assert preview.patients_with_both == charts // 2


@pytest.mark.parametrize("charts", [1, 12])
def test_preview_page_queries_do_not_grow_with_the_charts(
    charts,
    clinic,
    speech,
    occupational,
    therapist,
    administrator_client,
    django_assert_num_queries,
):
    source, target = _clinic(clinic, speech, occupational, therapist, charts)
    url = reverse("cases:case_merge")
    with django_assert_num_queries(PAGE_QUERIES):
        response = administrator_client.get(url, {"target": target.pk, "sources": source.pk})
    assert response.status_code == 200
