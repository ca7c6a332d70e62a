"""Moving a therapist's day while someone else changes the same visits or books the time it
moves to, truly in parallel (each call in its own thread and database connection, released
together, the first held inside its transaction for a moment): exactly one change wins, the
other person gets a clear message, and nobody is double-booked."""

import datetime

import pytest
from django.urls import reverse

from scheduling.models import Appointment
from scheduling.services import day_move
from tests.factories import AppointmentFactory, PatientChartCaseFactory, UserFactory
from tests.fixtures.scheduling import local, open_every_day
from tests.hardening.helpers import in_parallel, logged_in, text
from tests.hardening.test_parallel import _later, _slow

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def day(clinic):
    return clinic.today() + datetime.timedelta(days=2)


@pytest.fixture
def colleagues(clinic, speech, location):
    found = []
    for first, last in (("Ada", "Baker"), ("Ben", "Carter")):
        other = UserFactory(
            clinic=clinic,
            first_name=first,
            last_name=last,
            roles=["Therapist"],
            service_types=[speech],
        )
        open_every_day(location, other)
        found.append(other)
    return found


@pytest.fixture
def visit(speech_case, therapist, location, day):
    return AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=speech_case),
        therapist=therapist,
        location=location,
        start=local(location, day, 9),
        duration_minutes=45,
    )


@pytest.fixture
def schedulers(scheduler, clinic):
    return [logged_in(scheduler), logged_in(UserFactory(clinic=clinic, roles=["Scheduler"]))]


def _move(client, therapist, day, visit, choice):
    def post():
        return client.post(
            reverse("scheduling:therapist_day", args=[therapist.pk]),
            {
                "date": day.isoformat(),
                "reason": "Therapist out sick",
                f"visit_{visit.pk}": choice,
                f"version_{visit.pk}": visit.version,
            },
        )

    return post


def _statuses(results):
    for result in results:
        if isinstance(result, Exception):
            raise result
    return sorted(result.status_code for result in results)


def test_two_schedulers_moving_the_same_visit_one_wins(
    monkeypatch, schedulers, therapist, colleagues, visit, day
):
    _slow(monkeypatch, day_move, "_apply")
    ada, ben = colleagues
    results = in_parallel(
        _move(schedulers[0], therapist, day, visit, ada.pk),
        _later(_move(schedulers[1], therapist, day, visit, ben.pk)),
    )

    assert _statuses(results) == [302, 409]
    refused = next(r for r in results if r.status_code == 409)
    assert "Someone else changed" in text(refused)
    visit.refresh_from_db()
    assert visit.therapist in (ada, ben)
    assert visit.version == 2  # moved once
    for colleague in colleagues:
        rows = Appointment.objects.filter(therapist=colleague).not_cancelled()
        assert rows.count() == (1 if colleague == visit.therapist else 0)


def test_a_move_and_a_cancel_of_the_same_visit_one_wins(
    monkeypatch, schedulers, therapist, colleagues, visit, day
):
    _slow(monkeypatch, day_move, "_apply")
    results = in_parallel(
        _move(schedulers[0], therapist, day, visit, "cancel"),
        _later(_move(schedulers[1], therapist, day, visit, colleagues[0].pk)),
    )

    assert _statuses(results) == [302, 409]
    visit.refresh_from_db()
    assert visit.version == 2
    cancelled = visit.status == Appointment.Status.CLINIC_CANCELLED
    assert cancelled == (visit.therapist == therapist)


def test_a_move_and_a_booking_into_the_time_it_moves_to_one_wins(
    monkeypatch, schedulers, therapist, colleagues, visit, day, speech_case, location, treatment
):
    """One scheduler moves the 9:00 visit to Ada; the other books another patient with Ada
    at 9:00 through the booking form at the same moment."""
    _slow(monkeypatch, day_move, "_apply")
    ada = colleagues[0]
    other = PatientChartCaseFactory(case=speech_case)

    def book():
        return schedulers[1].post(
            reverse("scheduling:appointment_create"),
            {
                "patient": other.patient_id,
                "therapists": [ada.pk],
                "location": location.pk,
                "appointment_type": treatment.pk,
                "date": day.isoformat(),
                "time": "09:00",
                "duration_minutes": 45,
                "case": f"chart:{other.pk}",
            },
        )

    results = in_parallel(_move(schedulers[0], therapist, day, visit, ada.pk), _later(book))

    statuses = _statuses(results)
    assert statuses == [302, 400], statuses
    refused = next(r for r in results if r.status_code == 400)
    assert "Ada Baker" in text(refused) or "booked by someone else" in text(refused)
    at_nine = Appointment.objects.filter(therapist=ada, start=visit.start).not_cancelled()
    assert at_nine.count() == 1
    visit.refresh_from_db()
    assert (visit.therapist == ada) == (at_nine.get().pk == visit.pk)
