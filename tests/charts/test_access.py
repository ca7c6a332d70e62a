"""A user may hold several roles: each chart case's documentation still goes only to its
therapists (and the administrators)."""

import pytest
from django.test import Client

from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from tests.charts.helpers import chart_url, note_url, page_html, url
from tests.factories import DailyNoteFactory, GoalFactory, UserFactory


@pytest.fixture
def front_desk_slp(clinic, speech):
    """A speech therapist who also works the front desk."""
    user = UserFactory(
        clinic=clinic,
        email="slp-desk@riverside.test",
        roles=[SCHEDULER, THERAPIST],
        service_types=[speech],
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ot_documentation(handwriting_chart_case, ot_therapist):
    GoalFactory(chart_case=handwriting_chart_case, created_by=ot_therapist, text="Hold the pencil")
    return DailyNoteFactory(
        chart_case=handwriting_chart_case, author=ot_therapist, assessment="Tripod grasp improving"
    )


def test_a_scheduling_therapist_reads_only_their_own_disciplines_documentation(
    front_desk_slp, speech_goal, handwriting_chart_case, ot_documentation
):
    own = page_html(front_desk_slp.get(chart_url(speech_goal.chart_case)))
    other = front_desk_slp.get(chart_url(handwriting_chart_case))

    assert speech_goal.text in own
    assert other.status_code == 200, "as a scheduler they see the chart's cases"
    assert "Handwriting Club" in page_html(other)
    for hidden in ("Hold the pencil", "Tripod grasp improving"):
        assert hidden not in page_html(other)
    assert front_desk_slp.get(note_url("document_detail", ot_documentation)).status_code == 403
    assert front_desk_slp.get(url("chart_case_history", handwriting_chart_case)).status_code == 403


def test_a_therapist_administrator_writes_only_their_own_disciplines_documentation(
    clinic, speech, speech_goal, handwriting_chart_case, ot_documentation
):
    user = UserFactory(clinic=clinic, roles=[ADMINISTRATOR, THERAPIST], service_types=[speech])
    client = Client()
    client.force_login(user)

    other = page_html(client.get(chart_url(handwriting_chart_case)))

    assert "Hold the pencil" in other, "as an administrator they read it"
    assert "+ Goal" not in other
    assert client.get(url("goal_create", handwriting_chart_case)).status_code == 403
    assert "+ Goal" in page_html(client.get(chart_url(speech_goal.chart_case)))


def _documentable_checks(queries) -> int:
    """The ``may_write_documentation`` EXISTS queries among those a request ran."""
    return sum(
        1
        for query in queries
        if query["sql"].startswith('SELECT 1 AS "a" FROM "charts_patientchartcase"')
    )


def test_may_write_documentation_is_asked_once_per_request(
    therapist_client, speech_chart_case, signed_note
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    pages = [
        reverse(
            "charts:chart_case_detail", args=[speech_chart_case.patient_id, speech_chart_case.pk]
        ),
        reverse("charts:document_detail", args=[speech_chart_case.pk, "notes", signed_note.pk]),
        reverse("charts:goal_create", args=[speech_chart_case.pk]),
    ]
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert therapist_client.get(page).status_code == 200
        # The chart page answers it inside its tabs statement (``get_chart_for``); the
        # other pages ask once.
        expected = 0 if page == pages[0] else 1
        assert _documentable_checks(queries) == expected, page
