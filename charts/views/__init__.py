"""The chart screens; ``charts/urls.py`` names them from here."""

from charts.views.documentation import (
    document_addendum,
    document_delete,
    document_detail,
    document_sign,
    evaluation_create,
    evaluation_update,
    goal_create,
    goal_update,
    note_create,
    note_update,
    reminder_create,
    reminder_done,
)
from charts.views.patients import (
    chart_case_add,
    chart_case_discharge,
    chart_case_history,
    chart_case_reopen,
    patient_create,
    patient_detail,
    patient_list,
    patient_update,
)

__all__ = [
    "chart_case_add",
    "chart_case_discharge",
    "chart_case_history",
    "chart_case_reopen",
    "document_addendum",
    "document_delete",
    "document_detail",
    "document_sign",
    "evaluation_create",
    "evaluation_update",
    "goal_create",
    "goal_update",
    "note_create",
    "note_update",
    "patient_create",
    "patient_detail",
    "patient_list",
    "patient_update",
    "reminder_create",
    "reminder_done",
]
