"""Slots are what the portal offers: free ones come from the portal's own slot rule, busy ones
from the therapist's appointments."""

import datetime

import pytest

from scheduling.services.request_rules import request_slots
from tests.fhir.helpers import assert_conforms, get

pytestmark = pytest.mark.django_db


def _moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).astimezone(datetime.UTC)


def test_free_slots_are_the_starts_the_portal_offers(
    fhir_client, portal_chart_case, therapist, location, treatment, appointment
):
    schedule = f"{therapist.pk}-{location.pk}"
    body = get(
        fhir_client,
        f"Slot?schedule={schedule}&appointment-type={treatment.pk}&status=free&_count=200",
    ).json()
    assert_conforms(body)
    free = [_moment(e["resource"]["start"]) for e in body["entry"]]
    assert free and body["total"] >= len(free)
    assert all(e["resource"]["appointmentType"]["coding"][0]["code"] == str(treatment.pk)
               for e in body["entry"])  # fmt: skip
    first, last = free[0], free[-1]

    offered = request_slots(
        chart_case=portal_chart_case,
        location=location,
        duration_minutes=45,
        therapist_ids=[therapist.pk],
        within=(first, last),
    )[therapist.pk]

    assert free == offered
    # The booked appointment at 10:00 tomorrow: no free 45-minute Slot overlaps it.
    assert not [
        s for s in free if appointment.start - datetime.timedelta(minutes=45) < s < appointment.end
    ]


def test_the_booked_appointment_is_a_busy_slot(fhir_client, therapist, location, appointment):
    # With the clinic's notice (a day) as it is: a busy Slot need not wait for it, so the
    # appointment tomorrow is one at any hour the suite runs (tests/fhir/test_slots_notice.py).
    day = appointment.start.astimezone(location.tzinfo).date()
    body = get(
        fhir_client,
        f"Slot?schedule=Schedule/{therapist.pk}-{location.pk}&status=busy"
        f"&start=ge{day}&start=lt{day + datetime.timedelta(days=1)}",
    ).json()

    assert [(e["resource"]["status"], _moment(e["resource"]["start"])) for e in body["entry"]] == [
        ("busy", appointment.start)
    ]


def test_a_therapist_token_sees_only_their_own_schedule(
    client, app_integration, therapist, ot_therapist, location
):
    from tests.fixtures.fhir import make_token

    token = make_token(app_integration, user=ot_therapist, scope="user/*.rs")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    schedules = get(client, "Schedule", **auth).json()
    assert [e["resource"]["id"] for e in schedules["entry"]] == [f"{ot_therapist.pk}-{location.pk}"]
    assert get(client, f"Schedule/{therapist.pk}-{location.pk}", **auth).status_code == 404
    slots = get(client, f"Slot?schedule={therapist.pk}-{location.pk}", **auth).json()
    assert slots["total"] == 0


def test_slots_start_no_sooner_than_the_clinic_notice(fhir_client, clinic, location, therapist):
    clinic.request_min_notice_hours = 48
    clinic.save()

    body = get(fhir_client, f"Slot?schedule={therapist.pk}-{location.pk}&_count=1").json()

    start = _moment(body["entry"][0]["resource"]["start"])
    assert start >= clinic.now() + datetime.timedelta(hours=48)
