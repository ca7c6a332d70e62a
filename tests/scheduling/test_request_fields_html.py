"""The request page's forms written in Python (scheduling/views/fields_html.py) are the bytes
``scheduling/includes/fields.html`` renders: unbound and bound, with field and form errors,
hostile values, and widgets it leaves to Django."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from scheduling.forms import RequestApproveForm, RequestDeclineForm
from scheduling.reads.requests import approve_choices
from scheduling.views.fields_html import fields_html


def _include(form) -> str:
    return render_to_string("scheduling/includes/fields.html", {"form": form})


def _approve_choices(pending_request):
    return approve_choices(pending_request.clinic_id, pending_request.chart_case.case_id)


def test_the_approve_form_as_the_page_shows_it(pending_request, more_types):
    form = RequestApproveForm(
        clinic_id=pending_request.clinic_id,
        choices=_approve_choices(pending_request),
        initial={
            "appointment_type": pending_request.appointment_type_id,
            "duration_minutes": 45,
            "therapist": pending_request.therapist_id,
            "location": pending_request.location_id,
            "date": datetime.date(2026, 3, 4),
            "time": datetime.time(9, 30),
        },
    )
    assert "selected>Treatment</option>" in fields_html(form)
    assert fields_html(form) == _include(form)


def test_the_approve_form_with_errors(pending_request, ot_therapist, more_types):
    form = RequestApproveForm(
        {
            "therapist": ot_therapist.pk,
            "duration_minutes": "7",
            "date": "not a date",
            "time": '"><script>',
            "location": "",
        },
        clinic_id=pending_request.clinic_id,
        chart_case=pending_request.chart_case,
    )
    assert not form.is_valid()
    form.add_error(None, ValidationError("The therapist <b>is</b> away & busy."))
    form.offer(_approve_choices(pending_request))
    html = fields_html(form)
    assert "&lt;b&gt;is&lt;/b&gt; away &amp; busy." in html
    assert 'aria-invalid="true"' in html
    assert html == _include(form)


@pytest.mark.parametrize("reason", [None, "", "<script>alert('x')</script>\nLine two & more"])
def test_the_decline_form(reason):
    form = RequestDeclineForm() if reason is None else RequestDeclineForm({"reason": reason})
    if reason is not None:
        form.is_valid()
    assert fields_html(form) == _include(form)


class _Other(forms.Form):
    name = forms.CharField(label=mark_safe("Name <em>in full</em>"), initial="A & B")
    agree = forms.BooleanField(required=False)
    kind = forms.ChoiceField(
        choices=[("a", "A <1>"), ("b", mark_safe("<b>B</b>"))], widget=forms.RadioSelect
    )
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    amount = forms.DecimalField(localize=True, required=False)


@pytest.mark.parametrize("data", [None, {"name": "", "kind": "z", "amount": "1,5"}])
def test_widgets_it_does_not_write_are_left_to_django(data):
    form = _Other(data)
    if data:
        form.is_valid()
    assert fields_html(form) == _include(form)


@pytest.fixture
def more_types(clinic):
    from tests.factories import AppointmentTypeFactory

    AppointmentTypeFactory(clinic=clinic, name='Group "<session>"')
    AppointmentTypeFactory(clinic=clinic, name="Evaluation")
