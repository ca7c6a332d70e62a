"""A shared case: the speech and the occupational therapist work on the very same goals."""

import datetime

from charts.models import Goal, GoalProgress
from tests.charts.helpers import chart_url, iso, note_data, note_url, page_html, url


def test_a_goal_written_by_speech_is_seen_and_updated_by_occupational(
    therapist_client, ot_client, ot_therapist, feeding_chart_case, today
):
    created = therapist_client.post(
        url("goal_create", feeding_chart_case),
        {
            "kind": "long_term",
            "text": "Chew a soft solid safely",
            "start_date": iso(today - datetime.timedelta(days=7)),
            "target_date": iso(today + datetime.timedelta(days=90)),
        },
    )
    goal = Goal.objects.get()

    assert created.status_code == 302
    assert "Chew a soft solid safely" in page_html(ot_client.get(chart_url(feeding_chart_case)))
    assert ot_client.get(url("goal_update", feeding_chart_case, goal_pk=goal.pk)).status_code == 200

    updated = ot_client.post(
        url("goal_update", feeding_chart_case, goal_pk=goal.pk),
        {
            "text": "Chew a soft solid safely",
            "target_date": iso(goal.target_date),
            "status": "partially_met",
            "note": "Manages banana, not yet cracker.",
        },
    )

    assert updated.status_code == 302
    goal.refresh_from_db()
    assert goal.status == Goal.Status.PARTIALLY_MET
    entry = GoalProgress.objects.get(goal=goal)
    assert (entry.date, entry.status, entry.author, entry.note, entry.daily_note) == (
        today,
        "partially_met",
        ot_therapist,
        "Manages banana, not yet cracker.",
        None,
    )
    speech_view = page_html(therapist_client.get(chart_url(feeding_chart_case)))
    assert "Partially met" in speech_view
    assert f"({ot_therapist})" in speech_view
    assert "Manages banana, not yet cracker." in speech_view


def test_each_discipline_reads_the_others_notes_on_a_shared_case(
    therapist_client, ot_client, feeding_chart_case, today
):
    therapist_client.post(
        url("note_create", feeding_chart_case),
        note_data(feeding_chart_case, today, assessment="Tolerated purees well"),
    )
    note = feeding_chart_case.daily_notes.get()

    assert "Tolerated purees well" in page_html(ot_client.get(chart_url(feeding_chart_case)))
    assert ot_client.get(note_url("document_detail", note)).status_code == 200
