"""Search: parameters, paging, strict and lenient handling, ETags; and every bad input answered
with an OperationOutcome and the right status, never a 500 and never another clinic's data."""

import datetime

import pytest

from tests.factories import AppointmentFactory, PatientFactory
from tests.fhir.helpers import assert_conforms, get
from tests.fixtures.scheduling import local

pytestmark = pytest.mark.django_db


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [entry["resource"]["id"] for entry in response.json().get("entry", [])]


BAD = [
    # (path, status, words in the diagnostics)
    ("Appointment?date=2026-13-45", 400, "not a valid date"),
    ("Appointment?date=yesterday", 400, "not a FHIR date"),
    ("Appointment?date=xx2026-12-07", 400, "not a FHIR date"),
    ("Appointment?date=sa2026-12-07", 400, "not supported"),
    ("Appointment?date=2026-12-07T10:00", 400, "no time zone"),
    ("Appointment?date=2026-12-07T10:00:00+25:00", 400, "not a valid date"),
    ("Appointment?date=ge2026-12-08&date=le2026-12-01", 400, "contradict"),
    ("Appointment?_count=0", 400, "_count must be"),
    ("Appointment?_count=100000", 400, "_count must be"),
    ("Appointment?_count=ten", 400, "_count must be"),
    ("Appointment?_count=10&_count=20", 400, "more than once"),
    ("Appointment?_offset=-1", 400, "_offset must be"),
    ("Appointment?status=booked&status=cancelled", 400, "more than once"),
    ("Appointment?patient=1&patient=2", 400, "more than once"),
    ("Appointment?status=done", 400, "not an Appointment status"),
    ("Appointment?patient=abc", 400, "not the id"),
    ("Appointment?patient=Practitioner/1", 400, "name a Patient"),
    ("Appointment?patient=99999999999999999999999", 400, "not the id"),
    ("Appointment?actor=12", 400, "name the kind of actor"),
    ("Appointment?service-type=speech", 400, "not one of our codes"),
    ("Appointment?colour=blue", 400, "no search parameter"),
    ("Appointment?patient:missing=true", 400, "no search parameter"),
    ("Patient?birthdate=1990-02-30", 400, "not a valid date"),
    ("Patient?birthdate=9999-12-31", 400, "not a valid date"),
    ("Patient?birthdate=0000", 400, "not a valid date"),
    ("Appointment?date=ge0001-01-01T00:00:00%2B14:00", 400, "not a valid date"),
    ("Appointment?date=2026-12-07T10:00:00.1234567891", 400, "not a FHIR date"),
    ("Patient?identifier=|", 400, "empty value"),
    ("Patient?_count=%D9%A3", 400, "_count must be"),
    ("HealthcareService?active=yes", 400, "true or false"),
    ("Slot?start=ge2026-01-01&start=lt2027-01-01", 400, "at most 31 days"),
    ("Slot?schedule=Schedule/x", 400, "not a Schedule id"),
    ("Slot?status=maybe", 400, "not a Slot status"),
    ("Slot?start=ne2026-12-07", 400, "not supported"),
    ("Slot/1-1-20261207T1300Z-15", 400, "cannot be read"),
    ("Appointment?_format=xml", 406, "Only JSON"),
    ("Observation", 404, "not a resource type"),
    ("Observation/1", 404, "not a resource type"),
    ("Appointment/abc", 404, "is not known"),
    ("Appointment/req-abc", 404, "is not known"),
    ("Appointment/99999999999999999999999", 404, "is not known"),
    ("Patient/0", 404, "is not known"),
    ("Schedule/1", 404, "is not known"),
    ("Schedule/1-99999999999999999999", 404, "is not known"),
]


@pytest.mark.parametrize(("path", "status", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_an_operation_outcome(fhir_client, rich_data, path, status, words):
    response = get(fhir_client, path)

    assert response.status_code == status, response.content
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert words in body["issue"][0]["diagnostics"]
    assert "Liam" not in response.content.decode()
    assert_conforms(body)


def test_writes_are_refused(fhir_client, appointment):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(fhir_client, method)(f"/fhir/R4/Appointment/{appointment.pk}")
        assert response.status_code == 405
        assert response.json()["resourceType"] == "OperationOutcome"
    assert fhir_client.post("/fhir/R4/Appointment").status_code == 405


def test_lenient_handling_ignores_unknown_parameters(fhir_client, appointment):
    response = get(fhir_client, "Appointment?colour=blue", HTTP_PREFER="handling=lenient")

    assert ids(response) == [str(appointment.pk)]
    assert "colour" not in response.json()["link"][0]["url"]


def test_another_clinics_ids_find_nothing_in_a_search(fhir_client, other_clinic, appointment):
    theirs = PatientFactory(clinic=other_clinic)

    assert ids(get(fhir_client, f"Appointment?patient={theirs.pk}")) == []
    assert ids(get(fhir_client, f"Patient?_id={theirs.pk}")) == []
    assert get(fhir_client, f"Patient/{theirs.pk}").status_code == 404


def test_appointment_search_parameters(fhir_client, rich_data, treatment):
    appointment, cancelled = rich_data["appointment"], rich_data["cancelled"]
    request = rich_data["request"]
    therapist = appointment.therapist_id
    day = appointment.start.astimezone(appointment.location.tzinfo).date().isoformat()
    service = rich_data["chart_case"].case.service_types.get().pk

    assert ids(get(fhir_client, f"Appointment?date={day}")) == [
        str(appointment.pk),
        str(cancelled.pk),
    ]
    assert ids(get(fhir_client, "Appointment?status=cancelled")) == [str(cancelled.pk)]
    assert ids(get(fhir_client, "Appointment?status=pending")) == [f"req-{request.pk}"]
    assert ids(get(fhir_client, "Appointment?status=booked,pending")) == [
        str(appointment.pk),
        f"req-{request.pk}",
    ]
    assert len(ids(get(fhir_client, f"Appointment?practitioner={therapist}"))) == 4
    assert len(ids(get(fhir_client, f"Appointment?actor=Practitioner/{therapist}"))) == 4
    assert len(ids(get(fhir_client, f"Appointment?patient=Patient/{appointment.patient_id}"))) == 4
    assert len(ids(get(fhir_client, f"Appointment?service-type={service}"))) == 4
    assert ids(get(fhir_client, "Appointment?service-type=other-system|1")) == []
    assert len(ids(get(fhir_client, f"Appointment?appointment-type={treatment.pk}"))) == 4
    later = appointment.start + datetime.timedelta(hours=1)
    moment = later.isoformat().replace("+00:00", "Z")
    assert ids(get(fhir_client, f"Appointment?date=ge{day}&date=lt{moment}")) == [
        str(appointment.pk)
    ]
    # An offset sent unencoded: its "+" arrives as a space.
    offset = later.astimezone(datetime.timezone(datetime.timedelta(hours=1))).isoformat()
    assert ids(get(fhir_client, f"Appointment?date=lt{offset}&date=ge{day}")) == [
        str(appointment.pk)
    ]
    assert ids(get(fhir_client, f"Appointment?_id={appointment.pk},req-{request.pk}")) == [
        str(appointment.pk),
        f"req-{request.pk}",
    ]


def test_other_searches(fhir_client, rich_data, therapist, location):
    chart_case, patient = rich_data["chart_case"], rich_data["patient"]
    assert ids(get(fhir_client, f"EpisodeOfCare?patient={patient.pk}&status=active")) == [
        str(chart_case.pk)
    ]
    assert ids(get(fhir_client, "EpisodeOfCare?status=finished")) == [
        str(rich_data["discharged"].pk)
    ]
    assert ids(get(fhir_client, "EpisodeOfCare?date=2025-03-01")) == [
        str(rich_data["discharged"].pk)
    ]
    # Both episodes are of speech, the therapist's service; by start, the discharged one first.
    assert ids(get(fhir_client, f"EpisodeOfCare?care-manager={therapist.pk}")) == [
        str(rich_data["discharged"].pk),
        str(chart_case.pk),
    ]
    assert ids(get(fhir_client, f"EpisodeOfCare?type={chart_case.case_id}&status=active")) == [
        str(chart_case.pk)
    ]
    assert ids(get(fhir_client, "Patient?name=carter")) == [str(patient.pk)]
    assert ids(get(fhir_client, "Patient?name:contains=arte")) == [str(patient.pk)]
    assert ids(get(fhir_client, "Patient?name:exact=carter")) == []
    born = patient.date_of_birth.isoformat()
    assert ids(get(fhir_client, f"Patient?birthdate={born}")) == [str(patient.pk)]
    assert ids(get(fhir_client, f"Patient?identifier={patient.pk}")) == [str(patient.pk)]
    assert ids(get(fhir_client, f"Practitioner?identifier={therapist.pk}")) == [str(therapist.pk)]
    # A name no other user of the clinic has (the factories' random names may share one).
    therapist.last_name = "Quillfeather"
    therapist.save(update_fields=["last_name"])
    assert ids(get(fhir_client, "Practitioner?name=quillf")) == [str(therapist.pk)]
    assert ids(get(fhir_client, "Location?name=main")) == [str(location.pk)]
    assert ids(get(fhir_client, "HealthcareService?active=true&name=speech")) == [
        str(chart_case.case_id)
    ]
    assert ids(get(fhir_client, "HealthcareService?active=false")) == []
    assert ids(get(fhir_client, f"Schedule?actor=Practitioner/{therapist.pk}")) == [
        f"{therapist.pk}-{location.pk}"
    ]
    assert len(ids(get(fhir_client, f"Schedule?actor=Location/{location.pk}&active=true"))) == 2


def test_paging_follows_next_links_to_every_row(
    fhir_client, speech_chart_case, therapist, location, treatment, tomorrow, scheduler
):
    for hour in range(8, 15):
        AppointmentFactory(
            chart_case=speech_chart_case, therapist=therapist, location=location,
            appointment_type=treatment, start=local(location, tomorrow, hour), created_by=scheduler,
        )  # fmt: skip
    seen, url, pages = [], "/fhir/R4/Appointment?_count=3", 0
    while url:
        body = fhir_client.get(url).json()
        assert body["total"] == 7
        assert all(
            e["fullUrl"].endswith(f"/Appointment/{e['resource']['id']}") for e in body["entry"]
        )
        seen += [e["resource"]["id"] for e in body["entry"]]
        links = {link["relation"]: link["url"] for link in body["link"]}
        url = links.get("next", "").replace("http://testserver", "")
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7


def test_post_search_takes_the_form_body(fhir_client, appointment):
    response = fhir_client.post(
        "/fhir/R4/Appointment/_search", {"patient": str(appointment.patient_id), "_count": "5"}
    )

    assert ids(response) == [str(appointment.pk)]
    assert "_count=5" in response.json()["link"][0]["url"]


def test_if_none_match_answers_304(fhir_client, appointment):
    first = get(fhir_client, f"Appointment/{appointment.pk}")
    etag = first["ETag"]
    assert etag == f'W/"{first.json()["meta"]["versionId"]}"'

    again = get(fhir_client, f"Appointment/{appointment.pk}", HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    appointment.version += 1
    appointment.save()
    changed = get(fhir_client, f"Appointment/{appointment.pk}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200


def test_metadata_lists_every_resource_and_parameter(client):
    body = client.get("/fhir/R4/metadata").json()

    assert body["fhirVersion"] == "4.0.1"
    resources = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(resources) == {
        "Appointment", "EpisodeOfCare", "HealthcareService", "Location", "Patient",
        "Practitioner", "Schedule", "Slot",
    }  # fmt: skip
    names = {p["name"] for p in resources["Appointment"]["searchParam"]}
    assert {"patient", "practitioner", "actor", "date", "status", "service-type"} <= names
    assert resources["Slot"]["interaction"] == [{"code": "search-type"}]
