"""Reminders: added, marked done, and each therapist's overdue ones on the home page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from charts.models import Reminder
from tests.charts.helpers import chart_url, iso, page_html, url
from tests.factories import PatientChartCaseFactory, ReminderFactory

HOME = reverse("home")
DAY = datetime.timedelta(days=1)


def test_a_reminder_is_added(therapist_client, therapist, speech_chart_case, today):
    response = therapist_client.post(
        url("reminder_create", speech_chart_case),
        {"text": "Send the progress report", "due_on": iso(today + 7 * DAY)},
    )

    reminder = Reminder.objects.get()
    assert response.status_code == 302
    assert (reminder.text, reminder.due_on, reminder.kind, reminder.created_by) == (
        "Send the progress report",
        today + 7 * DAY,
        "manual",
        therapist,
    )
    assert reminder.done_at is None
    assert "Send the progress report · due" in page_html(
        therapist_client.get(chart_url(speech_chart_case))
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "due_on": "2030-01-01"}, "This field is required."),
        ({"text": "Call", "due_on": "next week"}, "Enter a valid date."),
        ({"text": "x" * 201, "due_on": "2030-01-01"}, "at most 200 characters"),
    ],
)
def test_a_bad_reminder_is_refused(data, message, therapist_client, speech_chart_case):
    response = therapist_client.post(url("reminder_create", speech_chart_case), data)

    assert response.status_code == 400
    assert message in page_html(response)
    assert not Reminder.objects.exists()


def test_a_reminder_is_marked_done(therapist_client, therapist, speech_reminder):
    chart_case = speech_reminder.chart_case

    response = therapist_client.post(
        url("reminder_done", chart_case, reminder_pk=speech_reminder.pk)
    )

    assert response.status_code == 302
    assert response["Location"] == chart_url(chart_case)
    speech_reminder.refresh_from_db()
    assert speech_reminder.done_at is not None and speech_reminder.done_by == therapist
    chart = page_html(therapist_client.get(chart_url(chart_case)))
    assert f"Reminder “{speech_reminder.text}” marked done." in chart
    assert f"{speech_reminder.text} · due" not in chart
    assert "No open reminders." in chart


def test_a_reminder_of_another_chart_case_is_not_found(
    therapist_client, speech_chart_case, clinic, therapist
):
    elsewhere = ReminderFactory(
        chart_case=PatientChartCaseFactory(case=speech_chart_case.case), created_by=therapist
    )

    response = therapist_client.post(
        url("reminder_done", speech_chart_case, reminder_pk=elsewhere.pk)
    )

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.done_at is None


# The home page ----------------------------------------------------------------------------


@pytest.fixture
def reminders(
    speech_chart_case, feeding_chart_case, handwriting_chart_case, therapist, clinic, today
):
    """Overdue and not overdue, open and done, on speech, shared and occupational cases."""

    def make(chart_case, text, due_on, **extra):
        return ReminderFactory(chart_case=chart_case, text=text, due_on=due_on, **extra)

    discharged = PatientChartCaseFactory(
        case=speech_chart_case.case,
        patient__clinic=clinic,
        started_on=today - 90 * DAY,
        status="discharged",
        discharged_on=today - 30 * DAY,
    )
    return {
        "speech overdue": make(speech_chart_case, "Speech overdue", today - 3 * DAY),
        "feeding overdue": make(feeding_chart_case, "Feeding overdue", today - DAY),
        "ot overdue": make(handwriting_chart_case, "Handwriting overdue", today - 2 * DAY),
        "due today": make(speech_chart_case, "Due today", today),
        "due later": make(speech_chart_case, "Due next week", today + 7 * DAY),
        "done": make(
            speech_chart_case,
            "Already done",
            today - 5 * DAY,
            done_at=timezone.now(),
            done_by=therapist,
        ),
        "discharged": make(discharged, "Of a discharged case", today - 4 * DAY),
    }


def _overdue_section(response) -> str:
    text = page_html(response)
    start = text.index("Overdue reminders")
    return text[start : text.index("</section>", start)]


def test_the_home_page_lists_the_therapists_overdue_reminders(
    therapist_client, ot_client, reminders
):
    speech = _overdue_section(therapist_client.get(HOME))
    occupational = _overdue_section(ot_client.get(HOME))

    assert speech.index("Speech overdue") < speech.index("Feeding overdue")
    for hidden in (
        "Handwriting overdue",
        "Due today",
        "Due next week",
        "Already done",
        "Of a discharged case",
    ):
        assert hidden not in speech
    assert "Feeding overdue" in occupational and "Handwriting overdue" in occupational
    assert "Speech overdue" not in occupational


def test_nothing_overdue_says_so(therapist_client, speech_reminder):
    assert "Nothing overdue." in _overdue_section(therapist_client.get(HOME))


def test_done_on_the_home_page_goes_back_home(therapist_client, reminders):
    reminder = reminders["speech overdue"]

    response = therapist_client.post(
        url("reminder_done", reminder.chart_case, reminder_pk=reminder.pk), {"back": "home"}
    )

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert "Speech overdue" not in _overdue_section(therapist_client.get(HOME))


@pytest.mark.parametrize(
    "back", ["https://evil.example", "//evil.example/home", "/patients/", "javascript:alert(1)"]
)
def test_done_never_redirects_off_site(back, therapist_client, speech_reminder):
    chart_case = speech_reminder.chart_case

    response = therapist_client.post(
        url("reminder_done", chart_case, reminder_pk=speech_reminder.pk), {"back": back}
    )

    assert response.status_code == 302
    assert response["Location"] == chart_url(chart_case)
    speech_reminder.refresh_from_db()
    assert speech_reminder.done_at is not None
