"""Issue 26, item 3: "Re-evaluation due" on the therapist's home page opened a new evaluation
preset to *Initial evaluation*. It opens a re-evaluation on that chart case, and signing it
moves the very reminder the link came from to the next due date."""

import datetime
import html
import re

from django.urls import reverse

from charts.models import Evaluation, Reminder
from tests.factories import (
    EvaluationFactory,
    PatientChartCaseFactory,
    PatientFactory,
    ReminderFactory,
)
from tests.hardening.helpers import form_data, logged_in

DAY = datetime.timedelta(days=1)


def _re_evaluation_link(home) -> str:
    [href] = re.findall(r'Re-evaluation due [^:]+: <a href="([^"]+)"', home.content.decode())
    return html.unescape(href)


def test_re_evaluation_due_opens_a_re_evaluation_and_its_signature_moves_that_reminder(
    therapist, speech_chart_case, clinic, today
):
    EvaluationFactory(
        chart_case=speech_chart_case,
        author=therapist,
        date=today - 85 * DAY,
        signed_by=therapist,
        signed_at=datetime.datetime.now(datetime.UTC),
    )
    due = ReminderFactory(
        chart_case=speech_chart_case,
        created_by=therapist,
        kind=Reminder.Kind.RE_EVALUATION,
        due_on=today + 5 * DAY,
    )
    client = logged_in(therapist)

    url = _re_evaluation_link(client.get(reverse("home")))
    form = client.get(url)
    data = form_data(form)

    assert url.startswith(reverse("charts:evaluation_create", args=[speech_chart_case.pk]))
    assert data["kind"] == [Evaluation.Kind.RE_EVALUATION]
    assert data["reminder"] == [str(due.pk)]

    data.update(findings=["Speech sound errors reduced."], and_sign=["1"])
    assert client.post(url, data).status_code == 302
    evaluation = Evaluation.objects.get(kind=Evaluation.Kind.RE_EVALUATION)
    assert evaluation.reminder == due
    args = [speech_chart_case.pk, "evaluations", evaluation.pk]
    sign = reverse("charts:document_sign", args=args)
    assert client.post(sign, {"version": evaluation.version}).status_code == 302

    [still_open] = Reminder.objects.filter(kind=Reminder.Kind.RE_EVALUATION, done_at=None)
    assert still_open.pk == due.pk
    assert still_open.due_on == today + clinic.re_evaluation_interval_days * DAY


def test_a_reminder_of_another_chart_case_is_not_taken(
    therapist, speech_chart_case, speech_case, clinic, today
):
    other = PatientChartCaseFactory(patient=PatientFactory(clinic=clinic), case=speech_case)
    theirs = ReminderFactory(
        chart_case=other,
        created_by=therapist,
        kind=Reminder.Kind.RE_EVALUATION,
        due_on=today + 5 * DAY,
    )
    url = reverse("charts:evaluation_create", args=[speech_chart_case.pk])

    response = logged_in(therapist).post(
        url,
        {
            "kind": "re_evaluation",
            "date": today.isoformat(),
            "findings": "x",
            "reminder": theirs.pk,
        },
    )

    assert response.status_code == 400
    assert not Evaluation.objects.exists()
