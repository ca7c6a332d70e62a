"""Issue 26, item 8: a date typed into any form is held to the range the product uses
(``core.inputs.DATE_MIN`` to ``DATE_MAX``); at the ends of ``datetime.date`` the day before or
after a date overflows, and a daily note dated 0001-01-01 was a 500 (the signal that links a
note to its visit asks for the day before)."""

import pytest
from django import forms
from django.urls import reverse

from charts.models import DailyNote
from core.inputs import DATE_MAX, DATE_MIN, DATE_RANGE_MESSAGE
from tests.hardening.helpers import logged_in, text


@pytest.mark.parametrize(
    "day", ["0001-01-01", "0001-01-02", "1899-12-31", "3000-01-01", "9999-12-31"]
)
def test_a_daily_note_dated_outside_the_range_is_refused_beside_the_date(
    day, speech_chart_case, therapist
):
    response = logged_in(therapist).post(
        reverse("charts:note_create", args=[speech_chart_case.pk]),
        {"date_of_service": day, "subjective": "Worked on /s/."},
    )

    assert response.status_code == 400
    assert DATE_RANGE_MESSAGE in text(response)
    assert not DailyNote.objects.exists()


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (DATE_MIN.isoformat(), True),
        (DATE_MAX.isoformat(), True),
        ("0001-01-01", False),
        ("9999-12-31", False),
    ],
)
def test_every_date_field_of_every_form_holds_to_the_range(value, valid):
    class AnyForm(forms.Form):
        day = forms.DateField()

    assert AnyForm({"day": value}).is_valid() is valid
