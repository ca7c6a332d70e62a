"""Build the bench data set with bulk inserts and a fixed seed.

One clinic, "Bench Clinic", at a chosen scale. The models of apps that do not exist yet are
skipped, so the builder works at every stage of the product; a model joins the build by adding
a step here.

The builder expects an empty, freshly migrated database (``run.py`` recreates it), except with
``--keep-data``, where ``matches()`` decides whether the existing rows can be reused.
"""

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clinic.models import AppointmentType, Clinic, ServiceType
from fusion.roles import ADMINISTRATOR, SCHEDULER, THERAPIST

CLINIC_NAME = "Bench Clinic"
ADMIN_EMAIL = "bench-admin@bench.clinic"
OPERATOR_EMAIL = "bench-operator@bench.clinic"
# "ABA ..." sorts first, so both are on the first page of the Patient Cases list.
BIG_CASE_NAME = "ABA Bench Big Case"
SINGLE_CASE_NAME = "ABA Bench Single-Chart Case"
SEED = 20260
BATCH = 5000

SERVICE_TYPES = [
    "Speech Therapy",
    "Occupational Therapy",
    "Physical Therapy",
    "ABA Therapy",
    "Mental Health Counseling",
    "Feeding Therapy",
    "Audiology",
    "Developmental Therapy",
]
APPOINTMENT_TYPES = {
    "Evaluation": 60,
    "Treatment": 45,
    "Re-evaluation": 60,
    "Consultation": 30,
    "Parent Training": 45,
    "Group Session": 90,
}
CASE_TOPICS = [
    "Articulation",
    "Language Delay",
    "Fluency",
    "Fine Motor",
    "Sensory Processing",
    "Gait Training",
    "Post-Surgical Rehab",
    "Behaviour Support",
    "Anxiety",
    "Feeding Disorder",
    "Hearing Loss",
    "Early Intervention",
    "Social Skills",
    "Handwriting",
    "Balance",
]
FIRST_NAMES = [
    "Ada", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hugo", "Ivy", "Jon", "Kai", "Lena",
    "Maya", "Noah", "Olive", "Pia", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Vik", "Wen", "Yara",
]  # fmt: skip
LAST_NAMES = [
    "Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones",
    "Khan", "Lopez", "Moreau", "Nguyen", "Okafor", "Patel", "Quist", "Rossi", "Singh", "Tanaka",
    "Usman", "Varga", "Weber", "Xu", "Young", "Zhou",
]  # fmt: skip


@dataclass(frozen=True)
class Scale:
    name: str
    staff: int
    patients: int
    cases: int
    charts_per_patient: int
    big_case_charts: int

    @property
    def chart_cases(self) -> int:
        return self.patients * self.charts_per_patient


SCALES = {
    "small": Scale("small", staff=30, patients=2_000, cases=30, charts_per_patient=2,
                   big_case_charts=1_000),
    "default": Scale("default", staff=300, patients=50_000, cases=300, charts_per_patient=2,
                     big_case_charts=25_000),
}  # fmt: skip


def model(label: str):
    """The model, or None while its app has not been written yet."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def expected_counts(scale: Scale) -> dict[str, int]:
    """Row counts that a finished build at this scale has, for the models that exist."""
    counts = {
        "clinic.ServiceType": len(SERVICE_TYPES),
        "clinic.AppointmentType": len(APPOINTMENT_TYPES),
        # the staff, the bench administrator and the operator
        "accounts.User": scale.staff + 2,
    }
    if model("cases.PatientCase"):
        counts["cases.PatientCase"] = scale.cases
    if model("charts.Patient"):
        counts["charts.Patient"] = scale.patients
    if model("charts.PatientChartCase") and model("cases.PatientCase"):
        counts["charts.PatientChartCase"] = scale.chart_cases
    return counts


def matches(scale: Scale) -> bool:
    """Whether the database holds exactly a finished build at this scale (for --keep-data)."""
    clinic = Clinic.objects.filter(name=CLINIC_NAME).first()
    if clinic is None or Clinic.objects.count() != 1:
        return False
    for label, expected in expected_counts(scale).items():
        manager = apps.get_model(label)._base_manager
        if manager.count() != expected:
            return False
    return True


def _timed(log: Callable[[str], None], label: str):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            if exc[0] is None:
                log(f"  {label}: {time.perf_counter() - self.start:.1f} s")

    return Timer()


def build(scale: Scale, log: Callable[[str], None] = print) -> None:
    rng = random.Random(SEED)
    started = time.perf_counter()
    with transaction.atomic():
        with _timed(log, "clinic, service types, appointment types"):
            clinic = Clinic.objects.create(name=CLINIC_NAME, time_zone="America/New_York")
            services = ServiceType.objects.bulk_create(
                ServiceType(clinic=clinic, name=name) for name in SERVICE_TYPES
            )
            appointment_types = AppointmentType.objects.bulk_create(
                AppointmentType(clinic=clinic, name=name, default_duration_minutes=minutes)
                for name, minutes in APPOINTMENT_TYPES.items()
            )
        with _timed(log, f"{scale.staff + 2} users"):
            admin = _build_users(scale, rng, clinic, services)
        PatientCase = model("cases.PatientCase")
        cases = []
        if PatientCase:
            with _timed(log, f"{scale.cases} cases with services and rules"):
                cases = _build_cases(scale, rng, clinic, services, appointment_types, admin)
        Patient = model("charts.Patient")
        patients = []
        if Patient:
            with _timed(log, f"{scale.patients} patients"):
                patients = _build_patients(scale, rng, clinic, Patient)
        PatientChartCase = model("charts.PatientChartCase")
        if PatientChartCase and cases and patients:
            with _timed(log, f"{scale.chart_cases} chart cases"):
                _build_chart_cases(scale, rng, clinic, cases, patients, PatientChartCase)
    with _timed(log, "VACUUM ANALYZE, CHECKPOINT"):
        _analyze()
    log(f"  built in {time.perf_counter() - started:.1f} s")


def _build_users(scale, rng, clinic, services) -> User:
    # One hash for every bulk user: hashing 300 passwords with Argon2 would take a while, and
    # nobody logs in with a password here (the bench makes sessions directly).
    password = make_password("bench-password-never-used")
    groups = {group.name: group for group in Group.objects.all()}
    admin = User(
        email=ADMIN_EMAIL,
        first_name="Bench",
        last_name="Administrator",
        clinic=clinic,
        password=password,
    )
    operator = User(
        email=OPERATOR_EMAIL,
        first_name="Bench",
        last_name="Operator",
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    staff = []
    for index in range(scale.staff):
        staff.append(
            User(
                email=f"staff-{index:05d}@bench.clinic",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                clinic=clinic,
                password=password,
                is_active=rng.random() > 0.05,
            )
        )
    users = User.objects.bulk_create([admin, operator, *staff], batch_size=BATCH)
    admin, staff = users[0], users[2:]

    # Roughly 3% administrators, 7% schedulers, the rest therapists; a few hold two roles.
    user_groups = [User.groups.through(user_id=admin.pk, group_id=groups[ADMINISTRATOR].pk)]
    user_services = []
    for index, user in enumerate(staff):
        share = index / max(len(staff), 1)
        if share < 0.03:
            roles = [ADMINISTRATOR]
        elif share < 0.10:
            roles = [SCHEDULER]
        else:
            roles = [THERAPIST]
            if rng.random() < 0.05:
                roles.append(SCHEDULER)
            for service in rng.sample(services, rng.choice((1, 1, 1, 2))):
                user_services.append(
                    User.service_types.through(user_id=user.pk, servicetype_id=service.pk)
                )
        for role in roles:
            user_groups.append(User.groups.through(user_id=user.pk, group_id=groups[role].pk))
    User.groups.through.objects.bulk_create(user_groups, batch_size=BATCH)
    User.service_types.through.objects.bulk_create(user_services, batch_size=BATCH)
    return admin


def _build_cases(scale, rng, clinic, services, appointment_types, admin):
    PatientCase = model("cases.PatientCase")
    names = [BIG_CASE_NAME, SINGLE_CASE_NAME]
    while len(names) < scale.cases:
        topic = CASE_TOPICS[len(names) % len(CASE_TOPICS)]
        names.append(f"{topic} {len(names):04d}")
    now = timezone.now()
    cases = []
    for index, name in enumerate(names):
        # A few archived cases, never the two that the rename timing uses.
        archived = index >= 2 and rng.random() < 0.05
        cases.append(
            PatientCase(
                clinic=clinic,
                name=name,
                is_archived=archived,
                archived_at=now if archived else None,
                archived_by=admin if archived else None,
                created_by=admin,
                updated_by=admin,
            )
        )
    cases = PatientCase.objects.bulk_create(cases, batch_size=BATCH)

    through = PatientCase.service_types.through
    links = []
    for case in cases:
        # About one case in five is shared (two or three services).
        count = 1 if rng.random() < 0.8 else rng.choice((2, 3))
        for service in rng.sample(services, count):
            links.append(_through_row(through, clinic, case, service))
    through.objects.bulk_create(links, batch_size=BATCH)

    Rule = model("cases.AppointmentTypeRule")
    if Rule:
        rules = []
        for case in cases:
            for appointment_type in appointment_types:
                allowed = rng.random() < 0.5
                rules.append(
                    Rule(
                        clinic=clinic,
                        case=case,
                        appointment_type=appointment_type,
                        allow_requests=allowed,
                        duration_minutes=(
                            appointment_type.default_duration_minutes if allowed else None
                        ),
                    )
                )
        Rule.objects.bulk_create(rules, batch_size=BATCH)
    return cases


def _through_row(through, clinic, case, service):
    fields = {field.name for field in through._meta.get_fields()}
    values = {"case": case, "service_type": service} if "case" in fields else {}
    if not values:  # an auto-created through table
        values = {"patientcase": case, "servicetype": service}
    if "clinic" in fields:
        values["clinic"] = clinic
    return through(**values)


def _build_patients(scale, rng, clinic, Patient):
    today = timezone.localdate()
    rows = [
        Patient(
            clinic=clinic,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            date_of_birth=today - datetime.timedelta(days=rng.randint(365, 365 * 80)),
        )
        for _ in range(scale.patients)
    ]
    return Patient.objects.bulk_create(rows, batch_size=BATCH)


def _build_chart_cases(scale, rng, clinic, cases, patients, PatientChartCase):
    """Each patient gets ``charts_per_patient`` distinct cases. The big case is on the first
    ``big_case_charts`` patients, the single-chart case on exactly one, the rest at random."""
    big, single, others = cases[0], cases[1], cases[2:]
    today = timezone.localdate()
    rows = []
    for index, patient in enumerate(patients):
        chosen = []
        if index < scale.big_case_charts:
            chosen.append(big)
        if index == len(patients) - 1:
            chosen.append(single)
        while len(chosen) < scale.charts_per_patient:
            case = rng.choice(others)
            if case not in chosen:
                chosen.append(case)
        for case in chosen:
            started = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
            discharged = rng.random() < 0.3
            rows.append(
                PatientChartCase(
                    clinic=clinic,
                    patient=patient,
                    case=case,
                    status="discharged" if discharged else "active",
                    started_on=started,
                    discharged_on=(
                        min(today, started + datetime.timedelta(days=rng.randint(30, 400)))
                        if discharged
                        else None
                    ),
                )
            )
    PatientChartCase.objects.bulk_create(rows, batch_size=BATCH)


def _analyze() -> None:
    """Settle the fresh tables as a long-lived database would be: statistics for the planner,
    the visibility map for index-only scans, and dirty pages written out, so that neither
    autovacuum nor a checkpoint runs in the middle of the measurements."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
