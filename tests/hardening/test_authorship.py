"""Only a draft's author signs or deletes it; others on the case read it and write their own;
an administrator deletes an abandoned draft with a recorded reason. A discharged chart case is
read-only, reminders included."""

import pytest
from django.urls import reverse

from charts import services
from charts.models import DailyNote, Evaluation, PatientChartCase, Reminder
from core.models import AuditEntry
from tests.factories import DailyNoteFactory, EvaluationFactory, ReminderFactory
from tests.hardening.helpers import logged_in, text


@pytest.fixture
def note(speech_chart_case, therapist):
    return DailyNoteFactory(chart_case=speech_chart_case, author=therapist)


@pytest.fixture
def evaluation(speech_chart_case, therapist):
    return EvaluationFactory(chart_case=speech_chart_case, author=therapist)


def _url(name, document, kind):
    return reverse(name, args=[document.chart_case_id, kind, document.pk])


@pytest.mark.parametrize("kind", ["notes", "evaluations"])
def test_another_therapist_of_the_case_cannot_sign_or_delete_a_draft(
    kind, note, evaluation, therapist, second_speech_therapist
):
    document = note if kind == "notes" else evaluation
    client = logged_in(second_speech_therapist)

    read = client.get(_url("charts:document_detail", document, kind))
    signed = client.post(_url("charts:document_sign", document, kind))
    deleted = client.post(_url("charts:document_delete", document, kind))

    assert read.status_code == 200
    assert (signed.status_code, deleted.status_code) == (403, 403)
    expected = f"Only {therapist}, who wrote this draft, can sign it."
    assert expected in text(signed)
    assert f"Only {therapist}, who wrote this draft, can delete it." in text(deleted)
    document.refresh_from_db()
    assert not document.is_signed


@pytest.mark.parametrize("kind", ["notes", "evaluations"])
def test_the_sign_confirmation_page_refuses_a_non_author(
    kind, note, evaluation, therapist, second_speech_therapist
):
    """The attestation page is not offered to someone the signature would refuse; the draft
    page offers them neither Sign nor Save and sign."""
    document = note if kind == "notes" else evaluation
    client = logged_in(second_speech_therapist)
    edit_name = "charts:note_update" if kind == "notes" else "charts:evaluation_update"

    page = client.get(_url("charts:document_sign", document, kind))
    draft = client.get(_url("charts:document_detail", document, kind))
    edit = client.get(reverse(edit_name, args=[document.chart_case_id, document.pk]))

    assert page.status_code == 403
    assert f"Only {therapist}, who wrote this draft, can sign it." in text(page)
    assert _url("charts:document_sign", document, kind) not in draft.content.decode()
    assert "Save and sign" not in edit.content.decode()
    assert logged_in(therapist).get(_url("charts:document_sign", document, kind)).status_code == 200


@pytest.mark.parametrize("kind", ["notes", "evaluations"])
def test_a_draft_saved_by_someone_else_after_the_sign_page_opened_is_not_signed_unseen(
    kind, note, evaluation, therapist
):
    document = note if kind == "notes" else evaluation
    client = logged_in(therapist)
    shown = document.version
    type(document).objects.filter(pk=document.pk).update(version=shown + 1)

    response = client.post(_url("charts:document_sign", document, kind), {"version": shown})
    current = client.post(_url("charts:document_sign", document, kind), {"version": shown + 1})

    assert response.status_code == 400
    assert services.CHANGED_BEFORE_SIGNING in text(response)
    assert current.status_code == 302
    document.refresh_from_db()
    assert document.is_signed


def test_the_services_refuse_a_signature_by_someone_else(note, second_speech_therapist):
    with pytest.raises(services.NotTheAuthorError):
        services.note_sign(note=note, by=second_speech_therapist)
    with pytest.raises(services.NotTheAuthorError):
        services.note_delete(note=note, by=second_speech_therapist)
    note.refresh_from_db()
    assert note.signed_by is None


def test_the_author_signs_and_the_other_therapist_writes_their_own_note(
    note, therapist, second_speech_therapist, speech_chart_case, today
):
    assert logged_in(therapist).post(_url("charts:document_sign", note, "notes")).status_code == 302
    own = logged_in(second_speech_therapist).post(
        reverse("charts:note_create", args=[speech_chart_case.pk]),
        {"date_of_service": today.isoformat(), "subjective": "Own session", "objective": ""},
    )

    assert own.status_code == 302
    note.refresh_from_db()
    assert note.signed_by == therapist
    assert DailyNote.objects.filter(author=second_speech_therapist).count() == 1


def test_an_administrator_deletes_an_abandoned_draft_with_a_reason(note, administrator):
    client = logged_in(administrator)
    url = _url("charts:document_discard", note, "notes")

    assert client.get(url).status_code == 200
    refused = client.post(url, {"reason": "   "})
    done = client.post(url, {"reason": "Author left the clinic in May."})

    assert refused.status_code == 400
    assert done.status_code == 302
    assert not DailyNote.objects.filter(pk=note.pk).exists()
    entry = AuditEntry.objects.get(action="discard")
    assert "Author left the clinic in May." in entry.details
    assert entry.actor == administrator


def test_a_signed_document_cannot_be_discarded(speech_chart_case, therapist, administrator):
    signed = EvaluationFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)
    response = logged_in(administrator).post(
        _url("charts:document_discard", signed, "evaluations"), {"reason": "Cleanup"}
    )

    assert response.status_code == 400
    assert Evaluation.objects.filter(pk=signed.pk).exists()


def test_a_reminder_of_a_discharged_case_cannot_be_marked_done(speech_chart_case, therapist, today):
    reminder = ReminderFactory(chart_case=speech_chart_case, created_by=therapist)
    PatientChartCase.objects.filter(pk=speech_chart_case.pk).update(
        status=PatientChartCase.Status.DISCHARGED, discharged_on=today
    )

    response = logged_in(therapist).post(
        reverse("charts:reminder_done", args=[speech_chart_case.pk, reminder.pk])
    )

    assert response.status_code == 409
    assert services.READ_ONLY in text(response)
    reminder.refresh_from_db()
    assert reminder.done_at is None
    assert Reminder.objects.open().filter(pk=reminder.pk).exists()
