"""Fixtures for the chart tests, on top of the role fixtures in ``tests/conftest.py``.

Requests run in the clinic's time zone (America/New_York) while the test process runs in UTC,
so every date here is taken from the clinic's calendar (``today``) and chart cases start on a
fixed day in the past: a test never depends on the hour it runs at.
"""

import datetime

import pytest
from django.test import Client

from core.roles import THERAPIST
from tests.factories import (
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    UserFactory,
)


@pytest.fixture
def today(clinic) -> datetime.date:
    return clinic.today()


@pytest.fixture
def speech_chart_case(speech_patient, speech_case, today):
    """The speech-only case on Liam Carter's chart, started sixty days ago (the shared fixture
    picks a random start, which on some hours is "tomorrow" in the clinic's time zone)."""
    return PatientChartCaseFactory(
        patient=speech_patient, case=speech_case, started_on=today - datetime.timedelta(days=60)
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def therapist_client(therapist):
    return _client(therapist)


@pytest.fixture
def ot_client(ot_therapist):
    return _client(ot_therapist)


@pytest.fixture
def scheduler_client(scheduler):
    return _client(scheduler)


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
def second_speech_client(second_speech_therapist):
    return _client(second_speech_therapist)


@pytest.fixture
def feeding_case(clinic, speech, occupational, administrator):
    """A shared case: Speech and Occupational Therapy."""
    return PatientCaseFactory(
        clinic=clinic,
        name="Feeding Therapy",
        service_types=[speech, occupational],
        created_by=administrator,
    )


@pytest.fixture
def handwriting_case(clinic, occupational, administrator):
    """An occupational-only case."""
    return PatientCaseFactory(
        clinic=clinic,
        name="Handwriting Club",
        service_types=[occupational],
        created_by=administrator,
    )


@pytest.fixture
def feeding_chart_case(speech_patient, feeding_case, today):
    return PatientChartCaseFactory(
        patient=speech_patient, case=feeding_case, started_on=today - datetime.timedelta(days=30)
    )


@pytest.fixture
def handwriting_chart_case(speech_patient, handwriting_case, today):
    """The occupational-only case on the same chart as the speech case."""
    return PatientChartCaseFactory(
        patient=speech_patient,
        case=handwriting_case,
        started_on=today - datetime.timedelta(days=20),
    )


@pytest.fixture
def ot_patient(clinic, handwriting_case, today):
    """A patient whose chart carries only the occupational-only case."""
    patient = PatientFactory(clinic=clinic, first_name="Olivia", last_name="Otis")
    PatientChartCaseFactory(
        patient=patient, case=handwriting_case, started_on=today - datetime.timedelta(days=10)
    )
    return patient
