"""``scheduling.reads.calendar.calendar_reads``, the calendar's one written-out statement: it reads
what the ORM reads (appointments, live pending requests, therapists, working hours, the
pending count) and nothing of another clinic, whichever ids it is given."""

import datetime

import pytest

from accounts.models import User
from scheduling import slots
from scheduling.forms import therapists_of
from scheduling.models import (
    Appointment,
    AppointmentRequest,
    AvailabilityException,
    ClinicClosure,
    TherapistAvailability,
)
from scheduling.reads.availability import working_intervals
from scheduling.reads.calendar import calendar_reads
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    UserFactory,
)
from tests.fixtures.scheduling import local, open_every_day


def _reads(clinic, location, first, last=None, **options):
    last = last or first
    start, _ = slots.day_bounds(first, location.tzinfo)
    _, end = slots.day_bounds(last, location.tzinfo)
    return calendar_reads(
        clinic=clinic,
        location_id=location.pk,
        start=start,
        end=end,
        first=first,
        last=last,
        **options,
    )


@pytest.fixture
def other_location(other_clinic, other_admin):
    """Another clinic's location with a therapist, hours, availability, an exception, a
    closure, an appointment and a pending request on the same days as ours."""
    location = LocationFactory(clinic=other_clinic, name="Elsewhere")
    therapist = UserFactory(clinic=other_clinic, roles=["Therapist"])
    open_every_day(location, therapist)
    return location, therapist


@pytest.fixture
def busy_other_clinic(other_location, other_clinic, other_admin, tomorrow):
    location, therapist = other_location
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
    clinic, location, therapist, appointment, busy_other_clinic, tomorrow
):
    other_location, other_therapist = busy_other_clinic
    # Our clinic with the other clinic's location and therapist: every branch comes back empty.
    for therapist_id in (None, other_therapist.pk):
        reads = _reads(
            clinic,
            other_location,
            tomorrow,
            therapist_id=therapist_id,
            requests_preferring="any",
            therapists="at_location",
            count=True,
        )
        assert reads.appointments == []
        assert reads.requests == []
        assert reads.therapists == []
        assert reads.hours == []
        assert reads.closures == []
        assert dict(reads.availability) == {}
        assert dict(reads.time_off) == {}
        assert reads.pending_count == 0
    # All of our therapists, none of theirs.
    reads = _reads(clinic, location, tomorrow, therapists="all")
    assert other_therapist.pk not in {row[0] for row in reads.therapists}


def test_it_reads_what_the_orm_reads(
    clinic,
    scheduler,
    location,
    therapist,
    ot_therapist,
    appointment,
    pending_request,
    request_day,
    tomorrow,
    busy_other_clinic,
):
    AvailabilityException.objects.create(
        clinic=clinic,
        therapist=therapist,
        date=tomorrow,
        kind="time_off",
        start=datetime.time(14),
        end=datetime.time(15),
    )
    AvailabilityException.objects.create(
        clinic=clinic,
        therapist=ot_therapist,
        date=tomorrow,
        kind="extra",
        location=location,
        start=datetime.time(18),
        end=datetime.time(19),
    )
    first, last = tomorrow, request_day + datetime.timedelta(days=3)
    start, _ = slots.day_bounds(first, location.tzinfo)
    _, end = slots.day_bounds(last, location.tzinfo)

    reads = _reads(clinic, location, first, last, therapists="all", count=True)

    appointments = Appointment.objects.for_clinic(clinic.pk).filter(location=location)
    assert [row[0] for row in reads.appointments] == [
        a.pk for a in appointments.overlapping(start, end).order_by("start", "pk")
    ]
    [row] = reads.appointments
    assert row[5] == str(appointment.patient)
    assert row[6] == appointment.chart_case.case.name
    assert row[7] == appointment.appointment_type.name
    assert row[8] == (therapist.pk, therapist.first_name, therapist.last_name, therapist.email)
    live = AppointmentRequest.objects.live(clinic).filter(location=location)
    assert [row[0] for row in reads.requests] == [
        r.pk for r in live.filter(start__gte=start, start__lt=end).order_by("start", "pk")
    ]
    assert reads.pending_count == live.count()
    assert [row[0] for row in reads.therapists] == list(
        therapists_of(clinic.pk).values_list("pk", flat=True)
    )
    orm = working_intervals(
        location=location, therapist_ids=[therapist.pk, ot_therapist.pk], first=first, last=last
    )
    for each in (therapist, ot_therapist):
        assert reads.working(each.pk, first=first, last=last, tz=location.tzinfo) == orm[each.pk]


def test_therapists_at_the_location_are_the_active_ones_available_there(
    clinic, location, therapist, ot_therapist, tomorrow
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

    reads = _reads(clinic, location, tomorrow, therapists="at_location")

    ids = [row[0] for row in reads.therapists]
    assert set(ids) == {therapist.pk, ot_therapist.pk}
    assert away.pk not in ids and gone.pk not in ids
    assert ids == list(
        User.objects.filter(pk__in=ids)
        .order_by("last_name", "first_name")
        .values_list("pk", flat=True)
    )


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

    reads = _reads(
        clinic,
        location,
        tomorrow,
        request_day,
        therapist_id=therapist.pk,
        requests_preferring="therapist",
    )

    assert [row[0] for row in reads.appointments] == [appointment.pk]
    assert reads.requests == []
    assert set(reads.availability) == {therapist.pk}
    assert reads.pending_count is None
