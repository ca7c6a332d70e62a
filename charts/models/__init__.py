from charts.models.chart import Patient, PatientChartCase
from charts.models.clinical import Diagnosis, DischargeSummary, PatientContact
from charts.models.documentation import (
    Addendum,
    DailyNote,
    Evaluation,
    Goal,
    GoalProgress,
    Reminder,
)

__all__ = [
    "Addendum",
    "DailyNote",
    "Diagnosis",
    "DischargeSummary",
    "Evaluation",
    "Goal",
    "GoalProgress",
    "Patient",
    "PatientChartCase",
    "PatientContact",
    "Reminder",
]
