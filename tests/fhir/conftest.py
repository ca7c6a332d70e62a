"""Data for the FHIR API's tests: a chart case with diagnoses and a discharged one, a booked,
a cancelled and a completed appointment, a live request, names with markup and quotes."""

import datetime

import pytest

from charts.models import PatientChartCase
from scheduling.models import Appointment
from tests.factories import AppointmentFactory, DiagnosisFactory, PatientChartCaseFactory
from tests.fixtures.fhir import make_token
from tests.fixtures.scheduling import local

__all__ = ["make_token"]


@pytest.fixture
def rich_data(
    appointment, pending_request, speech_chart_case, therapist, location, treatment, tomorrow,
    scheduler, speech_case, administrator,
):  # fmt: skip
    patient = speech_chart_case.patient
    patient.first_name = '<script>alert("x")</script> & Co'
    patient.sex = "female"
    patient.phone = "555-0100"
    patient.email = "liam@example.test"
    patient.address = "12 Elm Street\nSpringfield"
    patient.preferred_language = "Spanish"
    patient.save()
    DiagnosisFactory(
        chart_case=speech_chart_case, code="F80.0", description="Phonological disorder"
    )
    DiagnosisFactory(
        chart_case=speech_chart_case, code="R13.12", description="Dysphagia", kind="medical"
    )
    discharged = PatientChartCaseFactory(
        patient=patient,
        case=speech_case,
        status=PatientChartCase.Status.DISCHARGED,
        started_on=datetime.date(2025, 1, 6),
        discharged_on=datetime.date(2025, 6, 30),
    )
    cancelled = AppointmentFactory(
        chart_case=speech_chart_case, therapist=therapist, location=location,
        appointment_type=treatment, start=local(location, tomorrow, 13), created_by=scheduler,
        status=Appointment.Status.CLINIC_CANCELLED, cancel_reason="Therapist ill",
    )  # fmt: skip
    done = AppointmentFactory(
        chart_case=speech_chart_case, therapist=therapist, location=location,
        appointment_type=treatment, start=local(location, tomorrow - datetime.timedelta(days=7), 9),
        created_by=scheduler, status=Appointment.Status.COMPLETED,
    )  # fmt: skip
    return {
        "appointment": appointment,
        "cancelled": cancelled,
        "completed": done,
        "request": pending_request,
        "chart_case": speech_chart_case,
        "discharged": discharged,
        "patient": patient,
    }
