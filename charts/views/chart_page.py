"""What a chart-case tab shows, read as the columns it needs and turned into display rows.

The chart is the busiest page of a therapist's day and its documentation grows with every
visit (the bench's chart case: 40 goals, 200 notes, ~420 progress entries). Measured in the
bench, half of its time went to the template language (an include, three filters and a
``{% url %}`` per goal and note) and most of the rest to building ~230 model instances. So:

- rows are read as the columns shown, in SQL written out (charts/reads.py: building the
  queries cost the ORM more than running them cost the database);
- each goal's latest progress entry is joined to the goal by a correlated subquery (an index
  probe on ``(clinic, goal, -date)`` per goal) instead of a windowed prefetch;
- dates, labels and links are made once in Python (one cached ``core.links.link`` a kind of
  row, not a ``reverse()`` a row), and a goal card or a note's row is one f-string of escaped
  values (as Django admin builds its changelist rows in ``items_for_result``); the goal list
  and the notes table body are one string each, so the template shows ready values.
"""

from html import escape

from django.utils.safestring import mark_safe

from charts import reads
from charts.models import Diagnosis, Evaluation, Goal
from charts.views.common import NOTES_PER_PAGE
from core.links import link
from core.pagination import UncountedPage
from core.roles import ADMINISTRATOR, role_names
from core.sql import user_name

MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
GOAL_KINDS = dict(Goal.Kind.choices)
GOAL_STATUSES = dict(Goal.Status.choices)
EVALUATION_KINDS = dict(Evaluation.Kind.choices)
DIAGNOSIS_KINDS = dict(Diagnosis.Kind.choices)
STATUS_BADGE = {Goal.Status.ACTIVE: "text-bg-primary", Goal.Status.MET: "text-bg-success"}
_SENTINEL = 987654321


def short_date(day) -> str:
    """``{{ day|date:"M j, Y" }}`` without the template filter: "Nov 5, 2026"."""
    return f"{MONTHS[day.month]} {day.day}, {day.year}" if day else ""


def truncate(text: str, length: int) -> str:
    """``{{ text|truncatechars:length }}`` without Truncator's translated ellipsis lookup."""
    return text if len(text) <= length else f"{text[: length - 1]}…"


def url_maker(name: str, *args):
    """A function of a row's pk giving ``reverse(name, args=[*args, pk])``, made once."""
    prefix, _, suffix = link(name, *args, _SENTINEL).rpartition(str(_SENTINEL))
    return lambda pk: f"{prefix}{pk}{suffix}"


def contacts(lists: dict) -> list[dict]:
    """The patient's contacts from ``reads.short_lists``, named as the template reads them."""
    return [
        {
            "pk": row["pk"],
            "name": row["text"],
            "relationship": row["kind"],
            "phone": row["code"],
            "email": row["email"],
            "is_guardian": row["flag"],
        }
        for row in lists["contact"]
    ]


def documentation(request, chart_case, lists: dict, *, may_write: bool, today=None) -> dict:
    """Everything a chart-case tab shows: the goals with their latest progress and a page of
    notes (a statement each), and from ``lists`` (``reads.short_lists`` with the
    documentation) its evaluations, open reminders, diagnoses and discharge summaries. With
    ``today``, overdue reminders and active goals past their target date are flagged."""
    editable = may_write and chart_case.is_active
    goals = reads.goals(chart_case)
    goal_url = url_maker("charts:goal_update", chart_case.pk) if editable else None
    cards = {goal["pk"]: _goal_card(goal, goal_url, today) for goal in goals}
    short_term_under = {}
    for goal in goals:
        if goal["parent_id"]:
            short_term_under.setdefault(goal["parent_id"], []).append(cards[goal["pk"]])
    # Long-term goals with their short-term goals under them, then short-term goals under no
    # long-term goal: the list's items as one string, so the template has one value to show.
    items = [
        f'<li class="mb-2">{cards[goal["pk"]]}'
        + "".join(
            f'<div class="ms-4 mt-1">{card}</div>' for card in short_term_under.get(goal["pk"], [])
        )
        + "</li>"
        for goal in goals
        if goal["kind"] == Goal.Kind.LONG_TERM
    ]
    items.extend(
        f'<li class="mb-2">{cards[goal["pk"]]}</li>'
        for goal in goals
        if goal["kind"] == Goal.Kind.SHORT_TERM and not goal["parent_id"]
    )

    # The latest notes, the rest a page away; not counted (core/pagination.py).
    notes_page = UncountedPage(
        reads.NotesNewestFirst(chart_case), NOTES_PER_PAGE, request.GET.get("notes")
    )
    note_url = url_maker("charts:document_detail", chart_case.pk, "notes")
    note_rows = "".join(_note_row(note, note_url) for note in notes_page.object_list)

    evaluation_url = url_maker("charts:document_detail", chart_case.pk, "evaluations")
    evaluations = [
        {
            "url": evaluation_url(row["pk"]),
            "title": f"{EVALUATION_KINDS.get(row['kind'], row['kind'])} of "
            f"{short_date(row['date'])}",
            "author": user_name(row["first_name"], row["last_name"], row["email"]),
            "signed": row["flag"],
        }
        for row in lists["evaluation"]
    ]
    done_url = url_maker("charts:reminder_done", chart_case.pk)
    reminders = [
        {
            "text": row["text"],
            "due": short_date(row["date"]),
            "done_url": done_url(row["pk"]),
            "is_overdue": today is not None and row["date"] < today,
        }
        for row in lists["reminder"]
    ]
    may_edit_plan = may_write or ADMINISTRATOR in role_names(request.user)
    plan_editable = may_edit_plan and chart_case.is_active
    diagnosis_delete_url = url_maker("charts:diagnosis_delete", chart_case.pk)
    summary_url = url_maker("charts:discharge_summary_detail", chart_case.pk)
    return {
        # Built of escaped values only (``_goal_card``, ``_note_row``).
        "goal_items": mark_safe("".join(items)),
        "notes_page": notes_page,
        "notes": mark_safe(note_rows),
        "evaluations": evaluations,
        "reminders": reminders,
        "may_edit_plan": may_edit_plan,
        "diagnoses": [
            {
                "kind": DIAGNOSIS_KINDS.get(row["kind"], row["kind"]),
                "code": row["code"],
                "description": row["text"],
                "delete_url": diagnosis_delete_url(row["pk"]) if plan_editable else "",
            }
            for row in lists["diagnosis"]
        ],
        "discharge_summaries": [
            {
                "url": summary_url(row["pk"]),
                "title": f"Discharge summary of {short_date(row['date'])}",
            }
            for row in lists["discharge summary"]
        ],
        "today": today,
    }


_SIGNED = '<span class="badge text-bg-success">Signed</span>'
_NOT_SIGNED = '<span class="badge text-bg-warning">Not signed</span>'


def _note_row(note: dict, note_url) -> str:
    """One row of the daily notes table, every value escaped."""
    author = escape(user_name(note["first_name"], note["last_name"], note["email"]))
    return mark_safe(
        f'<tr><td><a href="{escape(note_url(note["pk"]))}">'
        f"{escape(short_date(note['date_of_service']))}</a></td><td>{author}</td>"
        f"<td>{escape(truncate(note['assessment'], 80))}</td>"
        f"<td>{_SIGNED if note['signed'] else _NOT_SIGNED}</td></tr>"
    )


_PAST_TARGET = ' <span class="badge text-bg-danger">Past target date</span>'


def _goal_card(goal: dict, goal_url, today=None) -> str:
    """One goal's card. Built with f-strings and ``html.escape`` (what Django's ``escape``
    runs) on every value: ``format_html`` escaped each of the ~10 arguments of ~40 cards
    through ``conditional_escape`` and cost the page over a millisecond."""
    status = goal["status"]
    past_target = (
        today is not None
        and status == Goal.Status.ACTIVE
        and goal["target_date"] is not None
        and goal["target_date"] < today
    )
    update = (
        f'<a class="btn btn-sm btn-link" href="{escape(goal_url(goal["pk"]))}">Update'
        f'<span class="visually-hidden"> goal: {escape(truncate(goal["text"], 40))}</span></a>'
        if goal_url
        else ""
    )
    latest = goal["progress"]
    last = (
        '<p class="small mb-0 text-body-secondary">Last progress '
        f"{escape(short_date(latest['date']))} "
        f"({escape(user_name(latest['first_name'], latest['last_name'], latest['email']))}): "
        f"status {escape(GOAL_STATUSES.get(latest['status'], latest['status']))}"
        f"{escape(' · ' + latest['note']) if latest['note'] else ''}</p>"
        if latest
        else ""
    )
    kind = escape(GOAL_KINDS.get(goal["kind"], goal["kind"]))
    target = escape(short_date(goal["target_date"]))
    # Every value in the card is escaped above or here.
    return mark_safe(
        '<div class="border rounded p-2"><div class="d-flex justify-content-between gap-2"><div>'
        f'<span class="badge text-bg-light border">{kind}</span> '
        f'<span class="badge {STATUS_BADGE.get(status, "text-bg-secondary")}">'
        f"{escape(GOAL_STATUSES.get(status, status))}</span> "
        f'<span class="small text-body-secondary">target {target}</span>'
        f'{_PAST_TARGET if past_target else ""}<p class="mb-1">{escape(goal["text"])}</p>'
        f"</div>{update}</div>{last}</div>"
    )
