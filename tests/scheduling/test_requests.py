"""Appointment requests: the services (create, cancel, approve, decline, expire), the staff
queue and its pinned query count, approval races, outcome e-mails through the worker, the
``expire_requests`` command."""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from core.models import AuditEntry
from scheduling import services
from scheduling.models import Appointment, AppointmentRequest
from tests.clinic.helpers import page_text
from tests.factories import AppointmentFactory, PatientChartCaseFactory, PortalLinkFactory
from tests.fixtures.scheduling import local
from tests.worker import run_worker


def _create(chart_case, location, treatment, user, start, **kwargs):
    return services.request_create(
        chart_case=chart_case,
        appointment_type=treatment,
        location=location,
        start=start,
        by=user,
        **kwargs,
    )


def test_a_request_at_an_offered_slot_is_saved_pending_with_the_rules_duration(
    portal_chart_case, location, treatment, patient_user, therapist, request_day
):
    start = local(location, request_day, 11)

    made = _create(portal_chart_case, location, treatment, patient_user, start, note=" Hi ")

    assert (made.status, made.duration_minutes, made.therapist, made.note) == (
        "pending",
        45,
        therapist,
        "Hi",
    )
    entry = AuditEntry.objects.get(action="request")
    assert (entry.actor, entry.patient_id) == (patient_user, portal_chart_case.patient_id)


def test_request_slots_come_from_bookable_slots_in_15_minute_steps(
    portal_chart_case, location, therapist, request_day
):
    free = services.request_slots(
        chart_case=portal_chart_case,
        location=location,
        duration_minutes=45,
        therapist_ids=[therapist.pk],
    )[therapist.pk]
    day = [s for s in free if s.astimezone(location.tzinfo).date() == request_day]
    assert day[0] == local(location, request_day, 8)
    assert day[-1] == local(location, request_day, 17, 15)
    assert all(
        (b - a) == datetime.timedelta(minutes=15) for a, b in zip(day, day[1:], strict=False)
    )
    now = portal_chart_case.clinic.now()
    assert min(free) >= now + datetime.timedelta(hours=24)
    assert max(free) <= now + datetime.timedelta(days=60)


@pytest.mark.parametrize(
    "change, field",
    [
        ("off", "chart_case"),
        ("archived", "chart_case"),
        ("type", "appointment_type"),
        ("location", "location"),
        ("past", "start"),
        ("notice", "start"),
        ("horizon", "start"),
        ("not offered", "start"),
        ("note", "note"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(
    change, field, portal_chart_case, location, treatment, patient_user, request_day, clinic
):
    start = local(location, request_day, 11)
    appointment_type = treatment
    note = ""
    if change == "off":
        clinic.requests_enabled = False
        clinic.save()
    elif change == "archived":
        from django.utils import timezone

        portal_chart_case.case.is_archived = True
        portal_chart_case.case.archived_at = timezone.now()
        portal_chart_case.case.save()
    elif change == "type":
        from tests.factories import AppointmentTypeFactory

        appointment_type = AppointmentTypeFactory(clinic=clinic, name="Evaluation")
    elif change == "location":
        location.available_for_requests = False
        location.save()
    elif change == "past":
        start = clinic.now() - datetime.timedelta(hours=1)
    elif change == "notice":
        start = clinic.now() + datetime.timedelta(hours=2)
    elif change == "horizon":
        start = clinic.now() + datetime.timedelta(days=61)
    elif change == "not offered":
        start = local(location, request_day, 11, 5)
    elif change == "note":
        note = "x" * 501
    with pytest.raises(ValidationError) as caught:
        _create(portal_chart_case, location, appointment_type, patient_user, start, note=note)
    assert field in caught.value.message_dict
    assert not AppointmentRequest.objects.exists()
    assert not AuditEntry.objects.filter(action="request").exists()


def test_more_pending_requests_than_allowed_are_refused(
    portal_chart_case, location, treatment, patient_user, request_day
):
    for hour in (9, 10, 11):
        _create(
            portal_chart_case, location, treatment, patient_user, local(location, request_day, hour)
        )
    with pytest.raises(ValidationError, match="already has 3 pending requests"):
        _create(
            portal_chart_case, location, treatment, patient_user, local(location, request_day, 14)
        )
    assert AppointmentRequest.objects.count() == 3


def test_the_same_time_twice_is_one_request(
    portal_chart_case, location, treatment, patient_user, request_day
):
    start = local(location, request_day, 11)
    _create(portal_chart_case, location, treatment, patient_user, start)
    with pytest.raises(ValidationError, match="already requested this time"):
        _create(portal_chart_case, location, treatment, patient_user, start)
    assert AppointmentRequest.objects.count() == 1


def test_a_booked_time_is_not_offered(
    portal_chart_case, location, treatment, patient_user, therapist, request_day, scheduler
):
    AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=portal_chart_case.case),
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, request_day, 11),
        created_by=scheduler,
    )
    with pytest.raises(ValidationError, match="not one of the offered times"):
        _create(
            portal_chart_case,
            location,
            treatment,
            patient_user,
            local(location, request_day, 11, 30),
        )


def test_approve_books_through_the_booking_service_and_links_the_appointment(
    pending_request, scheduler
):
    approved = services.request_approve(request=pending_request, by=scheduler, duration_minutes=60)

    appointment = Appointment.objects.get()
    assert approved.status == "approved"
    assert approved.appointment == appointment
    assert (appointment.duration_minutes, appointment.start, appointment.created_by) == (
        60,
        pending_request.start,
        scheduler,
    )
    assert approved.decided_by == scheduler
    entry = AuditEntry.objects.get(action="approve")
    assert entry.patient_id == pending_request.patient_id
    assert "Changed from the request: duration" in entry.details


@pytest.mark.parametrize("status", ["declined", "cancelled", "expired"])
def test_a_request_no_longer_pending_cannot_be_approved_or_declined(
    pending_request, scheduler, status
):
    AppointmentRequest.objects.filter(pk=pending_request.pk).update(
        status=status, decline_reason="Full"
    )
    with pytest.raises(ValidationError):
        services.request_approve(request=pending_request, by=scheduler)
    with pytest.raises(ValidationError):
        services.request_decline(request=pending_request, by=scheduler, reason="No")
    assert not Appointment.objects.exists()
    assert AppointmentRequest.objects.get().status == status


def test_an_overdue_pending_request_cannot_be_approved_and_leaves_the_queue(
    pending_request, scheduler, client
):
    AppointmentRequest.objects.filter(pk=pending_request.pk).update(
        created_at=pending_request.created_at - datetime.timedelta(days=8)
    )
    with pytest.raises(ValidationError, match="expired"):
        services.request_approve(request=pending_request, by=scheduler)
    client.force_login(scheduler)
    assert "Liam Carter" not in page_text(client.get(reverse("scheduling:request_list")))
    assert "Liam Carter" in page_text(
        client.get(reverse("scheduling:request_list") + "?status=expired")
    )


def test_a_booking_clash_leaves_the_request_pending(
    pending_request, scheduler, speech_case, therapist, location, treatment
):
    AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=speech_case),
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=pending_request.start,
        created_by=scheduler,
    )
    with pytest.raises(ValidationError):
        services.request_approve(request=pending_request, by=scheduler)
    assert AppointmentRequest.objects.get().status == "pending"
    assert Appointment.objects.count() == 1


def test_decline_needs_a_reason(pending_request, scheduler):
    with pytest.raises(ValidationError):
        services.request_decline(request=pending_request, by=scheduler, reason="  ")
    declined = services.request_decline(
        request=pending_request, by=scheduler, reason="Away that week."
    )
    assert (declined.status, declined.decline_reason) == ("declined", "Away that week.")
    assert AuditEntry.objects.filter(action="decline").count() == 1


def test_cancel_by_the_patient(pending_request, patient_user):
    services.request_cancel(request=pending_request, by=patient_user)
    assert AppointmentRequest.objects.get().status == "cancelled"
    assert AuditEntry.objects.get(action="cancel").patient_id == pending_request.patient_id
    with pytest.raises(ValidationError):
        services.request_cancel(request=pending_request, by=patient_user)


def test_expire_requests_marks_overdue_ones_expired(pending_request, clinic):
    old = AppointmentRequest.objects.create(
        clinic=clinic,
        chart_case=pending_request.chart_case,
        patient=pending_request.patient,
        appointment_type=pending_request.appointment_type,
        location=pending_request.location,
        therapist=pending_request.therapist,
        start=pending_request.start + datetime.timedelta(hours=2),
        duration_minutes=45,
        created_by=pending_request.created_by,
    )
    AppointmentRequest.objects.filter(pk=old.pk).update(
        created_at=old.created_at - datetime.timedelta(days=8)
    )

    out = io.StringIO()
    call_command("expire_requests", stdout=out)

    # One request: its count agrees with its noun, no "(s)".
    assert out.getvalue() == "1 request expired.\n"
    assert dict(AppointmentRequest.objects.values_list("pk", "status")) == {
        pending_request.pk: "pending",
        old.pk: "expired",
    }
    assert AuditEntry.objects.filter(action="expire", object_id=str(old.pk)).exists()


# The staff screens


def test_the_queue_lists_pending_requests_with_a_calendar_snapshot(
    client, scheduler, pending_request, therapist, location, treatment, speech_case
):
    AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=speech_case),
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=pending_request.start - datetime.timedelta(hours=1),
        created_by=scheduler,
    )
    client.force_login(scheduler)
    text = page_text(client.get(reverse("scheduling:request_list")))
    for expected in (
        "Liam Carter",
        "Speech Therapy",
        "Treatment, 45 min",
        "Mornings suit us best.",
    ):
        assert expected in text
    assert "9:00–9:45 AM" in text


def test_the_queue_answers_in_a_fixed_number_of_queries(
    client, scheduler, pending_request, django_assert_num_queries
):
    client.force_login(scheduler)
    url = reverse("scheduling:request_list")
    client.get(url)
    for _ in range(5):
        AppointmentRequest.objects.create(
            clinic=pending_request.clinic,
            chart_case=PatientChartCaseFactory(case=pending_request.chart_case.case),
            patient=pending_request.patient,
            appointment_type=pending_request.appointment_type,
            location=pending_request.location,
            therapist=pending_request.therapist,
            start=pending_request.start,
            duration_minutes=45,
            created_by=pending_request.created_by,
        )
    # The Schedule tab's pending badge reuses the queue's own count of the Pending filter.
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_a_scheduler_changes_the_duration_and_approves(client, scheduler, pending_request):
    client.force_login(scheduler)
    detail = client.get(reverse("scheduling:request_detail", args=[pending_request.pk]))
    assert "Approve and book" in page_text(detail)

    response = client.post(
        reverse("scheduling:request_approve", args=[pending_request.pk]),
        {"duration_minutes": "60"},
    )

    assert response.status_code == 302
    assert Appointment.objects.get().duration_minutes == 60
    again = client.post(reverse("scheduling:request_approve", args=[pending_request.pk]), {})
    assert again.status_code == 409
    assert "already approved" in page_text(again)
    assert Appointment.objects.count() == 1


def test_decline_without_a_reason_is_a_400(client, scheduler, pending_request):
    client.force_login(scheduler)
    url = reverse("scheduling:request_decline", args=[pending_request.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Give the reason the patient will read." in page_text(response)
    assert AppointmentRequest.objects.get().status == "pending"


def test_pending_requests_show_on_the_day_view_as_tentative(
    client, scheduler, pending_request, location, request_day
):
    client.force_login(scheduler)
    response = client.get(
        reverse("scheduling:calendar_day") + f"?location={location.pk}&date={request_day}"
    )
    text = page_text(response)
    assert "10:00–10:45 AM Liam Carter Requested · pending · Treatment, 45 min" in text
    assert "Schedule 1 pending appointment requests" in text
    assert "Appointment Requests 1 pending" in text


def test_another_clinics_request_is_a_404(client, other_admin, pending_request):
    client.force_login(other_admin)
    assert (
        client.get(reverse("scheduling:request_detail", args=[pending_request.pk])).status_code
        == 404
    )


# Races and e-mail: real connections and commits


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_schedulers_approving_two_requests_for_one_slot_one_wins(
    scheduler, administrator, pending_request, speech_case, patient_user
):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL or a SQLite file (as the booking race)")
    other_case = PatientChartCaseFactory(case=speech_case)
    PortalLinkFactory(user=patient_user, patient=other_case.patient)
    rival = AppointmentRequest.objects.create(
        clinic=pending_request.clinic,
        chart_case=other_case,
        patient=other_case.patient,
        appointment_type=pending_request.appointment_type,
        location=pending_request.location,
        therapist=pending_request.therapist,
        start=pending_request.start,
        duration_minutes=45,
        created_by=patient_user,
    )
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def approve(user, appointment_request):
        try:
            browser = Client()
            browser.force_login(user)
            barrier.wait()
            response = browser.post(
                reverse("scheduling:request_approve", args=[appointment_request.pk]), {}
            )
            statuses.append(response.status_code)
            if response.status_code == 400:
                assert "already has an appointment" in response.content.decode()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(scheduler, pending_request)),
        threading.Thread(target=approve, args=(administrator, rival)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(statuses) == [302, 400]
    assert Appointment.objects.count() == 1
    assert sorted(AppointmentRequest.objects.values_list("status", flat=True)) == [
        "approved",
        "pending",
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outcome_emails_go_through_the_worker(pending_request, scheduler, clinic):
    services.request_approve(request=pending_request, by=scheduler)
    second = AppointmentRequest.objects.create(
        clinic=clinic,
        chart_case=pending_request.chart_case,
        patient=pending_request.patient,
        appointment_type=pending_request.appointment_type,
        location=pending_request.location,
        therapist=pending_request.therapist,
        start=pending_request.start + datetime.timedelta(days=1),
        duration_minutes=45,
        created_by=pending_request.created_by,
    )
    services.request_decline(request=second, by=scheduler, reason="Away that day.")
    assert not mail.outbox

    run_worker()

    approved, declined = sorted(mail.outbox, key=lambda m: m.subject)
    assert approved.to == ["parent@riverside.test"]
    assert approved.subject == "Riverside Therapy: your appointment request was approved"
    assert "Treatment with" in approved.body
    assert "The clinic's reason: Away that day." in declined.body


def test_booking_over_a_pending_request_is_allowed_with_a_warning(
    client, scheduler, pending_request, therapist, location, treatment, speech_case, request_day
):
    other = PatientChartCaseFactory(case=speech_case)
    client.force_login(scheduler)
    response = client.post(
        reverse("scheduling:appointment_create"),
        {
            "patient": other.patient_id,
            "therapists": [therapist.pk],
            "location": location.pk,
            "appointment_type": treatment.pk,
            "date": request_day.isoformat(),
            "time": "10:15",
            "case": f"chart:{other.pk}",
        },
        follow=True,
    )
    assert Appointment.objects.count() == 1
    assert "overlaps Liam Carter's pending request" in page_text(response)


def test_a_request_page_answers_in_a_fixed_number_of_queries(
    client, scheduler, pending_request, django_assert_num_queries
):
    client.force_login(scheduler)
    url = reverse("scheduling:request_detail", args=[pending_request.pk])
    client.get(url)
    # The live requests' count is also the Schedule tab's (test_request_query_counts.py).
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
