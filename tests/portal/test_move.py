"""Ask to move a booked visit from the portal: the family chooses among the times the request
screen offers (one rule), the request names the visit (``AppointmentRequest.move_of``), the
staff queue shows it as a move, approving moves the visit through ``appointment_reschedule``
in one transaction, declining leaves it; a visit cancelled by staff meanwhile is refused at
approval with nothing changed. Races with real connections."""

import datetime
import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from core.models import AuditEntry
from scheduling import services
from scheduling.models import Appointment, AppointmentRequest
from tests.clinic.helpers import page_text
from tests.factories import AppointmentTypeFactory
from tests.fixtures.scheduling import local

HOME = reverse("portal:home")


def move_url(visit) -> str:
    return reverse("portal:visit_move", args=[visit.pk])


def offered(response) -> list[str]:
    return re.findall(r'name="start" id="[^"]+" value="([^"]+)"', response.content.decode())


def _ask(portal_client, visit, start: datetime.datetime):
    return portal_client.post(
        move_url(visit),
        {
            "type": visit.appointment_type_id,
            "location": visit.location_id,
            "therapist": "",
            "start": start.isoformat(),
            "note": "Afternoons are better now.",
        },
    )


@pytest.fixture
def move_request(portal_visit, location, request_day, patient_user):
    return services.request_create(
        chart_case=portal_visit.chart_case,
        appointment_type=portal_visit.appointment_type,
        location=location,
        start=local(location, request_day, 11),
        by=patient_user,
        move_of=portal_visit,
    )


def test_the_move_screen_offers_the_request_screens_times(
    portal_client, portal_visit, portal_chart_case, treatment, location
):
    """One rule: the same type, location and week give the same times on both screens
    (the visit's own hour is taken by the visit on both)."""
    query = f"?type={treatment.pk}&location={location.pk}&therapist="
    move = portal_client.get(move_url(portal_visit) + query)
    request = portal_client.get(
        reverse("portal:request_create", args=[portal_chart_case.pk]) + query
    )
    assert move.status_code == request.status_code == 200
    assert offered(move) and offered(move) == offered(request)
    # Opened from the home, it starts at the visit's type and location.
    started = portal_client.get(move_url(portal_visit))
    assert offered(started) == offered(move)
    assert "Booked now:" in page_text(started)


def test_a_family_asks_to_move_a_visit_and_sees_it_pending_first(
    portal_client, portal_visit, location, request_day, patient_user
):
    start = local(location, request_day, 11)
    assert start.astimezone(datetime.UTC).isoformat() in offered(
        portal_client.get(move_url(portal_visit))
    )

    response = _ask(portal_client, portal_visit, start)

    assert response.status_code == 302
    made = AppointmentRequest.objects.get()
    assert (made.move_of_id, made.status, made.start) == (portal_visit.pk, "pending", start)
    before = portal_visit.start
    portal_visit.refresh_from_db()
    assert portal_visit.start == before  # nothing moves until the clinic approves
    text = page_text(portal_client.get(HOME))
    waiting = text.split("Waiting for the clinic's answer")[1].split("Upcoming visits")[0]
    assert f"move of {before.astimezone(location.tzinfo):%a %b %-d, %-I:%M %p}" in waiting
    upcoming = text.split("Upcoming visits")[1]
    assert "You asked to move this visit" in upcoming
    assert "Ask to move" not in upcoming  # one pending move per visit
    entry = AuditEntry.objects.get(action="request")
    assert entry.actor == patient_user and entry.details.startswith("Move of ")


def test_a_second_move_of_the_same_visit_is_refused(
    portal_client, move_request, portal_visit, location, request_day
):
    response = _ask(portal_client, portal_visit, local(location, request_day, 14))
    assert response.status_code == 400
    assert "You already asked to move this visit" in page_text(response)
    assert AppointmentRequest.objects.count() == 1


def test_a_visit_whose_type_may_not_be_requested_offers_no_move(
    portal_client, portal_visit, clinic
):
    other_type = AppointmentTypeFactory(clinic=clinic, name="Evaluation")
    Appointment.objects.filter(pk=portal_visit.pk).update(appointment_type=other_type)
    assert move_url(portal_visit) not in portal_client.get(HOME).content.decode()
    response = portal_client.get(move_url(portal_visit))
    assert response.status_code == 403
    assert "This visit cannot be moved here. Please call the clinic." in page_text(response)


def test_the_queue_shows_a_move_and_approving_moves_the_visit(
    client, scheduler, move_request, portal_visit, location, request_day
):
    client.force_login(scheduler)
    was = portal_visit.start.astimezone(location.tzinfo)
    queue = page_text(client.get(reverse("scheduling:request_list")))
    assert f"Move of {was:%a %b %-d, %-I:%M %p}" in queue
    page = client.get(reverse("scheduling:request_detail", args=[move_request.pk]))
    assert "Approve and move" in page_text(page)

    response = client.post(reverse("scheduling:request_approve", args=[move_request.pk]), {})

    assert response.status_code == 302
    portal_visit.refresh_from_db()
    assert portal_visit.start == local(location, request_day, 11)
    assert portal_visit.status == Appointment.Status.SCHEDULED
    assert Appointment.objects.count() == 1  # moved, not booked again
    move_request.refresh_from_db()
    assert move_request.status == "approved" and move_request.appointment_id is None
    moved = AuditEntry.objects.get(action="reschedule", object_id=str(portal_visit.pk))
    assert moved.actor == scheduler
    assert f"request {move_request.pk}" in moved.details


def test_declining_a_move_leaves_the_visit(client, scheduler, move_request, portal_visit):
    before = (portal_visit.start, portal_visit.version)
    client.force_login(scheduler)
    response = client.post(
        reverse("scheduling:request_decline", args=[move_request.pk]),
        {"reason": "That afternoon is full."},
    )
    assert response.status_code == 302
    portal_visit.refresh_from_db()
    assert (portal_visit.start, portal_visit.version) == before
    move_request.refresh_from_db()
    assert move_request.status == "declined"


def test_a_visit_cancelled_by_staff_meanwhile_is_not_moved(
    client, scheduler, move_request, portal_visit
):
    services.appointment_cancel(
        appointment=portal_visit,
        status=Appointment.Status.CLINIC_CANCELLED,
        reason="Therapist ill",
        by=scheduler,
    )
    portal_visit.refresh_from_db()
    before = (portal_visit.start, portal_visit.version, portal_visit.status)
    client.force_login(scheduler)

    response = client.post(reverse("scheduling:request_approve", args=[move_request.pk]), {})

    assert response.status_code == 409
    assert "This request was already declined." in page_text(response)
    portal_visit.refresh_from_db()
    assert (portal_visit.start, portal_visit.version, portal_visit.status) == before
    move_request.refresh_from_db()
    assert move_request.status == "declined"
    assert (
        move_request.decline_reason == "The visit was cancelled by the clinic, so it will not move."
    )
    assert not AuditEntry.objects.filter(action__in=["approve", "reschedule"]).exists()


def test_a_visit_no_longer_booked_closes_its_pending_move(
    scheduler, move_request, portal_visit, patient_user
):
    """Cancelling the visit closes the family's request to move it (so does any status but
    Scheduled): the queue no longer lists it, and the family sees why in the portal."""
    client, family = Client(), Client()
    client.force_login(scheduler)
    family.force_login(patient_user)
    assert move_request.pk in _queue_ids(client)

    services.appointment_cancel(
        appointment=portal_visit,
        status=Appointment.Status.CLINIC_CANCELLED,
        reason="Therapist ill",
        by=scheduler,
    )

    move_request.refresh_from_db()
    assert (move_request.status, move_request.decided_by) == ("declined", scheduler)
    assert move_request.pk not in _queue_ids(client)
    assert "The visit was cancelled by the clinic, so it will not move." in page_text(
        family.get(HOME)
    )
    entry = AuditEntry.objects.get(action="decline", object_type="appointment request")
    assert entry.details == "The visit was cancelled by the clinic, so it will not move."


def test_a_family_cancelling_the_visit_withdraws_its_move(
    portal_client, move_request, portal_visit
):
    response = portal_client.post(
        reverse("portal:visit_cancel", args=[portal_visit.pk]), {"version": portal_visit.version}
    )
    assert response.status_code == 302
    move_request.refresh_from_db()
    assert (move_request.status, move_request.decline_reason) == ("cancelled", "")


def _queue_ids(client) -> set[int]:
    page = client.get(reverse("scheduling:request_list")).content.decode()
    return {int(pk) for pk in re.findall(r"/schedule/requests/(\d+)/", page)}


def test_a_move_keeps_the_visits_type(client, scheduler, move_request, portal_visit, clinic):
    other_type = AppointmentTypeFactory(clinic=clinic, name="Evaluation")
    with pytest.raises(Exception) as refused:
        services.request_approve(request=move_request, by=scheduler, appointment_type=other_type)
    assert "A move keeps the visit's type." in str(refused.value)
    move_request.refresh_from_db()
    assert move_request.status == "pending"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_cancelling_while_another_approves_the_move_never_leaves_both_half_done(
    scheduler, administrator, move_request, portal_visit, location, request_day
):
    """Real parallel connections: a scheduler approves the move while an administrator
    cancels the visit. Whichever commits first, the other sees it: either the visit moved
    (request approved) and was then cancelled, or it was cancelled and the approval refused
    (the request closed with the visit, or left pending when the approval held it at that
    moment); never a moved visit with a pending request, and never a deadlock."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL or a SQLite file (as the booking race)")
    original = portal_visit.start
    barrier = threading.Barrier(2)
    outcomes, errors = {}, []

    def approve():
        try:
            browser = Client()
            browser.force_login(scheduler)
            barrier.wait()
            url = reverse("scheduling:request_approve", args=[move_request.pk])
            outcomes["approve"] = browser.post(url, {}).status_code
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    def cancel():
        try:
            barrier.wait()
            with scope(clinic=portal_visit.clinic_id):
                services.appointment_cancel(
                    appointment=Appointment.objects.get(pk=portal_visit.pk),
                    status=Appointment.Status.CLINIC_CANCELLED,
                    reason="Therapist ill",
                    by=administrator,
                )
            outcomes["cancel"] = "done"
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert outcomes["cancel"] == "done"
    portal_visit.refresh_from_db()
    move_request.refresh_from_db()
    assert portal_visit.status == Appointment.Status.CLINIC_CANCELLED
    if outcomes["approve"] == 302:
        assert move_request.status == "approved"
        assert portal_visit.start == local(location, request_day, 11)
    else:
        assert outcomes["approve"] == 409
        assert move_request.status in {"pending", "declined"}
        assert portal_visit.start == original


def test_a_missed_visit_declines_its_move_in_plain_words(scheduler, move_request, portal_visit):
    services.appointment_set_status(
        appointment=portal_visit, status=Appointment.Status.NO_SHOW, by=scheduler
    )
    move_request.refresh_from_db()
    assert (move_request.status, move_request.decline_reason) == (
        "declined",
        "The visit was missed, so it will not move.",
    )
