"""What the bench measures: a registry of screens, and the rename timing.

A screen is one line: a label, a path (or a function giving one, called once the data exists),
and whose session requests it. A screen whose URL does not exist yet (NoReverseMatch) or whose
model is missing (LookupError) is skipped with a note, so screens can be listed before their
issue lands.
"""

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils.http import urlencode

from bench import dataset
from bench.queries import record

ADMIN = "admin"  # the clinic's Administrator (role from the auth group, not a superuser)
THERAPIST = "therapist"  # a therapist of one service, the documented chart case's
OPERATOR = "operator"  # a superuser with is_staff, for Django's own admin site
SCHEDULER = "scheduler"  # the clinic's Scheduler (role from the auth group)
PARENT = "parent"  # a portal user (role Patient), parent of one patient of the requests case
ANONYMOUS = "anonymous"
# Who logs in as each of the above (the anonymous user has no session).
EMAILS = {
    ADMIN: dataset.ADMIN_EMAIL,
    OPERATOR: dataset.OPERATOR_EMAIL,
    THERAPIST: dataset.THERAPIST_EMAIL,
    SCHEDULER: dataset.SCHEDULER_EMAIL,
    PARENT: dataset.PARENT_EMAIL,
}


# What a screen is for in the targets: a product screen the user works with (held to the
# in-process target against the logged-in bare view), the bare views themselves, or a
# reference measured only to compare with (Django's admin).
STAFF = "staff"
BASELINE = "baseline"
REFERENCE = "reference"


@dataclass(frozen=True)
class Screen:
    label: str
    path: str | Callable[[], str]
    user: str = ADMIN
    kind: str = STAFF
    # Also measured at the large scale (500,000 patients): lists and search, whose cost may
    # grow with the clinic; a detail screen's does not.
    large: bool = False
    # A latency target through gunicorn (p95, ms), measured again at as many clients as
    # workers (see ``run.py``), or None.
    p95_limit_ms: float | None = None

    def resolve(self) -> str:
        return self.path() if callable(self.path) else self.path


def url(name: str, *args: Callable[[], object]) -> Callable[[], str]:
    """A path from a URL name, with arguments computed when it is resolved."""
    return lambda: reverse(name, args=[arg() for arg in args])


def big_case_pk() -> int:
    return case_pk(dataset.BIG_CASE_NAME)


def case_pk(name: str) -> int:
    PatientCase = apps.get_model("cases", "PatientCase")
    return PatientCase.objects.get(name=name).pk


def documented_chart() -> str:
    """The chart page of the chart case that carries the documentation."""
    DailyNote = apps.get_model("charts", "DailyNote")
    patient_pk, chart_case_pk = (
        DailyNote.objects.order_by("pk").values_list("chart_case__patient", "chart_case").first()
    )
    return reverse("charts:chart_case_detail", args=[patient_pk, chart_case_pk])


def patient_search() -> str:
    return f"{reverse('charts:patient_list')}?q={dataset.SEARCH_LAST_NAME}"


def audit_log_of_a_patient() -> str:
    """ "Who accessed this record" for the documented patient."""
    DailyNote = apps.get_model("charts", "DailyNote")
    patient_pk = DailyNote.objects.order_by("pk").values_list("chart_case__patient", flat=True)[0]
    return f"{reverse('core:audit_log')}?patient={patient_pk}&action=access"


def _scheduling():
    """The bench location, its first booked day, the requests case's parent chart case, the
    request type, and the first scheduling therapist."""
    Location = apps.get_model("scheduling", "Location")
    Appointment = apps.get_model("scheduling", "Appointment")
    PortalLink = apps.get_model("portal", "PortalLink")
    PatientChartCase = apps.get_model("charts", "PatientChartCase")
    AppointmentType = apps.get_model("clinic", "AppointmentType")
    location = Location.objects.get(name=dataset.LOCATION_NAME)
    first = Appointment.objects.filter(location=location).order_by("start").first()
    patient_id = PortalLink.objects.get(user__email=dataset.PARENT_EMAIL).patient_id
    chart_case = PatientChartCase.objects.get(
        patient_id=patient_id, case__name=dataset.REQUESTS_CASE_NAME
    )
    kind = AppointmentType.objects.get(clinic_id=location.clinic_id, name=dataset.REQUEST_TYPE)
    return location, first.start.astimezone(location.tzinfo).date(), chart_case, kind, first


def schedule_day() -> str:
    """The day view of the second booked day (booked visits and pending requests)."""
    location, day, *_ = _scheduling()
    day += datetime.timedelta(days=1)
    return f"{reverse('scheduling:calendar_day')}?location={location.pk}&date={day}"


def schedule_week() -> str:
    """The week view of one therapist, the week of the second booked day."""
    location, day, _, _, first = _scheduling()
    day += datetime.timedelta(days=1)
    return (
        f"{reverse('scheduling:calendar_week')}?location={location.pk}&date={day}"
        f"&therapist={first.therapist_id}"
    )


def request_detail() -> str:
    """A pending request over a booked visit: its snapshot shows the therapist's calendar."""
    AppointmentRequest = apps.get_model("scheduling", "AppointmentRequest")
    return reverse(
        "scheduling:request_detail",
        args=[AppointmentRequest.objects.order_by("start", "pk").values_list("pk", flat=True)[0]],
    )


def free_time_finder() -> str:
    """The front desk's free-time finder for the portal parent's child: the requests case, its
    type, the bench location, every therapist who may take the case, the two weeks from the
    first booked day (every other visit of each therapist's day booked)."""
    location, day, chart_case, kind, _ = _scheduling()
    query = urlencode(
        {
            "chart_case": chart_case.pk,
            "appointment_type": kind.pk,
            "location": location.pk,
            "first": day.isoformat(),
            "last": (day + datetime.timedelta(days=FINDER_DAYS - 1)).isoformat(),
        }
    )
    return f"{reverse('scheduling:free_times', args=[chart_case.patient_id])}?{query}"


def front_desk_patient() -> str:
    """The patient page of the portal parent's child, with the front desk's panel."""
    _, _, chart_case, _, _ = _scheduling()
    return reverse("charts:patient_detail", args=[chart_case.patient_id])


def portal_request(week_offset: int | None = None) -> Callable[[], str]:
    """The portal's request screen at its slot step (type and location chosen, any
    therapist): the first week of the horizon, or the week ``week_offset`` days after the
    first booked day."""

    def path() -> str:
        location, day, chart_case, kind, _ = _scheduling()
        query = f"?type={kind.pk}&location={location.pk}&therapist="
        if week_offset is not None:
            query += f"&week={day + datetime.timedelta(days=week_offset)}"
        return reverse("portal:request_create", args=[chart_case.pk]) + query

    return path


def insured_chart_case() -> str:
    """The Authorizations page of the chart case with several authorizations and a limit
    shared with its patient's other chart case."""
    return reverse("insurance:authorization_list", args=[dataset.insured_chart_case()])


def authorization_report(kind: str = "") -> Callable[[], str]:
    return lambda: reverse("insurance:report") + (f"?kind={kind}" if kind else "")


AUTHORIZATIONS = dataset.REQUEST_CHART_CASES["default"] + dataset.INSURED_CHART_AUTHORIZATIONS


CHART = (
    f"Chart page ({dataset.DOCUMENTED_NOTES} notes, "
    f"{dataset.DOCUMENTED_LONG_TERM_GOALS * (1 + dataset.DOCUMENTED_SHORT_TERM_PER_LONG)} goals)"
)


PORTAL_SLOTS = (
    f"Portal request screen with slots ({dataset.SCHEDULING_THERAPISTS} therapists, "
    f"{dataset.BOOKED_DAYS}-day horizon)"
)
FINDER_DAYS = 7  # the finder's default span (scheduling.forms_front_desk.DEFAULT_DAYS)
# Slot computation through gunicorn on PostgreSQL (issue 10).
SLOTS_P95_MS = 100.0

BARE_ANONYMOUS = "bare view (anonymous)"
BARE_LOGGED_IN = "bare view (logged in)"

SCREENS = [
    Screen(BARE_ANONYMOUS, "/bench/bare/", user=ANONYMOUS, kind=BASELINE),
    Screen(BARE_LOGGED_IN, "/bench/bare/", kind=BASELINE, large=True),
    Screen("Service Types list", url("clinic:servicetype_list")),
    Screen("Appointment Types list", url("clinic:appointmenttype_list")),
    Screen("Staff list", url("accounts:staff_list"), large=True),
    Screen("Patient Cases list", url("cases:case_list"), large=True),
    Screen("Patient Case edit (big case)", url("cases:case_update", big_case_pk)),
    Screen(
        "Django admin PatientCase changelist",
        url("bench_admin:cases_patientcase_changelist"),
        user=OPERATOR,
        kind=REFERENCE,
        large=True,
    ),
    Screen(f"{CHART} as administrator", documented_chart),
    Screen(f"{CHART} as therapist", documented_chart, user=THERAPIST),
    Screen("Patients list as administrator", url("charts:patient_list"), large=True),
    Screen("Patients list as therapist", url("charts:patient_list"), user=THERAPIST, large=True),
    Screen("Patients search as administrator", patient_search, large=True),
    Screen("Patients search as therapist", patient_search, user=THERAPIST, large=True),
    Screen("Audit Log (100,000 entries at default scale)", url("core:audit_log")),
    Screen("Audit Log filtered by patient and action", audit_log_of_a_patient),
    Screen(
        f"Schedule day view ({dataset.SCHEDULING_THERAPISTS} therapists, booked day)",
        schedule_day,
        user=SCHEDULER,
    ),
    Screen("Schedule week view (one therapist, booked week)", schedule_week, user=SCHEDULER),
    Screen(
        f"Appointment Requests queue ({dataset.PENDING_REQUESTS['default']:,} pending at "
        "default scale, first page)",
        url("scheduling:request_list"),
        user=SCHEDULER,
    ),
    Screen("Appointment Request detail (with snapshot)", request_detail, user=SCHEDULER),
    Screen(
        f"Free-time finder ({dataset.SCHEDULING_THERAPISTS} therapists, {FINDER_DAYS} booked days)",
        free_time_finder,
        user=SCHEDULER,
    ),
    Screen("Patient page with the front desk's panel", front_desk_patient, user=SCHEDULER),
    Screen(
        f"Authorizations report ({AUTHORIZATIONS:,} authorizations at default scale, first page)",
        authorization_report(),
        user=SCHEDULER,
    ),
    Screen(
        "Authorizations report, the Used up list", authorization_report("used_up"), user=SCHEDULER
    ),
    Screen(
        f"Chart case Authorizations ({dataset.INSURED_CHART_AUTHORIZATIONS} authorizations, "
        "a shared limit)",
        insured_chart_case,
        user=SCHEDULER,
    ),
    Screen("Portal home (parent)", url("portal:home"), user=PARENT),
    Screen(
        f"{PORTAL_SLOTS} (first week)",
        portal_request(),
        user=PARENT,
        p95_limit_ms=SLOTS_P95_MS,
    ),
    Screen(
        f"{PORTAL_SLOTS} (last week of the horizon)",
        portal_request(week_offset=dataset.BOOKED_DAYS - 3),
        user=PARENT,
    ),
]


# (ours, theirs, what the issue asks): printed as the ratio of requests per second.
COMPARISONS = [
    (
        "Patient Cases list",
        "Django admin PatientCase changelist",
        "our list should serve at least as many requests per second",
    ),
]


@dataclass
class RenameTiming:
    label: str
    charts: int
    median_ms: float
    min_ms: float
    max_ms: float
    queries: int


def time_renames(repeats: int) -> list[RenameTiming] | str:
    """Rename the single-chart case and the big case ``repeats`` times each through the
    product's ``case_update`` service; the median should be the same for both.

    The two cases take turns, so that whatever else the machine does falls on both alike."""
    try:
        PatientCase = apps.get_model("cases", "PatientCase")
        PatientChartCase = apps.get_model("charts", "PatientChartCase")
        from cases import services
    except (LookupError, ImportError) as error:
        return f"skipped: {error}"
    from accounts.models import User

    by = User.objects.get(email=dataset.ADMIN_EMAIL)
    subjects = []
    for label, name in (
        ("rename case with 1 chart", dataset.SINGLE_CASE_NAME),
        ("rename case with the most charts", dataset.BIG_CASE_NAME),
    ):
        case = PatientCase.objects.get(name=name)
        rules = [
            services.RuleInput(
                appointment_type=rule.appointment_type,
                allow_requests=rule.allow_requests,
                duration_minutes=rule.duration_minutes,
            )
            for rule in case.rules.select_related("appointment_type")
        ]
        subjects.append(
            {
                "label": label,
                "name": name,
                "pk": case.pk,
                "charts": PatientChartCase.objects.filter(case=case).count(),
                "service_types": list(case.service_types.all()),
                "rules": rules,
                "samples": [],
                "queries": 0,
            }
        )
    # Round 0 is unmeasured (connection and plan caches); names alternate so that every call
    # really changes the row; the last round puts the original names back.
    for round_ in range(repeats + 2):
        for subject in subjects if round_ % 2 else reversed(subjects):
            name = subject["name"]
            new_name = name if round_ == repeats + 1 else f"{name} (renamed {round_ % 2})"
            case = PatientCase.objects.get(pk=subject["pk"])
            with record() as captured:
                start = time.perf_counter()
                services.case_update(
                    case=case,
                    expected_version=case.version,
                    name=new_name,
                    service_types=subject["service_types"],
                    rules=subject["rules"],
                    by=by,
                )
                elapsed_ms = (time.perf_counter() - start) * 1000
            if 1 <= round_ <= repeats:
                subject["samples"].append(elapsed_ms)
                subject["queries"] = len(captured)
    return [
        RenameTiming(
            label=subject["label"],
            charts=subject["charts"],
            median_ms=statistics.median(subject["samples"]),
            min_ms=min(subject["samples"]),
            max_ms=max(subject["samples"]),
            queries=subject["queries"],
        )
        for subject in subjects
    ]


@dataclass
class SlotTiming:
    label: str
    therapists: int
    days: int
    slots: int
    median_ms: float
    queries: int


def time_slot_horizon(repeats: int = 11) -> SlotTiming | str:
    """The slot computation of the portal's request screen over the whole horizon (the screen
    itself computes the week it shows): ``request_slots`` for the parent's chart case, every
    therapist of the case, the clinic's 60 days; median of ``repeats`` after one unmeasured."""
    try:
        location, _, chart_case, kind, _ = _scheduling()
        from scheduling import services
    except (LookupError, ImportError, AttributeError) as error:
        return f"skipped: {error}"
    from cases.models import AppointmentTypeRule

    PatientChartCase = apps.get_model("charts", "PatientChartCase")
    chart_case = PatientChartCase.objects.select_related("clinic", "case", "patient").get(
        pk=chart_case.pk
    )
    rule = AppointmentTypeRule.objects.get(case=chart_case.case, appointment_type=kind)
    therapist_ids = [t.pk for t in services.case_therapists(chart_case)]
    samples, found, queries = [], {}, 0
    for round_ in range(repeats + 1):
        with record() as captured:
            start = time.perf_counter()
            found = services.request_slots(
                chart_case=chart_case,
                location=location,
                duration_minutes=rule.duration_minutes,
                therapist_ids=therapist_ids,
            )
            elapsed_ms = (time.perf_counter() - start) * 1000
        if round_:
            samples.append(elapsed_ms)
            queries = len(captured)
    return SlotTiming(
        label="slots of one case over the whole horizon (request_slots, in process)",
        therapists=len(therapist_ids),
        days=chart_case.clinic.request_horizon_days,
        slots=len({start for starts in found.values() for start in starts}),
        median_ms=statistics.median(samples),
        queries=queries,
    )


# --- targets (issue 20's speed budget): printed by run.py with each measured value

# Every staff screen at most this many times the logged-in bare view, one request in process.
IN_PROCESS_FACTOR = 5.0
# The Patient Cases list against Django admin's changelist, in requests per second.
LIST_VS_ADMIN = ("Patient Cases list", "Django admin PatientCase changelist", 2.0)
# Patients search: at most this much SQL a request, at the default and the large scale.
SEARCH_LABEL = "Patients search"
SEARCH_SQL_MS = 5.0


@dataclass
class Target:
    what: str
    measured: str
    wanted: str
    holds: bool


def targets(rows: list[dict], by_scale: dict[str, dict[str, dict]]) -> list[Target]:
    """The issue's targets against this run: ``rows`` are the main run's screens (with req/s);
    ``by_scale`` maps a scale name to {label: in-process figures} for every scale measured."""
    found = []
    by_label = {row["label"]: row for row in rows}
    bare = by_label.get(BARE_LOGGED_IN)
    kinds = {screen.label: screen.kind for screen in SCREENS}
    if bare:
        limit = IN_PROCESS_FACTOR * bare["app_ms"]
        for row in rows:
            if kinds.get(row["label"], STAFF) != STAFF:
                continue
            ratio = row["app_ms"] / bare["app_ms"]
            found.append(
                Target(
                    f"{row['label']}: one request in process",
                    f"{row['app_ms']:.1f} ms = {ratio:.1f}x bare",
                    f"<= {IN_PROCESS_FACTOR:g}x bare ({limit:.1f} ms)",
                    ratio <= IN_PROCESS_FACTOR,
                )
            )
    limits = {screen.label: screen.p95_limit_ms for screen in SCREENS if screen.p95_limit_ms}
    for row in rows:
        figure = row.get("at_workers")
        if row["label"] in limits and figure:
            limit = limits[row["label"]]
            found.append(
                Target(
                    f"{row['label']}: p95 through gunicorn, {figure['clients']} clients = workers",
                    f"{figure['p95_ms']:.1f} ms (p50 {figure['p50_ms']:.1f} ms)",
                    f"<= {limit:g} ms",
                    figure["p95_ms"] <= limit and not figure["error_count"],
                )
            )
    ours, theirs, factor = LIST_VS_ADMIN
    if ours in by_label and theirs in by_label and by_label[theirs]["rps"]:
        ratio = by_label[ours]["rps"] / by_label[theirs]["rps"]
        found.append(
            Target(
                f"{ours} / {theirs}: requests per second",
                f"{ratio:.2f}x ({by_label[ours]['rps']:.0f} vs {by_label[theirs]['rps']:.0f})",
                f">= {factor:g}x",
                ratio >= factor,
            )
        )
    for scale, figures in by_scale.items():
        if scale == "small":
            continue
        for label, figure in figures.items():
            if SEARCH_LABEL in label:
                found.append(
                    Target(
                        f"{label}: SQL at {dataset.SCALES[scale].patients:,} patients",
                        f"{figure['sql_ms']:.2f} ms",
                        f"<= {SEARCH_SQL_MS:g} ms",
                        figure["sql_ms"] <= SEARCH_SQL_MS,
                    )
                )
    return found
