"""What a chart-case tab shows, as plain values for its template.

The chart is the busiest page of a therapist's day and its documentation grows with every
visit (the bench's chart case: 40 goals, 200 notes, ~420 progress entries). Rows come from
charts/reads.py as the columns shown; here dates, labels and links are made once per page in
Python (one cached ``core.links.link`` a kind of row, not a ``{% url %}`` a row; no date filter
a cell), so that the template's loops only look values up
(charts/templates/charts/includes/documentation.html).
"""

from charts import reads
from charts.models import Diagnosis, Evaluation, Goal
from charts.views.common import NOTES_PER_PAGE
from core.dates import short_date
from core.links import link
from core.pagination import UncountedPage
from core.roles import ADMINISTRATOR, role_names
from core.sql import user_name

GOAL_KINDS = dict(Goal.Kind.choices)
GOAL_STATUSES = dict(Goal.Status.choices)
EVALUATION_KINDS = dict(Evaluation.Kind.choices)
DIAGNOSIS_KINDS = dict(Diagnosis.Kind.choices)
STATUS_BADGE = {Goal.Status.ACTIVE: "text-bg-primary", Goal.Status.MET: "text-bg-success"}
_SENTINEL = 987654321


def truncate(text: str, length: int) -> str:
    """``{{ text|truncatechars:length }}`` without Truncator's translated ellipsis lookup."""
    return text if len(text) <= length else f"{text[: length - 1]}…"


def url_maker(name: str, *args):
    """A function of a row's pk giving ``reverse(name, args=[*args, pk])``, made once."""
    prefix, _, suffix = link(name, *args, _SENTINEL).rpartition(str(_SENTINEL))
    return lambda pk: f"{prefix}{pk}{suffix}"


def _author(row: dict) -> str:
    return user_name(row["author__first_name"], row["author__last_name"], row["author__email"])


def documentation(request, chart_case, *, may_write: bool, today=None) -> dict:
    """Everything a chart-case tab shows: its goals with their latest progress, a page of
    notes, its evaluations, open reminders, diagnoses and discharge summaries. With ``today``,
    overdue reminders and active goals past their target date are flagged."""
    may_edit_plan = may_write or ADMINISTRATOR in role_names(request.user)
    # The latest notes, the rest a page away; not counted (core/pagination.py).
    notes_page = UncountedPage(reads.notes(chart_case), NOTES_PER_PAGE, request.GET.get("notes"))
    return {
        "goal_entries": goal_entries(chart_case, may_write=may_write, today=today),
        "notes_page": notes_page,
        "notes": note_rows(chart_case, notes_page.object_list),
        "evaluations": evaluations(chart_case),
        "reminders": reminders(chart_case, today),
        "may_edit_plan": may_edit_plan,
        "diagnoses": diagnoses(chart_case, editable=may_edit_plan and chart_case.is_active),
        "discharge_summaries": discharge_summaries(chart_case),
        "today": today,
    }


def goal_entries(chart_case, *, may_write: bool, today=None) -> list[dict]:
    """The goal list in the order shown: each long-term goal followed by its short-term goals
    (``nested``), then the short-term goals under no long-term goal. ``closes``: the entry
    ends a list item."""
    goals = reads.goals(chart_case)
    goal_url = url_maker("charts:goal_update", chart_case.pk)
    editable = may_write and chart_case.is_active
    cards = {goal["pk"]: _goal_card(goal, goal_url if editable else None, today) for goal in goals}
    under = {}
    for goal in goals:
        if goal["parent_id"]:
            under.setdefault(goal["parent_id"], []).append(cards[goal["pk"]])
    entries = []
    for goal in goals:
        if goal["kind"] == Goal.Kind.LONG_TERM:
            children = under.get(goal["pk"], [])
            entries.append({"goal": cards[goal["pk"]], "nested": False, "closes": not children})
            entries.extend(
                {"goal": card, "nested": True, "closes": card is children[-1]} for card in children
            )
    entries.extend(
        {"goal": cards[goal["pk"]], "nested": False, "closes": True}
        for goal in goals
        if goal["kind"] == Goal.Kind.SHORT_TERM and not goal["parent_id"]
    )
    return entries


def _goal_card(goal: dict, goal_url, today=None) -> dict:
    status = goal["status"]
    latest = goal["progress"]
    return {
        "kind": GOAL_KINDS.get(goal["kind"], goal["kind"]),
        "status": GOAL_STATUSES.get(status, status),
        "badge": STATUS_BADGE.get(status, "text-bg-secondary"),
        "target": short_date(goal["target_date"]),
        "past_target": today is not None
        and status == Goal.Status.ACTIVE
        and goal["target_date"] is not None
        and goal["target_date"] < today,
        "text": goal["text"],
        "update_url": goal_url(goal["pk"]) if goal_url else "",
        "short_text": truncate(goal["text"], 40),
        "progress": {
            "date": short_date(latest["date"]),
            "author": _author(latest),
            "status": GOAL_STATUSES.get(latest["status"], latest["status"]),
            "note": latest["note"],
        }
        if latest
        else None,
    }


def note_rows(chart_case, notes) -> list[dict]:
    note_url = url_maker("charts:document_detail", chart_case.pk, "notes")
    return [
        {
            "url": note_url(note["pk"]),
            "date": short_date(note["date_of_service"]),
            "author": _author(note),
            "assessment": truncate(note["assessment"], 80),
            "signed": note["signed_at"] is not None,
        }
        for note in notes
    ]


def evaluations(chart_case) -> list[dict]:
    evaluation_url = url_maker("charts:document_detail", chart_case.pk, "evaluations")
    return [
        {
            "url": evaluation_url(row["pk"]),
            "title": f"{EVALUATION_KINDS.get(row['kind'], row['kind'])} of "
            f"{short_date(row['date'])}",
            "author": _author(row),
            "signed": row["signed_at"] is not None,
        }
        for row in reads.evaluations(chart_case)
    ]


def reminders(chart_case, today) -> list[dict]:
    done_url = url_maker("charts:reminder_done", chart_case.pk)
    return [
        {
            "text": row["text"],
            "due": short_date(row["due_on"]),
            "done_url": done_url(row["pk"]),
            "is_overdue": today is not None and row["due_on"] < today,
        }
        for row in reads.open_reminders(chart_case)
    ]


def diagnoses(chart_case, *, editable: bool) -> list[dict]:
    delete_url = url_maker("charts:diagnosis_delete", chart_case.pk)
    return [
        {
            "kind": DIAGNOSIS_KINDS.get(row["kind"], row["kind"]),
            "code": row["code"],
            "description": row["description"],
            "delete_url": delete_url(row["pk"]) if editable else "",
        }
        for row in reads.diagnoses(chart_case)
    ]


def discharge_summaries(chart_case) -> list[dict]:
    summary_url = url_maker("charts:discharge_summary_detail", chart_case.pk)
    return [
        {"url": summary_url(row["pk"]), "title": f"Discharge summary of {short_date(row['date'])}"}
        for row in reads.discharge_summaries(chart_case)
    ]
