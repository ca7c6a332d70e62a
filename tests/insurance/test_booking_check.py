"""Every way of booking asks the one rule: a visit over the count, outside the dates or over a
cap is refused unless the person gives a reason, which is kept on the appointment and in the
audit trail."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from insurance.counting import chart_case_summary
from scheduling import services
from scheduling.models import Appointment
from tests.factories import AuthorizationFactory, PatientCaseFactory, PatientChartCaseFactory
from tests.fixtures.scheduling import local


@pytest.fixture
def booking(clinic, speech_chart_case, therapist, location, treatment, tomorrow, scheduler):
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


def _on(booking, days: int, hour: int = 10):
    day = booking["start"].astimezone(booking["location"].tzinfo).date()
    return {**booking, "start": local(booking["location"], day + datetime.timedelta(days), hour)}


def _left(chart_case) -> list[str]:
    return chart_case_summary(
        clinic_id=chart_case.clinic_id,
        chart_case_id=chart_case.pk,
        patient_id=chart_case.patient_id,
    )


def test_the_third_visit_of_two_is_refused_until_a_reason_is_given(booking, authorization):
    assert _left(booking["chart_case"]) == [
        "Blue Shield #" + authorization.number + ": 2 authorized · 0 used · 0 booked · 2 left"
    ]
    services.appointment_book(**booking)
    services.appointment_book(**_on(booking, 1))

    with pytest.raises(ValidationError) as refused:
        services.appointment_book(**_on(booking, 2))
    message = refused.value.message_dict["authorization_override"][0]
    assert "0 left (2 authorized · 0 used · 2 booked · 0 left)" in message
    assert Appointment.objects.count() == 2

    with pytest.raises(ValidationError) as empty:
        services.appointment_book(**_on(booking, 2), authorization_override="   ")
    assert "authorization_override" in empty.value.message_dict

    over = services.appointment_book(**_on(booking, 2), authorization_override="Renewal sent")
    assert over.authorization_override == "Renewal sent"
    entry = AuditEntry.objects.filter(action="book").latest("pk")
    assert "Over the authorization: Renewal sent" in entry.details
    assert _left(booking["chart_case"])[0].endswith("2 authorized · 0 used · 3 booked · -1 left")


def test_a_visit_within_the_authorization_stores_no_override(booking, authorization):
    appointment = services.appointment_book(**booking, authorization_override="not needed")
    assert appointment.authorization_override == ""


def test_a_cancelled_visit_frees_its_place(booking, authorization, scheduler):
    first = services.appointment_book(**booking)
    services.appointment_book(**_on(booking, 1))
    services.appointment_cancel(
        appointment=first, status=Appointment.Status.PATIENT_CANCELLED, reason="Ill", by=scheduler
    )
    services.appointment_book(**_on(booking, 2))
    assert Appointment.objects.not_cancelled().count() == 2


def test_a_visit_outside_the_dates_is_refused(booking, authorization):
    authorization.last_date = booking["start"].date() + datetime.timedelta(days=1)
    authorization.save()
    with pytest.raises(ValidationError) as refused:
        services.appointment_book(**_on(booking, 5))
    assert "No authorization of this case covers" in str(refused.value)


def test_a_case_without_authorizations_is_not_checked(booking):
    for days in range(3):
        services.appointment_book(**_on(booking, days))
    assert Appointment.objects.count() == 3


def test_a_visit_of_a_type_not_covered_is_outside(booking, authorization, clinic):
    from insurance.models import AuthorizationType
    from tests.factories import AppointmentTypeFactory

    evaluation = AppointmentTypeFactory(clinic=clinic, name="Evaluation")
    AuthorizationType.objects.create(
        clinic=clinic, authorization=authorization, appointment_type=evaluation
    )
    with pytest.raises(ValidationError):
        services.appointment_book(**booking)
    services.appointment_book(**{**booking, "appointment_type": evaluation})


def test_the_weekly_cap_refuses_a_second_visit_in_one_week(booking, authorization):
    authorization.quantity, authorization.cap_period, authorization.cap = 10, "week", 1
    authorization.save()
    day = booking["start"].astimezone(booking["location"].tzinfo).date()
    monday = 7 - day.weekday()  # next Monday, days from the first visit's day
    services.appointment_book(**_on(booking, monday))
    with pytest.raises(ValidationError) as refused:
        services.appointment_book(**_on(booking, monday + 1))
    assert "at most 1 weekly" in str(refused.value)
    services.appointment_book(**_on(booking, monday + 7))


def test_a_shared_limit_counts_the_visits_of_several_cases(
    booking, authorization, shared_limit, speech_patient, clinic, speech
):
    second_case = PatientCaseFactory(clinic=clinic, name="Speech, second", service_types=[speech])
    other = PatientChartCaseFactory(patient=speech_patient, case=second_case)
    AuthorizationFactory(
        chart_case=other, payer=authorization.payer, quantity=10, shared_limit=shared_limit
    )
    authorization.quantity, authorization.shared_limit = 10, shared_limit
    authorization.save()
    for days in range(3):
        services.appointment_book(**_on(booking, days))
    with pytest.raises(ValidationError) as refused:
        services.appointment_book(**{**_on(booking, 3), "chart_case": other})
    assert "The shared limit has 0 left" in str(refused.value)


def test_reschedule_out_of_the_dates_needs_a_reason(booking, authorization, scheduler):
    appointment = services.appointment_book(**booking)
    authorization.last_date = booking["start"].date() + datetime.timedelta(days=2)
    authorization.save()
    later = _on(booking, 10)["start"]
    with pytest.raises(ValidationError) as refused:
        services.appointment_reschedule(
            appointment=appointment, start=later, duration_minutes=45, reason="Moved", by=scheduler
        )
    assert "authorization_override" in refused.value.message_dict
    moved = services.appointment_reschedule(
        appointment=appointment,
        start=later,
        duration_minutes=45,
        reason="Moved",
        by=scheduler,
        authorization_override="Extension requested",
    )
    assert moved.authorization_override == "Extension requested"


def test_rescheduling_within_the_count_does_not_count_the_visit_twice(
    booking, authorization, scheduler
):
    services.appointment_book(**booking)
    second = services.appointment_book(**_on(booking, 1))
    services.appointment_reschedule(
        appointment=second,
        start=_on(booking, 3)["start"],
        duration_minutes=45,
        reason="x",
        by=scheduler,
    )


def test_a_series_lists_the_dates_over_the_authorization(booking, authorization):
    occurrences = services.series_preview(
        rule=services.SeriesRule(interval=1, weekdays=(booking["start"].weekday(),), count=4),
        **booking,
    )
    problems = [bool(o.problem) for o in occurrences]
    assert problems == [False, False, True, True]
    assert "0 left" in occurrences[2].problem
