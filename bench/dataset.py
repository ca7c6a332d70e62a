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
from django_scopes import scopes_disabled

from accounts.models import User
from clinic.models import AppointmentType, Clinic, ServiceType
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST

CLINIC_NAME = "Bench Clinic"
ADMIN_EMAIL = "bench-admin@bench.clinic"
OPERATOR_EMAIL = "bench-operator@bench.clinic"
# A therapist of one service, for the screens whose cost depends on the therapist's visibility
# (the EXISTS over chart cases and case services).
THERAPIST_EMAIL = "bench-therapist@bench.clinic"
THERAPIST_SERVICE = "Speech Therapy"
# "ABA ..." sorts first, so both are on the first page of the Patient Cases list.
BIG_CASE_NAME = "ABA Bench Big Case"
SINGLE_CASE_NAME = "ABA Bench Single-Chart Case"
SEED = 20260
BATCH = 5000
# One chart case carries a long course of documentation, the same at every scale.
DOCUMENTED_NOTES = 200
DOCUMENTED_UNSIGNED_NOTES = 12
DOCUMENTED_LONG_TERM_GOALS = 10
DOCUMENTED_SHORT_TERM_PER_LONG = 3  # 10 + 30 = 40 goals
PROGRESS_PER_NOTE = 2
DOCUMENTED_EVALUATIONS = 4
DOCUMENTED_REMINDERS = 5
DOCUMENTED_ADDENDA = 4
# The Patients search: a last name that no generated name contains, given to a few patients
# (the documented one among them).
# Audit Log entries for the clinic (a year of a busy clinic's changes and chart reads). Not in
# ``expected_counts``: every chart page the bench opens adds one, as in production.
AUDIT_ENTRIES = {"small": 5_000, "default": 100_000, "large": 100_000}
AUDIT_ACTIONS = ["access"] * 6 + ["update"] * 2 + ["create", "sign"]
AUDIT_KINDS = {
    "access": "patient",
    "update": "goal",
    "create": "daily note",
    "sign": "daily note",
}

SEARCH_LAST_NAME = "Whitlock"
SEARCH_MATCHES = 8

# Scheduling and the portal's requests (issue 10): a location open every day, ten therapists
# of a service of their own (so that the requested case has exactly these ten) working there
# 08:00-18:00 with every other 45-minute visit of the next 60 days booked, a case open to
# requests with chart cases on a share of the patients, pending requests from them, a
# scheduler and a portal parent.
SCHEDULING_SERVICE = "Vision Therapy"
REQUESTS_CASE_NAME = "Vision Therapy (portal requests)"
LOCATION_NAME = "Bench Main Office"
SCHEDULER_EMAIL = "bench-scheduler@bench.clinic"
PARENT_EMAIL = "bench-parent@bench.clinic"
SCHEDULING_THERAPISTS = 10
BOOKED_DAYS = 60
VISIT_MINUTES = 45
VISITS_A_DAY = 13  # 08:00 to 17:45 on a 45-minute grid
REQUEST_TYPE = "Treatment"
# Chart cases on the requests case, and how many of them have a pending request.
REQUEST_CHART_CASES = {"small": 200, "default": 1_000, "large": 1_000}
PENDING_REQUESTS = {"small": 100, "default": 500, "large": 500}
# Insurance (issue 21): one authorization on every chart case of the requests case (whose visits
# are the booked ones), a few of its visits booked over with a reason; and one chart case (the
# first booked one) with several authorizations and a limit shared with its patient's other
# chart case, for the chart case's Authorizations page.
PAYERS = ["Bench Health", "Blue Bench", "Acme Mutual", "State Medicaid"]
INSURED_CHART_AUTHORIZATIONS = 6  # with the one every chart case of the requests case has
OVERRIDE_EVERY = 40  # one booked visit in this many carries an override reason
# The portal parent's child: upcoming visits (day, visit of the day, therapist), at times the
# therapist has free, and requests the portal home lists (status, day, visit, therapist).
CHILD_VISITS = [(20, 1, 0), (27, 3, 1)]
CHILD_REQUESTS = [("approved", 20, 1, 0), ("declined", 24, 3, 2), ("pending", 30, 5, 4)]

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
    # Ten times the patients: how the lists and the search grow (measured in process only).
    "large": Scale("large", staff=300, patients=500_000, cases=300, charts_per_patient=2,
                   big_case_charts=250_000),
}  # fmt: skip


def model(label: str):
    """The model, or None while its app has not been written yet."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def expected_counts(scale: Scale) -> dict[str, int]:
    """Row counts that a finished build at this scale has, for the models that exist."""
    scheduling = _builds_scheduling()
    counts = {
        "clinic.ServiceType": len(SERVICE_TYPES) + scheduling,
        "clinic.AppointmentType": len(APPOINTMENT_TYPES),
        # the staff, the bench administrator, the bench therapist and the operator; the
        # scheduling therapists, the scheduler and the portal parent
        "accounts.User": scale.staff + 3 + scheduling * (SCHEDULING_THERAPISTS + 2),
    }
    if model("cases.PatientCase"):
        counts["cases.PatientCase"] = scale.cases + scheduling
    if model("charts.Patient"):
        counts["charts.Patient"] = scale.patients
    if model("charts.PatientChartCase") and model("cases.PatientCase"):
        counts["charts.PatientChartCase"] = (
            scale.chart_cases + scheduling * REQUEST_CHART_CASES[scale.name]
        )
        counts.update(
            {
                label: count
                for label, count in DOCUMENTATION_COUNTS.items()
                if model(label) is not None
            }
        )
    if scheduling and model("insurance.Authorization"):
        # one per chart case of the requests case but the parent's child, the insured chart
        # case's others, and one on its patient's other chart case
        counts["insurance.Authorization"] = (
            REQUEST_CHART_CASES[scale.name] - 1 + INSURED_CHART_AUTHORIZATIONS - 1 + 1
        )
        counts["insurance.SharedLimit"] = 1
    if scheduling:
        counts["scheduling.Appointment"] = _booked_appointments() + len(CHILD_VISITS)
        counts["scheduling.AppointmentRequest"] = PENDING_REQUESTS[scale.name] + len(CHILD_REQUESTS)
    return counts


def _builds_scheduling() -> bool:
    """Whether the scheduling and portal apps exist (their step joins the build)."""
    return all(
        model(label)
        for label in (
            "scheduling.Appointment",
            "scheduling.AppointmentRequest",
            "portal.PortalLink",
            "charts.PatientChartCase",
        )
    )


def _booked(therapist: int, day: int, visit: int) -> bool:
    """Every other visit of a therapist's day is booked, shifted by therapist and day."""
    return (therapist + day + visit) % 2 == 0


def _booked_appointments() -> int:
    return sum(
        _booked(t, d, k)
        for t in range(SCHEDULING_THERAPISTS)
        for d in range(BOOKED_DAYS)
        for k in range(VISITS_A_DAY)
    )


DOCUMENTATION_COUNTS = {
    "charts.DailyNote": DOCUMENTED_NOTES,
    "charts.Goal": DOCUMENTED_LONG_TERM_GOALS * (1 + DOCUMENTED_SHORT_TERM_PER_LONG),
    "charts.Evaluation": DOCUMENTED_EVALUATIONS,
    "charts.Reminder": DOCUMENTED_REMINDERS,
    "charts.Addendum": DOCUMENTED_ADDENDA,
}


def matches(scale: Scale) -> bool:
    """Whether the database holds exactly a finished build at this scale (for --keep-data)."""
    clinic = Clinic.objects.filter(name=CLINIC_NAME).first()
    if clinic is None or Clinic.objects.count() != 1:
        return False
    if not User.objects.filter(email=OPERATOR_EMAIL, clinic=clinic).exists():
        return False  # built before the operator had a clinic
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
    # One clinic's data in bulk, made before that clinic exists: the builder says that it
    # works outside the clinic scope.
    with transaction.atomic(), scopes_disabled():
        with _timed(log, "clinic, service types, appointment types"):
            clinic = Clinic.objects.create(name=CLINIC_NAME, time_zone="America/New_York")
            services = ServiceType.objects.bulk_create(
                ServiceType(clinic=clinic, name=name) for name in SERVICE_TYPES
            )
            appointment_types = AppointmentType.objects.bulk_create(
                AppointmentType(clinic=clinic, name=name, default_duration_minutes=minutes)
                for name, minutes in APPOINTMENT_TYPES.items()
            )
        with _timed(log, f"{scale.staff + 3} users"):
            admin, therapist = _build_users(scale, rng, clinic, services)
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
                documented = _build_chart_cases(
                    scale, rng, clinic, cases, patients, PatientChartCase
                )
            if hasattr(PatientCase.objects, "recount_patients"):
                with _timed(log, "patient counts of the cases"):
                    PatientCase.objects.for_clinic(clinic).recount_patients()
            if model("charts.DailyNote") and model("charts.Goal"):
                with _timed(log, "documentation of one chart case"):
                    _build_documentation(clinic, documented, therapist)
        if _builds_scheduling() and cases and patients:
            with _timed(log, "scheduling: location, therapists, appointments, requests"):
                _build_scheduling(scale, clinic, appointment_types, patients, admin)
        if _builds_scheduling() and model("insurance.Authorization") and cases and patients:
            with _timed(log, "insurance: payers, authorizations, a shared limit"):
                _build_insurance(scale, clinic, admin)
        if model("core.AuditEntry") and patients:
            count = AUDIT_ENTRIES[scale.name]
            with _timed(log, f"{count} audit entries"):
                _build_audit_entries(count, rng, clinic, patients)
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
        # A clinic, so that the middleware scopes the admin's requests to it as it scopes the
        # product's: both lists then read the same clinic's rows.
        clinic=clinic,
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    therapist = User(
        email=THERAPIST_EMAIL,
        first_name="Bench",
        last_name="Therapist",
        clinic=clinic,
        password=password,
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
    users = User.objects.bulk_create([admin, operator, therapist, *staff], batch_size=BATCH)
    admin, therapist, staff = users[0], users[2], users[3:]

    # Roughly 3% administrators, 7% schedulers, the rest therapists; a few hold two roles.
    user_groups = [
        User.groups.through(user_id=admin.pk, group_id=groups[ADMINISTRATOR].pk),
        User.groups.through(user_id=therapist.pk, group_id=groups[THERAPIST].pk),
    ]
    therapist_service = next(service for service in services if service.name == THERAPIST_SERVICE)
    user_services = [
        User.service_types.through(user_id=therapist.pk, servicetype_id=therapist_service.pk)
    ]
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
    return admin, therapist


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
    ``big_case_charts`` patients, the single-chart case on exactly one, the rest at random.

    Returns the chart case chosen for the documentation: on the first patient off the big case
    (so with a few chart cases only) holding an open case of the bench therapist's service. It
    is made active and the oldest on its chart, so that it is also the tab a plain patient URL
    opens; that patient and a few others get the searchable last name."""
    big, single, others = cases[0], cases[1], cases[2:]
    today = timezone.localdate()
    therapist_cases = _cases_with_service(clinic, THERAPIST_SERVICE)
    rows = []
    documented = None
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
            if (
                documented is None
                and scale.big_case_charts <= index < len(patients) - 1
                and case.pk in therapist_cases
                and not case.is_archived
            ):
                documented = rows[-1]
    if documented is None:
        raise RuntimeError(f"No chart case of a {THERAPIST_SERVICE} case to document")
    # Drawn like the others above (so the rest of the data does not move), then fixed.
    documented.status = "active"
    documented.discharged_on = None
    documented.started_on = today - datetime.timedelta(days=3 * 365 + 1)
    PatientChartCase.objects.bulk_create(rows, batch_size=BATCH)

    Patient = model("charts.Patient")
    step = len(patients) // SEARCH_MATCHES
    named = {patients[i * step + step // 2].pk for i in range(SEARCH_MATCHES - 1)}
    named.add(documented.patient_id)
    Patient.objects.filter(pk__in=named).update(last_name=SEARCH_LAST_NAME)
    return documented


def _cases_with_service(clinic, service_name: str) -> set[int]:
    PatientCase = model("cases.PatientCase")
    through = PatientCase.service_types.through
    fields = {field.name for field in through._meta.get_fields()}
    case, service = ("case", "service_type") if "case" in fields else ("patientcase", "servicetype")
    return set(
        through.objects.filter(
            **{f"{service}__name": service_name, f"{service}__clinic": clinic}
        ).values_list(f"{case}_id", flat=True)
    )


NOTE_TEXT = {
    "subjective": [
        "Parent reports {name} practised the home programme most evenings this week.",
        "{name} arrived tired after school; cooperative once the session started.",
        "Caregiver notes fewer frustration episodes at home since the last visit.",
        "{name} was eager to show the new words learnt at school.",
        "Teacher email: {name} is participating more in circle time.",
    ],
    "objective": [
        "Target sound in initial position of single words: {n}/20 correct with a visual cue.",
        "Two-step directions followed in {n} of 20 trials without repetition.",
        "Mean length of utterance {m} words over a 50-utterance sample.",
        "Sustained attention to a structured task for {n} minutes before a break.",
        "Produced {n} spontaneous requests across the session using full sentences.",
    ],
    "assessment": [
        "Steady progress toward the short-term goals; cues can be faded further.",
        "Performance dipped today, likely fatigue; the overall trend remains upward.",
        "Generalisation to conversation is emerging but not yet consistent.",
        "Goal nearly met in structured tasks; next, carry it over to play.",
        "Responds well to the visual schedule; fewer prompts needed than last week.",
    ],
    "plan": [
        "Continue twice weekly; fade visual cues; update the home programme.",
        "Introduce the target in phrases; send a practice sheet home.",
        "Re-probe the goal next session; consider raising the criterion.",
        "Coordinate with the classroom teacher on carry-over activities.",
        "Continue the current plan; parent to log practice daily.",
    ],
}
GOAL_TEXT = [
    "{name} will produce the target sounds in all word positions in conversation with 90% "
    "accuracy across three consecutive sessions.",
    "{name} will follow two-step directions without repetition in 80% of opportunities.",
    "{name} will use complete sentences to request and comment during play.",
    "{name} will answer wh- questions about a short story with 80% accuracy.",
    "{name} will use a visual schedule to move between activities without prompts.",
]
PROGRESS_NOTE = ["{n}/10 trials correct", "with moderate cues", "minimal cues today", ""]


def _build_documentation(clinic, chart_case, therapist):
    """A long course on one chart case: 200 daily notes every other day (the newest few not
    signed yet), 10 long-term goals with three short-term goals each, two progress entries a
    note, a few evaluations, reminders and addenda. Written by the bench therapist and the
    other active therapists of the service, as a shared caseload would be."""
    rng = random.Random(SEED + 1)  # its own sequence: the rest of the data does not move
    DailyNote = model("charts.DailyNote")
    Goal = model("charts.Goal")
    GoalProgress = model("charts.GoalProgress")
    Evaluation = model("charts.Evaluation")
    Reminder = model("charts.Reminder")
    Addendum = model("charts.Addendum")
    name = chart_case.patient.first_name
    colleagues = list(
        User.objects.filter(
            clinic=clinic,
            is_active=True,
            groups__name=THERAPIST,
            service_types__name=THERAPIST_SERVICE,
        )
        .exclude(pk=therapist.pk)
        .order_by("pk")[:3]
    )
    authors = [therapist, therapist, *colleagues]
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    first_day = today - datetime.timedelta(days=2 * DOCUMENTED_NOTES)

    def at(day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

    def sign_time(day: datetime.date) -> datetime.datetime:
        return min(at(day, 17), timezone.now())

    # Goals: long-term first (the short-term ones point at them).
    statuses = ["active"] * 6 + ["met", "met", "partially_met", "discontinued", "not_met"]
    long_term = Goal.objects.bulk_create(
        Goal(
            clinic=clinic,
            chart_case=chart_case,
            kind="long_term",
            text=GOAL_TEXT[index % len(GOAL_TEXT)].format(name=name),
            start_date=(start := first_day + datetime.timedelta(days=30 * index)),
            target_date=start + datetime.timedelta(days=365),
            status="active" if index < 8 else rng.choice(statuses),
            created_by=rng.choice(authors),
        )
        for index in range(DOCUMENTED_LONG_TERM_GOALS)
    )
    short_term = Goal.objects.bulk_create(
        Goal(
            clinic=clinic,
            chart_case=chart_case,
            kind="short_term",
            parent=parent,
            text=f"Step {step + 1}: "
            + GOAL_TEXT[(index + step) % len(GOAL_TEXT)]
            .format(name=name)
            .replace("90%", f"{60 + 10 * step}%"),
            start_date=(start := parent.start_date + datetime.timedelta(days=30 * step)),
            target_date=start + datetime.timedelta(days=rng.randint(60, 120)),
            status=rng.choice(statuses),
            created_by=parent.created_by,
        )
        for index, parent in enumerate(long_term)
        for step in range(DOCUMENTED_SHORT_TERM_PER_LONG)
    )
    goals = [*long_term, *short_term]

    # Notes, oldest first, every other day up to two days ago.
    notes = []
    for index in range(DOCUMENTED_NOTES):
        day = first_day + datetime.timedelta(days=2 * index)
        author = rng.choice(authors)
        signed = index < DOCUMENTED_NOTES - DOCUMENTED_UNSIGNED_NOTES
        n = rng.randint(6, 19)
        notes.append(
            DailyNote(
                clinic=clinic,
                chart_case=chart_case,
                date_of_service=day,
                author=author,
                signed_at=sign_time(day) if signed else None,
                signed_by=author if signed else None,
                **{
                    part: rng.choice(texts).format(name=name, n=n, m=round(2 + n / 6, 1))
                    for part, texts in NOTE_TEXT.items()
                },
            )
        )
    notes = DailyNote.objects.bulk_create(notes, batch_size=BATCH)

    # Two progress entries a note, on goals already started; a dated status change for each
    # goal that is no longer active.
    progress = []
    for note in notes:
        day = note.date_of_service
        started = [
            goal
            for goal in goals
            if goal.start_date <= day and (goal.status == "active" or day < goal.target_date)
        ]
        for goal in rng.sample(started, min(PROGRESS_PER_NOTE, len(started))):
            progress.append(
                GoalProgress(
                    clinic=clinic,
                    goal=goal,
                    daily_note=note,
                    date=note.date_of_service,
                    status="active",
                    note=rng.choice(PROGRESS_NOTE).format(n=rng.randint(3, 10)),
                    author=note.author,
                )
            )
    for goal in goals:
        if goal.status != "active":
            progress.append(
                GoalProgress(
                    clinic=clinic,
                    goal=goal,
                    date=min(today, goal.target_date),
                    status=goal.status,
                    note="Status reviewed at the re-evaluation.",
                    author=goal.created_by,
                )
            )
    GoalProgress.objects.bulk_create(progress, batch_size=BATCH)

    evaluations = []
    for index in range(DOCUMENTED_EVALUATIONS):
        day = first_day + datetime.timedelta(days=index * 120)
        signed = index < DOCUMENTED_EVALUATIONS - 1
        author = authors[index % len(authors)]
        evaluations.append(
            Evaluation(
                clinic=clinic,
                chart_case=chart_case,
                kind="initial" if index == 0 else "re_evaluation",
                date=day,
                author=author,
                signed_at=sign_time(day) if signed else None,
                signed_by=author if signed else None,
                findings=f"{name} presents with reduced intelligibility in connected speech; "
                "standardised testing places expressive language below age expectations.",
                recommendations="Speech therapy twice weekly; home programme; re-evaluate in "
                "90 days.",
            )
        )
    evaluations = Evaluation.objects.bulk_create(evaluations)

    reminders = [
        ("manual", "Send the progress report to school", -20, True),
        ("manual", "Call parent about the home programme", -5, False),
        ("re_evaluation", "Re-evaluation due", 30, False),
        ("manual", "Order new picture cards", 10, False),
        ("manual", "Update the consent form", -60, True),
    ][:DOCUMENTED_REMINDERS]
    Reminder.objects.bulk_create(
        Reminder(
            clinic=clinic,
            chart_case=chart_case,
            kind=kind,
            text=text,
            due_on=today + datetime.timedelta(days=days),
            done_at=sign_time(today + datetime.timedelta(days=days)) if done else None,
            done_by=therapist if done else None,
            created_by=therapist,
        )
        for kind, text, days, done in reminders
    )

    signed_notes = [note for note in notes if note.signed_at][-(DOCUMENTED_ADDENDA - 1) :]
    Addendum.objects.bulk_create(
        [
            *(
                Addendum(
                    clinic=clinic,
                    daily_note=note,
                    text="Correction: the session lasted 45 minutes, not 30.",
                    author=note.author,
                )
                for note in signed_notes
            ),
            Addendum(
                clinic=clinic,
                evaluation=evaluations[0],
                text="Hearing screening results received: within normal limits.",
                author=evaluations[0].author,
            ),
        ]
    )


def open_location(clinic, therapists, *, name: str, available_for_requests: bool = False):
    """A location open 07:00-19:00 every day, ``therapists`` working there 08:00-18:00."""
    from scheduling.models import ClinicHours, Location, TherapistAvailability

    location = Location.objects.create(
        clinic=clinic,
        name=name,
        time_zone=clinic.time_zone,
        available_for_requests=available_for_requests,
    )
    ClinicHours.objects.bulk_create(
        ClinicHours(
            clinic=clinic,
            location=location,
            weekday=weekday,
            start=datetime.time(7),
            end=datetime.time(19),
        )
        for weekday in range(7)
    )
    TherapistAvailability.objects.bulk_create(
        TherapistAvailability(
            clinic=clinic,
            therapist=therapist,
            location=location,
            weekday=weekday,
            start=datetime.time(8),
            end=datetime.time(18),
        )
        for therapist in therapists
        for weekday in range(7)
    )
    return location


def _build_scheduling(scale, clinic, appointment_types, patients, admin) -> None:
    """The scheduling screens' data: see ``SCHEDULING_SERVICE`` above. Appointments start
    tomorrow (the clinic's date), so that the portal's first week has booked days in it."""
    from cases.models import AppointmentTypeRule, PatientCase
    from charts.models import PatientChartCase
    from portal.models import PortalLink
    from scheduling import slots
    from scheduling.models import Appointment, AppointmentRequest

    Clinic.objects.filter(pk=clinic.pk).update(requests_enabled=True)
    service = ServiceType.objects.create(clinic=clinic, name=SCHEDULING_SERVICE)
    groups = {group.name: group for group in Group.objects.all()}
    password = make_password("bench-password-never-used")
    therapists = User.objects.bulk_create(
        User(
            email=f"vision-{index:02d}@bench.clinic",
            first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
            last_name=f"{LAST_NAMES[index % len(LAST_NAMES)]}-Vision",
            clinic=clinic,
            password=password,
        )
        for index in range(SCHEDULING_THERAPISTS)
    )
    scheduler, parent = User.objects.bulk_create(
        [
            User(
                email=SCHEDULER_EMAIL,
                first_name="Bench",
                last_name="Scheduler",
                clinic=clinic,
                password=password,
            ),
            User(
                email=PARENT_EMAIL,
                first_name="Bench",
                last_name="Parent",
                clinic=clinic,
                password=password,
            ),
        ]
    )
    User.groups.through.objects.bulk_create(
        [
            *(User.groups.through(user_id=t.pk, group_id=groups[THERAPIST].pk) for t in therapists),
            User.groups.through(user_id=scheduler.pk, group_id=groups[SCHEDULER].pk),
            User.groups.through(user_id=parent.pk, group_id=groups["Patient"].pk),
        ]
    )
    User.service_types.through.objects.bulk_create(
        User.service_types.through(user_id=t.pk, servicetype_id=service.pk) for t in therapists
    )
    case = PatientCase.objects.create(
        clinic=clinic, name=REQUESTS_CASE_NAME, created_by=admin, updated_by=admin
    )
    case.service_types.through.objects.create(clinic=clinic, case=case, service_type=service)
    treatment = next(t for t in appointment_types if t.name == REQUEST_TYPE)
    AppointmentTypeRule.objects.bulk_create(
        AppointmentTypeRule(
            clinic=clinic,
            case=case,
            appointment_type=kind,
            allow_requests=kind.pk == treatment.pk,
            duration_minutes=VISIT_MINUTES if kind.pk == treatment.pk else None,
        )
        for kind in appointment_types
    )
    location = open_location(clinic, therapists, name=LOCATION_NAME, available_for_requests=True)
    count = REQUEST_CHART_CASES[scale.name]
    # The last patients but one (the very last holds the single-chart case).
    chosen = patients[-(count + 1) : -1]
    today = clinic.today()
    chart_cases = PatientChartCase.objects.bulk_create(
        (
            PatientChartCase(
                clinic=clinic,
                patient=patient,
                case=case,
                status="active",
                started_on=today - datetime.timedelta(days=90),
            )
            for patient in chosen
        ),
        batch_size=BATCH,
    )
    # The parent's child: the first chart case, never booked, never requested.
    PortalLink.objects.create(
        clinic=clinic, user=parent, patient_id=chart_cases[0].patient_id, relationship="parent"
    )
    others = chart_cases[1:]
    tz = location.tzinfo
    first = today + datetime.timedelta(days=1)

    def visit(day: int, k: int) -> datetime.datetime:
        minutes = 8 * 60 + VISIT_MINUTES * k
        at = datetime.time(minutes // 60, minutes % 60)
        return slots.wall(first + datetime.timedelta(days=day), at, tz)

    def booking(chart_case, therapist, start):
        return Appointment(
            clinic=clinic,
            chart_case=chart_case,
            patient_id=chart_case.patient_id,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=start,
            end=start + datetime.timedelta(minutes=VISIT_MINUTES),
            duration_minutes=VISIT_MINUTES,
            created_by=scheduler,
        )

    appointments = []
    for day in range(BOOKED_DAYS):
        for k in range(VISITS_A_DAY):
            for t, therapist in enumerate(therapists):
                if not _booked(t, day, k):
                    continue
                # At one time every therapist has a patient of their own.
                chart_case = others[((day * VISITS_A_DAY + k) * len(therapists) + t) % len(others)]
                appointments.append(booking(chart_case, therapist, visit(day, k)))
    Appointment.objects.bulk_create(appointments, batch_size=BATCH)
    child = chart_cases[0]
    visits = Appointment.objects.bulk_create(
        booking(child, therapists[t], visit(day, k)) for day, k, t in CHILD_VISITS
    )
    booked = dict(zip(CHILD_VISITS, visits, strict=True))

    def asked(chart_case, therapist, start, **fields):
        return AppointmentRequest(
            clinic=clinic,
            chart_case=chart_case,
            patient_id=chart_case.patient_id,
            appointment_type=treatment,
            location=location,
            therapist=therapist,
            start=start,
            duration_minutes=VISIT_MINUTES,
            created_by=parent,
            **fields,
        )

    AppointmentRequest.objects.bulk_create(
        asked(
            child,
            therapists[t],
            visit(day, k),
            status=status,
            appointment=booked.get((day, k, t)) if status == "approved" else None,
            decline_reason="The therapist is away that week." if status == "declined" else "",
            decided_by=scheduler if status != "pending" else None,
        )
        for status, day, k, t in CHILD_REQUESTS
    )
    # Pending requests over the coming weeks, some at a free time, some over a booked one.
    AppointmentRequest.objects.bulk_create(
        (
            asked(
                chart_case,
                therapists[index % len(therapists)],
                visit(1 + index % (BOOKED_DAYS - 2), (index // 7) % VISITS_A_DAY),
                note="Mornings suit us best." if index % 3 else "",
            )
            for index, chart_case in enumerate(others[: PENDING_REQUESTS[scale.name]])
        ),
        batch_size=BATCH,
    )


def insured_chart_case():
    """The chart case with several authorizations and a shared limit: the requests case's
    chart case with the first booked visit (not the portal parent's child)."""
    from scheduling.models import Appointment

    return (
        Appointment.objects.filter(chart_case__case__name=REQUESTS_CASE_NAME)
        .exclude(chart_case__patient__portal_links__isnull=False)
        .order_by("start", "pk")
        .values_list("chart_case", flat=True)
        .first()
    )


def _build_insurance(scale, clinic, admin) -> None:
    """See ``PAYERS`` above. Bulk rows, then their stored counts made by the one rule
    (``recount_clinic``), as after ``manage.py recount_authorizations``."""
    from charts.models import PatientChartCase
    from insurance.models import Authorization, AuthorizationType, Payer, SharedLimit
    from scheduling.models import Appointment

    payers = Payer.objects.bulk_create(Payer(clinic=clinic, name=name) for name in PAYERS)
    today = clinic.today()
    day = datetime.timedelta(days=1)
    insured_pk = insured_chart_case()
    chart_cases = list(
        PatientChartCase.objects.filter(clinic=clinic, case__name=REQUESTS_CASE_NAME)
        .exclude(patient__portal_links__isnull=False)
        .order_by("pk")
        .values_list("pk", "patient_id")
    )
    rows = []
    for index, (chart_case_id, patient_id) in enumerate(chart_cases):
        rows.append(
            Authorization(
                clinic=clinic,
                chart_case_id=chart_case_id,
                patient_id=patient_id,
                payer=payers[index % len(payers)],
                number=f"BA-{index:06d}",
                first_date=today - 30 * day,
                # Some end within the alert's 14 days, most later; quantities from 1 to 12, so
                # that some are used up or over and others have visits left.
                last_date=today + (5 + index % 80) * day,
                quantity=1 + index % 12,
            )
        )
    insured = PatientChartCase.objects.get(pk=insured_pk)
    other = (
        PatientChartCase.objects.filter(clinic=clinic, patient_id=insured.patient_id)
        .exclude(pk=insured.pk)
        .order_by("pk")
        .first()
    )
    limit = SharedLimit.objects.create(
        clinic=clinic, patient_id=insured.patient_id, name="Therapy visits in total", quantity=30
    )
    # Two ended (one in units), three running: one capped weekly, one for Treatment only, one
    # from today; the three running ones draw on the shared limit with the other chart case's.
    spans = [(-200, -101), (-100, -31), (-30, 60), (-30, 90), (0, 120)]
    extra = [
        Authorization(
            clinic=clinic,
            chart_case_id=insured.pk,
            patient_id=insured.patient_id,
            payer=payers[k % len(payers)],
            number=f"BX-{k}",
            first_date=today + first * day,
            last_date=today + last * day,
            unit=Authorization.Unit.UNITS if k == 1 else Authorization.Unit.VISITS,
            quantity=20 + k,
            cap_period=Authorization.CapPeriod.WEEK if k == 2 else "",
            cap=3 if k == 2 else None,
            shared_limit=limit if k >= 2 else None,
        )
        for k, (first, last) in enumerate(spans)
    ]
    extra.append(
        Authorization(
            clinic=clinic,
            chart_case_id=other.pk,
            patient_id=other.patient_id,
            payer=payers[0],
            number="BX-OTHER",
            first_date=today - 30 * day,
            last_date=today + 90 * day,
            quantity=20,
            shared_limit=limit,
        )
    )
    created = Authorization.objects.bulk_create([*rows, *extra], batch_size=BATCH)
    # One of the insured chart case's authorizations covers one appointment type only.
    treatment = AppointmentType.objects.get(clinic=clinic, name=REQUEST_TYPE)
    AuthorizationType.objects.create(
        clinic=clinic, authorization=created[len(rows) + 3], appointment_type=treatment
    )
    over = list(
        Appointment.objects.filter(clinic=clinic, chart_case__case__name=REQUESTS_CASE_NAME)
        .order_by("pk")
        .values_list("pk", flat=True)[::OVERRIDE_EVERY]
    )
    Appointment.objects.filter(pk__in=over).update(
        authorization_override="Renewal requested; the payer confirmed by phone."
    )
    from insurance.stored import recount_clinic

    recount_clinic(clinic.pk)


def _build_audit_entries(count, rng, clinic, patients) -> None:
    """A year of entries, newest now: reads of charts mostly, edits, notes written and signed,
    by the clinic's staff, about its patients."""
    AuditEntry = model("core.AuditEntry")
    actors = list(User.objects.filter(clinic=clinic).values_list("pk", "first_name", "last_name"))
    now = timezone.now()
    step = datetime.timedelta(days=365) / count
    rows = []
    for index in range(count):
        actor_pk, first, last = rng.choice(actors)
        patient = rng.choice(patients)
        action = rng.choice(AUDIT_ACTIONS)
        name = f"{patient.first_name} {patient.last_name}"
        rows.append(
            AuditEntry(
                clinic=clinic,
                at=now - step * index,
                actor_id=actor_pk,
                actor_name=f"{first} {last}",
                remote_addr="10.0.0.1",
                action=action,
                object_type=AUDIT_KINDS[action],
                object_id=str(patient.pk),
                object_repr=name if action == "access" else "Daily note of Nov 2, 2026",
                patient_id=patient.pk,
                patient_name=name,
                changes=[["Status", "Active", "Met"]] if action == "update" else [],
                details="Chart" if action == "access" else "",
            )
        )
    AuditEntry.objects.bulk_create(rows, batch_size=BATCH)


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
