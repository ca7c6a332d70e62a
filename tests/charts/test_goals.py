"""Goals: long- and short-term, dated progress on every status change, bad dates refused."""

import datetime

import pytest

from charts import services
from charts.models import Goal, GoalProgress
from tests.charts.helpers import flash_messages, iso, page_html, url
from tests.factories import GoalFactory, PatientChartCaseFactory


def _goal_data(today, **changes) -> dict:
    return {
        "kind": "long_term",
        "text": "Produce /s/ in sentences",
        "start_date": iso(today),
        "target_date": iso(today + datetime.timedelta(days=90)),
        **changes,
    }


def test_a_long_term_goal_is_added(therapist_client, therapist, speech_chart_case, today):
    response = therapist_client.post(url("goal_create", speech_chart_case), _goal_data(today))

    goal = Goal.objects.get()
    assert response.status_code == 302
    assert flash_messages(response) == ["Goal added."]
    assert (goal.chart_case, goal.kind, goal.parent, goal.status, goal.created_by) == (
        speech_chart_case,
        "long_term",
        None,
        "active",
        therapist,
    )
    assert goal.target_date == today + datetime.timedelta(days=90)


def test_a_short_term_goal_is_added_under_a_long_term_one(
    therapist_client, speech_goal, speech_chart_case, today
):
    response = therapist_client.post(
        url("goal_create", speech_chart_case),
        _goal_data(today, kind="short_term", parent=speech_goal.pk, text="/s/ in single words"),
    )

    short = Goal.objects.get(kind="short_term")
    assert response.status_code == 302
    assert short.parent == speech_goal
    assert list(speech_goal.short_term_goals.all()) == [short]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_date": -1}, "The target date cannot be before the goal's start."),
        ({"kind": "long_term", "parent": "long"}, "Only a short-term goal can belong"),
        ({"kind": "short_term", "parent": "other"}, "Select a valid choice."),
        ({"kind": "short_term", "parent": "short"}, "Select a valid choice."),
        ({"text": ""}, "This field is required."),
        ({"kind": "yearly"}, "Select a valid choice."),
        ({"target_date": "soon"}, "Enter a valid date."),
    ],
)
def test_a_bad_goal_is_refused_and_nothing_is_written(
    changes, message, therapist_client, therapist, speech_goal, speech_chart_case, today
):
    short = GoalFactory(
        chart_case=speech_chart_case, kind="short_term", parent=speech_goal, created_by=therapist
    )
    elsewhere = GoalFactory(
        chart_case=PatientChartCaseFactory(case=speech_chart_case.case), created_by=therapist
    )
    parents = {"long": speech_goal.pk, "short": short.pk, "other": elsewhere.pk}
    data = _goal_data(today)
    for field, value in changes.items():
        if field == "parent":
            value = parents[value]
        elif field == "target_date" and value == -1:
            value = iso(today - datetime.timedelta(days=1))
        data[field] = value
    before = Goal.objects.count()

    response = therapist_client.post(url("goal_create", speech_chart_case), data)

    assert response.status_code == 400
    assert message in page_html(response)
    assert Goal.objects.count() == before


def test_the_service_refuses_a_target_before_the_start(therapist, speech_chart_case, today):
    with pytest.raises(services.ValidationError):
        services.goal_create(
            chart_case=speech_chart_case,
            kind="long_term",
            parent=None,
            text="x",
            start_date=today,
            target_date=today - datetime.timedelta(days=1),
            by=therapist,
        )
    assert not Goal.objects.exists()


def _update(client, goal, **changes):
    data = {
        "text": goal.text,
        "target_date": iso(goal.target_date),
        "status": goal.status,
        "note": "",
        **changes,
    }
    return client.post(url("goal_update", goal.chart_case, goal_pk=goal.pk), data)


def test_a_status_change_records_a_dated_progress_entry(
    therapist_client, therapist, speech_goal, today
):
    response = _update(therapist_client, speech_goal, status="met", note="10/10 in sentences")

    assert response.status_code == 302
    speech_goal.refresh_from_db()
    assert speech_goal.status == "met"
    entry = GoalProgress.objects.get()
    assert (entry.goal, entry.date, entry.status, entry.note, entry.author) == (
        speech_goal,
        today,
        "met",
        "10/10 in sentences",
        therapist,
    )


def test_no_progress_entry_when_the_status_is_unchanged(therapist_client, speech_goal):
    response = _update(therapist_client, speech_goal, text="Produce /s/ and /z/ in sentences")

    assert response.status_code == 302
    speech_goal.refresh_from_db()
    assert speech_goal.text == "Produce /s/ and /z/ in sentences"
    assert not GoalProgress.objects.exists()


def test_each_status_change_gets_its_own_entry(therapist_client, speech_goal):
    _update(therapist_client, speech_goal, status="partially_met")
    speech_goal.refresh_from_db()
    _update(therapist_client, speech_goal, status="met")

    assert list(GoalProgress.objects.order_by("pk").values_list("status", flat=True)) == [
        "partially_met",
        "met",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_date": "before"}, "The target date cannot be before the goal's start."),
        ({"status": "finished"}, "Select a valid choice."),
        ({"text": ""}, "This field is required."),
    ],
)
def test_a_bad_update_is_refused_and_the_goal_is_unchanged(
    changes, message, therapist_client, speech_goal
):
    if changes.get("target_date") == "before":
        changes["target_date"] = iso(speech_goal.start_date - datetime.timedelta(days=1))
    before = Goal.objects.values().get()

    response = _update(therapist_client, speech_goal, **{"status": "met", **changes})

    assert response.status_code == 400
    assert message in page_html(response)
    assert Goal.objects.values().get() == before
    assert not GoalProgress.objects.exists()


def test_a_goal_of_another_chart_case_is_not_found(therapist_client, speech_chart_case, therapist):
    elsewhere = GoalFactory(
        chart_case=PatientChartCaseFactory(case=speech_chart_case.case), created_by=therapist
    )

    response = therapist_client.get(url("goal_update", speech_chart_case, goal_pk=elsewhere.pk))

    assert response.status_code == 404
