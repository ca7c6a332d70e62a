"""Requesting appointments from the portal: the home page's Request Appointment and lists, the
step-by-step form (no JavaScript), bad input, cancelling, another family's URLs (404), and the
slot computation's fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from core.roles import THERAPIST
from scheduling import services
from scheduling.models import AppointmentRequest, TherapistAvailability
from tests.clinic.helpers import page_text
from tests.factories import PatientChartCaseFactory, UserFactory
from tests.fixtures.scheduling import local
from tests.portal.test_portal_query_counts import SLOT_STEP_QUERIES


def _form_url(chart_case, **params):
    url = reverse("portal:request_create", args=[chart_case.pk])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def _post(client, chart_case, treatment, location, start, **extra):
    return client.post(
        _form_url(chart_case),
        {
            "type": treatment.pk,
            "location": location.pk,
            "therapist": "",
            "start": start.isoformat(),
            "note": "After school please",
            **extra,
        },
    )


def test_home_offers_request_appointment_only_where_requests_are_on(
    portal_client, portal_chart_case, clinic
):
    assert "Request Appointment" in page_text(portal_client.get(reverse("portal:home")))
    clinic.requests_enabled = False
    clinic.save()
    assert "Request Appointment" not in page_text(portal_client.get(reverse("portal:home")))


def test_a_case_without_allowed_types_offers_no_request(portal_client, portal_patient, clinic):
    clinic.requests_enabled = True
    clinic.save()
    assert "Request Appointment" not in page_text(portal_client.get(reverse("portal:home")))


def test_the_form_goes_type_then_location_then_time_and_saves_a_pending_request(
    portal_client, portal_chart_case, treatment, location, request_day, patient_user
):
    first = page_text(portal_client.get(_form_url(portal_chart_case)))
    assert "Treatment (45 minutes)" in first
    assert "Location" not in first
    second = page_text(portal_client.get(_form_url(portal_chart_case, type=treatment.pk)))
    assert "Main Street" in second
    third = portal_client.get(_form_url(portal_chart_case, type=treatment.pk, location=location.pk))
    assert third.status_code == 200
    assert "Send request" in page_text(third)

    start = local(location, request_day, 11)
    week = portal_client.get(
        _form_url(portal_chart_case, type=treatment.pk, location=location.pk, week=request_day)
    )
    assert start.isoformat() in week.content.decode()

    response = _post(
        portal_client, portal_chart_case, treatment, location, start, duration_minutes=5
    )

    assert response.status_code == 302
    made = AppointmentRequest.objects.get()
    # The posted duration is ignored: the case's rule decides.
    assert (made.status, made.duration_minutes, made.created_by, made.note) == (
        "pending",
        45,
        patient_user,
        "After school please",
    )
    home = page_text(portal_client.get(reverse("portal:home")))
    waiting = home.split("Waiting for the clinic's answer")[1].split("Upcoming visits")[0]
    assert "Pending Liam Carter: Treatment" in waiting
    assert "Cancel request" in waiting


def test_a_double_submitted_form_makes_one_request(
    portal_client, portal_chart_case, treatment, location, request_day
):
    start = local(location, request_day, 11)
    assert _post(portal_client, portal_chart_case, treatment, location, start).status_code == 302
    again = _post(portal_client, portal_chart_case, treatment, location, start)
    assert again.status_code == 400
    assert "already requested this time" in page_text(again)
    assert AppointmentRequest.objects.count() == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ("slot", "not one of the offered times"),
        ("past", "This time has passed"),
        ("notice", "24 hours' notice"),
        ("horizon", "60 days ahead"),
        ("type", "cannot be requested for this case"),
        ("location", "does not take requests"),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_writes_nothing(
    change, message, portal_client, portal_chart_case, treatment, location, request_day, clinic
):
    start = local(location, request_day, 11)
    data = {}
    if change == "slot":
        start = local(location, request_day, 11, 7)
    elif change == "past":
        start = clinic.now() - datetime.timedelta(days=1)
    elif change == "notice":
        start = clinic.now() + datetime.timedelta(hours=3)
    elif change == "horizon":
        start = clinic.now() + datetime.timedelta(days=70)
    elif change == "type":
        data["type"] = "999999"
    elif change == "location":
        location.available_for_requests = False
        location.save()
    response = _post(portal_client, portal_chart_case, treatment, location, start, **data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert not AppointmentRequest.objects.exists()


@pytest.mark.parametrize(
    "note",
    ["Mornings\x00please", "Mornings\x07please", "Mornings\x1bplease", "\x00"],
)
def test_a_note_with_control_characters_is_refused_beside_the_field(
    note, portal_client, portal_chart_case, treatment, location, request_day
):
    """Issue 26, item 7: a NUL in the note was a 500 on PostgreSQL (it cannot store one)."""
    start = local(location, request_day, 11)
    response = _post(portal_client, portal_chart_case, treatment, location, start, note=note)
    assert response.status_code == 400
    html = response.content.decode(errors="replace")
    beside = html.split('id="id_note"')[1].split("</div>")[0]
    assert "Remove the control characters (such as NUL) from this text" in beside
    assert not AppointmentRequest.objects.exists()
    # The times and the choices are still there to correct the note and send again.
    assert start.isoformat() in html
    assert "Send request" in html


def test_a_note_over_its_length_is_refused_beside_the_field(
    portal_client, portal_chart_case, treatment, location, request_day
):
    start = local(location, request_day, 11)
    long = "x" * (AppointmentRequest.NOTE_MAX + 1)
    response = _post(portal_client, portal_chart_case, treatment, location, start, note=long)
    assert response.status_code == 400
    beside = response.content.decode().split('id="id_note"')[1].split("</div>")[0]
    assert f"Keep the note to {AppointmentRequest.NOTE_MAX} characters or fewer." in beside
    assert not AppointmentRequest.objects.exists()
    # Line breaks and tabs are text: kept.
    fine = _post(
        portal_client, portal_chart_case, treatment, location, start, note="Mornings,\r\n\tplease"
    )
    assert fine.status_code == 302
    assert AppointmentRequest.objects.get().note == "Mornings,\r\n\tplease"


@pytest.mark.parametrize(
    "start",
    [
        "",
        "tomorrow",
        "2030-01-01T10:00:00",  # no offset
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "2030-01-01T10:00:00+25:00",
    ],
)
def test_a_start_that_is_no_offered_time_is_a_400(
    start, portal_client, portal_chart_case, treatment, location
):
    response = portal_client.post(
        _form_url(portal_chart_case),
        {"type": treatment.pk, "location": location.pk, "therapist": "", "start": start},
    )
    assert response.status_code == 400
    assert "Choose one of the offered times." in page_text(response)
    assert not AppointmentRequest.objects.exists()


def test_requests_while_the_setting_is_off_are_refused(
    portal_client, portal_chart_case, treatment, location, request_day, clinic
):
    clinic.requests_enabled = False
    clinic.save()
    response = _post(
        portal_client, portal_chart_case, treatment, location, local(location, request_day, 11)
    )
    assert response.status_code == 403
    assert "does not take appointment requests online" in page_text(response)
    assert not AppointmentRequest.objects.exists()


def test_the_patient_cancels_a_pending_request_once(portal_client, pending_request):
    url = reverse("portal:request_cancel", args=[pending_request.pk])
    assert portal_client.post(url).status_code == 302
    assert AppointmentRequest.objects.get().status == "cancelled"
    again = portal_client.post(url)
    assert again.status_code == 409
    assert "cancelled" in page_text(again)


def test_the_patient_reads_the_decline_reason(portal_client, pending_request, scheduler):
    services.request_decline(request=pending_request, by=scheduler, reason="Away that week.")
    text = page_text(portal_client.get(reverse("portal:home")))
    assert "Declined Treatment" in text
    assert "The clinic's reason: Away that week." in text


def test_home_lists_upcoming_appointments(portal_client, pending_request, scheduler):
    services.request_approve(request=pending_request, by=scheduler)
    text = page_text(portal_client.get(reverse("portal:home")))
    assert "Approved Treatment" in text
    assert "Upcoming visits" in text
    assert "No upcoming visit." not in text


def test_another_familys_case_and_request_urls_are_404(
    client, other_family, other_family_patient, pending_request, speech_case, treatment, location
):
    other_case = PatientChartCaseFactory(patient=other_family_patient, case=speech_case)
    client.force_login(other_family)
    assert client.get(_form_url(pending_request.chart_case)).status_code == 404
    slot_url = _form_url(pending_request.chart_case, type=treatment.pk, location=location.pk)
    assert client.get(slot_url).status_code == 404
    assert (
        _post(client, pending_request.chart_case, treatment, location, pending_request.start)
    ).status_code == 404
    cancel = reverse("portal:request_cancel", args=[pending_request.pk])
    assert client.post(cancel).status_code == 404
    assert AppointmentRequest.objects.get().status == "pending"
    # Their own case is fine.
    assert client.get(_form_url(other_case)).status_code == 200


def test_slots_for_ten_therapists_over_the_horizon_take_a_fixed_number_of_queries(
    portal_chart_case, location, speech, clinic, django_assert_num_queries
):
    therapists = [
        UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech]) for _ in range(10)
    ]
    for therapist in therapists:
        for weekday in range(5):
            TherapistAvailability.objects.create(
                clinic=clinic,
                therapist=therapist,
                location=location,
                weekday=weekday,
                start=datetime.time(9),
                end=datetime.time(17),
            )
    ids = [t.pk for t in services.case_therapists(portal_chart_case)]
    assert len(ids) == 11
    with django_assert_num_queries(2):
        free = services.request_slots(
            chart_case=portal_chart_case, location=location, duration_minutes=45, therapist_ids=ids
        )
    assert all(free[t.pk] for t in therapists)


def test_the_request_screen_takes_a_fixed_number_of_queries(
    portal_client, portal_chart_case, treatment, location, django_assert_num_queries
):
    url = _form_url(portal_chart_case, type=treatment.pk, location=location.pk)
    portal_client.get(url)
    with django_assert_num_queries(SLOT_STEP_QUERIES):
        assert portal_client.get(url).status_code == 200
