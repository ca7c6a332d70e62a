"""Reading what a page says, and building POST data the way the real forms do."""

import datetime
import html
import re

from django.urls import reverse

from charts.models import Goal
from tests.pages import flash_messages, page_html  # noqa: F401 (re-exported)


def options(response, field: str) -> dict[str, int]:
    """The choices of a <select>: visible text → value."""
    select = re.search(rf'<select name="{field}".*?</select>', response.content.decode(), re.S)
    assert select, f"no <select name={field!r}> on the page"
    return {
        html.unescape(text).strip(): int(value)
        for value, text in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select[0])
    }


def iso(day: datetime.date) -> str:
    return day.isoformat()


def chart_url(chart_case) -> str:
    return reverse("charts:chart_case_detail", args=[chart_case.patient_id, chart_case.pk])


def url(name: str, chart_case, **kwargs) -> str:
    return reverse(f"charts:{name}", kwargs={"pk": chart_case.pk, **kwargs})


def _document_url(name: str, kind: str, document) -> str:
    kwargs = {"pk": document.chart_case_id, "doc_pk": document.pk}
    if name.startswith("document_"):
        kwargs["kind"] = kind
    return reverse(f"charts:{name}", kwargs=kwargs)


def note_url(name: str, note) -> str:
    """``document_detail``, ``document_sign``, ... of a daily note, or ``note_update``."""
    return _document_url(name, "notes", note)


def evaluation_url(name: str, evaluation) -> str:
    return _document_url(name, "evaluations", evaluation)


def note_data(chart_case, day: datetime.date, *, progress=None, **sections) -> dict:
    """A daily note form as posted: the four sections and a progress row per active goal
    (``progress`` maps a goal to ``(status, note)``; other goals keep their status)."""
    data = {
        "date_of_service": iso(day),
        "subjective": "Arrived on time.",
        "objective": "Produced /s/ in 8 of 10 words.",
        "assessment": "Progressing.",
        "plan": "Continue twice weekly.",
        **sections,
    }
    progress = progress or {}
    for goal in chart_case.goals.filter(status=Goal.Status.ACTIVE):
        status, text = progress.get(goal, (goal.status, ""))
        data[f"goal-{goal.pk}-status"] = status
        data[f"goal-{goal.pk}-note"] = text
    return data


def recorded():
    """The audit entries of changes (reads left out)."""
    from core.models import AuditEntry

    return AuditEntry.objects.exclude(action="access")


def history(chart_case) -> list:
    """The chart case's history entries, newest first, each with ``words`` as shown."""
    from charts.history import chart_case_entries, describe

    entries = list(chart_case_entries(chart_case))
    for entry in entries:
        entry.words = describe(entry)
    return entries
