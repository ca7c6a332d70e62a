"""The two-session test for the appointment's screens (reschedule, cancel, status) and for a
request's decision: two people open the same screen; the first change stands, the second is
refused (409 for a stale appointment screen), keeps its input, and changes nothing."""

import datetime

from django.urls import reverse

from core.roles import SCHEDULER
from scheduling.models import Appointment, AppointmentRequest
from tests.factories import UserFactory
from tests.hardening.helpers import form_data, logged_in, text

STALE = "Someone else changed this appointment after you opened it."


def _second_scheduler(clinic):
    return UserFactory(clinic=clinic, email="front2@riverside.test", roles=[SCHEDULER])


def _screen(client, name, appointment):
    url = reverse(f"scheduling:appointment_{name}", args=[appointment.pk])
    return url, form_data(client.get(url))


def _moved(data, appointment, hour):
    day = (appointment.start + datetime.timedelta(days=7)).date().isoformat()
    return {**data, "date": [day], "time": [f"{hour}:00"], "reason": ["Asked to move"]}


def test_a_reschedule_from_a_stale_screen_is_a_409_that_keeps_its_input(
    scheduler, clinic, appointment
):
    first, second = logged_in(scheduler), logged_in(_second_scheduler(clinic))
    url, first_form = _screen(first, "reschedule", appointment)
    _, second_form = _screen(second, "reschedule", appointment)
    assert first_form["version"] == second_form["version"] == [str(appointment.version)]

    assert first.post(url, _moved(first_form, appointment, 14)).status_code == 302
    refused = second.post(url, _moved(second_form, appointment, 16))

    assert refused.status_code == 409
    assert STALE in text(refused)
    assert form_data(refused)["time"] == ["16:00"]
    appointment.refresh_from_db()
    assert appointment.local_start.hour == 14


def test_a_cancel_from_a_screen_opened_before_a_move_is_a_409(scheduler, clinic, appointment):
    first, second = logged_in(scheduler), logged_in(_second_scheduler(clinic))
    move_url, move_form = _screen(first, "reschedule", appointment)
    cancel_url, cancel_form = _screen(second, "cancel", appointment)

    assert first.post(move_url, _moved(move_form, appointment, 14)).status_code == 302
    refused = second.post(
        cancel_url, {**cancel_form, "status": ["clinic_cancelled"], "reason": ["Closed early"]}
    )

    assert refused.status_code == 409
    assert STALE in text(refused)
    assert form_data(refused)["reason"] == ["Closed early"]
    assert Appointment.objects.get().status == Appointment.Status.SCHEDULED


def test_a_status_from_a_page_opened_before_a_cancel_is_a_409(scheduler, clinic, appointment):
    first, second = logged_in(scheduler), logged_in(_second_scheduler(clinic))
    detail = reverse("scheduling:appointment_detail", args=[appointment.pk])
    shown = second.get(detail).content.decode()
    assert f'name="version" value="{appointment.version}"' in shown
    cancel_url, cancel_form = _screen(first, "cancel", appointment)

    cancel_form.update(status=["clinic_cancelled"], reason=["Closed"])
    assert first.post(cancel_url, cancel_form).status_code == 302
    refused = second.post(
        reverse("scheduling:appointment_status", args=[appointment.pk]),
        {"status": "checked_in", "version": appointment.version},
    )

    assert refused.status_code == 409
    assert Appointment.objects.get().status == Appointment.Status.CLINIC_CANCELLED


def test_a_request_decided_in_another_session_is_not_decided_again(
    scheduler, clinic, pending_request
):
    first, second = logged_in(scheduler), logged_in(_second_scheduler(clinic))
    url = reverse("scheduling:request_detail", args=[pending_request.pk])
    assert first.get(url).status_code == second.get(url).status_code == 200

    declined = first.post(
        reverse("scheduling:request_decline", args=[pending_request.pk]),
        {"reason": "The therapist is away that week."},
    )
    approved = second.post(reverse("scheduling:request_approve", args=[pending_request.pk]), {})

    assert declined.status_code == 302
    assert approved.status_code in (400, 404, 409)
    pending_request.refresh_from_db()
    assert pending_request.status == AppointmentRequest.Status.DECLINED
    assert not Appointment.objects.filter(chart_case=pending_request.chart_case).exists()
