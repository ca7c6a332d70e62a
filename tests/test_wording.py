"""Issue 24, part 6: the words a person reads. Every GET page of the permission matrix that
answers 200 to one of the main roles (the pages the HTML checker reads, with a visit today)
offers no "---------" as an empty choice and no "(s)" for a count: a select's empty choice
says in words what leaving it means ("Choose a therapist", "Any location"), and a count
agrees with its noun ("1 date", "3 dates")."""

import datetime
import json
import re

import pytest
from django.db import connection

from scheduling.models import Location
from tests.factories import AppointmentFactory
from tests.pages import text
from tests.test_valid_html import served_pages

EMPTY_DASHES = re.compile(r'<select[^>]*name="([^"]*)"[^>]*>\s*<option[^>]*>\s*-{3,}\s*</option>')


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once, with the SQLite suite")
def test_no_page_offers_dashes_or_a_count_with_s_in_brackets(
    request, therapist, location, speech_chart_case, treatment, scheduler, clinic
):
    AppointmentFactory(
        chart_case=speech_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=datetime.datetime.combine(clinic.today(), datetime.time(12), tzinfo=clinic.tzinfo),
        created_by=scheduler,
    )

    pages = served_pages(request)

    dashes = {label: EMPTY_DASHES.findall(html) for label, html in pages.items()}
    dashes = {label: found for label, found in dashes.items() if found}
    assert not dashes, json.dumps(dashes, indent=1)
    brackets = {label: re.findall(r"\w+\(s\)", text(html)) for label, html in pages.items()}
    brackets = {label: found for label, found in brackets.items() if found}
    assert not brackets, json.dumps(brackets, indent=1)


def test_a_select_says_what_its_empty_choice_means():
    from django import forms

    from core.forms import PlainChoicesMixin

    class Form(PlainChoicesMixin, forms.Form):
        empty_labels = {"place": "Any location"}

        appointment_type = forms.ModelChoiceField(queryset=Location.objects.none())
        therapist = forms.ModelChoiceField(queryset=Location.objects.none(), required=False)
        place = forms.ModelChoiceField(queryset=Location.objects.none(), required=False)
        weekday = forms.ChoiceField(choices=[("", "---------"), (1, "Monday")])

    form = Form()

    assert form.fields["appointment_type"].empty_label == "Choose an appointment type"
    assert form.fields["therapist"].empty_label == "None"
    assert form.fields["place"].empty_label == "Any location"
    assert form.fields["weekday"].choices == [("", "Choose a weekday"), (1, "Monday")]
