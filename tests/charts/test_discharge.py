"""Discharge makes a chart case read-only and closes its goals; reopening needs a reason."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from charts import services
from charts.models import (
    Addendum,
    DailyNote,
    Evaluation,
    Goal,
    GoalProgress,
    PatientChartCase,
    Reminder,
)
from tests.charts.helpers import (
    chart_url,
    evaluation_url,
    flash_messages,
    history,
    iso,
    note_data,
    note_url,
    options,
    page_html,
    recorded,
    url,
)
from tests.factories import EvaluationFactory, GoalFactory

DAY = datetime.timedelta(days=1)


def _discharge(client, chart_case, day, evaluation=None):
    data = {"discharged_on": iso(day), "discharge_evaluation": evaluation.pk if evaluation else ""}
    return client.post(url("chart_case_discharge", chart_case), data)


def test_discharge_closes_the_active_goals_and_is_recorded(
    therapist_client, therapist, speech_chart_case, today
):
    active = GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /s/")
    met = GoalFactory(chart_case=speech_chart_case, created_by=therapist, status="met")
    day = today - 2 * DAY

    response = _discharge(therapist_client, speech_chart_case, day)

    assert response.status_code == 302
    assert flash_messages(response) == ["“Speech Therapy” discharged."]
    speech_chart_case.refresh_from_db()
    assert (speech_chart_case.status, speech_chart_case.discharged_on) == ("discharged", day)
    assert speech_chart_case.discharge_evaluation is None
    active.refresh_from_db()
    met.refresh_from_db()
    assert (active.status, met.status) == ("discontinued", "met")
    entry = GoalProgress.objects.get()
    assert (entry.goal, entry.date, entry.status, entry.author, entry.note) == (
        active,
        day,
        "discontinued",
        therapist,
        "Closed with the discharge.",
    )
    event = recorded().get()
    assert (history(speech_chart_case)[0].words, event.actor) == ("Discharged", therapist)
    assert "1 active goal closed" in event.details


def test_discharge_with_the_signed_discharge_evaluation(
    therapist_client, therapist, speech_chart_case, today
):
    evaluation = EvaluationFactory(
        chart_case=speech_chart_case, author=therapist, kind="discharge", signed_by=therapist
    )

    response = _discharge(therapist_client, speech_chart_case, today, evaluation)

    assert response.status_code == 302
    speech_chart_case.refresh_from_db()
    assert speech_chart_case.discharge_evaluation == evaluation
    assert "Discharge evaluation" in recorded().get().details


def test_only_signed_discharge_evaluations_are_offered(
    therapist_client, therapist, speech_chart_case, today
):
    signed = EvaluationFactory(
        chart_case=speech_chart_case,
        author=therapist,
        kind="discharge",
        date=today - DAY,
        signed_by=therapist,
    )
    initial = EvaluationFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)
    page = therapist_client.get(url("chart_case_discharge", speech_chart_case))
    # An unsigned one stops the discharge altogether (tests/charts/test_clinical_day.py).
    unsigned = EvaluationFactory(chart_case=speech_chart_case, author=therapist, kind="discharge")

    refused = [
        _discharge(therapist_client, speech_chart_case, today, e) for e in (unsigned, initial)
    ]

    assert list(options(page, "discharge_evaluation").values()) == [signed.pk]
    assert [r.status_code for r in refused] == [400, 400]
    assert "Sign or delete these first" in page_html(refused[1])
    speech_chart_case.refresh_from_db()
    assert speech_chart_case.status == "active"


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        ("before start", "The discharge date cannot be before the case started."),
        (1, "The date cannot be in the future."),
        ("", "This field is required."),
    ],
)
def test_a_bad_discharge_date_is_refused(
    offset, message, therapist_client, therapist, speech_chart_case, today
):
    goal = GoalFactory(chart_case=speech_chart_case, created_by=therapist)
    if offset == "before start":
        day = iso(speech_chart_case.started_on - DAY)
    elif offset == "":
        day = ""
    else:
        day = iso(today + offset * DAY)

    response = therapist_client.post(
        url("chart_case_discharge", speech_chart_case), {"discharged_on": day}
    )

    assert response.status_code == 400
    assert message in page_html(response)
    speech_chart_case.refresh_from_db()
    goal.refresh_from_db()
    assert (speech_chart_case.status, goal.status) == ("active", "active")
    assert not GoalProgress.objects.exists()
    assert not recorded().exists()


def test_the_service_refuses_a_future_or_early_discharge(therapist, speech_chart_case, today):
    for day in (today + DAY, speech_chart_case.started_on - DAY):
        with pytest.raises(services.ValidationError):
            services.chart_case_discharge(
                chart_case=speech_chart_case,
                discharged_on=day,
                discharge_evaluation=None,
                by=therapist,
            )
    speech_chart_case.refresh_from_db()
    assert speech_chart_case.is_active


# Read-only after the discharge ------------------------------------------------------------


@pytest.fixture
def discharged(speech_chart_case, therapist, today):
    """A discharged chart case with a (now discontinued) goal, an unsigned and a signed note,
    an unsigned evaluation and an open reminder."""
    goal = GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /s/")
    services.chart_case_discharge(
        chart_case=speech_chart_case, discharged_on=today, discharge_evaluation=None, by=therapist
    )
    # Drafts left on a case discharged before discharges required every draft signed.
    rows = {
        "goal": goal,
        "unsigned_note": DailyNote.objects.create(
            clinic=speech_chart_case.clinic,
            chart_case=speech_chart_case,
            author=therapist,
            date_of_service=today - 3 * DAY,
            assessment="Draft",
        ),
        "signed_note": DailyNote.objects.create(
            clinic=speech_chart_case.clinic,
            chart_case=speech_chart_case,
            author=therapist,
            date_of_service=today - 4 * DAY,
            assessment="Final",
            signed_by=therapist,
            signed_at=datetime.datetime.now(tz=datetime.UTC),
        ),
        "evaluation": EvaluationFactory(chart_case=speech_chart_case, author=therapist),
    }
    speech_chart_case.refresh_from_db()
    rows["chart_case"] = speech_chart_case
    return rows


def _snapshot():
    return [
        list(model.objects.order_by("pk").values())
        for model in (
            PatientChartCase,
            Goal,
            GoalProgress,
            DailyNote,
            Evaluation,
            Addendum,
            Reminder,
        )
    ] + [list(recorded().order_by("pk").values())]


WRITES = {
    "goal_create": lambda d, today: (
        url("goal_create", d["chart_case"]),
        {
            "kind": "long_term",
            "text": "New goal",
            "start_date": iso(today),
            "target_date": iso(today + 30 * DAY),
        },
    ),
    "goal_update": lambda d, today: (
        url("goal_update", d["chart_case"], goal_pk=d["goal"].pk),
        {
            "text": "Changed",
            "target_date": iso(d["goal"].target_date),
            "status": "met",
            "note": "",
        },
    ),
    "note_create": lambda d, today: (
        url("note_create", d["chart_case"]),
        note_data(d["chart_case"], today),
    ),
    "note_update": lambda d, today: (
        note_url("note_update", d["unsigned_note"]),
        note_data(d["chart_case"], today, assessment="Changed"),
    ),
    "note_sign": lambda d, today: (note_url("document_sign", d["unsigned_note"]), {}),
    "note_delete": lambda d, today: (note_url("document_delete", d["unsigned_note"]), {}),
    "note_addendum": lambda d, today: (
        note_url("document_addendum", d["signed_note"]),
        {"text": "Late correction"},
    ),
    "evaluation_create": lambda d, today: (
        url("evaluation_create", d["chart_case"]),
        {"kind": "initial", "date": iso(today), "findings": "New", "recommendations": ""},
    ),
    "evaluation_update": lambda d, today: (
        evaluation_url("evaluation_update", d["evaluation"]),
        {"kind": "initial", "date": iso(today), "findings": "Changed", "recommendations": ""},
    ),
    "evaluation_sign": lambda d, today: (evaluation_url("document_sign", d["evaluation"]), {}),
    "evaluation_delete": lambda d, today: (evaluation_url("document_delete", d["evaluation"]), {}),
    "reminder_create": lambda d, today: (
        url("reminder_create", d["chart_case"]),
        {"text": "New reminder", "due_on": iso(today)},
    ),
    "discharge_again": lambda d, today: (
        url("chart_case_discharge", d["chart_case"]),
        {"discharged_on": iso(today)},
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_to_a_discharged_case_is_refused(write, therapist_client, discharged, today):
    target, data = WRITES[write](discharged, today)
    before = _snapshot()

    response = therapist_client.post(target, data)

    assert response.status_code == 400
    assert services.READ_ONLY in page_html(response)
    assert _snapshot() == before


def test_a_discharged_chart_shows_no_write_buttons(therapist_client, discharged):
    text = page_html(therapist_client.get(chart_url(discharged["chart_case"])))

    assert "Discharged: this case's documentation is read-only." in text
    assert ">Reopen<" in text
    for button in ("+ Goal", "+ Daily Note", "+ Evaluation", "+ Reminder", ">Discharge<"):
        assert button not in text
    detail = page_html(therapist_client.get(note_url("document_detail", discharged["signed_note"])))
    assert "Add Addendum" not in detail


# Reopening --------------------------------------------------------------------------------


def _reopen(client, chart_case, reason):
    return client.post(url("chart_case_reopen", chart_case), {"reason": reason})


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(reason, therapist_client, discharged):
    response = _reopen(therapist_client, discharged["chart_case"], reason)

    assert response.status_code == 400
    assert "This field is required." in page_html(response)
    discharged["chart_case"].refresh_from_db()
    assert discharged["chart_case"].status == "discharged"
    assert not recorded().filter(action="reopen").exists()


def test_reopening_is_recorded_with_its_reason(therapist_client, therapist, discharged):
    chart_case = discharged["chart_case"]

    response = _reopen(therapist_client, chart_case, "  Referred back by the pediatrician. ")

    assert response.status_code == 302
    assert flash_messages(response) == ["“Speech Therapy” reopened."]
    chart_case.refresh_from_db()
    assert (chart_case.status, chart_case.discharged_on) == ("active", None)
    event = recorded().filter(action="reopen").get()
    assert (event.actor, event.details) == (therapist, "Referred back by the pediatrician.")
    goal_create = therapist_client.post(
        url("goal_create", chart_case),
        {
            "kind": "long_term",
            "text": "Writable again",
            "start_date": iso(chart_case.started_on),
            "target_date": iso(chart_case.started_on + 30 * DAY),
        },
    )
    assert goal_create.status_code == 302


def test_reopening_an_open_case_is_refused(therapist_client, speech_chart_case):
    response = _reopen(therapist_client, speech_chart_case, "Why not")

    assert response.status_code == 400
    assert "This case is already open." in page_html(response)
    assert not recorded().exists()


def test_reopening_is_refused_when_the_case_is_active_on_the_chart_again(
    therapist_client, discharged, today
):
    old = discharged["chart_case"]
    added = therapist_client.post(
        f"/patients/{old.patient_id}/cases/add/",
        {"case": old.case_id, "started_on": iso(today)},
    )
    assert added.status_code == 302

    response = _reopen(therapist_client, old, "Clicked the old tab")

    assert response.status_code == 400
    assert "The same case is already active on this chart again" in page_html(response)
    old.refresh_from_db()
    assert old.status == "discharged"
    assert not recorded().filter(action="reopen").exists()
    assert PatientChartCase.objects.filter(patient=old.patient, status="active").count() == 1


@pytest.mark.parametrize(
    "url_name", ["charts:goal_create", "charts:note_create", "charts:reminder_create"]
)
def test_opening_a_form_on_a_discharged_case_says_it_is_read_only(
    client, therapist, speech_chart_case, url_name
):
    speech_chart_case.status = "discharged"
    speech_chart_case.discharged_on = speech_chart_case.started_on
    speech_chart_case.save()
    client.force_login(therapist)

    response = client.get(reverse(url_name, args=[speech_chart_case.pk]), follow=True)

    assert services.READ_ONLY in response.content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/cases/{speech_chart_case.pk}/")


# The clinic's calendar outside a request -------------------------------------------------


def test_a_service_run_outside_a_request_judges_today_by_the_clinics_calendar(
    therapist, speech_chart_case
):
    """As a management command or the worker would call it: no request, so no active time
    zone. At 02:30 UTC on March 10 it is still March 9 in New York, so March 10 is "in the
    future" for the clinic while March 9 is today."""
    PatientChartCase.objects.filter(pk=speech_chart_case.pk).update(
        started_on=datetime.date(2026, 1, 5)
    )
    speech_chart_case.refresh_from_db()
    with time_machine.travel(datetime.datetime(2026, 3, 10, 2, 30, tzinfo=datetime.UTC)):
        assert timezone.get_current_timezone_name() == "UTC"
        assert speech_chart_case.clinic.today() == datetime.date(2026, 3, 9)
        with pytest.raises(services.ValidationError) as refused:
            services.chart_case_discharge(
                chart_case=speech_chart_case,
                discharged_on=datetime.date(2026, 3, 10),
                discharge_evaluation=None,
                by=therapist,
            )
        assert "cannot be in the future" in str(refused.value)
        services.chart_case_discharge(
            chart_case=speech_chart_case,
            discharged_on=datetime.date(2026, 3, 9),
            discharge_evaluation=None,
            by=therapist,
        )
    speech_chart_case.refresh_from_db()
    assert speech_chart_case.discharged_on == datetime.date(2026, 3, 9)
