"""The portal home and the request screen's slot step answer in the same number of queries
for one patient or several, one therapist or ten with booked weeks (issue 10)."""

import datetime

import pytest
from django.urls import reverse

from core.roles import THERAPIST
from scheduling.models import AppointmentRequest
from tests.clinic.helpers import page_text
from tests.factories import (
    AppointmentFactory,
    PatientChartCaseFactory,
    PatientFactory,
    PortalLinkFactory,
    UserFactory,
)
from tests.fixtures.scheduling import local, open_every_day

# session, user (with clinic and roles), the links with their patients, the active chart cases
# (with whether each has a requestable rule, an EXISTS), upcoming appointments, the 50 newest
# requests (with whether each is live, an EXISTS) (portal.reads.home_families), session save
# (3). Three more than the one written-out statement of issue 13: the rules are the querysets'.
# One more (issue 21): whether the chart cases have authorizations, asked once for them all
# (insurance.counting.closed_to_requests).
# One more (issue 24): the clinic's cancellation terms (``scheduling.hooks.cancel_terms``,
# messaging's ``ReminderSettings``), for Cancel or the clinic's phone on each visit; whether
# each visit's type may be requested and whether a move of it is pending are EXISTS in the
# visits' query.
HOME_QUERIES = 11
# session, user with roles, a page of past visits (the user's links a subquery), session save
# (3).
PAST_QUERIES = 6
# session, user with roles, the chart case with its case and patient (access), what a request
# may choose: the requestable rules, the locations open to requests and the case's therapists
# (the querysets the request services use, one UNION ALL: portal.reads.request_choices), the
# week's hours, closures, availability and exceptions (one UNION ALL), the appointments
# (scheduling.reads.availability.slot_inputs), session save (3). Two more than the two
# written-out statements of issue 13. One more (issue 21): whether the chart case has
# authorizations (requests_open_for asks insurance.counting.closed_to_requests).
SLOT_STEP_QUERIES = 10


@pytest.mark.parametrize("children", [1, 5])
def test_the_portal_home_takes_the_same_queries_for_one_child_or_five_with_their_visits(
    client, clinic, patient_user, speech_case, location, therapist, treatment, requests_on,
    children, django_assert_num_queries,
):  # fmt: skip
    for number in range(children):
        child = PatientFactory(clinic=clinic)
        PortalLinkFactory(user=patient_user, patient=child)
        chart_case = PatientChartCaseFactory(patient=child, case=speech_case)
        day = clinic.today() + datetime.timedelta(days=3 + number)
        visit = AppointmentFactory(
            chart_case=chart_case,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=local(location, day, 9),
        )
        for status, hour in (("approved", 9), ("declined", 11), ("pending", 13)):
            AppointmentRequest.objects.create(
                clinic=clinic,
                chart_case=chart_case,
                patient=child,
                appointment_type=treatment,
                location=location,
                therapist=therapist,
                start=local(location, day, hour),
                duration_minutes=45,
                status=status,
                appointment=visit if status == "approved" else None,
                decline_reason="Away that week." if status == "declined" else "",
                created_by=patient_user,
            )
    client.force_login(patient_user)
    client.get(reverse("portal:home"))
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("portal:home"))
    text = page_text(response)
    assert text.count("Request Appointment") == children
    assert text.count("The clinic's reason: Away that week.") == children
    assert text.count("Cancel request") == children
    assert text.count("Ask to move") == children


@pytest.mark.parametrize("visits", [1, 30])
def test_past_visits_take_the_same_queries_for_one_visit_or_a_page_of_them(
    portal_client, portal_chart_case, clinic, location, therapist, treatment, visits,
    django_assert_num_queries,
):  # fmt: skip
    for number in range(visits):
        AppointmentFactory(
            chart_case=portal_chart_case,
            therapist=therapist,
            location=location,
            appointment_type=treatment,
            start=local(location, clinic.today() - datetime.timedelta(days=1 + number), 9),
        )
    url = reverse("portal:past_visits")
    portal_client.get(url)
    with django_assert_num_queries(PAST_QUERIES):
        response = portal_client.get(url)
    assert page_text(response).count("Treatment at Main Street") == min(visits, 20)


@pytest.mark.parametrize("more", [0, 9])
def test_the_slot_step_takes_the_same_queries_for_one_therapist_or_ten_with_booked_weeks(
    portal_client, portal_chart_case, clinic, speech, location, treatment, therapist, more,
    django_assert_num_queries,
):  # fmt: skip
    therapists = [therapist] + [
        UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech]) for _ in range(more)
    ]
    open_every_day(location, *therapists[1:])
    first = clinic.today() + datetime.timedelta(days=2)
    for offset in range(14 if more else 0):
        for number, each in enumerate(therapists):
            AppointmentFactory(
                chart_case=PatientChartCaseFactory(case=portal_chart_case.case),
                therapist=each,
                location=location,
                appointment_type=treatment,
                start=local(location, first + datetime.timedelta(days=offset), 9 + number % 8),
            )
    url = reverse("portal:request_create", args=[portal_chart_case.pk])
    url += f"?type={treatment.pk}&location={location.pk}"
    portal_client.get(url)
    with django_assert_num_queries(SLOT_STEP_QUERIES):
        response = portal_client.get(url)
    assert response.status_code == 200
    assert 'name="start"' in response.content.decode()
