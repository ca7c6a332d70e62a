from charts.models.chart import Patient, PatientChartCase
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
    "Evaluation",
    "Goal",
    "GoalProgress",
    "Patient",
    "PatientChartCase",
    "Reminder",
]
