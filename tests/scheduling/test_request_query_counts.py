"""The request queue and a request's page answer in the same number of queries with one
request or a full page of them, with an empty calendar or a booked one around each (issue 10:
the queue's snapshots are one query for the page, not one per row)."""

import datetime

import pytest
from django.urls import reverse

from core.roles import THERAPIST
from scheduling.models import AppointmentRequest
from scheduling.views.requests import PER_PAGE
from tests.clinic.helpers import page_text
from tests.factories import AppointmentFactory, PatientChartCaseFactory, UserFactory
from tests.fixtures.scheduling import local, open_every_day

# session, user with roles, the page's rows with the length of the list (also the Schedule tab's
# badge), their snapshots, session save (3)
QUEUE_QUERIES = 7
# session, user with roles, the request, the live requests counted with whether it is one of
# them (also the Schedule tab's badge), its snapshot, the approve form's types, therapists and
# locations (one statement), session save (3). One more than when the count was a subquery of
# the request's row: built by the ORM, that subquery cost more Python than a second query.
DETAIL_QUERIES = 9


def _grow(pending_request, count, *, therapists, busy):
    """``count`` more pending requests of other patients of the case, spread over the next
    days and ``therapists``; with ``busy``, each therapist has a visit in each request's
    snapshot window."""
    location = pending_request.location
    for index in range(count):
        therapist = therapists[index % len(therapists)]
        day = pending_request.start.date() + datetime.timedelta(days=index % 9)
        start = local(location, day, 9 + index % 8)
        chart_case = PatientChartCaseFactory(case=pending_request.chart_case.case)
        AppointmentRequest.objects.create(
            clinic=pending_request.clinic,
            chart_case=chart_case,
            patient=chart_case.patient,
            appointment_type=pending_request.appointment_type,
            location=location,
            therapist=therapist,
            start=start,
            duration_minutes=45,
            created_by=pending_request.created_by,
        )
        if busy:
            AppointmentFactory(
                chart_case=PatientChartCaseFactory(case=pending_request.chart_case.case),
                therapist=therapist,
                location=location,
                appointment_type=pending_request.appointment_type,
                start=start - datetime.timedelta(hours=1),
            )


@pytest.fixture
def more_therapists(clinic, speech, location):
    therapists = [
        UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech]) for _ in range(5)
    ]
    open_every_day(location, *therapists)
    return therapists


@pytest.mark.parametrize("size", [0, PER_PAGE + 10])
def test_the_queue_takes_the_same_queries_for_one_request_and_a_full_booked_page(
    client, scheduler, pending_request, more_therapists, size, django_assert_num_queries
):
    _grow(pending_request, size, therapists=more_therapists, busy=True)
    client.force_login(scheduler)
    url = reverse("scheduling:request_list")
    client.get(url)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert text.count("Treatment, 45 min") == min(size + 1, PER_PAGE)
    if size:
        # The snapshots are there: each booked visit an hour before its request.
        assert "Free two hours either side" in text  # the first request's own calendar
        assert text.count("Taken at the requested time") < min(size + 1, PER_PAGE)
        assert "Next" in text or "next" in text


@pytest.mark.parametrize("size", [0, 12])
def test_a_request_page_takes_the_same_queries_with_a_busy_calendar_and_more_therapists(
    client, scheduler, pending_request, more_therapists, size, django_assert_num_queries
):
    location = pending_request.location
    for hour in range(size):
        AppointmentFactory(
            chart_case=PatientChartCaseFactory(case=pending_request.chart_case.case),
            therapist=pending_request.therapist if hour % 2 else more_therapists[0],
            location=location,
            appointment_type=pending_request.appointment_type,
            start=pending_request.start + datetime.timedelta(minutes=45 * (hour - 3)),
        )
    client.force_login(scheduler)
    url = reverse("scheduling:request_detail", args=[pending_request.pk])
    client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    if size:
        assert "The requested time is taken now" in page_text(response)


def test_the_approve_form_offers_the_therapists_of_the_case(
    client, scheduler, pending_request, more_therapists, ot_therapist
):
    client.force_login(scheduler)
    response = client.get(reverse("scheduling:request_detail", args=[pending_request.pk]))
    form = response.context["approve_form"]
    offered = {pk for pk, _ in form["therapist"].field.widget.choices if pk}
    assert offered == {pending_request.therapist.pk, *(t.pk for t in more_therapists)}
    assert ot_therapist.pk not in offered
