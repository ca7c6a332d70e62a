"""The text provider's callbacks, one address per clinic (its number's webhooks): delivery
status of a sent text, and a family's reply. Nothing is read before the provider's signature
is checked (a bad one is a 403 that changes nothing); CSRF does not apply (the provider posts,
signed)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseForbidden
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_scopes import scope

from charts.models import PatientContact
from charts.services import contact_consent_set
from core import audit
from messaging.models import Reminder
from messaging.services.delivery import visit_void_reason
from messaging.services.family import cancel_terms
from messaging.texts import CANCEL_WORDS, OPT_OUT_WORDS, digits, valid_signature
from scheduling.models import Appointment
from scheduling.services import appointment_family_cancel

FAILED = {"failed", "undelivered"}


def _signed(request) -> bool:
    fields = {key: request.POST.get(key, "") for key in request.POST}
    return valid_signature(
        request.build_absolute_uri(), fields, request.headers.get("X-Twilio-Signature", "")
    )


@login_not_required
@csrf_exempt
@require_POST
def text_status(request, clinic: int):
    if not _signed(request):
        return HttpResponseForbidden("Bad signature.")
    status = request.POST.get("MessageStatus", "")
    with scope(clinic=clinic):
        reminder = (
            Reminder.objects.filter(
                clinic_id=clinic, provider_id=request.POST.get("MessageSid", "")
            )
            .select_related("appointment__patient")
            .first()
        )
        if reminder is not None and status in FAILED and reminder.status != "failed":
            Reminder.objects.filter(pk=reminder.pk).update(
                status=Reminder.Status.FAILED,
                error=f"The provider could not deliver it ({status}).",
                finished_at=timezone.now(),
            )
            audit.record(
                clinic_id=clinic,
                actor=None,
                action="remind_failed",
                obj=reminder.appointment,
                object_type="appointment",
                patient=reminder.appointment.patient,
                details=f"{reminder.label} by text to {reminder.address} was not "
                f"delivered ({status}).",
            )
    return HttpResponse(status=204)


def _reply(message: str) -> HttpResponse:
    return HttpResponse(
        render_to_string("messaging/text_reply.xml", {"message": message}),
        content_type="text/xml",
    )


@login_not_required
@csrf_exempt
@require_POST
def text_reply(request, clinic: int):
    if not _signed(request):
        return HttpResponseForbidden("Bad signature.")
    word = request.POST.get("Body", "").strip().upper()
    number = digits(request.POST.get("From", ""))
    with scope(clinic=clinic):
        contacts = [
            contact
            for contact in PatientContact.objects.for_clinic(clinic)
            .consented("text")
            .filter(phone__endswith=number[-4:] if number else "-")
            if number and digits(contact.phone) == number
        ]
        if not contacts:
            return _reply("This number gets no texts from the clinic.")
        if word in OPT_OUT_WORDS:
            for contact in contacts:
                contact_consent_set(
                    contact=contact,
                    channel="text",
                    given=False,
                    by=None,
                    source=f"The contact replied {word} to a text.",
                )
            return _reply("You will get no more texts from the clinic.")
        if word in CANCEL_WORDS:
            return _reply(_cancel_last_texted(contacts))
    return _reply("Reply C to cancel your visit, or STOP to stop texts.")


def _cancel_last_texted(contacts) -> str:
    """Cancel the awaited visit of the latest text reminder these contacts were sent (a
    notice's text offers no reply: a series is one notice)."""
    now = timezone.now()
    reminder = (
        Reminder.objects.reminders()
        .filter(
            contact__in=contacts,
            channel="text",
            status="sent",
            appointment__in=Appointment.objects.awaited(now),
        )
        .select_related("appointment__location", "appointment__clinic")
        .order_by("-created_at")
        .first()
    )
    if reminder is None or visit_void_reason(reminder.appointment, reminder.visit_start, now):
        return "There is no upcoming visit to cancel by text. Please call the clinic."
    appointment = reminder.appointment
    rules, late, refuse = cancel_terms(appointment)
    if refuse:
        phone = f" at {rules.phone}" if rules.phone else ""
        return f"It is too late to cancel by text. Please call the clinic{phone}."
    try:
        appointment_family_cancel(
            appointment=appointment, late=late, source="Cancelled by a texted reply of C."
        )
    except ValidationError:
        return "This visit can no longer be cancelled by text. Please call the clinic."
    when = appointment.local_start
    return f"Your visit on {when:%b} {when.day} at {when:%-I:%M %p} is cancelled."
