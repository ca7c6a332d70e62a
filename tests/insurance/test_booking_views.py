"""The issue's "done when", through the screens: a scheduler booking a case with two visits
left sees "2 left", is stopped at the third visit until giving a reason, and finds the reason
on the appointment; approving a portal request asks the same rule."""

import datetime

from django.urls import reverse

from scheduling.models import Appointment
from tests.hardening.helpers import logged_in


def _post(speech_chart_case, therapist, location, treatment, day, **extra):
    return {
        "patient": speech_chart_case.patient_id,
        "therapists": [therapist.pk],
        "location": location.pk,
        "appointment_type": treatment.pk,
        "date": day.isoformat(),
        "time": "10:00",
        "case": f"chart:{speech_chart_case.pk}",
        **extra,
    }


def test_the_scheduler_sees_what_is_left_and_is_stopped_at_the_third_visit(
    scheduler, speech_chart_case, therapist, location, treatment, tomorrow, authorization
):
    client = logged_in(scheduler)
    url = reverse("scheduling:appointment_create")
    args = (speech_chart_case, therapist, location, treatment)

    refreshed = client.post(url, {**_post(*args, tomorrow), "refresh": "1"})
    assert "2 authorized · 0 used · 0 booked · 2 left" in refreshed.content.decode()

    for days in range(2):
        day = tomorrow + datetime.timedelta(days=days)
        assert client.post(url, _post(*args, day)).status_code == 302

    third = tomorrow + datetime.timedelta(days=2)
    refused = client.post(url, _post(*args, third))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "0 left (2 authorized · 0 used · 2 booked · 0 left)" in page
    assert 'name="authorization_override"' in page
    assert Appointment.objects.count() == 2

    booked = client.post(url, _post(*args, third, authorization_override="Renewal requested"))
    assert booked.status_code == 302
    appointment = Appointment.objects.latest("pk")
    assert appointment.authorization_override == "Renewal requested"
    detail = client.get(booked["Location"]).content.decode()
    assert "Over the authorization because" in detail
    assert "Renewal requested" in detail


def test_the_form_offers_no_override_field_until_it_is_needed(
    scheduler, speech_chart_case, therapist, location, treatment, tomorrow, authorization
):
    client = logged_in(scheduler)
    url = reverse("scheduling:appointment_create")
    page = client.post(
        url, {**_post(speech_chart_case, therapist, location, treatment, tomorrow), "refresh": "1"}
    )
    assert 'name="authorization_override"' not in page.content.decode()


def test_approving_a_request_past_the_authorization_needs_a_reason(
    scheduler, pending_request, payer, request_day
):
    from insurance.models import Authorization
    from scheduling.models import AppointmentRequest
    from tests.factories import AuthorizationFactory

    AuthorizationFactory(
        chart_case=pending_request.chart_case,
        payer=payer,
        first_date=request_day + datetime.timedelta(days=5),
        last_date=request_day + datetime.timedelta(days=50),
    )
    client = logged_in(scheduler)
    url = reverse("scheduling:request_approve", args=[pending_request.pk])
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "No authorization of this case covers" in refused.content.decode()
    assert 'name="authorization_override"' in refused.content.decode()
    pending_request.refresh_from_db()
    assert pending_request.status == AppointmentRequest.Status.PENDING

    approved = client.post(url, {"authorization_override": "Authorization pending"})
    assert approved.status_code == 302
    pending_request.refresh_from_db()
    assert pending_request.appointment.authorization_override == "Authorization pending"
    assert Authorization.objects.count() == 1


def test_the_calendar_marks_a_visit_booked_over_the_authorization(
    scheduler, speech_chart_case, therapist, location, treatment, tomorrow, authorization
):
    client = logged_in(scheduler)
    url = reverse("scheduling:appointment_create")
    args = (speech_chart_case, therapist, location, treatment)
    client.post(url, _post(*args, tomorrow))
    client.post(url, {**_post(*args, tomorrow), "time": "13:00"})
    client.post(url, {**_post(*args, tomorrow), "time": "15:00", "authorization_override": "Why"})
    day = client.get(
        reverse("scheduling:calendar_day"), {"date": tomorrow.isoformat(), "location": location.pk}
    ).content.decode()
    assert day.count("Over the authorization") == 1


def test_an_override_reason_of_only_spaces_is_no_reason(
    scheduler, speech_chart_case, therapist, location, treatment, tomorrow, authorization
):
    """Bad input: an empty reason is refused beside its field, a 400, nothing written."""
    client = logged_in(scheduler)
    url = reverse("scheduling:appointment_create")
    args = (speech_chart_case, therapist, location, treatment)
    for days in range(2):
        day = tomorrow + datetime.timedelta(days=days)
        assert client.post(url, _post(*args, day)).status_code == 302

    third = tomorrow + datetime.timedelta(days=2)
    refused = client.post(url, _post(*args, third, authorization_override="   "))

    assert refused.status_code == 400
    errors = refused.context["form"].errors["authorization_override"]
    assert "To book it anyway, say why" in " ".join(errors)
    assert 'id="id_authorization_override_error"' in refused.content.decode()
    assert Appointment.objects.count() == 2
