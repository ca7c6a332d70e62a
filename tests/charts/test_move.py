"""Moving one piece of documentation to another case of the same patient (issue 22)."""

import datetime

import pytest
from django.urls import reverse

from cases.merge_models import MoveRecord
from charts.models import DailyNote, Evaluation, Goal, GoalProgress, PatientChartCase
from core.models import AuditEntry
from scheduling.models import Appointment
from tests.factories import (
    AppointmentFactory,
    DailyNoteFactory,
    EvaluationFactory,
    GoalFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeding_chart_case(clinic, speech, speech_patient):
    case = PatientCaseFactory(clinic=clinic, name="Feeding Therapy", service_types=[speech])
    return PatientChartCaseFactory(case=case, patient=speech_patient)


def _url(chart_case, kind, item):
    return reverse("charts:documentation_move", args=[chart_case.pk, kind, item.pk])


@pytest.fixture
def therapist_client(client, therapist):
    client.force_login(therapist)
    return client


def test_a_signed_note_moves_unchanged_and_both_histories_say_so(
    therapist_client, therapist, signed_note, speech_chart_case, feeding_chart_case
):
    before = DailyNote.objects.filter(pk=signed_note.pk).values().get()

    response = therapist_client.post(
        _url(speech_chart_case, "notes", signed_note),
        {"to_chart_case": feeding_chart_case.pk, "reason": "Written on the wrong case"},
        follow=True,
    )

    assert "Moved “Daily note of" in response.content.decode()
    after = DailyNote.objects.filter(pk=signed_note.pk).values().get()
    assert after.pop("chart_case_id") == feeding_chart_case.pk
    before.pop("chart_case_id")
    assert after == before  # text, signature, times: byte for byte
    for chart_case in (speech_chart_case, feeding_chart_case):
        history = therapist_client.get(
            reverse("charts:chart_case_history", args=[chart_case.pk])
        ).content.decode()
        assert "Moved from Speech Therapy to Feeding Therapy by" in history
        assert ": Written on the wrong case" in history
    assert AuditEntry.objects.filter(action="move", object_id=str(signed_note.pk)).count() == 1
    record = MoveRecord.objects.get(row_id=signed_note.pk)
    assert record.words.startswith("Moved from Speech Therapy to Feeding Therapy by")


def test_a_goal_moves_with_its_progress_and_short_term_goals(
    therapist, speech_chart_case, feeding_chart_case
):
    from charts.services.move import documentation_move

    goal = GoalFactory(chart_case=speech_chart_case, created_by=therapist)
    child = GoalFactory(
        chart_case=speech_chart_case, created_by=therapist, kind="short_term", parent=goal
    )
    progress = GoalProgress.objects.create(
        clinic=goal.clinic, goal=goal, date=goal.start_date, status="active", author=therapist
    )

    documentation_move(item=goal, to_chart_case=feeding_chart_case, reason="Wrong", by=therapist)

    assert Goal.objects.get(pk=child.pk).chart_case_id == feeding_chart_case.pk
    assert GoalProgress.objects.get(pk=progress.pk).goal_id == goal.pk
    assert Goal.objects.get(pk=goal.pk).chart_case_id == feeding_chart_case.pk


def test_an_evaluation_moves_with_its_addenda(therapist, speech_chart_case, feeding_chart_case):
    from charts.models import Addendum
    from charts.services.move import documentation_move

    evaluation = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, signed_by=therapist
    )
    addendum = Addendum.objects.create(
        clinic=evaluation.clinic, evaluation=evaluation, text="Also", author=therapist
    )
    documentation_move(
        item=evaluation, to_chart_case=feeding_chart_case, reason="Wrong", by=therapist
    )
    assert Evaluation.objects.get(pk=evaluation.pk).chart_case_id == feeding_chart_case.pk
    assert Addendum.objects.get(pk=addendum.pk).evaluation_id == evaluation.pk


def test_a_visit_follows_its_note_only_when_its_therapist_may_work_the_new_case(
    clinic, therapist, ot_therapist, occupational, speech_chart_case, feeding_chart_case
):
    from charts.services.move import documentation_move

    note = DailyNoteFactory(chart_case=speech_chart_case, author=therapist)
    visit = AppointmentFactory(chart_case=speech_chart_case, therapist=therapist, daily_note=note)
    result = documentation_move(
        item=note, to_chart_case=feeding_chart_case, reason="Wrong", by=therapist
    )
    assert Appointment.objects.get(pk=visit.pk).chart_case_id == feeding_chart_case.pk
    assert result.stayed == []

    ot_case = PatientCaseFactory(clinic=clinic, name="Sensory", service_types=[occupational])
    ot_chart_case = PatientChartCaseFactory(case=ot_case, patient=speech_chart_case.patient)
    admin = UserFactory(clinic=clinic, roles=["Administrator"])
    note.refresh_from_db()
    result = documentation_move(item=note, to_chart_case=ot_chart_case, reason="Again", by=admin)
    assert Appointment.objects.get(pk=visit.pk).chart_case_id == feeding_chart_case.pk
    assert "stays on “Feeding Therapy”" in result.stayed[0]
    assert DailyNote.objects.get(pk=note.pk).chart_case_id == ot_chart_case.pk


@pytest.mark.parametrize("bad", ["no reason", "discharged", "other patient", "same case"])
def test_bad_moves_are_refused_with_a_400_and_change_nothing(
    bad, therapist_client, clinic, speech_case, signed_note, speech_chart_case, feeding_chart_case
):
    data = {"to_chart_case": feeding_chart_case.pk, "reason": "Wrong case"}
    if bad == "no reason":
        data["reason"] = "   "
        expected = "Give the reason for the move"
    elif bad == "discharged":
        PatientChartCase.objects.filter(pk=feeding_chart_case.pk).update(
            status="discharged", discharged_on=clinic.today()
        )
        expected = "Choose one of this patient"
    elif bad == "other patient":
        other = PatientChartCaseFactory(case=speech_case, patient=PatientFactory(clinic=clinic))
        data["to_chart_case"] = other.pk
        expected = "Choose one of this patient"
    else:
        data["to_chart_case"] = speech_chart_case.pk
        expected = "Choose one of this patient"

    response = therapist_client.post(_url(speech_chart_case, "notes", signed_note), data)

    assert response.status_code == 400
    assert expected in response.content.decode()
    assert DailyNote.objects.get(pk=signed_note.pk).chart_case_id == speech_chart_case.pk
    assert not MoveRecord.objects.exists()


def test_the_service_refuses_a_discharged_target_and_another_patient(
    clinic, therapist, speech_case, signed_note, speech_chart_case, feeding_chart_case
):
    from django.core.exceptions import ValidationError

    from charts.services.move import documentation_move

    PatientChartCase.objects.filter(pk=feeding_chart_case.pk).update(
        status="discharged", discharged_on=clinic.today() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="discharged"):
        documentation_move(
            item=signed_note, to_chart_case=feeding_chart_case, reason="x", by=therapist
        )
    other = PatientChartCaseFactory(case=speech_case, patient=PatientFactory(clinic=clinic))
    with pytest.raises(ValidationError, match="same patient"):
        documentation_move(item=signed_note, to_chart_case=other, reason="x", by=therapist)
    assert DailyNote.objects.get(pk=signed_note.pk).chart_case_id == speech_chart_case.pk


def test_a_therapist_who_cannot_document_on_the_other_case_is_refused(
    clinic, ot_therapist, occupational, speech_chart_case, signed_note, feeding_chart_case
):
    from django.core.exceptions import PermissionDenied

    from charts.services.move import documentation_move

    with pytest.raises(PermissionDenied):
        documentation_move(
            item=signed_note, to_chart_case=feeding_chart_case, reason="x", by=ot_therapist
        )
