"""The history of a chart case: who did what and when, newest first."""

import datetime
import re
import zoneinfo

from django.urls import reverse

from charts.models import PatientChartCase
from core import audit
from core.models import AuditEntry
from tests.charts.helpers import evaluation_url, iso, note_url, page_html, url
from tests.factories import DailyNoteFactory, EvaluationFactory

DAY = datetime.timedelta(days=1)


def _entries(response) -> list[str]:
    """Each history entry's text, newest first."""
    items = re.findall(r'<li class="border-bottom py-2">(.*?)</li>', page_html(response), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_the_history_shows_each_step_with_who_and_when(
    therapist_client,
    second_speech_client,
    therapist,
    second_speech_therapist,
    speech_patient,
    speech_case,
    feeding_chart_case,
    clinic,
    today,
):
    """(The shared Feeding case is on the chart already: it lets the therapist find it.)"""
    therapist_client.post(
        reverse("charts:chart_case_add", args=[speech_patient.pk]),
        {"case": speech_case.pk, "started_on": iso(today - 20 * DAY)},
    )
    chart_case = PatientChartCase.objects.get(case=speech_case)
    note = DailyNoteFactory(chart_case=chart_case, author=therapist, date_of_service=today)
    therapist_client.post(note_url("document_sign", note))
    evaluation = EvaluationFactory(chart_case=chart_case, author=second_speech_therapist)
    second_speech_client.post(evaluation_url("document_sign", evaluation))
    therapist_client.post(note_url("document_addendum", note), {"text": "Late entry"})
    therapist_client.post(url("chart_case_discharge", chart_case), {"discharged_on": iso(today)})
    second_speech_client.post(
        url("chart_case_reopen", chart_case), {"reason": "Parents asked for a new block."}
    )

    response = therapist_client.get(url("chart_case_history", chart_case))

    assert response.status_code == 200
    entries = _entries(response)
    assert [entry.split(" by ")[0] for entry in entries] == [
        "Reopened",
        "Discharged",
        "Addendum added",
        "Evaluation signed",
        "Daily note signed",
        "Case added to the chart",
    ]
    who = {entry.split(" by ")[0]: entry.split(" by ")[1] for entry in entries}
    assert who["Reopened"].startswith(str(second_speech_therapist))
    assert who["Evaluation signed"].startswith(str(second_speech_therapist))
    assert who["Discharged"].startswith(str(therapist))
    assert who["Case added to the chart"].startswith(str(therapist))
    assert "Parents asked for a new block." in who["Reopened"]
    assert f"Daily note of {note.date_of_service:%b %-d, %Y}" in who["Daily note signed"]
    local = zoneinfo.ZoneInfo(clinic.time_zone)
    for event in AuditEntry.objects.exclude(action="access"):
        shown = event.at.astimezone(local).strftime("%b %-d, %Y %H:%M")
        assert any(shown in entry for entry in entries)


def test_an_empty_history_says_so(therapist_client, speech_chart_case):
    response = therapist_client.get(url("chart_case_history", speech_chart_case))

    assert "Nothing recorded yet." in page_html(response)


def test_the_administrator_reads_the_history(administrator_client, speech_chart_case, therapist):
    audit.record(
        clinic_id=speech_chart_case.clinic_id,
        actor=therapist,
        action="discharge",
        obj=speech_chart_case,
        patient=speech_chart_case.patient,
        details="Done",
    )

    response = administrator_client.get(url("chart_case_history", speech_chart_case))

    assert response.status_code == 200
    assert _entries(response)[0].startswith(f"Discharged by {therapist}")
