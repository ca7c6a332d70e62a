"""What the home page shows a therapist and an administrator of their clinical day, in a fixed
number of queries whatever the clinic's size (each list is capped)."""

import datetime

from cases.models import PatientCase
from charts.models import Goal, PatientChartCase, Reminder
from charts.unsigned import as_dicts, unsigned_counts_by_author, unsigned_for

DUE_SOON_DAYS = 14
LIMIT = 50


def therapist_dashboard(user, today: datetime.date) -> dict:
    """Five queries: their unsigned documents, overdue reminders, goals past their target
    date, re-evaluations and plan-of-care certifications due in the next two weeks."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    theirs = PatientChartCase.objects.documentable_by(user).active()
    return {
        "unsigned_documents": as_dicts(
            unsigned_for(clinic_id=user.clinic_id, author=user)[:LIMIT], today
        ),
        "overdue_reminders": list(
            Reminder.objects.for_clinic(user.clinic_id)
            .overdue(today)
            .filter(chart_case__in=theirs)
            .select_related("chart_case__patient", "chart_case__case")
            .order_by("due_on", "pk")[:LIMIT]
        ),
        "goals_past_target": list(
            Goal.objects.for_clinic(user.clinic_id)
            .filter(status=Goal.Status.ACTIVE, target_date__lt=today, chart_case__in=theirs)
            .select_related("chart_case__patient", "chart_case__case")
            .order_by("target_date", "pk")[:LIMIT]
        ),
        "re_evaluations_due": list(
            Reminder.objects.for_clinic(user.clinic_id)
            .open()
            .filter(
                kind=Reminder.Kind.RE_EVALUATION,
                due_on__gte=today,
                due_on__lte=soon,
                chart_case__in=theirs,
            )
            .select_related("chart_case__patient", "chart_case__case")
            .order_by("due_on", "pk")[:LIMIT]
        ),
        "certifications_due": list(
            theirs.filter(plan_of_care_end__gte=today, plan_of_care_end__lte=soon)
            .select_related("patient", "case")
            .order_by("plan_of_care_end", "pk")[:LIMIT]
        ),
        "due_soon_days": DUE_SOON_DAYS,
    }


def administrator_dashboard(user, today: datetime.date) -> dict:
    """Three queries: unsigned documentation older than the clinic's limit, per therapist (two
    grouped queries), and the count of cases no chart uses."""
    limit = user.clinic.unsigned_limit_days
    return {
        "unsigned_limit_days": limit,
        "late_unsigned_by_author": unsigned_counts_by_author(
            clinic_id=user.clinic_id, before=today - datetime.timedelta(days=limit)
        ),
        "unused_case_count": PatientCase.objects.for_clinic(user.clinic_id)
        .pickable()
        .filter(patient_count=0)
        .count(),
    }
