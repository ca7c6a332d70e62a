"""A merge racing the writes it must not lose, truly in parallel: each call in its own
thread and database connection (tests/hardening/helpers.in_parallel), the first held inside
its transaction for a moment. Whatever the order, a note written on a source chart case is
either moved with the rest or refused with a clear message, never left on a chart case the
merge emptied; of two merges of the same cases one wins."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases import merge as merge_module
from cases.merge import case_merge
from cases.merge_preview import merge_preview
from charts import services
from charts.models import DailyNote, PatientChartCase
from charts.services import documentation
from tests.factories import PatientCaseFactory, PatientChartCaseFactory, PatientFactory
from tests.hardening.helpers import in_parallel

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOLD = 0.5


def _slow(monkeypatch, owner, name):
    original = getattr(owner, name)

    def slow_call(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(HOLD)
        return result

    monkeypatch.setattr(owner, name, slow_call)


def _later(call, delay=HOLD / 4):
    def delayed():
        time.sleep(delay)
        return call()

    return delayed


@pytest.fixture
def cases(clinic, speech):
    source = PatientCaseFactory(clinic=clinic, name="Feeding", service_types=[speech])
    target = PatientCaseFactory(clinic=clinic, name="Feeding Therapy", service_types=[speech])
    return source, target


def _merge_call(source, target, by):
    token = merge_preview(target=target, sources=[source]).token
    return lambda: case_merge(target=target, sources=[source], token=token, by=by)


def _note_call(chart_case, therapist, text):
    stale = PatientChartCase.objects.select_related("patient", "clinic").get(pk=chart_case.pk)
    return lambda: services.note_create(
        chart_case=stale,
        date_of_service=stale.clinic.today(),
        subjective=text,
        objective="",
        assessment="",
        plan="",
        progress=[],
        by=therapist,
    )


def _no_note_on_an_emptied_chart_case():
    assert not DailyNote.objects.filter(chart_case__merged_into__isnull=False).exists()


@pytest.mark.parametrize("first", ["merge", "note"])
def test_a_note_racing_a_merge_is_moved_or_refused(
    monkeypatch, first, clinic, cases, therapist, administrator
):
    source_case, target_case = cases
    patient = PatientFactory(clinic=clinic)
    source = PatientChartCaseFactory(case=source_case, patient=patient)
    target = PatientChartCaseFactory(case=target_case, patient=patient)
    merge = _merge_call(source_case, target_case, administrator)
    note = _note_call(source, therapist, "Racing note")
    if first == "merge":
        _slow(monkeypatch, merge_module, "plan_merge")
        results = in_parallel(merge, _later(note))
    else:
        _slow(monkeypatch, documentation, "_require_active")
        results = in_parallel(note, _later(merge))

    merge_result, note_result = (results[0], results[1]) if first == "merge" else results[::-1]
    assert not isinstance(merge_result, Exception), merge_result
    _no_note_on_an_emptied_chart_case()
    if isinstance(note_result, Exception):
        assert isinstance(note_result, ValidationError), note_result
        assert "merged into “Feeding Therapy”" in note_result.messages[0]
        assert not DailyNote.objects.filter(subjective="Racing note").exists()
    else:
        assert DailyNote.objects.get(subjective="Racing note").chart_case_id == target.pk


def test_a_note_on_a_chart_case_moved_whole_follows_it(
    monkeypatch, clinic, cases, therapist, administrator
):
    source_case, target_case = cases
    source = PatientChartCaseFactory(case=source_case)
    _slow(monkeypatch, merge_module, "plan_merge")

    results = in_parallel(
        _merge_call(source_case, target_case, administrator),
        _later(_note_call(source, therapist, "Racing note")),
    )

    assert not any(isinstance(result, Exception) for result in results), results
    note = DailyNote.objects.select_related("chart_case").get(subjective="Racing note")
    assert note.chart_case_id == source.pk
    assert note.chart_case.case_id == target_case.pk


def test_of_two_merges_chaining_the_same_case_one_is_refused(
    monkeypatch, clinic, cases, administrator, speech
):
    source_case, middle = cases
    last = PatientCaseFactory(clinic=clinic, name="Feeding and Swallowing", service_types=[speech])
    PatientChartCaseFactory(case=source_case)
    PatientChartCaseFactory(case=middle)
    _slow(monkeypatch, merge_module, "plan_merge")

    results = in_parallel(
        _merge_call(source_case, middle, administrator),
        _later(_merge_call(middle, last, administrator)),
    )

    refusals = [result for result in results if isinstance(result, Exception)]
    assert all(isinstance(result, ValidationError) for result in refusals), refusals
    if connection.vendor == "postgresql":
        # The second finds a case the first holds: refused at once, in words.
        assert [refusal.messages[0] for refusal in refusals] == [merge_module.BUSY]
    # Whatever the order, no chart case is left on a case that was merged away.
    live = PatientChartCase.objects.filter(merged_into__isnull=True)
    assert not live.filter(case__merged_into__isnull=False).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
def test_a_save_waiting_too_long_on_a_merge_is_refused_in_words(
    monkeypatch, clinic, cases, therapist
):
    from django.db import transaction

    from charts.services import common

    source = PatientChartCaseFactory(case=cases[0])
    monkeypatch.setattr(common, "LOCK_WAIT", "200ms")

    def hold():  # what a long merge does to the chart case
        with transaction.atomic():
            list(PatientChartCase.objects.select_for_update().filter(pk=source.pk))
            time.sleep(1.5)

    results = in_parallel(hold, _later(_note_call(source, therapist, "Waited"), 0.2))

    assert isinstance(results[1], ValidationError), results
    assert results[1].messages == [common.BUSY]
    assert not DailyNote.objects.filter(subjective="Waited").exists()
