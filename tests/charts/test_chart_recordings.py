"""The chart page recorded as served (tests/snapshot.py), for every role that opens it, so that
a rewrite of its reads and rendering is shown to change nothing a user sees.

One chart carries everything the page shows: goals (long-term with short-term under them,
short-term under none, past their target, with several progress entries each), daily notes
over three pages (signed and not, long and hostile texts), evaluations (one with an
addendum), open, overdue and done reminders, diagnoses, a discharged case with its summary,
an archived case and a shared case. Names and texts carry ``<script>``, quotes and ``&``.
The clock is frozen on the night the United States move their clocks forward, at an instant
when New York is still on Saturday and Auckland already on Sunday: the clinic's "today"
(what is overdue, past target, or to recertify) differs between the two recordings."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cases.models import PatientCase
from charts.models import Addendum, GoalProgress, PatientChartCase
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from tests.factories import (
    ClinicFactory,
    DailyNoteFactory,
    DiagnosisFactory,
    DischargeSummaryFactory,
    EvaluationFactory,
    GoalFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientContactFactory,
    PatientFactory,
    ReminderFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.snapshot import assert_page

# 04:30 UTC on March 8, 2026: 23:30 on Saturday the 7th in New York (its clocks go forward at
# 02:00 that night), 17:30 on Sunday the 8th in Auckland.
NOW = datetime.datetime(2026, 3, 8, 4, 30, tzinfo=datetime.UTC)
ZONES = {"new_york": "America/New_York", "auckland": "Pacific/Auckland"}
HOSTILE = "<script>alert('x')</script> & \"quoted\""
SATURDAY = datetime.date(2026, 3, 7)
SUNDAY = datetime.date(2026, 3, 8)

recorded = pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)


def _user(clinic, email, roles, services=(), first="", last=""):
    return UserFactory(
        clinic=clinic,
        email=email,
        first_name=first,
        last_name=last,
        roles=roles,
        service_types=list(services),
    )


def _goals(chart_case, authors):
    """Two long-term goals with short-term goals under them, a short-term goal under none, an
    active goal past its target date, and progress entries (the latest shown)."""
    start = chart_case.started_on
    made = []
    for n, (kind, parent, status, target) in enumerate(
        [
            ("long_term", None, "active", SATURDAY),  # past target in Auckland only
            ("long_term", None, "met", datetime.date(2026, 2, 1)),
            ("short_term", 0, "active", datetime.date(2026, 2, 20)),  # past target
            ("short_term", 0, "partially_met", datetime.date(2026, 6, 1)),
            ("short_term", 1, "discontinued", datetime.date(2026, 2, 1)),
            ("short_term", None, "not_met", datetime.date(2026, 5, 1)),
            ("long_term", None, "active", datetime.date(2026, 9, 1)),
        ]
    ):
        made.append(
            GoalFactory(
                chart_case=chart_case,
                created_by=authors[0],
                kind=kind,
                parent=made[parent] if parent is not None else None,
                status=status,
                start_date=start,
                target_date=target,
                text=(
                    f"Goal {n}: {HOSTILE} produce /s/ in all positions of words, phrases and "
                    "sentences with 80% accuracy"
                    if n == 0
                    else f"Goal {n}: follow two-step directions"
                ),
            )
        )
    for n, goal in enumerate(made[:5]):
        for m in range(3):
            GoalProgress.objects.create(
                clinic=goal.clinic,
                goal=goal,
                date=start + datetime.timedelta(days=10 * m + n),
                status=goal.status,
                note=(HOSTILE if m == 2 and n == 0 else f"Entry {m}" if m else ""),
                author=authors[(n + m) % len(authors)],
            )
    # Two entries on one day: the later one written is the latest.
    for note in ("First of the day", "Second of the day"):
        GoalProgress.objects.create(
            clinic=made[5].clinic,
            goal=made[5],
            date=datetime.date(2026, 3, 2),
            status="not_met",
            note=note,
            author=authors[-1],
        )
    return made


def _notes(chart_case, authors, count):
    """``count`` notes a day apart, every third unsigned, one with a hostile and long text."""
    for n in range(count):
        author = authors[n % len(authors)]
        DailyNoteFactory(
            chart_case=chart_case,
            author=author,
            signed_by=None if n % 3 == 0 else author,
            date_of_service=SATURDAY - datetime.timedelta(days=n),
            assessment=(
                f"{HOSTILE} " + "Progressing well toward every goal this week. " * 3
                if n == 1
                else f"Assessment {n}: steady."
            ),
        )


@pytest.fixture
def chart(request):
    """The chart and the users who open it, in the clinic's time zone ``request.param``, made
    and shown at ``NOW``."""
    with time_machine.travel(NOW, tick=False):
        yield _make_chart(request.param)


def _make_chart(time_zone):
    clinic = ClinicFactory(name="Riverside & <Sons>", time_zone=time_zone)
    speech = ServiceTypeFactory(clinic=clinic, name="Speech <Therapy>")
    occupational = ServiceTypeFactory(clinic=clinic, name="Occupational & Hand")
    users = {
        "administrator": _user(clinic, "admin@riverside.test", [ADMINISTRATOR], first="Ada"),
        "scheduler": _user(clinic, "desk@riverside.test", [SCHEDULER], first="Sol"),
        "therapist": _user(
            clinic, "slp@riverside.test", [THERAPIST], [speech], first=HOSTILE, last="O'Neil"
        ),
        "ot": _user(
            clinic, "ot@riverside.test", [THERAPIST], [occupational], first="Olga", last="Tam"
        ),
        "nameless": _user(clinic, "x&y@riverside.test", [THERAPIST], [speech]),
    }
    admin = users["administrator"]
    authors = [users["therapist"], users["nameless"]]
    cases = {
        name: PatientCaseFactory(clinic=clinic, name=name, service_types=services, created_by=admin)
        for name, services in [
            (f"Speech {HOSTILE}", [speech]),
            ("Feeding & Swallowing", [speech, occupational]),
            ("Handwriting <Club>", [occupational]),
            ("Old speech group", [speech]),
        ]
    }
    patient = PatientFactory(
        clinic=clinic,
        first_name="Zoë <img src=x>",
        last_name='O\'Connor & "Kin"',
        date_of_birth=datetime.date(2019, 5, 4),
        sex="female",
        phone="555 & 0100",
        email="zoe@example.org",
        address='1 <Main> St\nApt "2"',
        preferred_language="Español",
    )
    PatientContactFactory(
        patient=patient, name=HOSTILE, relationship="Mother & <guardian>", is_guardian=True
    )
    PatientContactFactory(
        patient=patient, name="Ben O'Connor", relationship="", phone="555-0101", email=""
    )
    speech_case, feeding, handwriting, old = cases.values()
    started = datetime.date(2025, 11, 1)
    speech_tab = PatientChartCaseFactory(
        patient=patient,
        case=speech_case,
        started_on=started,
        referring_provider="Dr. <House> & Partners",
        plan_of_care_start=started,
        plan_of_care_end=SATURDAY,  # ended in Auckland, not yet in New York
    )
    shared_tab = PatientChartCaseFactory(
        patient=patient, case=feeding, started_on=datetime.date(2025, 12, 1)
    )
    discharged = PatientChartCaseFactory(
        patient=patient,
        case=handwriting,
        started_on=datetime.date(2025, 9, 1),
        status=PatientChartCase.Status.DISCHARGED,
        discharged_on=datetime.date(2026, 1, 15),
    )
    PatientChartCaseFactory(patient=patient, case=old, started_on=datetime.date(2025, 12, 5))
    PatientCase.objects.filter(pk=old.pk).update(
        is_archived=True, archived_at=NOW, archived_by=admin
    )

    _goals(speech_tab, authors)
    _notes(speech_tab, authors, 45)
    signed = EvaluationFactory(
        chart_case=speech_tab,
        author=authors[0],
        signed_by=authors[0],
        date=datetime.date(2025, 11, 3),
        kind="initial",
    )
    Addendum.objects.create(
        clinic=clinic, evaluation=signed, text=f"Addendum {HOSTILE}", author=authors[0]
    )
    EvaluationFactory(
        chart_case=speech_tab,
        author=authors[1],
        date=datetime.date(2026, 2, 3),
        kind="re_evaluation",
    )
    for text, due, done in [
        (f"Call school {HOSTILE}", SATURDAY, False),  # overdue in Auckland only
        ("Order flash cards", datetime.date(2026, 3, 1), False),
        ("Send report", SUNDAY, False),
        ("Done already", datetime.date(2026, 2, 1), True),
    ]:
        ReminderFactory(
            chart_case=speech_tab,
            created_by=authors[0],
            text=text,
            due_on=due,
            done_at=NOW if done else None,
            done_by=authors[0] if done else None,
        )
    DiagnosisFactory(chart_case=speech_tab, kind="medical", code="R48.8", description=HOSTILE)
    DiagnosisFactory(chart_case=speech_tab, kind="treatment", code="F80.0", description="Phono")
    DischargeSummaryFactory(chart_case=speech_tab, author=authors[0], date=SATURDAY)

    _goals(shared_tab, [users["ot"], users["therapist"]])
    _notes(shared_tab, [users["ot"], users["therapist"]], 4)
    EvaluationFactory(chart_case=shared_tab, author=users["ot"], date=datetime.date(2026, 1, 2))

    GoalFactory(
        chart_case=discharged,
        created_by=users["ot"],
        text="Hold the pencil",
        start_date=discharged.started_on,
        target_date=datetime.date(2026, 1, 1),
        status="met",
    )
    _notes(discharged, [users["ot"]], 2)
    DischargeSummaryFactory(
        chart_case=discharged, author=users["ot"], date=datetime.date(2026, 1, 15)
    )
    return {
        "users": users,
        "patient": patient,
        "tabs": {
            "speech": speech_tab,
            "shared": shared_tab,
            "discharged": discharged,
            "archived": PatientChartCase.objects.get(case=old),
        },
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# What each role opens: (name, tab or None for the patient's page, query string, status).
VISITS = {
    "administrator": [
        ("chart", None, "", 200),
        ("speech", "speech", "", 200),
        ("speech-notes-2", "speech", "notes=2", 200),
        ("speech-notes-3", "speech", "notes=3", 200),
        ("speech-notes-past-end", "speech", "notes=9", 200),
        ("shared", "shared", "", 200),
        ("discharged", "discharged", "", 200),
        ("archived", "archived", "", 200),
    ],
    "therapist": [
        ("chart", None, "", 200),
        ("speech", "speech", "", 200),
        ("speech-notes-2", "speech", "notes=2", 200),
        ("shared", "shared", "", 200),
        ("archived", "archived", "", 200),
        ("discharged", "discharged", "", 404),
    ],
    "ot": [
        ("chart", None, "", 200),
        ("shared", "shared", "", 200),
        ("discharged", "discharged", "", 200),
        ("speech", "speech", "", 404),
    ],
    "nameless": [("speech", "speech", "", 200)],
    "scheduler": [("chart", None, "", 200), ("speech", "speech", "", 200)],
}


@recorded
@pytest.mark.parametrize("chart", list(ZONES.values()), ids=list(ZONES), indirect=True)
@pytest.mark.parametrize("role", list(VISITS))
def test_the_chart_page_as_recorded(role, chart):
    zone = next(key for key, value in ZONES.items() if value == chart["patient"].clinic.time_zone)
    client = _client(chart["users"][role])
    patient = chart["patient"]
    for name, tab, query, status in VISITS[role]:
        if tab is None:
            url = reverse("charts:patient_detail", args=[patient.pk])
        else:
            url = reverse("charts:chart_case_detail", args=[patient.pk, chart["tabs"][tab].pk])
        response = client.get(f"{url}?{query}" if query else url)
        assert response.status_code == status, (name, response.status_code)
        if status == 200:
            assert_page(f"charts/chart-{zone}-{role}-{name}", response.content)


# The Patients list: the slice of its page became bounded (charts.reads.OffsetBounded).
LIST_VISITS = {
    "administrator": ["", "q=O%27Connor", "page=2", "page=99999999999999999999999"],
    "therapist": ["", "q=%3Cimg"],
    "ot": [""],
}


@recorded
@pytest.mark.parametrize("chart", list(ZONES.values()), ids=list(ZONES), indirect=True)
@pytest.mark.parametrize("role", list(LIST_VISITS))
def test_the_patients_list_as_recorded(role, chart):
    zone = next(key for key, value in ZONES.items() if value == chart["patient"].clinic.time_zone)
    clinic = chart["patient"].clinic
    for n in range(26):  # two pages for the front desk; none of them charted
        PatientFactory(
            clinic=clinic,
            first_name=f"Pat {n} & <b>",
            last_name=f"Jones-{n:02d}",
            date_of_birth=datetime.date(2010, 1, 1) + datetime.timedelta(days=n),
        )
    client = _client(chart["users"][role])
    for number, query in enumerate(LIST_VISITS[role]):
        response = client.get(f"{reverse('charts:patient_list')}?{query}")
        assert response.status_code == 200
        assert_page(f"charts/patients-{zone}-{role}-{number}", response.content)
