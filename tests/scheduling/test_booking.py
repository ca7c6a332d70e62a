"""The one booking path: what it books, what it refuses, and that a refusal writes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from charts.models import PatientChartCase
from core.models import AuditEntry
from scheduling import services
from scheduling.models import Appointment
from tests.factories import (
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
)
from tests.fixtures.scheduling import local


def book(**overrides):
    return services.appointment_book(**overrides)


@pytest.fixture
def booking(clinic, speech_chart_case, therapist, location, treatment, tomorrow, scheduler):
    """Keyword arguments of a valid booking tomorrow at 10:00 at the location."""
    return dict(
        clinic=clinic,
        chart_case=speech_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, tomorrow, 10),
        duration_minutes=45,
        by=scheduler,
    )


def test_book_writes_the_appointment_and_an_audit_entry(booking):
    appointment = book(**booking)

    assert appointment.status == Appointment.Status.SCHEDULED
    assert appointment.end - appointment.start == datetime.timedelta(minutes=45)
    assert appointment.patient == booking["chart_case"].patient
    entry = AuditEntry.objects.get(action="book")
    assert entry.patient_id == appointment.patient_id


def test_overlapping_booking_of_the_therapist_is_refused(booking, clinic):
    book(**booking)
    other = PatientChartCaseFactory(case=booking["chart_case"].case)
    with pytest.raises(ValidationError) as error:
        book(
            **{
                **booking,
                "chart_case": other,
                "start": booking["start"] + datetime.timedelta(minutes=30),
            }
        )
    assert "already has an appointment" in error.value.message_dict["start"][0]
    assert Appointment.objects.count() == 1
    assert AuditEntry.objects.filter(action="book").count() == 1


def test_overlapping_booking_of_the_patient_is_refused(
    booking, ot_therapist, occupational, administrator
):
    book(**booking)
    ot_case = PatientCaseFactory(
        clinic=booking["clinic"], service_types=[occupational], created_by=administrator
    )
    ot_chart = PatientChartCaseFactory(case=ot_case, patient=booking["chart_case"].patient)
    with pytest.raises(ValidationError) as error:
        book(**{**booking, "chart_case": ot_chart, "therapist": ot_therapist})
    assert "Liam Carter already has an appointment" in error.value.message_dict["start"][0]
    assert Appointment.objects.count() == 1


def test_back_to_back_is_allowed(booking):
    book(**booking)
    book(**{**booking, "start": booking["start"] + datetime.timedelta(minutes=45)})
    assert Appointment.objects.count() == 2


def test_cancelled_appointments_free_their_time(booking):
    first = book(**booking)
    services.appointment_cancel(
        appointment=first, status="patient_cancelled", reason="Ill", by=booking["by"]
    )
    book(**booking)
    assert Appointment.objects.not_cancelled().count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 7}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"start": "past"}, "start"),
        ({"start": "evening"}, "start"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    booking, change, field, location, tomorrow, clinic
):
    if change.get("start") == "past":
        change = {"start": clinic.now() - datetime.timedelta(hours=1)}
    elif change.get("start") == "evening":
        change = {"start": local(location, tomorrow, 19)}
    with pytest.raises(ValidationError) as error:
        book(**{**booking, **change})
    assert field in error.value.message_dict
    assert not Appointment.objects.exists()
    assert not AuditEntry.objects.exists()


def test_other_clinics_location_is_refused(booking, other_clinic):
    with pytest.raises(ValidationError) as error:
        book(**{**booking, "location": LocationFactory(clinic=other_clinic)})
    assert "location" in error.value.message_dict


def test_discharged_and_archived_cases_are_refused(booking, clinic):
    chart_case = booking["chart_case"]
    PatientChartCase.objects.filter(pk=chart_case.pk).update(
        status="discharged", discharged_on=clinic.today()
    )
    with pytest.raises(ValidationError) as error:
        book(**booking)
    assert "discharged" in error.value.message_dict["chart_case"][0]


def test_case_of_another_service_is_refused(booking, occupational, administrator):
    ot_case = PatientCaseFactory(
        clinic=booking["clinic"], service_types=[occupational], created_by=administrator
    )
    ot_chart = PatientChartCaseFactory(case=ot_case, patient=booking["chart_case"].patient)
    with pytest.raises(ValidationError) as error:
        book(**{**booking, "chart_case": ot_chart})
    assert "service types" in error.value.message_dict["chart_case"][0]


def test_therapists_may_not_book(booking, therapist):
    with pytest.raises(PermissionDenied):
        book(**{**booking, "by": therapist})


def test_administrator_overrides_hours_with_a_reason(
    booking, administrator, location, tomorrow, scheduler
):
    evening = local(location, tomorrow, 19)
    with pytest.raises(ValidationError) as error:
        book(**{**booking, "start": evening, "override_reason": "Family request"})
    assert "override_reason" in error.value.message_dict
    appointment = book(
        **{**booking, "start": evening, "by": administrator, "override_reason": "Family request"}
    )
    assert appointment.override_reason == "Family request"


def test_booking_a_case_not_on_the_chart_adds_it(booking, clinic, speech_case):
    patient = PatientFactory(clinic=clinic)
    appointment = book(**{**booking, "chart_case": None, "patient": patient, "case": speech_case})
    assert appointment.chart_case.patient == patient
    assert appointment.chart_case.case == speech_case
    speech_case.refresh_from_db()
    assert speech_case.patient_count == 2


def test_refused_booking_of_a_new_case_does_not_add_it(booking, clinic, speech_case):
    patient = PatientFactory(clinic=clinic)
    with pytest.raises(ValidationError):
        book(
            **{
                **booking,
                "chart_case": None,
                "patient": patient,
                "case": speech_case,
                "duration_minutes": 7,
            }
        )
    assert not PatientChartCase.objects.filter(patient=patient).exists()


def test_reschedule_and_immutability(booking, scheduler):
    appointment = book(**booking)
    moved = services.appointment_reschedule(
        appointment=appointment,
        start=booking["start"] + datetime.timedelta(hours=2),
        duration_minutes=60,
        reason="Therapist request",
        by=scheduler,
    )
    assert moved.version == 2
    services.appointment_set_status(appointment=moved, status="checked_in", by=booking["therapist"])
    with pytest.raises(ValidationError):
        services.appointment_reschedule(
            appointment=moved, start=booking["start"], duration_minutes=45, reason="x", by=scheduler
        )
    with pytest.raises(ValidationError):
        services.appointment_cancel(
            appointment=moved, status="clinic_cancelled", reason="x", by=scheduler
        )


def test_therapist_sets_status_only_of_their_own(booking, ot_therapist):
    appointment = book(**booking)
    with pytest.raises(PermissionDenied):
        services.appointment_set_status(
            appointment=appointment, status="checked_in", by=ot_therapist
        )
    with pytest.raises(PermissionDenied):
        services.appointment_set_status(
            appointment=appointment, status="no_show", by=booking["therapist"]
        )


def test_co_treatment_books_one_visit_with_two_therapists(booking, clinic, speech, location):
    from core.roles import THERAPIST
    from tests.factories import UserFactory
    from tests.fixtures.scheduling import open_every_day

    second = UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech])
    open_every_day(location, second)
    first = book(**booking, co_therapists=[second])
    rows = Appointment.objects.filter(visit=first.visit)
    assert {row.therapist_id for row in rows} == {booking["therapist"].pk, second.pk}
    # The patient is in that visit; another appointment at the same time is still refused.
    with pytest.raises(ValidationError):
        book(**{**booking, "therapist": second})


def test_bookable_slots_leave_out_busy_time(
    booking, location, tomorrow, clinic, django_assert_num_queries
):
    from scheduling.reads.availability import bookable_slots

    book(**booking)
    therapist = booking["therapist"]
    with django_assert_num_queries(2):
        found = bookable_slots(
            location=location,
            therapist_ids=[therapist.pk],
            patient_id=booking["chart_case"].patient_id,
            duration=datetime.timedelta(minutes=45),
            now=clinic.now(),
            horizon=datetime.timedelta(days=3),
        )
    starts = set(found[therapist.pk])
    assert local(location, tomorrow, 9) in starts
    assert local(location, tomorrow, 9, 30) not in starts  # would run into 10:00
    assert local(location, tomorrow, 10) not in starts
    assert local(location, tomorrow, 10, 45) in starts
    assert local(location, tomorrow, 17, 30) not in starts  # past closing at 18:00
