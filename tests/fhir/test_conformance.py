"""Every resource and Bundle the API returns is valid FHIR by the specification's own models:
fhir.resources (R4B, identical to R4 for these resources) and fhirclient (4.0.1)."""

import re

import pytest

from fhir.mapping import RESOURCES
from tests.fhir.helpers import assert_conforms, get

INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


@pytest.mark.django_db
@pytest.mark.parametrize("resource_type", sorted(RESOURCES))
def test_every_search_bundle_and_its_resources_parse(resource_type, fhir_client, rich_data):
    response = get(fhir_client, resource_type)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    assert body["total"] > 0 and body["entry"]
    assert_conforms(body)


@pytest.mark.django_db
def test_every_read_parses_with_both_models(fhir_client, rich_data):
    reads = [
        f"Appointment/{rich_data['appointment'].pk}",
        f"Appointment/{rich_data['cancelled'].pk}",
        f"Appointment/{rich_data['completed'].pk}",
        f"Appointment/req-{rich_data['request'].pk}",
        f"EpisodeOfCare/{rich_data['chart_case'].pk}",
        f"EpisodeOfCare/{rich_data['discharged'].pk}",
        f"Patient/{rich_data['patient'].pk}",
        f"HealthcareService/{rich_data['chart_case'].case_id}",
        f"Practitioner/{rich_data['appointment'].therapist_id}",
        f"Location/{rich_data['appointment'].location_id}",
        f"Schedule/{rich_data['appointment'].therapist_id}-{rich_data['appointment'].location_id}",
    ]
    for path in reads:
        response = get(fhir_client, path)
        assert response.status_code == 200, path
        assert_conforms(response.json())


@pytest.mark.django_db
def test_metadata_and_errors_parse(fhir_client, client):
    assert_conforms(client.get("/fhir/R4/metadata").json())
    assert_conforms(get(fhir_client, "Appointment?date=tomorrow").json())
    assert_conforms(get(client, "Appointment").json())


@pytest.mark.django_db
def test_the_mapping_of_statuses_episodes_and_diagnoses(fhir_client, rich_data):
    def read(path):
        return get(fhir_client, path).json()

    assert read(f"Appointment/{rich_data['appointment'].pk}")["status"] == "booked"
    cancelled = read(f"Appointment/{rich_data['cancelled'].pk}")
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelationReason"]["text"] == "Therapist ill"
    assert read(f"Appointment/{rich_data['completed'].pk}")["status"] == "fulfilled"
    request = read(f"Appointment/req-{rich_data['request'].pk}")
    assert request["status"] == "pending"
    assert request["comment"] == "Mornings suit us best."

    appointment = read(f"Appointment/{rich_data['appointment'].pk}")
    chart_case = rich_data["chart_case"]
    assert appointment["supportingInformation"][0]["reference"] == f"EpisodeOfCare/{chart_case.pk}"
    actors = [p["actor"]["reference"] for p in appointment["participant"]]
    assert actors == [
        f"Patient/{chart_case.patient_id}",
        f"Practitioner/{rich_data['appointment'].therapist_id}",
        f"Location/{rich_data['appointment'].location_id}",
    ]
    assert INSTANT.match(appointment["start"]) and INSTANT.match(appointment["end"])

    episode = read(f"EpisodeOfCare/{chart_case.pk}")
    assert episode["status"] == "active"
    codes = [c["code"]["coding"][0] for c in episode["contained"]]
    assert {(c["system"], c["code"]) for c in codes} == {
        ("http://hl7.org/fhir/sid/icd-10-cm", "F80.0"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "R13.12"),
    }
    discharged = read(f"EpisodeOfCare/{rich_data['discharged'].pk}")
    assert discharged["status"] == "finished"
    assert discharged["period"] == {"start": "2025-01-06", "end": "2025-06-30"}


@pytest.mark.django_db
def test_hostile_names_come_back_as_data(fhir_client, rich_data):
    patient = get(fhir_client, f"Patient/{rich_data['patient'].pk}").json()

    assert patient["name"][0]["given"] == ['<script>alert("x")</script> & Co']
