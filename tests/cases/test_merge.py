"""Merging patient cases and undoing it, through the services (issue 22)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.merge import STALE, case_merge, undoable_merge
from cases.merge_models import MoveRecord
from cases.merge_preview import merge_preview
from cases.merge_undo import UndoRefused, case_merge_undo
from cases.models import PatientCase
from charts import services as chart_services
from charts.models import DailyNote, Goal, PatientChartCase
from core.models import AuditEntry
from tests.factories import (
    DailyNoteFactory,
    EvaluationFactory,
    GoalFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    ReminderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeding(clinic, speech, administrator):
    return PatientCaseFactory(
        clinic=clinic, name="Feeding", service_types=[speech], created_by=administrator
    )


@pytest.fixture
def feeding_therapy(clinic, speech, administrator):
    return PatientCaseFactory(
        clinic=clinic, name="Feeding Therapy", service_types=[speech], created_by=administrator
    )


def _merge(target, sources, by):
    preview = merge_preview(target=target, sources=sources)
    return case_merge(target=target, sources=sources, token=preview.token, by=by)


def test_a_chart_without_the_target_has_its_chart_case_moved_onto_it(
    feeding, feeding_therapy, administrator, therapist
):
    chart_case = PatientChartCaseFactory(case=feeding)
    note = DailyNoteFactory(chart_case=chart_case, author=therapist, signed_by=therapist)

    _merge(feeding_therapy, [feeding], administrator)

    chart_case.refresh_from_db()
    assert chart_case.case_id == feeding_therapy.pk
    assert DailyNote.objects.get(pk=note.pk).chart_case_id == chart_case.pk
    feeding.refresh_from_db()
    assert feeding.is_archived and feeding.merged_into_id == feeding_therapy.pk
    assert feeding not in PatientCase.objects.pickable()
    assert AuditEntry.objects.filter(
        action="merge", object_type="patient case", object_id=str(feeding_therapy.pk)
    ).exists()


def test_a_patient_with_both_gets_one_chart_case_with_everything(
    clinic, feeding, feeding_therapy, administrator, therapist
):
    patient = PatientFactory(clinic=clinic)
    today = clinic.today()
    source = PatientChartCaseFactory(
        case=feeding, patient=patient, started_on=today - datetime.timedelta(days=300)
    )
    target = PatientChartCaseFactory(
        case=feeding_therapy,
        patient=patient,
        status="discharged",
        started_on=today - datetime.timedelta(days=100),
        discharged_on=today - datetime.timedelta(days=10),
    )
    goal = GoalFactory(chart_case=source, created_by=therapist)
    note = DailyNoteFactory(chart_case=source, author=therapist, signed_by=therapist)
    signed_text = (note.subjective, note.signature, note.signed_at)
    EvaluationFactory(chart_case=source, author=therapist)
    ReminderFactory(chart_case=source, created_by=therapist)

    preview = merge_preview(target=feeding_therapy, sources=[feeding])
    assert preview.patients_with_both == 1
    assert {kind.plural: kind.onto_target for kind in preview.kinds}["goals"] == 1

    merge = case_merge(
        target=feeding_therapy, sources=[feeding], token=preview.token, by=administrator
    )

    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert target.status == "active" and target.discharged_on is None
    assert target.started_on == today - datetime.timedelta(days=300)
    assert Goal.objects.get(pk=goal.pk).chart_case_id == target.pk
    note.refresh_from_db()
    assert note.chart_case_id == target.pk
    assert (note.subjective, note.signature, note.signed_at) == signed_text
    assert MoveRecord.objects.filter(merge=merge).count() == 4
    assert AuditEntry.objects.filter(action="move", parent_id=str(target.pk)).count() == 4
    assert source not in PatientChartCase.objects.visible_to(administrator)

    case_merge_undo(merge=merge, by=administrator)

    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into_id is None
    assert target.status == "discharged"
    assert target.started_on == today - datetime.timedelta(days=100)
    assert DailyNote.objects.get(pk=note.pk).chart_case_id == source.pk
    feeding.refresh_from_db()
    assert not feeding.is_archived and feeding.merged_into_id is None


def test_a_note_saved_from_a_screen_opened_before_the_merge_is_refused(
    clinic, feeding, feeding_therapy, administrator, therapist
):
    patient = PatientFactory(clinic=clinic)
    source = PatientChartCaseFactory(case=feeding, patient=patient)
    PatientChartCaseFactory(case=feeding_therapy, patient=patient)
    stale_copy = PatientChartCase.objects.get(pk=source.pk)

    _merge(feeding_therapy, [feeding], administrator)

    with pytest.raises(ValidationError) as refused:
        chart_services.note_create(
            chart_case=stale_copy,
            date_of_service=clinic.today(),
            subjective="Late note",
            objective="",
            assessment="",
            plan="",
            progress=[],
            by=therapist,
        )
    assert "merged into “Feeding Therapy”" in refused.value.messages[0]
    assert not DailyNote.objects.filter(subjective="Late note").exists()


@pytest.mark.parametrize("problem", ["itself", "archived target", "other clinic", "no sources"])
def test_bad_merges_are_refused_and_change_nothing(
    problem, feeding, feeding_therapy, administrator, other_admin
):
    target, sources = feeding_therapy, [feeding]
    if problem == "itself":
        sources = [feeding_therapy]
    elif problem == "archived target":
        PatientCase.objects.filter(pk=feeding_therapy.pk).update(
            is_archived=True, archived_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        )
        target.refresh_from_db()
    elif problem == "other clinic":
        sources = [PatientCaseFactory(clinic=other_admin.clinic, name="Theirs")]
    else:
        sources = []
    with pytest.raises(ValidationError):
        case_merge(target=target, sources=sources, token="", by=administrator)
    feeding.refresh_from_db()
    assert not feeding.merged_into_id


def test_a_stale_preview_is_refused(feeding, feeding_therapy, administrator):
    preview = merge_preview(target=feeding_therapy, sources=[feeding])
    PatientChartCaseFactory(case=feeding)  # a chart added since

    with pytest.raises(ValidationError) as refused:
        case_merge(target=feeding_therapy, sources=[feeding], token=preview.token, by=administrator)

    assert refused.value.messages == [STALE]
    feeding.refresh_from_db()
    assert not feeding.is_archived


def test_undo_is_refused_once_something_was_written_on_a_touched_chart_case(
    clinic, feeding, feeding_therapy, administrator, therapist
):
    chart_case = PatientChartCaseFactory(case=feeding)
    merge = _merge(feeding_therapy, [feeding], administrator)
    chart_case.refresh_from_db()
    chart_services.reminder_create(
        chart_case=chart_case, text="Call the parent", due_on=clinic.today(), by=therapist
    )

    with pytest.raises(UndoRefused) as refused:
        case_merge_undo(merge=merge, by=administrator)

    assert "can no longer be undone" in refused.value.messages[0]
    assert "Reminder created" in refused.value.changes[0]
    chart_case.refresh_from_db()
    assert chart_case.case_id == feeding_therapy.pk
    assert undoable_merge(feeding_therapy) == merge


def test_a_merged_source_cannot_be_merged_again(feeding, feeding_therapy, clinic, administrator):
    _merge(feeding_therapy, [feeding], administrator)
    third = PatientCaseFactory(clinic=clinic, name="Swallowing")
    feeding.refresh_from_db()
    with pytest.raises(ValidationError):
        _merge(third, [feeding], administrator)


def test_a_merged_case_is_not_restored_but_undone(feeding, feeding_therapy, administrator):
    from cases.services import case_restore

    _merge(feeding_therapy, [feeding], administrator)
    feeding.refresh_from_db()
    with pytest.raises(ValidationError, match="Undo the merge"):
        case_restore(case=feeding, by=administrator)
