"""Evaluations: written, signed like notes, and keeping the re-evaluation reminder on time."""

import datetime

import pytest

from charts import services
from charts.models import Evaluation, Reminder
from charts.services import SIGNED
from tests.charts.helpers import (
    chart_url,
    evaluation_url,
    flash_messages,
    iso,
    page_html,
    recorded,
    url,
)
from tests.factories import EvaluationFactory

DAY = datetime.timedelta(days=1)


def _evaluation_data(day, **changes) -> dict:
    return {
        "kind": "initial",
        "date": iso(day),
        "findings": "Mild articulation disorder.",
        "recommendations": "Twice weekly for 12 weeks.",
        **changes,
    }


def _open_re_evaluations(chart_case):
    return list(
        Reminder.objects.filter(chart_case=chart_case, kind="re_evaluation", done_at__isnull=True)
    )


def test_an_evaluation_is_written_unsigned(therapist_client, therapist, speech_chart_case, today):
    response = therapist_client.post(
        url("evaluation_create", speech_chart_case), _evaluation_data(today - DAY)
    )

    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert flash_messages(response) == ["Evaluation saved. Sign it when it is complete."]
    assert (evaluation.author, evaluation.kind, evaluation.date, evaluation.is_signed) == (
        therapist,
        "initial",
        today - DAY,
        False,
    )
    assert not Reminder.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "tomorrow"}, "The date cannot be in the future."),
        ({"date": "31/31/2020"}, "Enter a valid date."),
        ({"kind": "progress"}, "Select a valid choice."),
    ],
)
def test_a_bad_evaluation_is_refused(changes, message, therapist_client, speech_chart_case, today):
    if changes.get("date") == "tomorrow":
        changes["date"] = iso(today + DAY)

    response = therapist_client.post(
        url("evaluation_create", speech_chart_case), _evaluation_data(today, **changes)
    )

    assert response.status_code == 400
    assert message in page_html(response)
    assert not Evaluation.objects.exists()


def test_an_unsigned_evaluation_can_be_edited_and_deleted(
    therapist_client, unsigned_evaluation, today
):
    edited = therapist_client.post(
        evaluation_url("evaluation_update", unsigned_evaluation),
        _evaluation_data(today, findings="Moderate disorder."),
    )
    unsigned_evaluation.refresh_from_db()
    deleted = therapist_client.post(evaluation_url("document_delete", unsigned_evaluation))

    assert edited.status_code == 302
    assert unsigned_evaluation.findings == "Moderate disorder."
    assert deleted.status_code == 302
    assert not Evaluation.objects.exists()


def test_an_empty_evaluation_cannot_be_signed(therapist_client, speech_chart_case, therapist):
    evaluation = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, findings=" ", recommendations=""
    )

    response = therapist_client.post(evaluation_url("document_sign", evaluation))

    assert response.status_code == 400
    assert "Write the findings or recommendations before signing." in page_html(response)
    evaluation.refresh_from_db()
    assert not evaluation.is_signed
    assert not Reminder.objects.exists()


def test_signing_records_it_and_schedules_the_re_evaluation(
    therapist_client, therapist, speech_chart_case, today
):
    evaluation = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, date=today - 10 * DAY
    )

    response = therapist_client.post(evaluation_url("document_sign", evaluation))

    assert response.status_code == 302
    assert flash_messages(response) == ["Evaluation signed."]
    evaluation.refresh_from_db()
    assert evaluation.is_signed and evaluation.signed_by == therapist
    assert recorded().get(action="sign").object_id == str(evaluation.pk)
    [reminder] = _open_re_evaluations(speech_chart_case)
    assert (reminder.text, reminder.due_on) == ("Re-evaluation due", today + 80 * DAY)
    assert "Re-evaluation due" in page_html(therapist_client.get(chart_url(speech_chart_case)))


def test_the_interval_is_the_clinics(therapist_client, therapist, speech_chart_case, clinic, today):
    clinic.re_evaluation_interval_days = 30
    clinic.save()
    evaluation = EvaluationFactory(chart_case=speech_chart_case, author=therapist, date=today)

    therapist_client.post(evaluation_url("document_sign", evaluation))

    [reminder] = _open_re_evaluations(speech_chart_case)
    assert reminder.due_on == today + 30 * DAY


def test_a_re_evaluation_moves_the_reminder_and_only_one_stays_open(
    therapist_client, therapist, speech_chart_case, today
):
    initial = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, date=today - 100 * DAY
    )
    therapist_client.post(evaluation_url("document_sign", initial))
    re_evaluation = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, kind="re_evaluation", date=today - 2 * DAY
    )

    therapist_client.post(evaluation_url("document_sign", re_evaluation))

    [reminder] = _open_re_evaluations(speech_chart_case)
    assert reminder.due_on == today + 88 * DAY
    old = Reminder.objects.exclude(pk=reminder.pk).get()
    assert old.due_on == today - 10 * DAY
    assert old.done_at is not None


def test_signing_an_older_evaluation_keeps_the_later_due_date(
    therapist_client, therapist, speech_chart_case, today
):
    newer = EvaluationFactory(chart_case=speech_chart_case, author=therapist, date=today)
    older = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, kind="re_evaluation", date=today - 50 * DAY
    )
    therapist_client.post(evaluation_url("document_sign", newer))

    therapist_client.post(evaluation_url("document_sign", older))

    assert [r.due_on for r in _open_re_evaluations(speech_chart_case)] == [today + 90 * DAY]
    assert Reminder.objects.count() == 1


def test_a_discharge_evaluation_schedules_no_re_evaluation(
    therapist_client, therapist, speech_chart_case, today
):
    evaluation = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, kind="discharge", date=today
    )

    therapist_client.post(evaluation_url("document_sign", evaluation))

    evaluation.refresh_from_db()
    assert evaluation.is_signed
    assert not Reminder.objects.exists()


def test_the_service_keeps_one_open_reminder_when_called_again(therapist, speech_chart_case, today):
    EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, date=today, signed_by=therapist
    )

    services.reminder_schedule_re_evaluation(chart_case=speech_chart_case, by=therapist)
    services.reminder_schedule_re_evaluation(chart_case=speech_chart_case, by=therapist)

    assert len(_open_re_evaluations(speech_chart_case)) == 1


# A signed evaluation is never changed in place --------------------------------------------


@pytest.fixture
def signed_evaluation(speech_chart_case, therapist, today):
    return EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, date=today, signed_by=therapist
    )


def test_the_edit_screen_of_a_signed_evaluation_is_refused(therapist_client, signed_evaluation):
    response = therapist_client.get(evaluation_url("evaluation_update", signed_evaluation))

    assert response.status_code == 409
    assert SIGNED in page_html(response)


def test_a_tampered_post_cannot_change_a_signed_evaluation(
    therapist_client, signed_evaluation, today
):
    before = Evaluation.objects.values().get()

    response = therapist_client.post(
        evaluation_url("evaluation_update", signed_evaluation),
        _evaluation_data(today - DAY, kind="discharge", findings="Rewritten"),
    )

    assert response.status_code == 409
    assert Evaluation.objects.values().get() == before


def test_a_signed_evaluation_cannot_be_deleted_or_signed_again(therapist_client, signed_evaluation):
    deleted = therapist_client.post(evaluation_url("document_delete", signed_evaluation))
    signed = therapist_client.post(evaluation_url("document_sign", signed_evaluation))

    assert (deleted.status_code, signed.status_code) == (400, 400)
    assert SIGNED in page_html(deleted)
    assert Evaluation.objects.filter(pk=signed_evaluation.pk).exists()


def test_the_author_adds_an_addendum_to_a_signed_evaluation(therapist_client, signed_evaluation):
    response = therapist_client.post(
        evaluation_url("document_addendum", signed_evaluation), {"text": "Hearing screen passed."}
    )

    assert response.status_code == 302
    assert signed_evaluation.addenda.get().text == "Hearing screen passed."


def test_the_services_refuse_to_change_a_signed_evaluation(therapist, signed_evaluation, today):
    before = Evaluation.objects.values().get()
    with pytest.raises(services.ValidationError, match="signed"):
        services.evaluation_update(
            evaluation=signed_evaluation,
            kind="initial",
            date=today,
            findings="Rewritten",
            recommendations="",
            by=therapist,
        )
    with pytest.raises(services.ValidationError, match="signed"):
        services.evaluation_delete(evaluation=signed_evaluation, by=therapist)

    assert Evaluation.objects.values().get() == before
