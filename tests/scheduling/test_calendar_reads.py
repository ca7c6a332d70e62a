"""``scheduling.reads.calendar``: the calendar's reads through the querysets that hold the
rules. Nothing of another clinic is read, whichever ids they are given; a therapist reads only
their own appointments and the requests that prefer them; the day's therapists are the active
ones available at the location."""

import datetime

import pytest
from django_scopes import scope

from scheduling import slots
from scheduling.models import (
    AppointmentRequest,
    AvailabilityException,
    ClinicClosure,
    TherapistAvailability,
)
from scheduling.reads.availability import working_time
from scheduling.reads.calendar import (
    calendar_appointments,
    calendar_requests,
    calendar_therapists,
)
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    UserFactory,
)
from tests.fixtures.scheduling import local, open_every_day


def _bounds(location, first, last=None):
    start, _ = slots.day_bounds(first, location.tzinfo)
    _, end = slots.day_bounds(last or first, location.tzinfo)
    return start, end


@pytest.fixture
def busy_other_clinic(other_clinic, other_admin, tomorrow):
    """Another clinic's location with a therapist, hours, availability, an exception, a
    closure, an appointment and a pending request on the same days as ours."""
    location = LocationFactory(clinic=other_clinic, name="Elsewhere")
    therapist = UserFactory(clinic=other_clinic, roles=["Therapist"])
    open_every_day(location, therapist)
    kind = AppointmentTypeFactory(clinic=other_clinic)
    chart_case = PatientChartCaseFactory(
        case=PatientCaseFactory(clinic=other_clinic, created_by=other_admin)
    )
    AppointmentFactory(
        chart_case=chart_case,
        therapist=therapist,
        location=location,
        appointment_type=kind,
        start=local(location, tomorrow, 10),
    )
    AppointmentRequest.objects.create(
        clinic=other_clinic,
        chart_case=chart_case,
        patient=chart_case.patient,
        appointment_type=kind,
        location=location,
        therapist=therapist,
        preferred_therapist=therapist,
        start=local(location, tomorrow, 12),
        duration_minutes=45,
        created_by=other_admin,
    )
    AvailabilityException.objects.create(
        clinic=other_clinic, therapist=therapist, date=tomorrow, kind="time_off"
    )
    ClinicClosure.objects.create(clinic=other_clinic, location=location, date=tomorrow)
    return location, therapist


def test_nothing_of_another_clinic_is_read(
    clinic, scheduler, location, therapist, appointment, busy_other_clinic, tomorrow
):
    other_location, other_therapist = busy_other_clinic
    start, end = _bounds(other_location, tomorrow)
    with scope(clinic=clinic):
        # Our user with the other clinic's location and therapist: nothing comes back.
        for therapist_id in (None, other_therapist.pk):
            assert (
                calendar_appointments(
                    scheduler,
                    location_id=other_location.pk,
                    start=start,
                    end=end,
                    therapist_id=therapist_id,
                )
                == []
            )
            assert (
                calendar_requests(
                    clinic,
                    location_id=other_location.pk,
                    start=start,
                    end=end,
                    preferring="therapist_or_none",
                    therapist_id=therapist_id,
                )
                == []
            )
        assert not working_time(
            location=other_location,
            therapist_ids=None,
            first=tomorrow,
            last=tomorrow,
            therapists=True,
        ).therapists
        ours = {t.pk for t in calendar_therapists(clinic.pk)}
        assert other_therapist.pk not in ours and therapist.pk in ours
        # The other clinic's location read as ours finds none of its rows.
        foreign = LocationFactory.build(pk=other_location.pk, clinic=clinic, time_zone="UTC")
        read = working_time(location=foreign, therapist_ids=None, first=tomorrow, last=tomorrow)
        assert (read.hours, read.closures) == ([], [])
        assert not read.weekly and not read.time_off


def test_appointments_and_requests_of_the_day(
    clinic, scheduler, location, therapist, appointment, pending_request, request_day, tomorrow
):
    start, end = _bounds(location, tomorrow, request_day)
    with scope(clinic=clinic):
        [block] = calendar_appointments(scheduler, location_id=location.pk, start=start, end=end)
        [asked] = calendar_requests(clinic, location_id=location.pk, start=start, end=end)
    assert (block.pk, block.patient, block.case, block.type) == (
        appointment.pk,
        str(appointment.patient),
        appointment.chart_case.case.name,
        appointment.appointment_type.name,
    )
    assert block.therapist.name == str(therapist)
    assert (asked.pk, asked.therapist) == (pending_request.pk, None)
    assert asked.suggested == str(therapist)
    assert asked.end == pending_request.end


def test_therapists_at_the_location_are_the_active_ones_available_there(
    clinic, location, therapist, ot_therapist
):
    away = UserFactory(clinic=clinic, roles=["Therapist"])  # no availability here
    gone = UserFactory(clinic=clinic, roles=["Therapist"], is_active=False)
    TherapistAvailability.objects.create(
        clinic=clinic,
        therapist=gone,
        location=location,
        weekday=0,
        start=datetime.time(8),
        end=datetime.time(9),
    )
    with scope(clinic=clinic):
        day = datetime.date(2026, 1, 5)
        read = working_time(
            location=location, therapist_ids=None, first=day, last=day, therapists=True
        )

    assert set(read.therapists) == {therapist.pk, ot_therapist.pk}
    assert away.pk not in read.therapists and gone.pk not in read.therapists
    assert read.therapists[therapist.pk] == (
        therapist.first_name,
        therapist.last_name,
        therapist.email,
    )
    # The inactive therapist's availability is still read (a past visit keeps its hours).
    assert gone.pk in read.weekly


def test_a_therapist_reads_only_their_own(
    clinic, location, therapist, ot_therapist, appointment, pending_request, tomorrow, request_day
):
    AppointmentFactory(
        chart_case=appointment.chart_case,
        therapist=ot_therapist,
        location=location,
        appointment_type=appointment.appointment_type,
        start=local(location, tomorrow, 13),
    )
    pending_request.preferred_therapist = ot_therapist
    pending_request.save()
    start, end = _bounds(location, tomorrow, request_day)

    with scope(clinic=clinic):
        appointments = calendar_appointments(
            therapist, location_id=location.pk, start=start, end=end
        )
        requests = calendar_requests(
            clinic,
            location_id=location.pk,
            start=start,
            end=end,
            preferring="therapist",
            therapist_id=therapist.pk,
        )

    assert [block.pk for block in appointments] == [appointment.pk]
    assert requests == []
