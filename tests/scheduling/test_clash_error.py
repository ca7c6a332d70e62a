"""Which database rule refused a write decides the message: an overlap names whose time is
taken; any other integrity error is not called a clash (it is raised as it is)."""

import pytest
from django.db import IntegrityError, connection, transaction

from scheduling.services.checks import clash_error
from tests.factories import AppointmentFactory, DailyNoteFactory


def _refused(**fields) -> IntegrityError:
    try:
        with transaction.atomic():
            AppointmentFactory(**fields)
    except IntegrityError as error:
        return error
    raise AssertionError("the database accepted the row")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the no-overlap rules are PostgreSQL's"
)
def test_an_overlap_names_the_therapist_whose_time_is_taken(appointment, speech_patient):
    other_patient_same_therapist = _refused(
        chart_case__clinic=appointment.clinic,
        therapist=appointment.therapist,
        location=appointment.location,
        appointment_type=appointment.appointment_type,
        start=appointment.start,
    )
    message = clash_error(
        other_patient_same_therapist, therapist=appointment.therapist, patient=speech_patient
    ).message_dict["start"][0]
    assert f"{appointment.therapist} already has an appointment then" in message


def test_another_integrity_error_is_not_called_a_clash(appointment, therapist):
    note = DailyNoteFactory(chart_case=appointment.chart_case, author=therapist)
    appointment.daily_note = note
    appointment.save(update_fields=["daily_note"])
    error = _refused(
        chart_case=appointment.chart_case,
        therapist=appointment.therapist,
        location=appointment.location,
        appointment_type=appointment.appointment_type,
        start=appointment.start.replace(year=appointment.start.year + 1),
        daily_note=note,
    )
    with pytest.raises(IntegrityError):
        clash_error(error, therapist=therapist, patient=appointment.patient)
