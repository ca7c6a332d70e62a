"""A round trip with fhirclient as the client, against the app served over HTTP: a token by
client credentials, a search paged through its next links, a read of what it found."""

import pytest
import requests
from fhirclient import server as fhir_server
from fhirclient.models.appointment import Appointment
from fhirclient.models.episodeofcare import EpisodeOfCare
from fhirclient.models.slot import Slot

from tests.factories import AppointmentFactory
from tests.fixtures.scheduling import local

pytestmark = pytest.mark.django_db(transaction=True)


def test_fhirclient_round_trip(
    live_server, backend_integration, speech_chart_case, therapist, location, treatment,
    tomorrow, scheduler,
):  # fmt: skip
    booked = [
        AppointmentFactory(
            chart_case=speech_chart_case, therapist=therapist, location=location,
            appointment_type=treatment, start=local(location, tomorrow, hour), created_by=scheduler,
        ).pk
        for hour in range(8, 15)
    ]  # fmt: skip
    token = requests.post(
        f"{live_server.url}/oauth/token/",
        data={
            "grant_type": "client_credentials",
            "client_id": backend_integration.application.client_id,
            "client_secret": backend_integration.secret,
            "scope": "system/*.rs",
        },
        timeout=30,
    ).json()["access_token"]
    server = fhir_server.FHIRServer(None, base_uri=f"{live_server.url}/fhir/R4/")
    server.session.headers["Authorization"] = f"Bearer {token}"

    assert server.capabilityStatement.fhirVersion == "4.0.1"
    search = Appointment.where({"date": str(tomorrow), "_count": "3"})
    pages = list(search.perform_iter(server))
    found = [entry.resource for page in pages for entry in page.entry]
    assert len(pages) == 3
    assert [int(a.id) for a in found] == booked
    assert all(page.total == 7 for page in pages)

    first = Appointment.read(found[0].id, server)
    assert first.status == "booked"
    assert first.start.isostring == found[0].start.isostring
    episode_ref = first.supportingInformation[0].reference
    episode = EpisodeOfCare.read(episode_ref.split("/")[1], server)
    assert episode.patient.reference == f"Patient/{speech_chart_case.patient_id}"
    episodes = EpisodeOfCare.where({"patient": str(speech_chart_case.patient_id)})
    assert [e.id for e in episodes.perform_resources_iter(server)] == [episode.id]

    slots = Slot.where(
        {"schedule": f"{therapist.pk}-{location.pk}", "status": "free", "_count": "5"}
    )
    free = next(iter(slots.perform_resources_iter(server)))
    assert free.status == "free"
    assert free.schedule.reference == f"Schedule/{therapist.pk}-{location.pk}"
