"""What the insurance screens read: rows shaped for the page, the counts always from the one
rule (``insurance.counting.usage``)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from insurance.counting import Tally, appointment_model, settings_for, usage
from insurance.models import Authorization, SharedLimit


@dataclass
class Row:
    authorization: Authorization
    tally: Tally
    types: str
    is_running: bool


def chart_case_authorizations(chart_case, *, today: datetime.date) -> tuple[list[Row], list]:
    """The chart case's authorizations with their counts, latest first, and the patient's
    shared limits with theirs."""
    rows = list(
        Authorization.objects.filter(clinic_id=chart_case.clinic_id, chart_case=chart_case)
        .for_display()
        .order_by("-last_date", "-pk")
    )
    found = usage(chart_case.clinic_id, Q(patient_id=chart_case.patient_id))
    limits = list(
        SharedLimit.objects.filter(clinic_id=chart_case.clinic_id, patient_id=chart_case.patient_id)
    )
    return (
        [
            Row(
                row,
                found.of(row.pk),
                ", ".join(t.name for t in row.appointment_types.all()) or "All types",
                row.first_date <= today <= row.last_date,
            )
            for row in rows
        ],
        [(limit, found.counts.shared.get(limit.pk, Tally(limit.quantity))) for limit in limits],
    )


# The report and the alerts -----------------------------------------------------------------

EXPIRING, USED_UP, OVER, UNBOOKED = "expiring", "used_up", "over", "unbooked"
FLAGS = {
    EXPIRING: "Expiring",
    USED_UP: "Used up",
    OVER: "Booked over",
    UNBOOKED: "Visits left, nothing booked",
}


@dataclass
class ReportRow:
    authorization: Authorization
    tally: Tally
    flags: list[str]
    reasons: list[str]


def flags_of(row: Authorization, tally: Tally, reasons, *, today, settings) -> list[str]:
    """Which of the report's lists an authorization is on (the alerts use the same words)."""
    flags = []
    days_left = (row.last_date - today).days
    if 0 <= days_left <= settings.alert_days_left:
        flags.append(EXPIRING)
    if tally.left <= 0:
        flags.append(USED_UP)
    if tally.left < 0 or reasons:
        flags.append(OVER)
    if tally.left > 0 and tally.booked == 0 and days_left >= 0:
        flags.append(UNBOOKED)
    return flags


def report(clinic_id: int, *, today, filters: dict) -> list[ReportRow]:
    """The authorizations matching the filters (payer, service type, therapist, dates, which
    list), each with its counts from the one rule, the ones ending first first."""
    where = Q()
    if filters.get("payer"):
        where &= Q(payer=filters["payer"])
    if filters.get("service_type"):
        where &= Q(chart_case__case__service_types=filters["service_type"])
    if filters.get("therapist"):
        where &= Q(chart_case__in=_chart_cases_seen_by(clinic_id, filters["therapist"]))
    if filters.get("first"):
        where &= Q(last_date__gte=filters["first"])
    if filters.get("last"):
        where &= Q(first_date__lte=filters["last"])
    rows = list(
        Authorization.objects.filter(where, clinic_id=clinic_id)
        .select_related("payer", "chart_case__case", "patient")
        .distinct()
        .order_by("last_date", "pk")
    )
    if not rows:
        return []
    found = usage(clinic_id, Q(pk__in=[row.pk for row in rows]))
    result = []
    for row in rows:
        tally = found.of(row.pk)
        reasons = found.counts.reasons.get(row.pk, [])
        flags = flags_of(row, tally, reasons, today=today, settings=found.settings)
        if filters.get("kind") and filters["kind"] not in flags:
            continue
        result.append(ReportRow(row, tally, [FLAGS[flag] for flag in flags], reasons))
    return result


def _chart_cases_seen_by(clinic_id: int, therapist):
    return (
        appointment_model()
        .objects.filter(clinic_id=clinic_id, therapist=therapist)
        .values("chart_case_id")
    )


def alerts(clinic_id: int, *, today, limit: int = 10) -> list[ReportRow]:
    """Running authorizations at or past a threshold of the clinic's settings (few visits
    left, or the last date near), for the scheduler's and administrator's home."""
    rows = report(clinic_id, today=today, filters={"first": today})
    if not rows:
        return []
    settings = settings_for(clinic_id)
    return [
        row
        for row in rows
        if row.authorization.first_date <= today
        and (row.tally.left <= settings.alert_visits_left or FLAGS[EXPIRING] in row.flags)
    ][:limit]
