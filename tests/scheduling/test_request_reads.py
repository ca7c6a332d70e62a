"""The request screens' reads (scheduling/reads/requests.py): the queue's rows in each
filter's order, a request's row with the live pending count, the approve form's choices as
the rules' querysets, the calendars around requests, no row of another clinic through any of
them, and the pages built from them: escaped, paged as the project's counted pages, forms that
still refuse what they do not offer."""

import datetime

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from clinic.models import AppointmentType
from core.roles import SCHEDULER, THERAPIST
from scheduling import services
from scheduling.models import Appointment, AppointmentRequest, Location
from scheduling.reads import requests as request_reads
from scheduling.views import requests as request_views
from tests.clinic.helpers import page_text
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.fixtures.scheduling import local


def _request(pending_request, *, hours=0, chart_case=None, **fields):
    chart_case = chart_case or PatientChartCaseFactory(case=pending_request.chart_case.case)
    return AppointmentRequest.objects.create(
        clinic=pending_request.clinic,
        chart_case=chart_case,
        patient=chart_case.patient,
        appointment_type=pending_request.appointment_type,
        location=pending_request.location,
        therapist=pending_request.therapist,
        start=pending_request.start + datetime.timedelta(hours=hours),
        duration_minutes=45,
        created_by=pending_request.created_by,
        **fields,
    )


@pytest.fixture
def every_status(pending_request, scheduler):
    """Requests in every state the queue tells apart, at different times: live pending,
    pending past its time, pending past its lifetime, approved, declined, cancelled,
    expired."""
    past = _request(pending_request, hours=1)
    AppointmentRequest.objects.filter(pk=past.pk).update(
        start=pending_request.start - datetime.timedelta(days=10)
    )
    stale = _request(pending_request, hours=2)
    AppointmentRequest.objects.filter(pk=stale.pk).update(
        created_at=stale.created_at - datetime.timedelta(days=8)
    )
    services.request_approve(request=_request(pending_request, hours=3), by=scheduler)
    _request(pending_request, hours=4, status="declined", decline_reason="Away.")
    _request(pending_request, hours=5, status="cancelled")
    _request(pending_request, hours=6, status="expired")
    _request(pending_request, hours=-26)  # another live one, earlier
    return pending_request


def _pks(page) -> list[int]:
    return [row.pk for row in page.object_list]


@pytest.mark.parametrize("status", [value for value, _ in request_views.FILTERS])
def test_each_filter_lists_the_rows_of_the_querysets_in_their_order(every_status, clinic, status):
    expected = request_views.requests_with_status(clinic, status)
    if status != "pending":
        expected = expected.order_by("-start", "-pk")
    expected = list(expected.values_list("pk", flat=True))
    page = request_reads.queue_page(clinic, status, 1)
    assert expected
    assert _pks(page) == expected
    assert page.paginator.count == len(expected)


def test_the_request_row_is_the_models(every_status, clinic):
    approved = AppointmentRequest.objects.get(status="approved")
    row = request_reads.request_row(clinic, approved.pk)
    assert row.start == approved.start
    assert row.appointment_id == approved.appointment_id
    assert row.appointment__start == approved.appointment.start
    assert row.appointment__location__time_zone == approved.appointment.location.time_zone
    assert row.chart_case__case_id == approved.chart_case.case_id
    assert request_reads.live_with(clinic, approved.pk) == (2, False)
    assert request_reads.live_with(clinic, every_status.pk) == (2, True)
    assert AppointmentRequest.objects.live(clinic).count() == 2


def test_the_approve_choices_are_the_forms_querysets(
    pending_request, clinic, speech, occupational, ot_therapist
):
    AppointmentTypeFactory(clinic=clinic, name="Archived type", is_active=False)
    AppointmentTypeFactory(clinic=clinic, name="assessment")  # sorts as the database sorts
    LocationFactory(clinic=clinic, name="Closed office", is_active=False)
    LocationFactory(clinic=clinic, name="Annex")
    UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech], is_active=False)
    UserFactory(clinic=clinic, roles=[SCHEDULER], service_types=[speech])
    UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech], first_name="")
    UserFactory(
        clinic=clinic,
        roles=[THERAPIST],
        service_types=[speech, occupational],
        first_name="",
        last_name="",
        email="noname@riverside.test",
    )
    chart_case = pending_request.chart_case
    choices = request_reads.approve_choices(clinic.pk, chart_case.case_id)

    def offered(queryset):
        return [(row.pk, str(row)) for row in queryset]

    assert choices["appointment_type"] == offered(
        AppointmentType.objects.filter(clinic=clinic, is_active=True).order_by("name")
    )
    assert choices["location"] == offered(
        Location.objects.filter(clinic=clinic, is_active=True).order_by("name")
    )
    assert choices["therapist"] == offered(services.case_therapists(chart_case))
    assert (ot_therapist.pk, str(ot_therapist)) not in choices["therapist"]
    assert len(choices["therapist"]) == 3


def test_no_statement_reads_another_clinics_rows(
    every_status, clinic, other_clinic, other_admin, therapist
):
    """Every statement is filtered by clinic: the other clinic, asking with our ids, reads
    none of our rows (and its own request, none of ours)."""
    other_case = PatientCaseFactory(
        clinic=other_clinic, service_types=[ServiceTypeFactory(clinic=other_clinic)]
    )
    other_chart_case = PatientChartCaseFactory(case=other_case)
    theirs = AppointmentRequest.objects.create(
        clinic=other_clinic,
        chart_case=other_chart_case,
        patient=other_chart_case.patient,
        appointment_type=AppointmentTypeFactory(clinic=other_clinic),
        location=LocationFactory(clinic=other_clinic),
        therapist=UserFactory(clinic=other_clinic, roles=[THERAPIST]),
        start=every_status.start,
        duration_minutes=45,
        created_by=other_admin,
    )
    AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=every_status.chart_case.case),
        therapist=therapist,
        location=every_status.location,
        appointment_type=every_status.appointment_type,
        start=every_status.start,
    )
    ours = set(AppointmentRequest.objects.filter(clinic=clinic).values_list("pk", flat=True))
    for status, _ in request_views.FILTERS:
        assert not set(_pks(request_reads.queue_page(other_clinic, status, 1))) & ours
    assert _pks(request_reads.queue_page(other_clinic, "pending", 1)) == [theirs.pk]
    assert request_reads.request_row(other_clinic, every_status.pk) is None
    assert request_reads.live_with(other_clinic, theirs.pk) == (1, True)
    assert request_reads.live_with(other_clinic, every_status.pk) == (1, False)
    assert request_reads.snapshots(clinic, [every_status])[every_status.pk]
    assert request_reads.snapshots(other_clinic, [every_status]) == {every_status.pk: []}
    assert request_reads.approve_choices(other_clinic.pk, every_status.chart_case.case_id) == {
        "appointment_type": [(theirs.appointment_type_id, theirs.appointment_type.name)],
        "therapist": [],
        "location": [(theirs.location_id, theirs.location.name)],
    }


def test_the_snapshot_is_the_therapists_appointments_two_hours_either_side(
    pending_request, therapist, ot_therapist, scheduler
):
    """At the edges of the window, long and cancelled visits, another therapist's: the rows
    of the ORM's overlap query, for each request of the page."""
    start, end = pending_request.start, pending_request.end
    hours, minutes = datetime.timedelta(hours=1), datetime.timedelta(minutes=1)

    def visit(at, duration=45, who=therapist, **fields):
        return AppointmentFactory(
            chart_case=PatientChartCaseFactory(case=pending_request.chart_case.case),
            therapist=who,
            location=pending_request.location,
            appointment_type=pending_request.appointment_type,
            start=at,
            duration_minutes=duration,
            end=at + datetime.timedelta(minutes=duration),
            **fields,
        )

    # The requested time 10:00-10:45, the window 8:00-12:45; on later days, other requests.
    visit(start - 2 * hours - 45 * minutes)  # ends as the window opens: out
    visit(start + 15 * minutes)  # over the requested time: in, a clash
    visit(end + 2 * hours - minutes)  # starts a minute before the window closes: in
    visit(start - hours, status="clinic_cancelled", cancel_reason="Closed")  # cancelled: out
    visit(start, who=ot_therapist)  # another therapist: out
    second = _request(pending_request, hours=24)
    visit(second.start - 2 * hours - 44 * minutes)  # ends a minute inside: in
    visit(second.end + 2 * hours)  # starts as it closes: out
    third = _request(pending_request, hours=48)
    visit(third.start - 7 * hours, duration=360)  # a long visit reaching into it: in
    fourth = _request(pending_request, hours=72)
    visit(fourth.start - 9 * hours, duration=420)  # a long one ending as it opens: out
    asked = [pending_request, second, third, fourth]

    shown = request_reads.snapshots(pending_request.clinic, asked)
    for one in asked:
        expected = list(
            Appointment.objects.filter(therapist=one.therapist)
            .overlapping(one.start - request_views.AROUND, one.end + request_views.AROUND)
            .not_cancelled()
            .order_by("start")
            .values_list("start", "end")
        )
        assert [(row.start, row.end) for row in shown[one.pk]] == expected
    assert [len(shown[one.pk]) for one in asked] == [2, 1, 1, 0]


# The pages built from them


def test_names_and_notes_are_escaped_on_the_queue_and_the_request_page(
    client, scheduler, pending_request, therapist, clinic
):
    hostile = PatientFactory(clinic=clinic, first_name="<b>Eve</b>", last_name="O'Hare & Co")
    chart_case = PatientChartCaseFactory(case=pending_request.chart_case.case, patient=hostile)
    shown = _request(pending_request, hours=3, chart_case=chart_case, note="<script>x</script>")
    therapist.first_name = '<i>"Sam"</i>'
    therapist.save()
    AppointmentFactory(
        chart_case=chart_case,
        therapist=therapist,
        location=pending_request.location,
        appointment_type=pending_request.appointment_type,
        start=pending_request.start + datetime.timedelta(hours=2),
    )
    client.force_login(scheduler)
    for url in (
        reverse("scheduling:request_list"),
        reverse("scheduling:request_detail", args=[shown.pk]),
    ):
        # Either engine's spelling of the quotes (Django's or Jinja2's, for the queue's rows).
        html = client.get(url).content.decode().replace("&#39;", "&#x27;")
        html = html.replace("&#34;", "&quot;")
        assert "<b>Eve</b>" not in html
        assert "<script>x</script>" not in html
        assert '<i>"Sam"</i>' not in html
        assert "&lt;b&gt;Eve&lt;/b&gt; O&#x27;Hare &amp; Co" in html
        assert "&lt;script&gt;x&lt;/script&gt;" in html
        assert "&lt;i&gt;&quot;Sam&quot;&lt;/i&gt;" in html


@pytest.mark.parametrize("asked", ["2", "3", "9", "0", "-1", "x", "", "2.0"])
def test_the_queue_pages_as_the_counted_pages(
    client, scheduler, pending_request, clinic, monkeypatch, asked
):
    """As ``Paginator.get_page``, but for a number below 1: the first page, as every counted
    page of the project (``core.pagination.counted_page``)."""
    monkeypatch.setattr(request_reads, "PER_PAGE", 2)
    for hours in range(1, 5):
        _request(pending_request, hours=hours)
    pending = request_views.requests_with_status(clinic, "pending")
    expected = Paginator(pending, 2).get_page("1" if asked in ("0", "-1") else asked)
    client.force_login(scheduler)
    response = client.get(reverse("scheduling:request_list") + f"?page={asked}")
    text = page_text(response)
    assert f"Page {expected.number} of 3" in text
    names = [str(row.patient) for row in expected.object_list.select_related("patient")]
    for name in names:
        assert name in text
    assert text.count("Treatment, 45 min") == len(names)
    assert "Schedule 5 pending appointment requests" in text
    assert "Pending 5" in text


def test_a_therapist_the_page_does_not_offer_is_the_fields_error(
    client, scheduler, pending_request, ot_therapist
):
    client.force_login(scheduler)
    response = client.post(
        reverse("scheduling:request_approve", args=[pending_request.pk]),
        {"therapist": ot_therapist.pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice. That choice is not one of the available choices." in page_text(
        response
    )
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Appointment.objects.exists()


def test_an_approved_requests_page_links_its_appointment_and_offers_no_forms(
    client, scheduler, pending_request, location
):
    approved = services.request_approve(request=pending_request, by=scheduler)
    client.force_login(scheduler)
    response = client.get(reverse("scheduling:request_detail", args=[pending_request.pk]))
    html = response.content.decode()
    url = reverse("scheduling:appointment_detail", args=[approved.appointment_id])
    when = approved.appointment.start.astimezone(location.tzinfo)
    assert f'<a href="{url}">{when:%b %-d, %Y %-I:%M %p}</a>' in html
    assert "Approve and book" not in html
    assert "Status Approved" in page_text(response)


def test_a_pending_request_past_its_time_says_it_expires(
    client, scheduler, pending_request, location, clinic
):
    AppointmentRequest.objects.filter(pk=pending_request.pk).update(
        start=local(location, clinic.today() - datetime.timedelta(days=1), 10)
    )
    client.force_login(scheduler)
    response = client.get(reverse("scheduling:request_detail", args=[pending_request.pk]))
    assert "Pending (past its time or limit: it expires)" in page_text(response)
    assert "Approve and book" not in page_text(response)
