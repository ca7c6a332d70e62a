"""Moving one piece of documentation (a goal with its progress, a daily note, an evaluation
with its addenda, a reminder) to another chart case of the same patient, with a reason; and
the chart's kinds of row that a merge of patient cases moves (``CHART_ROWS``).

A signed document moves unchanged: only its chart case changes (an ``UPDATE`` of that one
column, so neither its text, its signature nor its ``updated_at`` moves). Both chart cases'
History shows "Moved from … to … by … on …: reason" (``cases.MoveRecord`` and the audit
entry).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from cases.merge_records import record_moves
from cases.merge_rows import MOVABLE_ROWS, MovableRows
from charts.models import DailyNote, Evaluation, Goal, PatientChartCase, Reminder
from charts.services.common import _lock, _require_active
from core.roles import ADMINISTRATOR, has_role

# The chart's rows that follow their chart case in a merge; scheduling adds its own (visits,
# requests) in its AppConfig.ready(), and a new kind joins by one more entry.
CHART_ROWS = [
    MovableRows("goal", "goals", "charts.Goal"),
    MovableRows("daily note", "daily notes", "charts.DailyNote"),
    MovableRows("evaluation", "evaluations", "charts.Evaluation"),
    MovableRows("reminder", "reminders", "charts.Reminder"),
    MovableRows("discharge summary", "discharge summaries", "charts.DischargeSummary"),
    MovableRows("diagnosis", "diagnoses", "charts.Diagnosis", unique_on=("kind", "code")),
]

# The URL's word for each kind that moves one at a time.
MOVABLE_DOCUMENTS = {
    "goals": Goal,
    "notes": DailyNote,
    "evaluations": Evaluation,
    "reminders": Reminder,
}

NO_REASON = "Give the reason for the move: both cases will show it."
OTHER_PATIENT = "Documentation moves only between cases on the same patient's chart."
SAME_CASE = "It is already on this case. Choose another of the patient's cases."


@dataclass
class MoveResult:
    moved: list[str] = field(default_factory=list)  # "Daily note of Dec 3, 2026", ...
    stayed: list[str] = field(default_factory=list)  # what did not follow, and why


def may_move_between(user: User, *chart_cases: PatientChartCase) -> bool:
    """An administrator, or a therapist who may document on every one of the chart cases."""
    if has_role(user, ADMINISTRATOR):
        return True
    pks = {chart_case.pk for chart_case in chart_cases}
    allowed = PatientChartCase.objects.documentable_by(user).filter(pk__in=pks).count()
    return allowed == len(pks)


def move_targets(user: User, chart_case: PatientChartCase):
    """The patient's other chart cases a user may move documentation of ``chart_case`` to:
    active ones, of those the user documents (every one for an administrator)."""
    others = (
        PatientChartCase.objects.visible_to(user)
        .active()
        .filter(patient_id=chart_case.patient_id)
        .exclude(pk=chart_case.pk)
        .select_related("case")
    )
    if has_role(user, ADMINISTRATOR):
        return others
    return others.filter(pk__in=PatientChartCase.objects.documentable_by(user).values("pk"))


def _check(item, to_chart_case: PatientChartCase, reason: str, by: User) -> None:
    origin = item.chart_case
    if (to_chart_case.clinic_id, to_chart_case.patient_id) != (
        origin.clinic_id,
        origin.patient_id,
    ):
        raise ValidationError({"to_chart_case": OTHER_PATIENT})
    if to_chart_case.pk == origin.pk:
        raise ValidationError({"to_chart_case": SAME_CASE})
    if not reason:
        raise ValidationError({"reason": NO_REASON})
    if not may_move_between(by, origin, to_chart_case):
        raise PermissionDenied
    if isinstance(item, Goal) and item.parent_id:
        raise ValidationError(
            f"This short-term goal belongs to the long-term goal “{item.parent}”. Move that "
            "goal instead: its short-term goals go with it."
        )
    if isinstance(item, Evaluation) and origin.discharge_evaluation_id == item.pk:
        raise ValidationError(
            "This evaluation is the discharge evaluation of its case and stays with it."
        )


def _lock_both(origin: PatientChartCase, to_chart_case: PatientChartCase) -> None:
    """Both chart cases re-read under a lock, in id order (two moves the other way wait)."""
    for chart_case in sorted([origin, to_chart_case], key=lambda row: row.pk):
        try:
            _require_active(chart_case)
        except ValidationError as error:
            if chart_case is to_chart_case:
                raise ValidationError(
                    {"to_chart_case": f"“{to_chart_case.case}”: {error.messages[0]}"}
                ) from error
            raise


@transaction.atomic
def documentation_move(
    *, item, to_chart_case: PatientChartCase, reason: str, by: User
) -> MoveResult:
    """Move ``item`` (a Goal, DailyNote, Evaluation or Reminder) to ``to_chart_case``."""
    reason = " ".join(reason.split())
    _check(item, to_chart_case, reason, by)
    origin = item.chart_case
    _lock_both(origin, to_chart_case)
    locked = _lock(type(item), item.pk)
    if locked.chart_case_id != origin.pk:
        raise ValidationError("It was moved by someone else meanwhile. Nothing was changed.")
    result = MoveResult()
    rows = {_kind_of(item): [item.pk]}
    if isinstance(item, Goal):
        rows["goal"] += list(item.short_term_goals.values_list("pk", flat=True))
    if isinstance(item, DailyNote):
        _visits(item, to_chart_case, rows, result)
    for kind, pks in rows.items():
        _move(kind, pks, origin, to_chart_case, reason, by)
    result.moved.append(str(item))
    return result


def _kind_of(item) -> str:
    return str(item._meta.verbose_name)


def _move(kind: str, pks, origin, to_chart_case, reason, by) -> None:
    model = next(rows for rows in MOVABLE_ROWS if rows.kind == kind)
    model.model_class.objects.filter(clinic_id=origin.clinic_id, pk__in=pks).update(
        **{model.column: to_chart_case.pk}
    )
    record_moves(
        clinic_id=origin.clinic_id,
        kind=kind,
        moves=[(pk, origin.pk, to_chart_case.pk) for pk in pks],
        by=by,
        from_names={origin.pk: origin.case.name},
        to_names={to_chart_case.pk: to_chart_case.case.name},
        patients={origin.pk: origin.patient},
        details="",
        reason=reason,
    )


def _visits(note: DailyNote, to_chart_case, rows: dict, result: MoveResult) -> None:
    """A visit tied to the note (a row kind with ``note_field``) follows it when its
    therapist may document on the new case; otherwise it stays, and the result says so."""
    for kind in MOVABLE_ROWS:
        if not kind.note_field:
            continue
        tied = kind.model_class.objects.select_for_update(of=("self",)).filter(
            clinic_id=note.clinic_id,
            **{kind.note_field: note.pk, kind.column: note.chart_case_id},
        )
        for visit in tied.select_related(kind.person_field):
            person = getattr(visit, kind.person_field)
            if may_document(person, to_chart_case):
                rows.setdefault(kind.kind, []).append(visit.pk)
            else:
                result.stayed.append(
                    f"The {kind.kind} “{visit}” stays on “{note.chart_case.case}”: "
                    f"{person} does not work with the services of “{to_chart_case.case}”, so it "
                    "cannot be booked there. The note keeps its link to it."
                )


def may_document(user: User, chart_case: PatientChartCase) -> bool:
    return PatientChartCase.objects.documentable_by(user).filter(pk=chart_case.pk).exists()
