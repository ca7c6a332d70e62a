"""One fixture per role, all of one clinic, plus an administrator of a second clinic.

``FAKE_NOW=HH:MM`` (or a full ISO date and time) runs the whole session with the clock moved to
that UTC time of today, ticking on from there, so CI can show the suite passes at the hours when
the UTC date and an American clinic's date differ (00:00-05:00 UTC) and when they agree.
"""

import datetime
import os

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scopes_disabled

from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from tests.factories import (
    AppointmentTypeFactory,
    ClinicFactory,
    DailyNoteFactory,
    EvaluationFactory,
    GoalFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    ReminderFactory,
    ServiceTypeFactory,
    UserFactory,
)


def fake_now(value: str) -> datetime.datetime:
    """``02:30`` is 02:30 UTC today; anything else must be an ISO date and time."""
    try:
        clock = datetime.time.fromisoformat(value)
    except ValueError:
        moment = datetime.datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    today = datetime.datetime.now(datetime.UTC).date()
    return datetime.datetime.combine(today, clock, tzinfo=datetime.UTC)


_traveller = None


def pytest_configure(config):
    global _traveller
    if os.environ.get("FAKE_NOW"):
        moment = fake_now(os.environ["FAKE_NOW"])
        _traveller = time_machine.travel(moment, tick=True)
        _traveller.start()
        print(f"Clock moved to {moment.isoformat()} for this run.")


def pytest_unconfigure(config):
    if _traveller is not None:
        _traveller.stop()


@pytest.fixture(autouse=True)
def _test_code_works_across_clinics():
    """Fixtures and assertions read and write several clinics' rows, so the test body runs
    with the clinic scope off. Every request still runs scoped: the middleware's
    ``scope(clinic=...)`` turns enforcement back on for the request, so views are tested with
    the scope as production has it."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; the suite makes hundreds of users. Tests about hashing
    itself read ``PASSWORD_HASHERS`` from ``fusion.settings`` directly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Riverside Therapy")


@pytest.fixture
def speech(clinic):
    return ServiceTypeFactory(clinic=clinic, name="Speech Therapy")


@pytest.fixture
def occupational(clinic):
    return ServiceTypeFactory(clinic=clinic, name="Occupational Therapy")


@pytest.fixture
def treatment(clinic):
    return AppointmentTypeFactory(clinic=clinic, name="Treatment", default_duration_minutes=45)


@pytest.fixture
def administrator(clinic):
    return UserFactory(clinic=clinic, email="admin@riverside.test", roles=[ADMINISTRATOR])


@pytest.fixture
def scheduler(clinic):
    return UserFactory(clinic=clinic, email="scheduler@riverside.test", roles=[SCHEDULER])


@pytest.fixture
def therapist(clinic, speech):
    return UserFactory(
        clinic=clinic, email="slp@riverside.test", roles=[THERAPIST], service_types=[speech]
    )


@pytest.fixture
def patient_user(clinic):
    return UserFactory(clinic=clinic, email="parent@riverside.test", roles=[PATIENT])


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Hillside Rehab")


@pytest.fixture
def other_admin(other_clinic):
    return UserFactory(clinic=other_clinic, email="admin@hillside.test", roles=[ADMINISTRATOR])


@pytest.fixture
def administrator_client(client, administrator):
    """The one logged-in administrator client (pytest-django's own ``administrator_client`` is a
    superuser of no clinic: not used here)."""
    client.force_login(administrator)
    return client


@pytest.fixture
def speech_case(clinic, speech, administrator):
    return PatientCaseFactory(
        clinic=clinic, name="Speech Therapy", service_types=[speech], created_by=administrator
    )


@pytest.fixture
def ot_therapist(clinic, occupational):
    return UserFactory(
        clinic=clinic, email="ot@riverside.test", roles=[THERAPIST], service_types=[occupational]
    )


@pytest.fixture
def speech_patient(clinic):
    return PatientFactory(clinic=clinic, first_name="Liam", last_name="Carter")


@pytest.fixture
def speech_chart_case(speech_patient, speech_case):
    return PatientChartCaseFactory(patient=speech_patient, case=speech_case)


@pytest.fixture
def charted_patient(speech_chart_case):
    """A patient whose chart carries the speech-only case (and nothing else)."""
    return speech_chart_case.patient


@pytest.fixture
def speech_goal(speech_chart_case, therapist):
    return GoalFactory(chart_case=speech_chart_case, created_by=therapist)


@pytest.fixture
def unsigned_note(speech_chart_case, therapist):
    return DailyNoteFactory(chart_case=speech_chart_case, author=therapist)


@pytest.fixture
def signed_note(speech_chart_case, therapist):
    return DailyNoteFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)


@pytest.fixture
def unsigned_evaluation(speech_chart_case, therapist):
    return EvaluationFactory(chart_case=speech_chart_case, author=therapist)


@pytest.fixture
def speech_reminder(speech_chart_case, therapist):
    return ReminderFactory(chart_case=speech_chart_case, created_by=therapist)


@pytest.fixture
def merged_into_case(clinic, speech, administrator, speech_case):
    """A case that "Speech Therapy (old)" was merged into, with that merge still undoable."""
    from cases.merge import case_merge
    from cases.merge_preview import merge_preview

    source = PatientCaseFactory(clinic=clinic, name="Speech Therapy (old)", service_types=[speech])
    PatientChartCaseFactory(case=source)
    preview = merge_preview(target=speech_case, sources=[source])
    # On a whole second: the History and the Audit Log write <time datetime> with the
    # fraction, which the Nu checker (tests/test_valid_html.py) refuses past three digits.
    with time_machine.travel(timezone.now().replace(microsecond=0), tick=False):
        case_merge(target=speech_case, sources=[source], token=preview.token, by=administrator)
    return speech_case
