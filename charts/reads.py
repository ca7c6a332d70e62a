"""The chart page's reads: the models' own querysets, shaped for the page.

Who sees what comes only from ``Patient.objects.visible_to``, ``PatientChartCase.objects
.visible_to`` and ``.documentable_by`` (charts/models/chart.py), and the unsigned count from
``charts.unsigned.unsigned_count``; each list is its model's queryset (``Reminder.objects
.open()`` for the reminders). What is shaped here is only how much is read: the columns
shown (``.values()``), the tabs' flags as annotations of the one query that reads them, each
goal's latest progress entry as subqueries of the goal query (an index probe on
``(clinic, goal, -date)`` per goal), and one page of notes.

Only ``charts.access`` (the gate) and the chart page call this module.
"""

from django.db.models import OuterRef, Subquery

from charts.models import (
    DailyNote,
    Diagnosis,
    DischargeSummary,
    Evaluation,
    Goal,
    GoalProgress,
    Patient,
    PatientChartCase,
    PatientContact,
    Reminder,
)
from charts.unsigned import unsigned_count

AUTHOR = ("author__first_name", "author__last_name", "author__email")
# The columns of the chart's tabs the page shows: the patient's details, each tab's case name
# and dates, not the case's own bookkeeping (who archived or changed it, its patient count).
TAB_COLUMNS = (
    "clinic_id",
    "status",
    "started_on",
    "discharged_on",
    "referring_provider",
    "plan_of_care_start",
    "plan_of_care_end",
    "case__name",
    "case__is_archived",
    *(
        f"patient__{name}"
        for name in (
            "clinic_id",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
            "address",
            "preferred_language",
        )
    ),
)


def chart_tabs(user, patient_pk: int, *, unsigned_counts: bool = True):
    """The chart cases the user sees on the chart of a patient they see, in the order of the
    tabs, with their patient and case, ``documentable`` (the user may write their
    documentation) and, with ``unsigned_counts``, ``unsigned_count`` (two subqueries: not
    built for a user whose tabs do not show it)."""
    tabs = (
        PatientChartCase.objects.visible_to(user)
        .filter(patient__in=Patient.objects.visible_to(user).filter(pk=patient_pk))
        .select_related("patient", "case")
        .only(*TAB_COLUMNS)
        .annotate_documentable(user)
        .order_by("status", "started_on", "pk")
    )
    return tabs.annotate(unsigned_count=unsigned_count()) if unsigned_counts else tabs


def contacts(patient):
    """The patient's contacts, guardians first."""
    return (
        PatientContact.objects.filter(patient_id=patient.pk)
        .order_by("-is_guardian", "name", "pk")
        .values("pk", "name", "relationship", "phone", "email", "is_guardian")
    )


def service_names(chart_case) -> list[str]:
    """The names of the chart case's case's service types, by name."""
    return list(chart_case.case.service_types.order_by("name", "pk").values_list("name", flat=True))


def evaluations(chart_case):
    """Newest first, with their author's names."""
    return (
        Evaluation.objects.filter(chart_case_id=chart_case.pk)
        .order_by("-date", "-pk")
        .values("pk", "kind", "date", "signed_at", *AUTHOR)
    )


def open_reminders(chart_case):
    """The reminders not done yet, earliest due first."""
    return (
        Reminder.objects.open()
        .filter(chart_case_id=chart_case.pk)
        .order_by("due_on", "pk")
        .values("pk", "text", "due_on")
    )


def diagnoses(chart_case):
    """Treatment diagnoses first."""
    return (
        Diagnosis.objects.filter(chart_case_id=chart_case.pk)
        .order_by("-kind", "pk")
        .values("pk", "kind", "code", "description")
    )


def discharge_summaries(chart_case):
    """Newest first."""
    return (
        DischargeSummary.objects.filter(chart_case_id=chart_case.pk)
        .order_by("-date", "-pk")
        .values("pk", "date")
    )


def goals(chart_case) -> list[dict]:
    """The chart case's goals in the order of the page, each with its latest progress entry
    (``progress``: date, status, note and author names, or None). Two queries: the goals with
    the id of their latest entry (a subquery, an index probe on ``(clinic, goal, -date)`` per
    goal), then those entries; a subquery a column cost more to build than to run."""
    latest = GoalProgress.objects.filter(goal_id=OuterRef("pk")).order_by("-date", "-pk")
    rows = list(
        Goal.objects.filter(chart_case_id=chart_case.pk)
        .order_by("kind", "start_date", "pk")
        .values("pk", "kind", "parent_id", "text", "status", "target_date")
        .annotate(latest=Subquery(latest.values("pk")[:1]))
    )
    entries = {
        entry["pk"]: entry
        for entry in GoalProgress.objects.filter(
            pk__in=[row["latest"] for row in rows if row["latest"]]
        ).values("pk", "date", "status", "note", *AUTHOR)
    }
    for row in rows:
        row["progress"] = entries.get(row.pop("latest"))
    return rows


class OffsetBounded:
    """A queryset sliced for ``core.pagination.UncountedPage`` with its offset bounded: a page
    number comes from the URL, and an offset past what the database takes (beyond 64 bits on
    SQLite) would be a 500 rather than an empty page."""

    # Past any list's length, short of what any database takes as an offset.
    MAX_OFFSET = 2**31 - 1

    def __init__(self, queryset):
        self.queryset = queryset

    def __getitem__(self, window: slice) -> list:
        start = min(window.start or 0, self.MAX_OFFSET)
        return list(self.queryset[start : start + window.stop - (window.start or 0)])


def notes(chart_case) -> OffsetBounded:
    """The chart case's daily notes, newest first, with their author's names, to be paged."""
    return OffsetBounded(
        DailyNote.objects.filter(chart_case_id=chart_case.pk)
        .order_by("-date_of_service", "-pk")
        .values("pk", "date_of_service", "assessment", "signed_at", *AUTHOR)
    )
