"""The database keeps the chart's rules for every path that goes around the services."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from charts.models import Addendum, Goal, PatientChartCase
from tests.factories import (
    DailyNoteFactory,
    EvaluationFactory,
    PatientChartCaseFactory,
)

DAY = datetime.timedelta(days=1)


def _goal(chart_case, author, **fields):
    values = {
        "clinic": chart_case.clinic,
        "chart_case": chart_case,
        "text": "Say /s/",
        "start_date": chart_case.started_on,
        "target_date": chart_case.started_on + 30 * DAY,
        "created_by": author,
        **fields,
    }
    with transaction.atomic():
        return Goal.objects.create(**values)


def test_a_goal_target_before_its_start_is_refused(speech_chart_case, therapist):
    with pytest.raises(IntegrityError):
        _goal(speech_chart_case, therapist, target_date=speech_chart_case.started_on - DAY)

    assert not Goal.objects.exists()


def test_a_goal_target_moved_before_its_start_by_an_update_is_refused(speech_goal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.filter(pk=speech_goal.pk).update(target_date=speech_goal.start_date - DAY)

    speech_goal.refresh_from_db()
    assert speech_goal.target_date > speech_goal.start_date


def test_only_a_short_term_goal_has_a_parent(speech_chart_case, therapist, speech_goal):
    with pytest.raises(IntegrityError):
        _goal(speech_chart_case, therapist, kind="long_term", parent=speech_goal)

    _goal(speech_chart_case, therapist, kind="short_term", parent=speech_goal)
    assert Goal.objects.count() == 2


def _addendum(**documents):
    with transaction.atomic():
        return Addendum.objects.create(**documents)


def test_an_addendum_points_at_exactly_one_document(speech_chart_case, therapist):
    note = DailyNoteFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)
    evaluation = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, signed_by=therapist
    )
    common = {"clinic": speech_chart_case.clinic, "text": "Correction", "author": therapist}

    with pytest.raises(IntegrityError):
        _addendum(**common)
    with pytest.raises(IntegrityError):
        _addendum(**common, daily_note=note, evaluation=evaluation)
    _addendum(**common, daily_note=note)
    _addendum(**common, evaluation=evaluation)

    assert Addendum.objects.count() == 2


def test_one_active_chart_case_per_patient_and_case(speech_chart_case, today):
    with pytest.raises(IntegrityError), transaction.atomic():
        PatientChartCaseFactory(
            patient=speech_chart_case.patient, case=speech_chart_case.case, started_on=today
        )

    assert PatientChartCase.objects.count() == 1


def test_a_discharged_chart_case_does_not_block_a_new_one(speech_chart_case, today):
    PatientChartCase.objects.filter(pk=speech_chart_case.pk).update(
        status="discharged", discharged_on=today
    )

    PatientChartCaseFactory(
        patient=speech_chart_case.patient, case=speech_chart_case.case, started_on=today
    )

    assert PatientChartCase.objects.filter(patient=speech_chart_case.patient).count() == 2


def test_reopening_around_the_service_is_refused_too(speech_chart_case, today):
    PatientChartCase.objects.filter(pk=speech_chart_case.pk).update(
        status="discharged", discharged_on=today
    )
    PatientChartCaseFactory(
        patient=speech_chart_case.patient, case=speech_chart_case.case, started_on=today
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        PatientChartCase.objects.filter(pk=speech_chart_case.pk).update(
            status="active", discharged_on=None
        )


@pytest.mark.parametrize(
    ("status", "discharged_on"),
    [("discharged", None), ("active", "today"), ("discharged", "before start")],
)
def test_a_discharge_date_goes_with_the_discharged_status(
    status, discharged_on, speech_chart_case, today
):
    day = {
        None: None,
        "today": today,
        "before start": speech_chart_case.started_on - DAY,
    }[discharged_on]

    with pytest.raises(IntegrityError), transaction.atomic():
        PatientChartCase.objects.filter(pk=speech_chart_case.pk).update(
            status=status, discharged_on=day
        )

    speech_chart_case.refresh_from_db()
    assert (speech_chart_case.status, speech_chart_case.discharged_on) == ("active", None)
