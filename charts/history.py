"""A chart case's history, read from the audit trail: what was done to the chart case itself
and to everything that hangs off it (goals, notes, evaluations, reminders)."""

from django.db.models import Q

from cases.merge_models import MoveRecord
from charts.models import PatientChartCase
from core.models import AuditEntry

CHART_CASE = str(PatientChartCase._meta.verbose_name)

# Words for the chart case's own actions, as the History screen has always said them.
PHRASES = {
    "create": "Case added to the chart",
    "discharge": "Discharged",
    "reopen": "Reopened",
}


def chart_case_entries(chart_case: PatientChartCase):
    """The entries of the chart case and of its documentation, newest first; reads are in the
    audit log, not in the history."""
    key = str(chart_case.pk)
    # A row moved away is listed here too: its entry hangs off the chart case it went to.
    moved_away = MoveRecord.objects.filter(
        clinic_id=chart_case.clinic_id, from_chart_case_id=chart_case.pk
    ).values("audit_entry_id")
    return (
        AuditEntry.objects.filter(clinic_id=chart_case.clinic_id)
        .filter(
            Q(object_type=CHART_CASE, object_id=key)
            | Q(parent_type=CHART_CASE, parent_id=key)
            | Q(pk__in=moved_away)
        )
        .exclude(action="access")
    )


def describe(entry: AuditEntry) -> str:
    """ "Discharged", "Daily note signed", "Goal changed"..."""
    if entry.action == "addendum":
        return "Addendum added"
    if entry.object_type == CHART_CASE:
        return PHRASES.get(entry.action) or entry.action_display
    return f"{entry.object_type.capitalize()} {entry.action_display.lower()}"
