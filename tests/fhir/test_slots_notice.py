"""Busy Slots are the therapist's appointments as they are, wherever they fall in the span
searched: the clinic's notice and horizon bound only the free Slots a patient may ask for.
The clock is frozen on either side of midnight UTC, when New York's date is still the day
before."""

import datetime

import pytest
import time_machine

from scheduling.models import Appointment
from tests.factories import AppointmentFactory
from tests.fhir.helpers import assert_conforms, get
from tests.fixtures.scheduling import local

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2027, 2, 1)  # the clinic's date at both moments below
TUESDAY = MONDAY + datetime.timedelta(days=1)
WEDNESDAY = TUESDAY + datetime.timedelta(days=1)


@pytest.fixture(
    autouse=True,
    params=[
        datetime.datetime(2027, 2, 1, 23, 45, tzinfo=datetime.UTC),  # 18:45 in New York
        datetime.datetime(2027, 2, 2, 0, 30, tzinfo=datetime.UTC),  # 19:30 the same day there
    ],
    ids=["23:45Z", "00:30Z"],
)
def now(request):
    with time_machine.travel(request.param, tick=False):
        yield request.param


@pytest.fixture
def noticed(clinic):
    """A day's notice: on Tuesday, the clinic's next day, nothing may be asked for."""
    clinic.request_min_notice_hours = 24
    clinic.save(update_fields=["request_min_notice_hours"])
    return clinic


def _visit(chart_case, therapist, location, kind, start, **extra):
    return AppointmentFactory(
        chart_case=chart_case, therapist=therapist, location=location, appointment_type=kind,
        start=start, **extra,
    )  # fmt: skip


def _slots(client, therapist, location, query):
    body = get(client, f"Slot?schedule={therapist.pk}-{location.pk}&_count=200&{query}").json()
    assert_conforms(body)
    return [
        (
            e["resource"]["status"],
            datetime.datetime.fromisoformat(e["resource"]["start"]),
            datetime.datetime.fromisoformat(e["resource"]["end"]),
        )
        for e in body["entry"]
    ]


def _busy(found):
    return [(start, end) for status, start, end in found if status == "busy"]


def test_a_visit_inside_the_notice_is_a_busy_slot_at_its_own_time(
    fhir_client, noticed, now, speech_chart_case, therapist, ot_therapist, location, treatment
):
    morning = _visit(speech_chart_case, therapist, location, treatment, local(location, TUESDAY, 9))
    evening = _visit(
        speech_chart_case, therapist, location, treatment, local(location, TUESDAY, 17, 15)
    )
    _visit(
        speech_chart_case, therapist, location, treatment, local(location, TUESDAY, 12),
        status=Appointment.Status.CLINIC_CANCELLED,
    )  # fmt: skip
    _visit(speech_chart_case, ot_therapist, location, treatment, local(location, TUESDAY, 11))

    found = _slots(fhir_client, therapist, location, f"start=ge{TUESDAY}&start=lt{WEDNESDAY}")

    assert _busy(found) == [(morning.start, morning.end), (evening.start, evening.end)]
    assert [status for status, *_ in found] == ["busy", "busy"]  # no free time inside the notice


def test_free_slots_still_wait_for_the_notice(
    fhir_client, noticed, now, speech_chart_case, therapist, location, treatment
):
    visit = _visit(speech_chart_case, therapist, location, treatment, local(location, TUESDAY, 9))
    found = _slots(
        fhir_client, therapist, location, f"start=ge{TUESDAY}&start=lt{WEDNESDAY}T09:00:00-05:00"
    )

    assert _busy(found) == [(visit.start, visit.end)]
    free = [start for status, start, _ in found if status == "free"]
    assert free and min(free) >= now + datetime.timedelta(hours=24)
    assert min(free) == local(location, WEDNESDAY, 8)  # the first opening after the notice


def test_a_visit_under_way_at_the_searched_start_is_shown_whole(
    fhir_client, noticed, now, speech_chart_case, therapist, location, treatment
):
    visit = _visit(speech_chart_case, therapist, location, treatment, local(location, TUESDAY, 9))

    found = _slots(
        fhir_client,
        therapist,
        location,
        f"status=busy&start=ge{TUESDAY}T09:30:00-05:00&start=lt{TUESDAY}T12:00:00-05:00",
    )

    assert found == [("busy", visit.start, visit.end)]
    assert found[0][1].utcoffset() == datetime.timedelta(hours=-5)  # New York's own clock


def test_with_no_start_asked_busy_slots_run_from_now(
    fhir_client, noticed, now, speech_chart_case, therapist, location, treatment
):
    soon = _visit(speech_chart_case, therapist, location, treatment, local(location, TUESDAY, 9))
    _visit(speech_chart_case, therapist, location, treatment, local(location, MONDAY, 9))  # past

    found = _slots(fhir_client, therapist, location, "status=busy")

    assert found == [("busy", soon.start, soon.end)]


def test_a_visit_past_the_horizon_is_busy_where_nothing_is_free(
    fhir_client, clinic, now, speech_chart_case, therapist, location, treatment
):
    clinic.request_horizon_days = 2
    clinic.save(update_fields=["request_horizon_days"])
    later = MONDAY + datetime.timedelta(days=10)
    visit = _visit(speech_chart_case, therapist, location, treatment, local(location, later, 10))

    found = _slots(fhir_client, therapist, location, f"start=ge{later}&start=le{later}")

    assert found == [("busy", visit.start, visit.end)]
