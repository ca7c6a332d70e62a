"""Demo patients with cases on their charts and some documentation (used by ``load_demo``)."""

import datetime

from accounts.models import User
from cases.models import PatientCase
from charts import services
from charts.models import Goal, Patient, PatientChartCase
from clinic.models import Clinic

# (first, last, date of birth, cases on the chart)
PATIENTS = [
    ("Liam", "Carter", datetime.date(2018, 4, 12), ["Speech Therapy"]),
    ("Olivia", "Nguyen", datetime.date(2016, 9, 3), ["Occupational Therapy", "Feeding Therapy"]),
    ("Noah", "Patel", datetime.date(2019, 1, 27), ["Feeding Therapy"]),
    ("Emma", "Rossi", datetime.date(1958, 6, 30), ["Physical Therapy"]),
    ("Ava", "Johnson", datetime.date(2017, 11, 15), ["Speech Therapy", "Occupational Therapy"]),
    ("Mason", "Kim", datetime.date(2020, 2, 8), []),
]


def load(clinic: Clinic, cases: dict[str, PatientCase]) -> None:
    today = clinic.today()
    started = today - datetime.timedelta(days=80)
    for first, last, born, case_names in PATIENTS:
        patient, _ = Patient.objects.get_or_create(
            clinic=clinic, first_name=first, last_name=last, defaults={"date_of_birth": born}
        )
        for name in case_names:
            PatientChartCase.objects.get_or_create(
                clinic=clinic,
                patient=patient,
                case=cases[name],
                status=PatientChartCase.Status.ACTIVE,
                defaults={"started_on": started},
            )
    PatientCase.objects.for_clinic(clinic).recount_patients()
    _document(clinic, started)


def _document(clinic: Clinic, started: datetime.date) -> None:
    """Goals, notes, an evaluation and reminders, written once (skipped when present)."""
    slp = User.objects.get(email="slp@demo.clinic")
    ot = User.objects.get(email="ot@demo.clinic")
    liam = PatientChartCase.objects.get(
        clinic=clinic, patient__first_name="Liam", case__name="Speech Therapy"
    )
    feeding = PatientChartCase.objects.get(
        clinic=clinic, patient__first_name="Noah", case__name="Feeding Therapy"
    )
    if liam.goals.exists():
        return
    short_term = _liam_evaluation_and_goals(liam, slp, started)
    _liam_notes(liam, slp, started, short_term)
    _noah_feeding(feeding, slp, ot, started)
    _noah_details(feeding, slp, started)


DAY = datetime.timedelta(days=1)


def _liam_evaluation_and_goals(liam: PatientChartCase, slp: User, started) -> Goal:
    """Liam's signed initial evaluation and his goals; returns the short-term goal."""
    evaluation = services.evaluation_create(
        chart_case=liam,
        kind="initial",
        date=started,
        findings="Articulation: substitutes /t/ for /s/ in all positions; stimulable for words.",
        recommendations="Speech therapy twice weekly for 12 weeks.",
        by=slp,
    )
    services.evaluation_sign(evaluation=evaluation, by=slp)
    long_term = services.goal_create(
        chart_case=liam,
        kind=Goal.Kind.LONG_TERM,
        parent=None,
        text="Liam will produce /s/ in all positions of words in conversation with 90% accuracy.",
        start_date=started,
        target_date=started + 180 * DAY,
        by=slp,
    )
    short_term = services.goal_create(
        chart_case=liam,
        kind=Goal.Kind.SHORT_TERM,
        parent=long_term,
        text="Liam will produce initial /s/ in single words with 80% accuracy.",
        start_date=started,
        target_date=started + 60 * DAY,
        by=slp,
    )
    return short_term


def _liam_notes(liam: PatientChartCase, slp: User, started, short_term: Goal) -> None:
    """Three signed notes with progress on the goal, a draft, and a reminder."""
    for offset, accuracy in ((7, 40), (14, 55), (21, 70)):
        note = services.note_create(
            chart_case=liam,
            date_of_service=started + offset * DAY,
            subjective="Cooperative and engaged.",
            objective=f"Initial /s/ in single words: {accuracy}% accuracy with visual cues.",
            assessment="Steady progress toward the short-term goal.",
            plan="Continue; fade visual cues.",
            progress=[
                services.ProgressInput(
                    goal=short_term, status="active", note=f"{accuracy}% accuracy"
                )
            ],
            by=slp,
        )
        services.note_sign(note=note, by=slp)
    services.note_create(
        chart_case=liam,
        date_of_service=started + 28 * DAY,
        subjective="Tired after school.",
        objective="Initial /s/: 75% accuracy.",
        assessment="",
        plan="",
        progress=[],
        by=slp,
    )
    services.reminder_create(
        chart_case=liam,
        text="Send the progress report to school",
        due_on=started + 30 * DAY,
        by=slp,
    )


def _noah_feeding(feeding: PatientChartCase, slp: User, ot: User, started) -> None:
    # A shared case: the occupational therapist works on the goal the speech therapist wrote.
    shared_goal = services.goal_create(
        chart_case=feeding,
        kind=Goal.Kind.LONG_TERM,
        parent=None,
        text="Noah will accept three new foods of varied textures at meals.",
        start_date=started,
        target_date=started + 120 * DAY,
        by=slp,
    )
    note = services.note_create(
        chart_case=feeding,
        date_of_service=started + 10 * DAY,
        subjective="Parent reports gagging on mixed textures.",
        objective="Tolerated 2 tastes of puree with crunchy topping.",
        assessment="Sensory aversion to mixed textures.",
        plan="Graded exposure; OT to address oral-motor desensitisation.",
        progress=[services.ProgressInput(goal=shared_goal, status="active", note="2 tastes")],
        by=ot,
    )
    services.note_sign(note=note, by=ot)
    services.reminder_create(
        chart_case=feeding, text="Call parent about the meal log", due_on=started + 20 * DAY, by=ot
    )


def _noah_details(feeding: PatientChartCase, slp: User, started) -> None:
    # Noah's details, his mother as guardian, a diagnosis and a plan of care whose end (and
    # recertification) falls in the coming two weeks, so it shows on the therapists' home.
    admin = User.objects.get(email="admin@demo.clinic")
    noah = feeding.patient
    services.patient_update(
        patient=noah,
        expected_version=noah.version,
        first_name=noah.first_name,
        last_name=noah.last_name,
        date_of_birth=noah.date_of_birth,
        sex="male",
        phone="555-0175",
        email="",
        address="48 Birch Lane, Springfield",
        preferred_language="English",
        by=admin,
    )
    services.contact_create(
        patient=noah,
        name="Priya Patel",
        relationship="Mother",
        phone="555-0175",
        email="priya.patel@example.com",
        is_guardian=True,
        by=admin,
    )
    services.diagnosis_add(
        chart_case=feeding,
        kind="treatment",
        code="R13.12",
        description="Dysphagia, oropharyngeal phase",
        by=slp,
    )
    services.plan_of_care_update(
        chart_case=feeding,
        referring_provider="Dr. Helen Brooks, pediatrician",
        plan_of_care_start=started,
        plan_of_care_end=started + 90 * DAY,
        by=slp,
    )
