"""The one list of rows that hang off a chart case and move with its documentation, and the
models a merge reaches through the relations (cases sit below charts and scheduling, so
nothing here imports them).

Each app above registers its kinds of row in its ``AppConfig.ready()``: charts its goals,
notes, evaluations, reminders, discharge summaries and diagnoses; scheduling its appointments
and requests. A new kind (authorizations, waitlist entries) joins the merge, its preview, its
undo and the move of a visit's note by adding one ``MovableRows`` to that app's list.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps

from cases.models import PatientCase


@dataclass(frozen=True)
class MovableRows:
    # The audit trail's object type and the preview's words: "daily note", "daily notes".
    kind: str
    plural: str
    model: str  # "charts.DailyNote"
    chart_case_field: str = "chart_case"
    # Rows the target chart case already has with the same values of these fields stay
    # where they are (a diagnosis is once per chart case and code).
    unique_on: tuple[str, ...] = ()
    # A row tied to a daily note (a visit: ``daily_note``), and the person on it whose
    # services decide whether it may follow the note to another case (``therapist``).
    note_field: str | None = None
    person_field: str | None = None

    @property
    def model_class(self):
        return apps.get_model(self.model)

    @property
    def column(self) -> str:
        return f"{self.chart_case_field}_id"


MOVABLE_ROWS: list[MovableRows] = []


def register_movable_rows(*kinds: MovableRows) -> None:
    for kind in kinds:
        if kind not in MOVABLE_ROWS:
            MOVABLE_ROWS.append(kind)


# ``moved(clinic_id, kind, chart_case_ids)``, called in the transaction once rows of a kind
# went from some chart cases to others (the merge, its undo, an item moved by hand): apps above
# that keep something per chart case register here (insurance recounts its authorizations when
# visits move).
_rows_moved: list[Callable] = []


def register_rows_moved(moved: Callable) -> None:
    if moved not in _rows_moved:
        _rows_moved.append(moved)


def rows_moved(clinic_id: int, kind: str, chart_case_ids) -> None:
    ids = sorted(set(chart_case_ids))
    if ids:
        for moved in _rows_moved:
            moved(clinic_id, kind, ids)


def chart_case_model():
    """``charts.PatientChartCase``, reached through the relation (charts sits above cases)."""
    return PatientCase._meta.get_field("chart_cases").related_model


def patient_model():
    return chart_case_model()._meta.get_field("patient").related_model
