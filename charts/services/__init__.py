"""Writes to patients, their chart cases and each chart case's documentation, one module per
model family. Each function is one transaction. A discharged chart case is read-only; a signed
note or evaluation is never changed in place (only addenda are added).
"""

from django.core.exceptions import ValidationError

from charts.services.chart_cases import (
    cases_addable,
    chart_case_add,
    chart_case_discharge,
    chart_case_reopen,
    goals_closed_by_discharge,
    unsigned_documents,
)
from charts.services.clinical import (
    diagnosis_add,
    diagnosis_delete,
    discharge_summary_sign,
    plan_of_care_update,
    reminder_schedule_plan_of_care,
)
from charts.services.common import (
    READ_ONLY,
    SIGNED,
    NotTheAuthorError,
    require_author,
)
from charts.services.documentation import (
    CHANGED_BEFORE_SIGNING,
    ProgressInput,
    addendum_add,
    attestation,
    document_discard,
    evaluation_create,
    evaluation_delete,
    evaluation_sign,
    evaluation_update,
    note_create,
    note_delete,
    note_sign,
    note_update,
    previous_signed_note,
)
from charts.services.goals import (
    goal_create,
    goal_update,
)
from charts.services.patients import (
    contact_consent_set,
    contact_create,
    contact_delete,
    contact_update,
    patient_create,
    patient_update,
)
from charts.services.reminders import (
    reminder_create,
    reminder_done,
    reminder_schedule_re_evaluation,
)

__all__ = [
    "CHANGED_BEFORE_SIGNING",
    "ValidationError",
    "READ_ONLY",
    "NotTheAuthorError",
    "require_author",
    "SIGNED",
    "patient_create",
    "patient_update",
    "cases_addable",
    "chart_case_add",
    "chart_case_discharge",
    "chart_case_reopen",
    "goal_create",
    "goal_update",
    "ProgressInput",
    "note_create",
    "note_update",
    "note_delete",
    "note_sign",
    "previous_signed_note",
    "evaluation_create",
    "evaluation_update",
    "evaluation_delete",
    "evaluation_sign",
    "addendum_add",
    "document_discard",
    "reminder_create",
    "reminder_done",
    "reminder_schedule_re_evaluation",
    "goals_closed_by_discharge",
    "unsigned_documents",
    "diagnosis_add",
    "diagnosis_delete",
    "discharge_summary_sign",
    "plan_of_care_update",
    "reminder_schedule_plan_of_care",
    "attestation",
    "contact_create",
    "contact_consent_set",
    "contact_update",
    "contact_delete",
]
