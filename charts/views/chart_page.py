"""What a chart-case tab shows, read as the columns it needs and turned into display rows.

The chart is the busiest page of a therapist's day and its documentation grows with every
visit (the bench's chart case: 40 goals, 200 notes, ~420 progress entries). Measured in the
bench, half of its time went to the template language (an include, three filters and a
``{% url %}`` per goal and note) and most of the rest to building ~230 model instances. So:

- rows are read with ``values()`` (plain dicts, only the columns shown);
- each goal's latest progress entry is found by a correlated subquery on the goal query
  (an index probe on ``(clinic, goal, -date)`` per goal) instead of a windowed prefetch;
- dates, labels and links are made once in Python (one ``reverse()`` a kind of row, not one
  a row), and a goal card is one ``format_html`` (as Django admin builds its changelist rows
  in ``items_for_result``), so the template loops over ready values.
"""

from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from charts.models import Evaluation, Goal, GoalProgress
from charts.views.common import NOTES_PER_PAGE

MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
GOAL_KINDS = dict(Goal.Kind.choices)
GOAL_STATUSES = dict(Goal.Status.choices)
EVALUATION_KINDS = dict(Evaluation.Kind.choices)
STATUS_BADGE = {Goal.Status.ACTIVE: "text-bg-primary", Goal.Status.MET: "text-bg-success"}
_SENTINEL = 987654321


def short_date(day) -> str:
    """``{{ day|date:"M j, Y" }}`` without the template filter: "Nov 5, 2026"."""
    return f"{MONTHS[day.month]} {day.day}, {day.year}" if day else ""


def truncate(text: str, length: int) -> str:
    """``{{ text|truncatechars:length }}`` without Truncator's translated ellipsis lookup."""
    return text if len(text) <= length else f"{text[: length - 1]}…"


def person(first: str, last: str, email: str) -> str:
    """``str(user)`` from three columns."""
    return f"{first} {last}".strip() or email


def url_maker(name: str, *args):
    """A function of a row's pk giving ``reverse(name, args=[*args, pk])``, reversed once."""
    prefix, _, suffix = reverse(name, args=[*args, _SENTINEL]).rpartition(str(_SENTINEL))
    return lambda pk: f"{prefix}{pk}{suffix}"


def documentation(request, chart_case, *, may_write: bool, today=None) -> dict:
    """Everything a chart-case tab shows, in a fixed number of queries (goals with their
    latest progress, that progress, a page of notes and its count, evaluations, reminders).
    With ``today``, overdue reminders and active goals past their target date are flagged."""
    editable = may_write and chart_case.is_active
    latest = GoalProgress.objects.filter(goal=OuterRef("pk")).order_by("-date", "-pk")
    goals = list(
        chart_case.goals.order_by("kind", "start_date", "pk")
        .values("pk", "kind", "parent_id", "text", "status", "target_date")
        # The subquery is correlated on the goal; the clinic scope filters the outer query.
        .annotate(latest_progress=Subquery(latest.values("pk")[:1]))
    )
    progress = {
        row["pk"]: row
        for row in GoalProgress.objects.filter(
            pk__in=[goal["latest_progress"] for goal in goals if goal["latest_progress"]]
        ).values(
            "pk", "date", "status", "note", "author__first_name", "author__last_name",
            "author__email",
        )
    }  # fmt: skip
    goal_url = url_maker("charts:goal_update", chart_case.pk) if editable else None
    cards = {goal["pk"]: _goal_card(goal, progress, goal_url, today) for goal in goals}
    short_term_under = {}
    for goal in goals:
        if goal["parent_id"]:
            short_term_under.setdefault(goal["parent_id"], []).append(cards[goal["pk"]])
    long_term_goals = [
        {"card": cards[goal["pk"]], "short_term": short_term_under.get(goal["pk"], [])}
        for goal in goals
        if goal["kind"] == Goal.Kind.LONG_TERM
    ]
    # Short-term goals under no long-term goal; the others are listed under theirs.
    loose_short_term = [
        cards[goal["pk"]]
        for goal in goals
        if goal["kind"] == Goal.Kind.SHORT_TERM and not goal["parent_id"]
    ]

    notes = chart_case.daily_notes.order_by("-date_of_service", "-pk").values(
        "pk", "date_of_service", "assessment", "signed_at", "author__first_name",
        "author__last_name", "author__email",
    )  # fmt: skip
    notes_page = Paginator(notes, NOTES_PER_PAGE).get_page(request.GET.get("notes"))
    note_url = url_maker("charts:document_detail", chart_case.pk, "notes")
    note_rows = [
        {
            "url": note_url(note["pk"]),
            "date": short_date(note["date_of_service"]),
            "author": person(
                note["author__first_name"], note["author__last_name"], note["author__email"]
            ),
            "assessment": truncate(note["assessment"], 80),
            "signed": note["signed_at"] is not None,
        }
        for note in notes_page.object_list
    ]

    evaluation_url = url_maker("charts:document_detail", chart_case.pk, "evaluations")
    evaluations = [
        {
            "url": evaluation_url(row["pk"]),
            "title": f"{EVALUATION_KINDS.get(row['kind'], row['kind'])} of "
            f"{short_date(row['date'])}",
            "author": person(
                row["author__first_name"], row["author__last_name"], row["author__email"]
            ),
            "signed": row["signed_at"] is not None,
        }
        for row in chart_case.evaluations.order_by("-date", "-pk").values(
            "pk",
            "kind",
            "date",
            "signed_at",
            "author__first_name",
            "author__last_name",
            "author__email",
        )  # fmt: skip
    ]
    done_url = url_maker("charts:reminder_done", chart_case.pk)
    reminders = [
        {
            "text": row["text"],
            "due": short_date(row["due_on"]),
            "done_url": done_url(row["pk"]),
            "is_overdue": today is not None and row["due_on"] < today,
        }
        for row in chart_case.reminders.open()
        .order_by("due_on", "pk")
        .values("pk", "text", "due_on")
    ]
    return {
        "long_term_goals": long_term_goals,
        "loose_short_term_goals": loose_short_term,
        "notes_page": notes_page,
        "notes": note_rows,
        "evaluations": evaluations,
        "reminders": reminders,
    }


_PAST_TARGET = mark_safe(' <span class="badge text-bg-danger">Past target date</span>')


def _goal_card(goal: dict, progress: dict, goal_url, today=None) -> str:
    status = goal["status"]
    past_target = (
        today is not None
        and status == Goal.Status.ACTIVE
        and goal["target_date"] is not None
        and goal["target_date"] < today
    )
    update = (
        format_html(
            '<a class="btn btn-sm btn-link" href="{}">Update<span class="visually-hidden">'
            " goal: {}</span></a>",
            goal_url(goal["pk"]),
            truncate(goal["text"], 40),
        )
        if goal_url
        else ""
    )
    latest = progress.get(goal["latest_progress"])
    last = (
        format_html(
            '<p class="small mb-0 text-body-secondary">Last progress {} ({}): status {}{}</p>',
            short_date(latest["date"]),
            person(
                latest["author__first_name"], latest["author__last_name"], latest["author__email"]
            ),
            GOAL_STATUSES.get(latest["status"], latest["status"]),
            f" · {latest['note']}" if latest["note"] else "",
        )
        if latest
        else ""
    )
    return format_html(
        '<div class="border rounded p-2"><div class="d-flex justify-content-between gap-2"><div>'
        '<span class="badge text-bg-light border">{}</span> <span class="badge {}">{}</span> '
        '<span class="small text-body-secondary">target {}</span>{}<p class="mb-1">{}</p>'
        "</div>{}</div>{}</div>",
        GOAL_KINDS.get(goal["kind"], goal["kind"]),
        STATUS_BADGE.get(status, "text-bg-secondary"),
        GOAL_STATUSES.get(status, status),
        short_date(goal["target_date"]),
        _PAST_TARGET if past_target else "",
        goal["text"],
        update,
        last,
    )
