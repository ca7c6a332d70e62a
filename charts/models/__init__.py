from charts.models.chart import ChartCaseEvent, Patient, PatientChartCase
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
    "ChartCaseEvent",
    "DailyNote",
    "Evaluation",
    "Goal",
    "GoalProgress",
    "Patient",
    "PatientChartCase",
    "Reminder",
]
