import datetime

import pytest

from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from tests.factories import PatientChartCaseFactory, UserFactory
from tests.hardening.helpers import logged_in


@pytest.fixture
def today(clinic) -> datetime.date:
    return clinic.today()


@pytest.fixture
def speech_chart_case(speech_patient, speech_case, today):
    return PatientChartCaseFactory(
        patient=speech_patient, case=speech_case, started_on=today - datetime.timedelta(days=60)
    )


@pytest.fixture
def second_admin(clinic):
    return UserFactory(clinic=clinic, email="admin2@riverside.test", roles=[ADMINISTRATOR])


@pytest.fixture
def second_speech_therapist(clinic, speech):
    return UserFactory(
        clinic=clinic,
        email="slp2@riverside.test",
        first_name="Sam",
        last_name="Second",
        roles=[THERAPIST],
        service_types=[speech],
    )


@pytest.fixture
def scheduler_therapist(clinic, occupational):
    """Scheduler and occupational therapist: sees every chart case, documents only OT ones."""
    return UserFactory(
        clinic=clinic,
        email="sched-ot@riverside.test",
        roles=[SCHEDULER, THERAPIST],
        service_types=[occupational],
    )


@pytest.fixture
def admin_therapist(clinic, occupational):
    """Administrator and occupational therapist: reads every chart case, writes only OT ones."""
    return UserFactory(
        clinic=clinic,
        email="admin-ot@riverside.test",
        roles=[ADMINISTRATOR, THERAPIST],
        service_types=[occupational],
    )


@pytest.fixture
def therapist_client(therapist):
    return logged_in(therapist)
