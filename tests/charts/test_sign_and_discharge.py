"""Sign with attestation, discharge that cannot strand a draft, the discharge summary and
reopening that restores goals (issue 12, items 2-4)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from charts import services
from charts.models import (
    DailyNote,
    DischargeSummary,
    Evaluation,
    Goal,
    GoalProgress,
    PatientChartCase,
    Reminder,
)
from core.models import AuditEntry
from tests.charts.helpers import (
    chart_url,
    evaluation_url,
    flash_messages,
    iso,
    note_data,
    note_url,
    page_html,
    url,
)
from tests.factories import (
    DailyNoteFactory,
    EvaluationFactory,
    GoalFactory,
    PatientChartCaseFactory,
    ReminderFactory,
)

DAY = datetime.timedelta(days=1)


@pytest.fixture
def therapist(therapist):
    therapist.first_name, therapist.last_name, therapist.credentials = "Dana", "Reyes", "CCC-SLP"
    therapist.save()
    return therapist


# Attestation ------------------------------------------------------------------------------


def test_the_attestation_names_the_signer_credentials_and_time_zone(therapist, clinic):
    moment = datetime.datetime(2026, 1, 15, 14, 5, tzinfo=datetime.UTC)

    line = services.attestation(therapist, moment, clinic)

    assert line == "Electronically signed by Dana Reyes, CCC-SLP, on Jan 15, 2026 at 9:05 AM EST"


def test_without_credentials_the_attestation_reads_plainly(therapist, clinic):
    therapist.credentials = ""
    moment = datetime.datetime(2026, 7, 1, 16, 30, tzinfo=datetime.UTC)

    line = services.attestation(therapist, moment, clinic)

    assert line == "Electronically signed by Dana Reyes on Jul 1, 2026 at 12:30 PM EDT"


def test_sign_asks_for_confirmation_with_the_attestation(therapist_client, unsigned_note):
    response = therapist_client.get(note_url("document_sign", unsigned_note))

    text = page_html(response)
    assert response.status_code == 200
    assert "Electronically signed by Dana Reyes, CCC-SLP, on " in text
    assert "Confirm and sign" in text
    unsigned_note.refresh_from_db()
    assert not unsigned_note.is_signed


def test_confirming_signs_and_the_document_shows_the_signature_line(
    therapist_client, therapist, unsigned_note
):
    response = therapist_client.post(note_url("document_sign", unsigned_note))

    unsigned_note.refresh_from_db()
    assert response.status_code == 302
    assert unsigned_note.signed_by == therapist
    assert unsigned_note.signature.startswith("Electronically signed by Dana Reyes, CCC-SLP, on ")
    detail = page_html(therapist_client.get(note_url("document_detail", unsigned_note)))
    assert unsigned_note.signature in detail


def test_the_detail_page_links_to_the_confirmation_not_a_one_click_sign(
    therapist_client, unsigned_note
):
    text = page_html(therapist_client.get(note_url("document_detail", unsigned_note)))

    assert f'href="{note_url("document_sign", unsigned_note)}"' in text


def test_the_confirmation_of_a_signed_document_goes_back_to_it(therapist_client, signed_note):
    response = therapist_client.get(note_url("document_sign", signed_note))

    assert response.status_code == 302
    assert response["Location"] == note_url("document_detail", signed_note)
    assert "signed" in flash_messages(response)[0]


def test_save_and_sign_saves_the_note_then_asks_to_confirm(
    therapist_client, speech_chart_case, today
):
    data = note_data(speech_chart_case, today) | {"and_sign": "1"}

    response = therapist_client.post(url("note_create", speech_chart_case), data)

    note = DailyNote.objects.get()
    assert not note.is_signed
    assert response["Location"] == note_url("document_sign", note)


def test_save_and_sign_on_an_evaluation(therapist_client, speech_chart_case, today):
    data = {"kind": "initial", "date": iso(today), "findings": "Mild.", "recommendations": ""}

    created = therapist_client.post(
        url("evaluation_create", speech_chart_case), data | {"and_sign": "1"}
    )
    evaluation = Evaluation.objects.get()
    edited = therapist_client.post(
        evaluation_url("evaluation_update", evaluation), data | {"and_sign": "1"}
    )
    saved = therapist_client.post(evaluation_url("evaluation_update", evaluation), data)

    assert created["Location"] == evaluation_url("document_sign", evaluation)
    assert edited["Location"] == evaluation_url("document_sign", evaluation)
    assert saved["Location"] == evaluation_url("document_detail", evaluation)
    assert "Save and sign" in page_html(therapist_client.get(url("note_create", speech_chart_case)))


# Discharge with drafts --------------------------------------------------------------------


def test_the_discharge_screen_lists_the_drafts_with_links_and_no_form(
    therapist_client, unsigned_note, unsigned_evaluation, speech_chart_case
):
    response = therapist_client.get(url("chart_case_discharge", speech_chart_case))

    text = page_html(response)
    assert "This case has 2 unsigned documents" in text
    assert note_url("document_sign", unsigned_note) in text
    assert note_url("document_delete", unsigned_note) in text
    assert evaluation_url("document_sign", unsigned_evaluation) in text
    assert 'name="discharged_on"' not in text


def test_a_tampered_discharge_post_with_a_draft_is_refused(
    therapist_client, unsigned_note, speech_chart_case, therapist, today
):
    goal = GoalFactory(chart_case=speech_chart_case, created_by=therapist)
    reminder = ReminderFactory(chart_case=speech_chart_case, created_by=therapist)

    response = therapist_client.post(
        url("chart_case_discharge", speech_chart_case), {"discharged_on": iso(today)}
    )

    assert response.status_code == 400
    assert "1 document is not signed yet" in page_html(response)
    speech_chart_case.refresh_from_db()
    goal.refresh_from_db()
    reminder.refresh_from_db()
    assert (speech_chart_case.status, goal.status, reminder.done_at) == ("active", "active", None)
    assert not GoalProgress.objects.exists()
    assert not AuditEntry.objects.filter(action="discharge").exists()


def test_the_service_refuses_a_discharge_with_drafts(
    unsigned_evaluation, speech_chart_case, therapist, today
):
    with pytest.raises(services.ValidationError, match="not signed yet"):
        services.chart_case_discharge(
            chart_case=speech_chart_case, discharged_on=today, by=therapist
        )
    speech_chart_case.refresh_from_db()
    assert speech_chart_case.is_active


def test_discharge_closes_open_reminders_as_discharged(
    therapist_client, speech_chart_case, therapist, today
):
    reminder = ReminderFactory(chart_case=speech_chart_case, created_by=therapist)
    done = ReminderFactory(
        chart_case=speech_chart_case, created_by=therapist, done_at=timezone.now()
    )

    response = therapist_client.post(
        url("chart_case_discharge", speech_chart_case), {"discharged_on": iso(today)}
    )

    assert response.status_code == 302
    reminder.refresh_from_db()
    done.refresh_from_db()
    assert (reminder.closed_reason, reminder.done_by) == ("discharged", therapist)
    assert reminder.done_at is not None
    assert done.closed_reason == ""
    entry = AuditEntry.objects.get(action="discharge")
    assert entry.patient_id == speech_chart_case.patient_id
    assert "1 open reminder closed" in entry.details


# Discharge summary ------------------------------------------------------------------------


def _summary_data(chart_case, today, **statuses):
    data = {"date": iso(today), "reason": "Goals met.", "recommendations": "Home practice."}
    for goal in chart_case.goals.filter(status="active"):
        data[f"goal-{goal.pk}"] = statuses.get(goal.text, "met")
    return data


def test_the_summary_form_prefills_each_active_goal(therapist_client, speech_chart_case, therapist):
    GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /s/")
    GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Old", status="met")

    text = page_html(therapist_client.get(url("discharge_summary_create", speech_chart_case)))

    assert "Long-term goal: Say /s/" in text
    assert "Old (status Met)" in text
    assert "Electronically signed by Dana Reyes, CCC-SLP, on" in text


def test_the_summary_is_signed_and_discharges_in_one_step(
    therapist_client, speech_chart_case, therapist, today
):
    first = GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /s/")
    second = GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /r/")
    data = _summary_data(speech_chart_case, today, **{"Say /r/": "partially_met"})

    response = therapist_client.post(url("discharge_summary_create", speech_chart_case), data)

    summary = DischargeSummary.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "charts:discharge_summary_detail", kwargs={"pk": speech_chart_case.pk, "doc_pk": summary.pk}
    )
    speech_chart_case.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (speech_chart_case.status, speech_chart_case.discharged_on) == ("discharged", today)
    assert (first.status, second.status) == ("met", "partially_met")
    assert summary.goal_statuses == [["Say /s/", "Met"], ["Say /r/", "Partially met"]]
    assert (summary.signed_by, summary.reason) == (therapist, "Goals met.")
    assert summary.signature.startswith("Electronically signed by Dana Reyes, CCC-SLP")
    detail = page_html(therapist_client.get(response["Location"]))
    assert summary.signature in detail and "Status at discharge: <strong>Partially met" in detail
    assert AuditEntry.objects.filter(action="sign", object_type="discharge summary").exists()


def test_a_summary_with_a_draft_on_the_case_writes_nothing(
    therapist_client, speech_chart_case, unsigned_note, today
):
    response = therapist_client.post(
        url("discharge_summary_create", speech_chart_case), _summary_data(speech_chart_case, today)
    )

    assert response.status_code == 400
    assert "not signed yet" in page_html(response)
    assert not DischargeSummary.objects.exists()
    speech_chart_case.refresh_from_db()
    assert speech_chart_case.is_active


def test_a_summary_without_a_reason_is_refused(therapist_client, speech_chart_case, today):
    data = _summary_data(speech_chart_case, today) | {"reason": " "}

    response = therapist_client.post(url("discharge_summary_create", speech_chart_case), data)

    assert response.status_code == 400
    assert not DischargeSummary.objects.exists()


def test_the_summary_service_refuses_a_goal_of_another_case(
    speech_chart_case, feeding_chart_case, therapist, today
):
    other = GoalFactory(chart_case=feeding_chart_case, created_by=therapist)

    with pytest.raises(services.ValidationError):
        services.discharge_summary_sign(
            chart_case=speech_chart_case,
            date=today,
            reason="Done",
            goal_statuses={other.pk: "met"},
            recommendations="",
            by=therapist,
        )
    assert not DischargeSummary.objects.exists()


# Reopen -----------------------------------------------------------------------------------


@pytest.fixture
def discharged_with_goals(speech_chart_case, therapist, today):
    closed = GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /s/")
    also = GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /r/")
    met_before = GoalFactory(
        chart_case=speech_chart_case, created_by=therapist, text="Earlier", status="met"
    )
    services.chart_case_discharge(chart_case=speech_chart_case, discharged_on=today, by=therapist)
    speech_chart_case.refresh_from_db()
    return speech_chart_case, closed, also, met_before


def test_reopen_lists_the_goals_the_discharge_closed(therapist_client, discharged_with_goals):
    chart_case, closed, also, met_before = discharged_with_goals

    text = page_html(therapist_client.get(url("chart_case_reopen", chart_case)))

    assert "Say /s/ (closed as Discontinued)" in text
    assert "Say /r/ (closed as Discontinued)" in text
    assert "Earlier" not in text


def test_reopen_reactivates_the_chosen_goal_and_the_next_note_reports_on_it(
    therapist_client, discharged_with_goals, therapist, today
):
    chart_case, closed, also, _ = discharged_with_goals

    response = therapist_client.post(
        url("chart_case_reopen", chart_case), {"reason": "Regressed", "restore_goals": [closed.pk]}
    )

    assert response.status_code == 302
    closed.refresh_from_db()
    also.refresh_from_db()
    assert (closed.status, also.status) == ("active", "discontinued")
    entry = closed.progress.order_by("-pk").first()
    assert (entry.status, entry.note, entry.author) == (
        "active",
        "Reactivated on reopening.",
        therapist,
    )
    note_form = page_html(therapist_client.get(url("note_create", chart_case)))
    assert "Goal progress" in note_form and "Say /s/" in note_form and "Say /r/" not in note_form
    assert "1 goal reactivated" in AuditEntry.objects.filter(action="reopen").get().details


def test_reopen_refuses_a_goal_of_another_chart_case(
    therapist_client, discharged_with_goals, feeding_chart_case, therapist
):
    chart_case = discharged_with_goals[0]
    other = GoalFactory(chart_case=feeding_chart_case, created_by=therapist, status="discontinued")

    response = therapist_client.post(
        url("chart_case_reopen", chart_case), {"reason": "Again", "restore_goals": [other.pk]}
    )

    assert response.status_code == 400
    assert "Only a goal this case's discharge closed can be reactivated." in page_html(response)
    chart_case.refresh_from_db()
    other.refresh_from_db()
    assert (chart_case.status, other.status) == ("discharged", "discontinued")


def test_the_reopen_service_refuses_a_goal_the_discharge_did_not_close(
    discharged_with_goals, therapist
):
    chart_case, _, _, met_before = discharged_with_goals

    with pytest.raises(services.ValidationError):
        services.chart_case_reopen(
            chart_case=chart_case, reason="Again", restore_goals=[met_before], by=therapist
        )
    chart_case.refresh_from_db()
    assert chart_case.status == "discharged"


# Pull forward -----------------------------------------------------------------------------


def test_pull_forward_on_a_day_with_a_note_warns_and_links_to_it(
    therapist_client, speech_chart_case, therapist, today
):
    DailyNoteFactory(
        chart_case=speech_chart_case,
        author=therapist,
        signed_by=therapist,
        date_of_service=today - DAY,
        plan="Copied plan",
    )
    todays = DailyNoteFactory(chart_case=speech_chart_case, author=therapist, plan="Today's plan")

    response = therapist_client.get(url("note_create", speech_chart_case) + "?pull_forward=1")

    text = page_html(response)
    assert "already has a draft note of" in text
    assert note_url("document_detail", todays) in text
    assert "Copied plan" not in text


def test_a_pulled_forward_note_on_a_day_with_a_note_is_refused(
    therapist_client, speech_chart_case, therapist, today
):
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist, date_of_service=today)
    data = note_data(speech_chart_case, today) | {"pulled_forward": "1"}

    response = therapist_client.post(url("note_create", speech_chart_case), data)

    assert response.status_code == 400
    assert "already has a note of" in page_html(response)
    assert DailyNote.objects.count() == 1


def test_pull_forward_on_a_free_day_still_copies(
    therapist_client, speech_chart_case, therapist, today
):
    DailyNoteFactory(
        chart_case=speech_chart_case,
        author=therapist,
        signed_by=therapist,
        date_of_service=today - DAY,
        plan="Copied plan",
    )

    text = page_html(
        therapist_client.get(url("note_create", speech_chart_case) + "?pull_forward=1")
    )

    assert "Copied plan" in text and "Pulled forward" in text


# On the chart -----------------------------------------------------------------------------


def test_the_chart_flags_overdue_reminders_and_goals_past_target_in_words(
    therapist_client, speech_chart_case, therapist, today
):
    ReminderFactory(
        chart_case=speech_chart_case, created_by=therapist, due_on=today - DAY, text="Call"
    )
    ReminderFactory(chart_case=speech_chart_case, created_by=therapist, due_on=today, text="Fax")
    GoalFactory(
        chart_case=speech_chart_case,
        created_by=therapist,
        start_date=today - 30 * DAY,
        target_date=today - DAY,
    )
    GoalFactory(
        chart_case=speech_chart_case,
        created_by=therapist,
        start_date=today - 30 * DAY,
        target_date=today - DAY,
        status="met",
    )

    text = page_html(therapist_client.get(chart_url(speech_chart_case)))

    assert text.count(">Overdue</span>") == 1
    assert text.count(">Past target date</span>") == 1


def test_each_tab_counts_its_unsigned_documents(
    therapist_client,
    administrator_client,
    scheduler_client,
    speech_chart_case,
    feeding_chart_case,
    therapist,
):
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist)
    EvaluationFactory(chart_case=speech_chart_case, author=therapist)
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)
    DailyNoteFactory(chart_case=feeding_chart_case, author=therapist)

    text = page_html(therapist_client.get(chart_url(speech_chart_case)))

    assert ">2 unsigned</span>" in text and ">1 unsigned</span>" in text
    assert ">2 unsigned</span>" in page_html(administrator_client.get(chart_url(speech_chart_case)))
    assert "unsigned</span>" not in page_html(scheduler_client.get(chart_url(speech_chart_case)))


def test_history_times_show_the_time_zone(therapist_client, speech_chart_case, therapist, today):
    services.chart_case_discharge(chart_case=speech_chart_case, discharged_on=today, by=therapist)

    text = page_html(therapist_client.get(url("chart_case_history", speech_chart_case)))

    assert any(zone in text for zone in (" EST<", " EDT<"))


def test_another_patients_chart_case_is_untouched(speech_chart_case, clinic, therapist, today):
    other = PatientChartCaseFactory(case=speech_chart_case.case, clinic=clinic)
    DailyNoteFactory(chart_case=other, author=therapist)

    services.chart_case_discharge(chart_case=speech_chart_case, discharged_on=today, by=therapist)

    assert PatientChartCase.objects.get(pk=other.pk).is_active
    assert Reminder.objects.count() == 0
    assert Goal.objects.count() == 0
