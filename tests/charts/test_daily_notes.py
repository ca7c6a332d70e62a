"""Daily notes: written with goal progress, signed, then never changed in place."""

import datetime
import re

import pytest

from charts import services
from charts.models import Addendum, DailyNote, Goal, GoalProgress
from charts.services import SIGNED
from tests.charts.helpers import (
    flash_messages,
    history,
    iso,
    note_data,
    note_url,
    page_html,
    recorded,
    url,
)
from tests.factories import (
    DailyNoteFactory,
    GoalFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
)


@pytest.fixture
def goals(speech_chart_case, therapist):
    """Two active goals and one already met (a met goal gets no progress row)."""
    return {
        "s": GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /s/"),
        "r": GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /r/"),
        "m": GoalFactory(
            chart_case=speech_chart_case, created_by=therapist, text="Say /m/", status="met"
        ),
    }


def _textarea(response, name: str) -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page_html(response), re.S)
    assert found, f"no textarea {name}"
    return found[1].strip()


# Writing ----------------------------------------------------------------------------------


def test_the_form_offers_progress_for_the_active_goals_only(
    therapist_client, speech_chart_case, goals
):
    text = page_html(therapist_client.get(url("note_create", speech_chart_case)))

    assert "Say /s/" in text and "Say /r/" in text
    assert "Say /m/" not in text


def test_a_note_is_written_with_goal_progress(
    therapist_client, therapist, speech_chart_case, goals, today
):
    day = today - datetime.timedelta(days=1)
    data = note_data(
        speech_chart_case,
        day,
        progress={goals["s"]: ("partially_met", "7 of 10 in sentences")},
        assessment="Good session",
    )

    response = therapist_client.post(url("note_create", speech_chart_case), data)

    note = DailyNote.objects.get()
    assert response.status_code == 302
    assert flash_messages(response) == ["Daily note saved. Sign it when it is complete."]
    assert (note.author, note.date_of_service, note.assessment, note.is_signed) == (
        therapist,
        day,
        "Good session",
        False,
    )
    entry = GoalProgress.objects.get()
    assert (entry.goal, entry.daily_note, entry.date, entry.status, entry.note) == (
        goals["s"],
        note,
        day,
        "partially_met",
        "7 of 10 in sentences",
    )
    goals["s"].refresh_from_db()
    assert goals["s"].status == "active", "the goal changes when the note is signed"


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (1, "The date cannot be in the future."),
        ("someday", "Enter a valid date."),
        ("", "This field is required."),
    ],
)
def test_a_bad_date_of_service_is_refused(
    day, message, therapist_client, speech_chart_case, goals, today
):
    data = note_data(speech_chart_case, today)
    data["date_of_service"] = iso(today + datetime.timedelta(days=day)) if day == 1 else day

    response = therapist_client.post(url("note_create", speech_chart_case), data)

    assert response.status_code == 400
    assert message in page_html(response)
    assert not DailyNote.objects.exists()
    assert not GoalProgress.objects.exists()


def test_a_missing_goal_status_is_refused(therapist_client, speech_chart_case, goals, today):
    data = note_data(speech_chart_case, today)
    del data[f"goal-{goals['s'].pk}-status"]

    response = therapist_client.post(url("note_create", speech_chart_case), data)

    assert response.status_code == 400
    assert not DailyNote.objects.exists()


def test_an_unsigned_note_can_be_edited(therapist_client, unsigned_note, goals, today):
    data = note_data(
        unsigned_note.chart_case,
        today,
        progress={goals["r"]: ("not_met", "No /r/ yet")},
        plan="Add a home program",
    )

    response = therapist_client.post(note_url("note_update", unsigned_note), data)

    assert response.status_code == 302
    unsigned_note.refresh_from_db()
    assert unsigned_note.plan == "Add a home program"
    assert list(unsigned_note.goal_progress.values_list("goal", "status")) == [
        (goals["r"].pk, "not_met")
    ]


def test_an_unsigned_note_can_be_deleted_with_its_progress(
    therapist_client, unsigned_note, goals, today
):
    therapist_client.post(
        note_url("note_update", unsigned_note),
        note_data(unsigned_note.chart_case, today, progress={goals["s"]: ("met", "done")}),
    )
    assert GoalProgress.objects.exists()

    response = therapist_client.post(note_url("document_delete", unsigned_note))

    assert response.status_code == 302
    assert not DailyNote.objects.exists()
    assert not GoalProgress.objects.exists()


# Signing ----------------------------------------------------------------------------------


def test_an_empty_note_cannot_be_signed(therapist_client, speech_chart_case, therapist):
    note = DailyNoteFactory(
        chart_case=speech_chart_case,
        author=therapist,
        subjective="  ",
        objective="",
        assessment="\n",
        plan="",
    )

    response = therapist_client.post(note_url("document_sign", note))

    assert response.status_code == 400
    assert "Write the note before signing it" in page_html(response)
    note.refresh_from_db()
    assert not note.is_signed
    assert not recorded().filter(action="sign").exists()


def test_signing_sets_the_goals_from_the_progress_and_is_recorded(
    therapist_client, therapist, speech_chart_case, goals, today
):
    therapist_client.post(
        url("note_create", speech_chart_case),
        note_data(
            speech_chart_case,
            today,
            progress={goals["s"]: ("met", "10/10"), goals["r"]: ("active", "3/10")},
        ),
    )
    note = DailyNote.objects.get()

    response = therapist_client.post(note_url("document_sign", note))

    assert response.status_code == 302
    assert flash_messages(response)[-1] == "Daily note signed."
    note.refresh_from_db()
    assert note.is_signed and note.signed_by == therapist
    assert Goal.objects.get(pk=goals["s"].pk).status == "met"
    assert Goal.objects.get(pk=goals["r"].pk).status == "active"
    assert Goal.objects.get(pk=goals["m"].pk).status == "met"
    event = recorded().get(action="sign")
    assert (event.actor, event.object_id, event.parent_id) == (
        therapist,
        str(note.pk),
        str(speech_chart_case.pk),
    )
    assert history(speech_chart_case)[0].words == "Daily note signed"


def test_signing_an_older_note_does_not_undo_a_later_goal_status(
    therapist_client, speech_chart_case, goals, today
):
    """The note reported progress on an active goal; the goal was then marked met. Signing the
    note afterwards must not put it back to active behind its own progress history."""
    therapist_client.post(
        url("note_create", speech_chart_case),
        note_data(speech_chart_case, today, progress={goals["s"]: ("active", "6/10")}),
    )
    goal = goals["s"]
    therapist_client.post(
        url("goal_update", speech_chart_case, goal_pk=goal.pk),
        {"text": goal.text, "target_date": iso(goal.target_date), "status": "met", "note": ""},
    )

    therapist_client.post(note_url("document_sign", DailyNote.objects.get()))

    goal.refresh_from_db()
    assert goal.status == "met"


def test_a_signed_note_cannot_be_signed_again(therapist_client, signed_note):
    signed_at = signed_note.signed_at

    response = therapist_client.post(note_url("document_sign", signed_note))

    assert response.status_code == 400
    assert SIGNED in page_html(response)
    signed_note.refresh_from_db()
    assert signed_note.signed_at == signed_at


# A signed note is never changed in place --------------------------------------------------


def test_the_edit_screen_of_a_signed_note_is_refused(therapist_client, signed_note):
    response = therapist_client.get(note_url("note_update", signed_note))

    assert response.status_code == 409
    assert SIGNED in page_html(response)
    assert '<textarea name="assessment"' not in response.content.decode()


def test_a_tampered_post_cannot_change_a_signed_note(
    therapist_client, signed_note, speech_goal, today
):
    before = DailyNote.objects.values().get()
    data = note_data(
        signed_note.chart_case,
        today - datetime.timedelta(days=3),
        progress={speech_goal: ("met", "forged")},
        assessment="Rewritten after signing",
    )

    response = therapist_client.post(note_url("note_update", signed_note), data)

    assert response.status_code == 409
    assert SIGNED in page_html(response)
    assert DailyNote.objects.values().get() == before
    assert not GoalProgress.objects.exists()
    speech_goal.refresh_from_db()
    assert speech_goal.status == "active"


def test_a_signed_note_cannot_be_deleted(therapist_client, signed_note):
    response = therapist_client.post(note_url("document_delete", signed_note))

    assert response.status_code == 400
    assert SIGNED in page_html(response)
    assert DailyNote.objects.filter(pk=signed_note.pk).exists()


def test_a_signed_note_shows_no_edit_sign_or_delete(therapist_client, signed_note):
    text = page_html(therapist_client.get(note_url("document_detail", signed_note)))

    assert "Signed" in text
    for button in (">Edit<", ">Sign<", ">Delete<"):
        assert button not in text
    assert "Add Addendum" in text


# Addenda ----------------------------------------------------------------------------------


def test_the_author_adds_a_dated_addendum(therapist_client, therapist, signed_note):
    before = DailyNote.objects.values().get()

    response = therapist_client.post(
        note_url("document_addendum", signed_note), {"text": "  Accuracy was 7/10, not 8/10. "}
    )

    assert response.status_code == 302
    addendum = Addendum.objects.get()
    assert (addendum.daily_note, addendum.evaluation, addendum.author, addendum.text) == (
        signed_note,
        None,
        therapist,
        "Accuracy was 7/10, not 8/10.",
    )
    assert addendum.created_at is not None
    assert DailyNote.objects.values().get() == before
    assert recorded().get().action == "addendum"
    text = page_html(therapist_client.get(note_url("document_detail", signed_note)))
    assert "Accuracy was 7/10, not 8/10." in text
    assert f"{therapist}, " in text


def test_another_therapist_cannot_add_an_addendum(second_speech_client, signed_note):
    response = second_speech_client.post(
        note_url("document_addendum", signed_note), {"text": "Not mine to correct"}
    )

    assert response.status_code == 400
    assert "Only the author of a signed document can add an addendum to it." in page_html(response)
    assert not Addendum.objects.exists()


def test_an_unsigned_note_gets_no_addendum(therapist_client, unsigned_note):
    response = therapist_client.post(
        note_url("document_addendum", unsigned_note), {"text": "Too early"}
    )

    assert response.status_code == 400
    assert "addenda are for signed documents" in page_html(response)
    assert not Addendum.objects.exists()


def test_a_blank_addendum_is_refused(therapist_client, signed_note):
    response = therapist_client.post(note_url("document_addendum", signed_note), {"text": "  "})

    assert response.status_code == 400
    assert "This field is required." in page_html(response)
    assert not Addendum.objects.exists()


# Pull forward -----------------------------------------------------------------------------


@pytest.fixture
def history_of_notes(speech_chart_case, therapist, clinic, speech, today):
    """On the speech case: an old signed note, the latest signed note, and a newer unsigned
    draft. On another speech case of the same patient: a still newer signed note."""
    day = datetime.timedelta(days=1)

    def note(chart_case, when, assessment, signed=True):
        return DailyNoteFactory(
            chart_case=chart_case,
            author=therapist,
            date_of_service=when,
            subjective=f"S {assessment}",
            assessment=assessment,
            plan=f"P {assessment}",
            signed_by=therapist if signed else None,
        )

    note(speech_chart_case, today - 10 * day, "Old signed")
    note(speech_chart_case, today - 5 * day, "Latest signed")
    note(speech_chart_case, today - 1 * day, "Unsigned draft", signed=False)
    other = PatientChartCaseFactory(
        patient=speech_chart_case.patient,
        case=PatientCaseFactory(clinic=clinic, name="Articulation", service_types=[speech]),
        started_on=speech_chart_case.started_on,
    )
    note(other, today - 2 * day, "Other case signed")
    return other


def test_pull_forward_fills_the_form_with_the_latest_signed_note_of_this_case(
    therapist_client, speech_chart_case, history_of_notes, today
):
    response = therapist_client.get(url("note_create", speech_chart_case), {"pull_forward": 1})

    assert response.status_code == 200
    assert _textarea(response, "assessment") == "Latest signed"
    assert _textarea(response, "subjective") == "S Latest signed"
    assert _textarea(response, "plan") == "P Latest signed"
    text = page_html(response)
    assert "Pulled forward from the signed note of" in text
    for never in ("Other case signed", "Unsigned draft", "Old signed"):
        assert never not in text


def test_pull_forward_on_the_other_case_takes_its_own_note(therapist_client, history_of_notes):
    response = therapist_client.get(url("note_create", history_of_notes), {"pull_forward": 1})

    assert _textarea(response, "assessment") == "Other case signed"


def test_without_pull_forward_the_form_is_empty_but_offers_it(
    therapist_client, speech_chart_case, history_of_notes
):
    response = therapist_client.get(url("note_create", speech_chart_case))

    assert _textarea(response, "assessment") == ""
    assert "Pull forward the note of" in page_html(response)


def test_nothing_is_pulled_forward_from_unsigned_notes_only(therapist_client, unsigned_note):
    response = therapist_client.get(
        url("note_create", unsigned_note.chart_case), {"pull_forward": 1}
    )

    assert response.status_code == 200
    assert _textarea(response, "assessment") == ""
    assert unsigned_note.objective not in page_html(response)


def test_the_services_refuse_to_change_a_signed_note(therapist, signed_note, today):
    """Any route around the views meets the same refusal."""
    before = DailyNote.objects.values().get()
    with pytest.raises(services.ValidationError, match="signed"):
        services.note_update(
            note=signed_note,
            date_of_service=today,
            subjective="",
            objective="",
            assessment="Rewritten",
            plan="",
            progress=[],
            by=therapist,
        )
    with pytest.raises(services.ValidationError, match="signed"):
        services.note_delete(note=signed_note, by=therapist)
    with pytest.raises(services.ValidationError, match="signed"):
        services.note_sign(note=signed_note, by=therapist)

    assert DailyNote.objects.values().get() == before
