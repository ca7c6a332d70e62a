"""The confirm and cancel links of a message: no log-in, nothing shown but the visit's time
and place. GET shows the visit and one button; the POST acts (a mail scanner that follows
links must never confirm or cancel anything)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_scopes import scope, scopes_disabled

from messaging.links import LinkError, read_token
from messaging.services.family import cancel_terms
from scheduling.models import Appointment
from scheduling.services import appointment_family_cancel, appointment_family_confirm

TOKEN_MAX = 200


def _visit_for(token: str, purpose: str) -> Appointment:
    """The visit a link names, or ``LinkError`` saying why it cannot be used."""
    if len(token) > TOKEN_MAX:
        raise LinkError("This link is not valid. Copy the whole link from the message.")
    appointment_id, start = read_token(token, purpose=purpose)
    with scopes_disabled():
        appointment = (
            Appointment.objects.select_related("location", "clinic")
            .filter(pk=appointment_id)
            .first()
        )
    if appointment is None:
        raise LinkError("This link is not valid. Copy the whole link from the message.")
    if int(appointment.start.timestamp()) != start:
        raise LinkError(
            "This visit has moved since this message was sent, so its link has expired. "
            "The clinic has sent the new time; use the link in that message.",
            status=410,
        )
    if appointment.start <= timezone.now():
        raise LinkError("This visit has started or is over, so its link has expired.", 410)
    return appointment


def _page(request, template, context, status=200):
    return render(request, f"messaging/{template}.html", context, status=status)


def _refused(request, error, purpose):
    status = getattr(error, "status", 409)
    return _page(request, "link_refused", {"message": str(error), "purpose": purpose}, status)


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    try:
        appointment = _visit_for(token, "confirm")
    except LinkError as error:
        return _refused(request, error, "confirm")
    with scope(clinic=appointment.clinic_id):
        context = {"appointment": appointment, "clinic": appointment.clinic}
        if appointment.is_cancelled:
            return _refused(request, "This visit is cancelled.", "confirm")
        if appointment.patient_confirmed_at is not None:
            return _page(request, "confirmed", {**context, "already": True}, status=409)
        if request.method == "POST":
            try:
                appointment_family_confirm(
                    appointment=appointment, source="Confirmed with the link in a message."
                )
            except ValidationError as error:
                return _refused(request, " ".join(error.messages), "confirm")
            return _page(request, "confirmed", context)
        return _page(request, "confirm", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def cancel(request, token: str):
    try:
        appointment = _visit_for(token, "cancel")
    except LinkError as error:
        return _refused(request, error, "cancel")
    with scope(clinic=appointment.clinic_id):
        rules, late, refuse = cancel_terms(appointment)
        context = {
            "appointment": appointment,
            "clinic": appointment.clinic,
            "late": late,
            "refuse": refuse,
            "rules": rules,
        }
        if appointment.is_cancelled:
            return _page(request, "cancelled", {**context, "already": True}, status=409)
        if refuse:
            return _page(
                request, "cancel", context, status=409 if request.method == "POST" else 200
            )
        if request.method == "POST":
            try:
                appointment_family_cancel(
                    appointment=appointment,
                    late=late,
                    source="Cancelled with the link in a message.",
                )
            except ValidationError as error:
                return _refused(request, " ".join(error.messages), "cancel")
            return _page(request, "cancelled", context)
        return _page(request, "cancel", context)
