"""Each search and read runs a fixed number of queries however many rows it returns: pinned at
two sizes (an N+1 shows as the second failing)."""

import datetime

import pytest

from scheduling.models import AppointmentRequest
from tests.factories import (
    AppointmentFactory,
    DiagnosisFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    UserFactory,
)
from tests.fhir.helpers import get
from tests.fixtures.scheduling import local, open_every_day

pytestmark = pytest.mark.django_db

# The token (1), its integration (1), the audit entry (1) come before and after every answer;
# "changes" is meta.lastUpdated, from the audit trail, one grouped query for the page.
SEARCHES = {
    # the union's count and page, the appointments, the requests, their cases' services, changes
    "Appointment": 3 + 6,
    # the count, the page, the diagnoses, changes
    "EpisodeOfCare": 3 + 4,
    # the count, the page, the services (lastUpdated is the case's own updated_at)
    "HealthcareService": 3 + 3,
    # the count, the page, changes
    "Patient": 3 + 3,
    "Practitioner": 3 + 3,
    "Location": 3 + 3,
    # the count, the page of (therapist, location) pairs, the therapists, their services, the
    # locations
    "Schedule": 3 + 5,
    # the pairs with their locations' time zones, the slot rule's two (hours, closures,
    # availability and exceptions as one UNION ALL; appointments), the busy appointments
    "Slot": 3 + 4,
}


def _fill(size, *, clinic, speech, speech_case, location, treatment, scheduler, tomorrow):
    therapists = [
        UserFactory(clinic=clinic, roles=["Therapist"], service_types=[speech]) for _ in range(size)
    ]
    open_every_day(location, *therapists)
    for index in range(size):
        LocationFactory(clinic=clinic, name=f"Branch {index}")
        chart_case = PatientChartCaseFactory(
            clinic=clinic, case=PatientCaseFactory(clinic=clinic, service_types=[speech])
        )
        DiagnosisFactory(chart_case=chart_case, code="F80.0", description="Phonological disorder")
        start = local(location, tomorrow, 8 + index % 9, 0)
        AppointmentFactory(
            chart_case=chart_case, therapist=therapists[index], location=location,
            appointment_type=treatment, start=start, created_by=scheduler,
        )  # fmt: skip
        AppointmentRequest.objects.create(
            clinic=clinic, chart_case=chart_case, patient=chart_case.patient,
            appointment_type=treatment, location=location, therapist=therapists[index],
            start=start + datetime.timedelta(days=2), duration_minutes=45, created_by=scheduler,
        )  # fmt: skip


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize("resource_type", sorted(SEARCHES))
def test_search_queries_do_not_grow(
    resource_type, size, fhir_client, clinic, speech, speech_case, location, treatment,
    scheduler, tomorrow, django_assert_num_queries,
):  # fmt: skip
    _fill(size, clinic=clinic, speech=speech, speech_case=speech_case, location=location,
          treatment=treatment, scheduler=scheduler, tomorrow=tomorrow)  # fmt: skip

    with django_assert_num_queries(SEARCHES[resource_type]):
        response = get(fhir_client, f"{resource_type}?_count=200")

    assert response.status_code == 200
    assert response.json()["total"] >= size


# the row, and for an appointment its case's services, for an episode its diagnoses; changes
READS = {"Appointment": 3 + 3, "Patient": 3 + 2, "EpisodeOfCare": 3 + 3}


@pytest.mark.parametrize("resource_type", sorted(READS))
def test_a_read_runs_a_fixed_number_of_queries(
    resource_type, fhir_client, rich_data, django_assert_num_queries
):
    pk = {
        "Appointment": rich_data["appointment"].pk,
        "Patient": rich_data["patient"].pk,
        "EpisodeOfCare": rich_data["chart_case"].pk,
    }[resource_type]

    with django_assert_num_queries(READS[resource_type]):
        assert get(fhir_client, f"{resource_type}/{pk}").status_code == 200


@pytest.mark.parametrize("places", [1, 3])
@pytest.mark.parametrize("size", [2, 12])
def test_a_slot_search_runs_two_queries_a_location(
    places, size, fhir_client, clinic, speech, treatment, tomorrow,
    django_assert_num_queries,
):  # fmt: skip
    """The pairs and the busy appointments once, the slot rule's two for each location
    (``bookable_seconds``), however many therapists, appointments and Slots."""
    therapists = [
        UserFactory(clinic=clinic, roles=["Therapist"], service_types=[speech]) for _ in range(size)
    ]
    case = PatientCaseFactory(clinic=clinic, service_types=[speech])
    chart_cases = [PatientChartCaseFactory(clinic=clinic, case=case) for _ in therapists]
    for place in range(places):
        location = LocationFactory(clinic=clinic, name=f"Branch {place}")
        open_every_day(location, *therapists)
        for therapist, chart_case in zip(therapists, chart_cases, strict=True):
            AppointmentFactory(  # a patient a therapist, at each place hours apart
                chart_case=chart_case, therapist=therapist, location=location,
                appointment_type=treatment, start=local(location, tomorrow, 8 + 3 * place),
            )  # fmt: skip
    day_after = tomorrow + datetime.timedelta(days=2)

    search = f"Slot?start=ge{tomorrow}&start=lt{day_after}&_count=200"

    with django_assert_num_queries(3 + 2 + 2 * places):
        response = get(fhir_client, search)

    busy = get(fhir_client, f"{search}&status=busy").json()["total"]
    assert busy == size * places and response.json()["total"] > busy
