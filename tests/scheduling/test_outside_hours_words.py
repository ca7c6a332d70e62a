"""Issue 24, part 6: a booking outside hours says which hours stopped it (the location's
opening hours, or the therapist's availability there) and what they are that day, without
repeating the time it stands beside."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from scheduling import services
from scheduling.models import AvailabilityException, ClinicClosure, TherapistAvailability
from scheduling.services.series import SeriesRule
from tests.fixtures.scheduling import local

AGAIN = " Choose another time, or an administrator may book it with a reason."


@pytest.fixture
def booking(clinic, speech_chart_case, therapist, location, treatment, tomorrow, scheduler):
    # Kelsey works only 9:00-12:00 tomorrow (the location is open 8:00-18:00 every day).
    TherapistAvailability.objects.filter(therapist=therapist, weekday=tomorrow.weekday()).update(
        start=datetime.time(9), end=datetime.time(12)
    )
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


def _refusal(booking, **changes) -> str:
    with pytest.raises(ValidationError) as error:
        services.appointment_book(**{**booking, **changes})
    (message,) = error.value.message_dict["start"]
    return message


def test_a_time_the_location_is_closed_names_its_opening_hours(booking, location, tomorrow):
    message = _refusal(booking, start=local(location, tomorrow, 17, 30))

    assert message == (
        "This time is outside Main Street's opening hours that day (8:00 AM–6:00 PM)." + AGAIN
    )


def test_a_time_the_therapist_does_not_work_names_their_availability(
    booking, location, therapist, tomorrow
):
    message = _refusal(booking, start=local(location, tomorrow, 13))

    assert message == (
        f"This time is outside {therapist}'s availability at Main Street that day "
        "(9:00 AM–12:00 PM)." + AGAIN
    )
    # Within the location's hours, so they are not blamed.
    assert "opening hours" not in message


def test_a_closed_day_and_a_day_off_say_so(booking, clinic, location, therapist, tomorrow):
    ClinicClosure.objects.create(clinic=clinic, location=location, date=tomorrow, reason="Flood")
    assert _refusal(booking) == "Main Street is closed that day." + AGAIN

    ClinicClosure.objects.all().delete()
    AvailabilityException.objects.create(
        clinic=clinic, therapist=therapist, date=tomorrow, kind="time_off", reason="Ill"
    )
    assert _refusal(booking) == f"{therapist} is not available at Main Street that day." + AGAIN


def test_a_series_names_the_date_once(booking, location, therapist, tomorrow):
    rule = SeriesRule(interval=1, weekdays=(tomorrow.weekday(),), until=None, count=2)
    start = local(location, tomorrow, 13)

    with pytest.raises(ValidationError) as error:
        services.series_book(rule=rule, **{**booking, "start": start})

    (message,) = error.value.message_dict["start"]
    when = f"{start.astimezone(location.tzinfo):%a %b %-d, %Y %-I:%M %p}"
    assert message.startswith(f"{when}: This time is outside {therapist}'s availability")
    assert message.count("1:00 PM") == 1
