"""What the portal home shows of each patient the user acts for (portal.reads.home):
names escaped, the relationship, the active chart cases and which may be requested, the
upcoming visits, and the 50 newest requests of all the patients."""

import datetime

import pytest
from django.urls import reverse

from scheduling.models import Appointment, AppointmentRequest
from tests.clinic.helpers import page_text
from tests.factories import (
    AppointmentFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    PortalLinkFactory,
    UserFactory,
)
from tests.fixtures.scheduling import local

HOME = reverse("portal:home")


def _request(chart_case, location, therapist, treatment, user, start, status, **extra):
    return AppointmentRequest.objects.create(
        clinic=chart_case.clinic,
        chart_case=chart_case,
        patient=chart_case.patient,
        appointment_type=treatment,
        location=location,
        therapist=therapist,
        start=start,
        duration_minutes=45,
        status=status,
        created_by=user,
        **extra,
    )


@pytest.fixture
def london(clinic):
    return LocationFactory(clinic=clinic, name="London Office", time_zone="Europe/London")


def test_the_home_shows_each_patients_care_visits_and_requests(
    portal_client, portal_chart_case, patient_user, clinic, speech_case, location, london,
    therapist, treatment, administrator,
):  # fmt: skip
    liam = portal_chart_case.patient
    hostile = PatientFactory(clinic=clinic, first_name="<script>x</script>", last_name="O'Neil")
    PortalLinkFactory(user=patient_user, patient=hostile, relationship="guardian")
    PatientChartCaseFactory(patient=hostile, case=speech_case)
    archived = PatientCaseFactory(clinic=clinic, name="Old Case", created_by=administrator)
    archived_chart = PatientChartCaseFactory(patient=liam, case=archived)
    archived.is_archived = True
    archived.archived_at = datetime.datetime.now(datetime.UTC)
    archived.save()
    gone = PatientCaseFactory(clinic=clinic, name="Discharged Case", created_by=administrator)
    PatientChartCaseFactory(
        patient=liam, case=gone, status="discharged", discharged_on=clinic.today()
    )
    nameless = UserFactory(clinic=clinic, first_name="", last_name="", email="nobody@x.test")
    day = clinic.today() + datetime.timedelta(days=3)
    AppointmentFactory(
        chart_case=portal_chart_case,
        therapist=nameless,
        location=london,
        appointment_type=treatment,
        start=local(london, day, 9, 30),
        duration_minutes=60,
    )
    AppointmentFactory(
        chart_case=portal_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, day, 14),
        status=Appointment.Status.CLINIC_CANCELLED,
    )
    AppointmentFactory(
        chart_case=portal_chart_case,
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, clinic.today() - datetime.timedelta(days=2), 9),
    )
    booked = AppointmentFactory(
        chart_case=portal_chart_case,
        therapist=therapist,
        location=london,
        appointment_type=treatment,
        start=local(london, day, 11),
    )
    args = (location, therapist, treatment, patient_user)
    _request(portal_chart_case, *args, local(location, day, 8), "approved", appointment=booked)
    _request(
        portal_chart_case, *args, local(location, day, 10), "declined", decline_reason="<b>Full"
    )
    pending = _request(portal_chart_case, *args, local(location, day, 12), "pending")
    _request(portal_chart_case, *args, local(location, day, 13), "cancelled")

    response = portal_client.get(HOME)
    html = response.content.decode()
    text = page_text(response)
    assert "&lt;script&gt;x&lt;/script&gt; O&#x27;Neil" in html
    assert "<script>x" not in html
    assert "You are the parent · born" in text
    assert "You are the guardian · born" in text
    assert text.count("Speech Therapy since") == 2
    assert "Old Case since" in text
    assert "Discharged Case" not in text
    assert text.count("Request Appointment") == 2  # not for the archived case
    assert reverse("portal:request_create", args=[archived_chart.pk]) not in html
    # Pending requests first, then visits to come, then each patient's care and answers.
    assert text.index("Waiting for the clinic's answer") < text.index("Upcoming visits")
    assert text.index("Upcoming visits") < text.index("Current care")
    waiting = text.split("Waiting for the clinic's answer")[1].split("Upcoming visits")[0]
    assert waiting.count("Pending") == 1 and "Liam Carter" in waiting
    # Visits to come, on the clinic's clock with its zone; the therapist's name or else their
    # e-mail; a cancelled one marked, with nothing to do about it.
    upcoming = text.split("Upcoming visits")[1].split("Past visits")[0]
    london_visit = local(london, day, 9, 30).astimezone(clinic.tzinfo)
    assert (
        f"{london_visit:%a %b %-d, %-I:%M %p %Z}: Liam Carter, Treatment with nobody@x.test at "
        "London Office (60 min)"
    ) in upcoming
    assert f"with {therapist} at London Office (45 min)" in upcoming
    assert upcoming.count(" with ") == 3
    assert upcoming.count("Clinic cancelled") == 1
    assert upcoming.count("Ask to move") == 2  # not the cancelled one
    assert html.count('href="/portal/visits/past/"') == 1
    answers = text.split("Answers to your requests")[1]
    booked_at = booked.start.astimezone(clinic.tzinfo)
    assert f"Booked: {booked_at:%a %b %-d, %-I:%M %p}, 45 min" in answers
    assert "The clinic's reason: &lt;b&gt;Full" in html
    assert [label in answers for label in ("Approved", "Declined", "Cancelled")] == [True] * 3
    assert html.count("Cancel request") == 1
    assert reverse("portal:request_cancel", args=[pending.pk]) in html
    assert "No request answered yet." in text  # the second patient's


def test_the_home_lists_the_50_newest_requests_of_all_the_patients(
    portal_client, portal_chart_case, patient_user, clinic, speech_case, location, therapist,
    treatment,
):  # fmt: skip
    sibling = PatientFactory(clinic=clinic, first_name="Zed", last_name="Zulu")
    PortalLinkFactory(user=patient_user, patient=sibling)
    sibling_chart = PatientChartCaseFactory(patient=sibling, case=speech_case)
    day = clinic.today() + datetime.timedelta(days=5)
    old = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    for number in range(48):
        made = _request(
            sibling_chart, location, therapist, treatment, patient_user,
            local(location, day, 8) + datetime.timedelta(minutes=5 * number), "cancelled",
        )  # fmt: skip
        AppointmentRequest.objects.filter(pk=made.pk).update(
            created_at=old + datetime.timedelta(hours=number)
        )
    for hour in (9, 10, 11, 12):
        _request(
            portal_chart_case, location, therapist, treatment, patient_user,
            local(location, day + datetime.timedelta(days=1), hour), "cancelled",
        )  # fmt: skip
    text = page_text(portal_client.get(HOME))
    liam_part, sibling_part = text.split("Zed Zulu", 1)
    assert liam_part.count("Cancelled Treatment") == 4
    assert sibling_part.count("Cancelled Treatment") == 46
    # The sibling's two oldest (8:00 and 8:05) are the ones left out.
    assert f"{day:%a %b %-d}, 8:05 AM at" not in sibling_part
    assert f"{day:%a %b %-d}, 8:00 AM at" not in sibling_part
    assert f"{day:%a %b %-d}, 8:10 AM at" in sibling_part
    assert f"{day:%a %b %-d}, 11:55 AM at" in sibling_part
    # Newest first.
    assert sibling_part.index("11:55 AM at") < sibling_part.index("8:10 AM at")
