"""Two schedulers book the last authorized visit at the same moment, each on its own database
connection: exactly one is within the authorization, the other is told (a refusal asking for
a reason), never silently over. The authorization rows are locked inside
``appointment_book``'s transaction (PostgreSQL: SELECT ... FOR UPDATE; SQLite: every
transaction BEGIN IMMEDIATE)."""

import time

import pytest
from django.core.exceptions import ValidationError

from insurance import counting, stored
from scheduling import services
from scheduling.models import Appointment
from tests.factories import AuthorizationFactory, PatientCaseFactory, PatientChartCaseFactory
from tests.fixtures.scheduling import local
from tests.hardening.helpers import in_parallel

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOLD = 0.4


def _slow_count(monkeypatch):
    """The first booking to count stays inside its transaction for a moment, so the two
    overlap whichever starts first."""
    original = counting.tally

    def slow(**kwargs):
        result = original(**kwargs)
        time.sleep(HOLD)
        return result

    monkeypatch.setattr(counting, "tally", slow)


def _outcomes(results):
    booked, refused = [], []
    for result in results:
        if isinstance(result, ValidationError):
            refused.append(result)
        elif isinstance(result, Exception):
            raise result
        else:
            booked.append(result)
    return booked, refused


def _book(chart_case, therapist, location, treatment, day, hour, scheduler):
    return lambda: services.appointment_book(
        clinic=chart_case.clinic,
        chart_case=chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, day, hour),
        duration_minutes=45,
        by=scheduler,
    )


def test_two_bookings_of_the_last_visit_one_is_within(
    monkeypatch, speech_chart_case, payer, therapist, location, treatment, tomorrow, scheduler
):
    AuthorizationFactory(chart_case=speech_chart_case, payer=payer, quantity=1)
    _slow_count(monkeypatch)
    args = (speech_chart_case, therapist, location, treatment, tomorrow)

    booked, refused = _outcomes(
        in_parallel(_book(*args, 10, scheduler), _book(*args, 14, scheduler))
    )

    assert (len(booked), len(refused)) == (1, 1)
    assert "authorization_override" in refused[0].message_dict
    assert Appointment.objects.count() == 1


def test_two_cases_drawing_on_one_shared_limit_one_is_within(
    monkeypatch,
    speech_chart_case,
    speech_patient,
    payer,
    shared_limit,
    clinic,
    speech,
    therapist,
    location,
    treatment,
    tomorrow,
    scheduler,
):
    shared_limit.quantity = 1
    shared_limit.save()
    second = PatientChartCaseFactory(
        patient=speech_patient,
        case=PatientCaseFactory(clinic=clinic, name="Speech, second", service_types=[speech]),
    )
    for chart_case in (speech_chart_case, second):
        AuthorizationFactory(
            chart_case=chart_case, payer=payer, quantity=5, shared_limit=shared_limit
        )
    _slow_count(monkeypatch)

    booked, refused = _outcomes(
        in_parallel(
            _book(speech_chart_case, therapist, location, treatment, tomorrow, 10, scheduler),
            _book(second, therapist, location, treatment, tomorrow, 14, scheduler),
        )
    )

    assert (len(booked), len(refused)) == (1, 1)
    assert "The shared limit has 0 left" in str(refused[0])
    assert Appointment.objects.count() == 1


def test_two_visits_changed_at_once_leave_the_stored_count_right(
    monkeypatch, speech_chart_case, payer, therapist, location, treatment, tomorrow, scheduler
):
    """A visit completed and another cancelled at the same moment, on two connections: each
    write recounts the chart case's stored counts, and the second to count waits for the
    first's lock and counts its change too (never a stored count missing the other's)."""
    grant = AuthorizationFactory(chart_case=speech_chart_case, payer=payer, quantity=5)
    args = (speech_chart_case, therapist, location, treatment, tomorrow)
    first = _book(*args, 10, scheduler)()
    second = _book(*args, 14, scheduler)()
    _slow_count(monkeypatch)

    done = in_parallel(
        lambda: services.appointment_set_status(
            appointment=first, status="completed", by=scheduler
        ),
        lambda: services.appointment_cancel(
            appointment=second, status="clinic_cancelled", reason="Closed", by=scheduler
        ),
    )

    assert not [result for result in done if isinstance(result, Exception)]
    grant.refresh_from_db()
    assert (grant.used, grant.booked, grant.remaining) == (1, 0, 4)
    assert stored.stale(speech_chart_case.clinic_id) == []
