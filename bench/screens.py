"""What the bench measures: a registry of screens, and the rename timing.

A screen is one line: a label, a path (or a function giving one, called once the data exists),
and whose session requests it. A screen whose URL does not exist yet (NoReverseMatch) or whose
model is missing (LookupError) is skipped with a note, so screens can be listed before their
issue lands.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse

from bench import dataset
from bench.queries import record

ADMIN = "admin"  # the clinic's Administrator (role from the auth group, not a superuser)
THERAPIST = "therapist"  # a therapist of one service, the documented chart case's
OPERATOR = "operator"  # a superuser with is_staff, for Django's own admin site
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Screen:
    label: str
    path: str | Callable[[], str]
    user: str = ADMIN

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


CHART = (
    f"Chart page ({dataset.DOCUMENTED_NOTES} notes, "
    f"{dataset.DOCUMENTED_LONG_TERM_GOALS * (1 + dataset.DOCUMENTED_SHORT_TERM_PER_LONG)} goals)"
)


SCREENS = [
    Screen("bare view (anonymous)", "/bench/bare/", user=ANONYMOUS),
    Screen("bare view (logged in)", "/bench/bare/"),
    Screen("Service Types list", url("clinic:servicetype_list")),
    Screen("Appointment Types list", url("clinic:appointmenttype_list")),
    Screen("Staff list", url("accounts:staff_list")),
    Screen("Patient Cases list", url("cases:case_list")),
    Screen("Patient Case edit (big case)", url("cases:case_update", big_case_pk)),
    Screen(
        "Django admin PatientCase changelist",
        url("bench_admin:cases_patientcase_changelist"),
        user=OPERATOR,
    ),
    Screen(f"{CHART} as administrator", documented_chart),
    Screen(f"{CHART} as therapist", documented_chart, user=THERAPIST),
    Screen("Patients list as administrator", url("charts:patient_list")),
    Screen("Patients list as therapist", url("charts:patient_list"), user=THERAPIST),
    Screen("Patients search as administrator", patient_search),
    Screen("Patients search as therapist", patient_search, user=THERAPIST),
    Screen("Audit Log (100,000 entries at default scale)", url("core:audit_log")),
    Screen("Audit Log filtered by patient and action", audit_log_of_a_patient),
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
