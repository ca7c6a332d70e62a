"""What the insurance screens read: rows shaped for the page, the counts always the one rule's
(``insurance.counting``): counted now for a chart case's page, stored by the writes for the
report and the alerts."""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, F, Q

from cases.models import PatientCase
from clinic.models import AppointmentType
from core.dates import short_date
from core.pagination import UncountedPage
from insurance.counting import Grant, Tally, appointment_model, settings_for, usage
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
# Read from the counts stored on each authorization (``insurance.stored.store``, the one
# rule's result kept by every write that changes it), so that the database filters, orders and
# pages every list and only the page's rows are loaded.

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
    case: str  # the chart case's case's name
    tally: Tally
    flags: list[str]
    reasons: list[str]

    @property
    def dates(self) -> str:
        """The first and last dates: "Nov 1, 2026 – Jan 31, 2027"."""
        a = self.authorization
        return f"{short_date(a.first_date)} – {short_date(a.last_date)}"


# What the report, its CSV, the alerts and their access entries show of an authorization
# (``str()`` of it, its payer and its patient included): the other columns, and the chart case
# and case rows, are never loaded (a model instance a row of each was a third of the page).
SHOWN = [
    "clinic_id",
    "chart_case_id",
    "number",
    "first_date",
    "last_date",
    "unit",
    "quantity",
    "used",
    "booked",
    "override_reasons",
    "payer__name",
    "patient__first_name",
    "patient__last_name",
]


def list_conditions(*, today, settings) -> dict[str, Q]:
    """Which of the report's lists an authorization is on, on its stored counts (the alerts
    use the same words): the one definition of the lists, used to filter and to label. The
    dates are compared with today's here, at read time."""
    soon = today + datetime.timedelta(days=settings.alert_days_left)
    return {
        EXPIRING: Q(last_date__gte=today, last_date__lte=soon),
        USED_UP: Q(remaining__lte=0),
        OVER: Q(remaining__lt=0) | Q(override_count__gt=0),
        UNBOOKED: Q(remaining__gt=0, booked=0, last_date__gte=today),
    }


def report_authorizations(clinic_id: int, filters: dict):
    """The authorizations the report's filters (payer, service type, therapist, dates) keep,
    the ones ending first first."""
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


def listed(clinic_id: int, filters: dict, *, today, settings=None, where: Q | None = None):
    """The authorizations the filters keep and, with ``filters["kind"]``, on that list (and
    matching ``where``), in the report's order: a queryset of the columns ``SHOWN``, each row
    with its case's name (``case_name``) and its list flags (``flag_<kind>``) worked out by the
    database from the stored counts."""
    settings = settings or settings_for(clinic_id)
    conditions = list_conditions(today=today, settings=settings)
    rows = report_authorizations(clinic_id, filters)
    if filters.get("kind"):
        rows = rows.filter(conditions[filters["kind"]])
    if where is not None:
        rows = rows.filter(where)
    return (
        rows.select_related("payer", "patient")
        .only(*SHOWN)
        .annotate(
            case_name=F("chart_case__case__name"),
            **{
                f"flag_{kind}": ExpressionWrapper(condition, output_field=BooleanField())
                for kind, condition in conditions.items()
            },
        )
    )


def counted(rows) -> list[ReportRow]:
    """The report's rows of ``rows`` (from ``listed``): the stored counts and the lists."""
    return [
        ReportRow(
            row,
            row.case_name,
            Tally(row.quantity, used=row.used, booked=row.booked),
            [label for kind, label in FLAGS.items() if getattr(row, f"flag_{kind}")],
            list(row.override_reasons),
        )
        for row in rows
    ]


def report(clinic_id: int, *, today, filters: dict) -> list[ReportRow]:
    """Every row of the report (the CSV): the authorizations matching the filters (payer,
    service type, therapist, dates, which list), each with its stored counts."""
    return counted(listed(clinic_id, filters, today=today))


def report_page(clinic_id: int, *, today, filters: dict, number, per_page: int = 50):
    """One page of the report ("Page 3", Previous and Next, no count of the whole list): the
    database filters, orders and pages on the stored counts; only the page's rows are read."""
    page = UncountedPage(listed(clinic_id, filters, today=today), per_page, number)
    page.object_list = counted(page.object_list)
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
    settings = settings_for(clinic_id)
    near = Q(first_date__lte=today) & (
        Q(remaining__lte=settings.alert_visits_left)
        | list_conditions(today=today, settings=settings)[EXPIRING]
    )
    rows = listed(clinic_id, {"first": today}, today=today, settings=settings, where=near)
    return counted(rows[:limit])
