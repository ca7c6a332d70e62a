"""The issue's "done when", on the demo clinic: its registered integration gets a token (as the
README's curl does), lists today's appointments and a patient's episodes of care, and follows
a Slot search to a free time the portal also offers."""

import base64
import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from charts.models import PatientChartCase
from clinic.models import AppointmentType, Clinic
from fhir.demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from scheduling.models import Location
from scheduling.services.request_rules import request_slots
from tests.fhir.helpers import assert_conforms

pytestmark = pytest.mark.django_db


def test_the_demo_integration_end_to_end(client, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())  # safe to run again
    assert f"client id {DEMO_CLIENT_ID}, client secret {DEMO_CLIENT_SECRET}" in out.getvalue()
    settings.DEBUG = False

    basic = base64.b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
    token = client.post(
        "/oauth/token/",
        {"grant_type": "client_credentials", "scope": "system/*.rs"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    ).json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    clinic = Clinic.objects.get()
    today = clinic.today()

    appointments = client.get(f"/fhir/R4/Appointment?date={today}", **auth).json()
    assert_conforms(appointments)
    if today.weekday() < 5:
        assert appointments["total"] > 0
    chart_case = PatientChartCase.objects.filter(case__name="Speech Therapy").first()
    episodes = client.get(f"/fhir/R4/EpisodeOfCare?patient={chart_case.patient_id}", **auth).json()
    assert_conforms(episodes)
    assert str(chart_case.pk) in [e["resource"]["id"] for e in episodes["entry"]]

    # A free Slot of a speech therapist at the location open to requests, for a Treatment.
    location = Location.objects.get(available_for_requests=True)
    treatment = AppointmentType.objects.get(name="Treatment")
    schedules = client.get(f"/fhir/R4/Schedule?actor=Location/{location.pk}", **auth).json()
    speech = [
        e["resource"]["id"]
        for e in schedules["entry"]
        if "Speech Therapy" in [t["text"] for t in e["resource"]["serviceType"]]
    ]
    slots = client.get(
        f"/fhir/R4/Slot?schedule={speech[0]}&status=free&appointment-type={treatment.pk}&_count=1",
        **auth,
    ).json()
    assert_conforms(slots)
    start = datetime.datetime.fromisoformat(slots["entry"][0]["resource"]["start"])
    therapist_id = int(speech[0].split("-")[0])
    offered = request_slots(
        chart_case=chart_case,
        location=location,
        duration_minutes=treatment.default_duration_minutes,
        therapist_ids=[therapist_id],
        within=(start, start + datetime.timedelta(days=1)),
    )[therapist_id]
    assert start in offered
