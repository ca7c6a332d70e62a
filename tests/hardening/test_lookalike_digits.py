"""Issue 26, item 9: "²" is a digit to ``str.isdigit()`` and no number to ``int()``; it was a
500 wherever an id or a version was read with the first and parsed with the second. Ids and
versions are now read by one helper, ``core.inputs.parse_id``."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core.inputs import ID_MAX, parse_id
from scheduling.models import Appointment
from tests.hardening.helpers import logged_in

LOOKALIKES = ["²", "٣", "３", "1²", "⁴²"]


@pytest.mark.parametrize("value", LOOKALIKES)
def test_unsigned_list_with_a_lookalike_author_lists_the_clinic(value, administrator):
    response = logged_in(administrator).get(reverse("charts:unsigned_list"), {"author": value})

    assert response.status_code == 200


@pytest.mark.parametrize("field", ["patient", "therapist"])
@pytest.mark.parametrize("value", LOOKALIKES)
def test_booking_screen_with_a_lookalike_id(field, value, scheduler, speech_patient, therapist):
    query = {"patient": speech_patient.pk, "therapist": therapist.pk, field: value}

    response = logged_in(scheduler).get(reverse("scheduling:appointment_create"), query)

    assert response.status_code == (400 if field == "patient" else 200)


@pytest.mark.parametrize("value", LOOKALIKES)
def test_booking_with_a_lookalike_therapist_is_refused_beside_the_field(
    value, scheduler, speech_patient, location, treatment
):
    response = logged_in(scheduler).post(
        reverse("scheduling:appointment_create"),
        {
            "patient": speech_patient.pk,
            "therapists": [value],
            "location": location.pk,
            "appointment_type": treatment.pk,
            "date": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
            "time": "10:00",
        },
    )

    assert response.status_code == 400
    assert "therapists" in response.context["form"].errors
    assert not Appointment.objects.exists()


def _post(client, name, appointment, data):
    return client.post(reverse(name, args=[appointment.pk]), data)


@pytest.mark.parametrize("value", ["²", str(10**30), "-1", "1.0"])
def test_a_lookalike_version_on_an_appointment_changes_nothing(value, scheduler, appointment):
    client = logged_in(scheduler)
    day = (appointment.start + datetime.timedelta(days=7)).date().isoformat()

    answers = [
        _post(
            client,
            "scheduling:appointment_status",
            appointment,
            {"status": "checked_in", "version": value},
        ),
        _post(
            client,
            "scheduling:appointment_cancel",
            appointment,
            {"status": "patient_cancelled", "reason": "Ill", "version": value},
        ),
        _post(
            client,
            "scheduling:appointment_reschedule",
            appointment,
            {
                "date": day,
                "time": "11:00",
                "duration_minutes": 45,
                "reason": "Asked",
                "version": value,
            },
        ),
    ]

    assert [answer.status_code for answer in answers] == [409, 400, 400]
    changed = Appointment.objects.get()
    assert (changed.status, changed.start, changed.version) == (
        appointment.status,
        appointment.start,
        appointment.version,
    )


@given(st.text())
def test_parse_id_reads_plain_digits_within_the_database_or_nothing(value):
    number = parse_id(value)

    if number is None:
        stripped = value.strip()
        assert not (stripped.isascii() and stripped.isdigit()) or int(stripped) > ID_MAX
    else:
        assert 0 <= number <= ID_MAX
        assert str(number) == value.strip().lstrip("0") or number == 0
