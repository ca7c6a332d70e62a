"""What the insurance screens read: rows shaped for the page, the counts always from the one
rule (``insurance.counting.usage``)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from cases.models import PatientCase
from clinic.models import AppointmentType
from core.pagination import UncountedPage
from insurance.counting import Grant, Tally, appointment_model, usage
from insurance.models import Authorization, SharedLimit


@dataclass
class Row:
    """One authorization of a chart case as its page shows it: the rule's own values (a
    ``Grant``), so the page reads the authorizations once, for the count."""

    grant: Grant
    tally: Tally
    types: str
    is_running: bool
    shared_limit: str
    unit: str
    cap: str


def chart_case_authorizations(chart_case, *, today: datetime.date) -> tuple[list[Row], list]:
    """The chart case's authorizations with their counts, latest first, and the patient's
    shared limits with theirs."""
    clinic_id = chart_case.clinic_id
    found = usage(clinic_id, Q(patient_id=chart_case.patient_id))
    own = sorted(
        (grant for grant in found.grants if grant.chart_case_id == chart_case.pk),
        key=lambda grant: (grant.last_date, grant.pk),
        reverse=True,
    )
    limits = list(SharedLimit.objects.filter(clinic_id=clinic_id, patient_id=chart_case.patient_id))
    names = {limit.pk: limit.name for limit in limits}
    type_ids = set().union(*(grant.type_ids for grant in own))
    types = (
        dict(
            AppointmentType.objects.filter(clinic_id=clinic_id, pk__in=type_ids).values_list(
                "pk", "name"
            )
        )
        if type_ids
        else {}
    )
    return (
        [
            Row(
                grant,
                found.of(grant.pk),
                ", ".join(sorted(types[pk] for pk in grant.type_ids if pk in types)) or "All types",
                grant.first_date <= today <= grant.last_date,
                names.get(grant.shared_limit_id, ""),
                Authorization.Unit(grant.unit).label,
                f"{grant.cap} {Authorization.CapPeriod(grant.cap_period).label.lower()}"
                if grant.cap_period
                else "None",
            )
            for grant in own
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


def flags_of(last_date, tally: Tally, reasons, *, today, settings) -> list[str]:
    """Which of the report's lists an authorization is on (the alerts use the same words)."""
    flags = []
    days_left = (last_date - today).days
    if 0 <= days_left <= settings.alert_days_left:
        flags.append(EXPIRING)
    if tally.left <= 0:
        flags.append(USED_UP)
    if tally.left < 0 or reasons:
        flags.append(OVER)
    if tally.left > 0 and tally.booked == 0 and days_left >= 0:
        flags.append(UNBOOKED)
    return flags


def report_authorizations(clinic_id: int, filters: dict):
    """The authorizations the report's filters (payer, service type, therapist, dates) keep,
    the ones ending first first: what the database can decide. Which list an authorization is
    on needs its counts (``counted``)."""
    where = Q()
    if filters.get("payer"):
        where &= Q(payer=filters["payer"])
    if filters.get("service_type"):
        where &= Q(
            chart_case__case__in=PatientCase.objects.filter(
                clinic_id=clinic_id, service_types=filters["service_type"]
            ).values("pk")
        )
    if filters.get("therapist"):
        where &= Q(chart_case__in=_chart_cases_seen_by(clinic_id, filters["therapist"]))
    if filters.get("first"):
        where &= Q(last_date__gte=filters["first"])
    if filters.get("last"):
        where &= Q(first_date__lte=filters["last"])
    return Authorization.objects.filter(where, clinic_id=clinic_id).order_by("last_date", "pk")


def _for_page(rows):
    return rows.select_related("payer", "chart_case__case", "patient")


def counted(clinic_id: int, rows, *, today, found=None) -> list[ReportRow]:
    """The report's rows of the authorizations ``rows`` (instances, or pks loaded here, in
    that order), their counts from the one rule (``found``: already counted)."""
    rows = list(rows)
    if rows and not isinstance(rows[0], Authorization):
        by_pk = _for_page(Authorization.objects.filter(clinic_id=clinic_id, pk__in=rows)).in_bulk()
        rows = [by_pk[pk] for pk in rows]
    if not rows:
        return []
    found = found or usage(clinic_id, Q(pk__in=[row.pk for row in rows]))
    result = []
    for row in rows:
        tally, reasons = found.of(row.pk), found.counts.reasons.get(row.pk, [])
        flags = flags_of(row.last_date, tally, reasons, today=today, settings=found.settings)
        result.append(ReportRow(row, tally, [FLAGS[flag] for flag in flags], reasons))
    return result


def listed(clinic_id: int, filters: dict, *, today, keep=None):
    """The authorizations the filters keep, in the report's order (a queryset), with their
    counts not yet made (None); with ``filters["kind"]`` (or ``keep(grant, tally, flags,
    settings)``), their pks, every candidate counted first and only those on that list (or
    kept) left: the counts come from the one rule, never from SQL."""
    rows = report_authorizations(clinic_id, filters)
    kind = filters.get("kind")
    if not kind and keep is None:
        return _for_page(rows), None
    found = usage(clinic_id, Q(pk__in=rows.values("pk")))
    if not found.grants:
        return [], found
    wanted = {grant.pk: grant for grant in found.grants}
    pks = []
    for pk in rows.values_list("pk", flat=True):
        grant, tally = wanted[pk], found.of(pk)
        flags = flags_of(
            grant.last_date,
            tally,
            found.counts.reasons.get(pk),
            today=today,
            settings=found.settings,
        )
        if (not kind or kind in flags) and (
            keep is None or keep(grant, tally, flags, found.settings)
        ):
            pks.append(pk)
    return pks, found


def report(clinic_id: int, *, today, filters: dict) -> list[ReportRow]:
    """Every row of the report (the CSV): the authorizations matching the filters (payer,
    service type, therapist, dates, which list), each with its counts from the one rule."""
    pks, found = listed(clinic_id, filters, today=today)
    return counted(clinic_id, pks, today=today, found=found)


def report_page(clinic_id: int, *, today, filters: dict, number, per_page: int = 50):
    """One page of the report ("Page 3", Previous and Next, no count of the whole list):
    without a list chosen, paged by the database and only the page's authorizations counted;
    with one, every candidate counted to find the list."""
    rows, found = listed(clinic_id, filters, today=today)
    page = UncountedPage(rows, per_page, number)
    page.object_list = counted(clinic_id, page.object_list, today=today, found=found)
    return page


def _chart_cases_seen_by(clinic_id: int, therapist):
    return (
        appointment_model()
        .objects.filter(clinic_id=clinic_id, therapist=therapist)
        .values("chart_case_id")
    )


def alerts(clinic_id: int, *, today, limit: int = 10) -> list[ReportRow]:
    """Running authorizations at or past a threshold of the clinic's settings (few visits
    left, or the last date near), for the scheduler's and administrator's home."""

    def near(grant, tally, flags, settings) -> bool:
        return grant.first_date <= today and (
            tally.left <= settings.alert_visits_left or EXPIRING in flags
        )

    pks, found = listed(clinic_id, {"first": today}, today=today, keep=near)
    return counted(clinic_id, pks[:limit], today=today, found=found)
