"""Admin > Basic Setup > Reminders; a contact's consent (front desk); a parent's own opt-out in
the portal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from charts.services import contact_consent_set
from core.concurrency import VersionConflict, keep_input
from core.permissions import role_required
from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER
from messaging.access import get_contact_for, own_contacts
from messaging.forms import ReminderSettingsForm
from messaging.models import ReminderSettings
from messaging.services import reminder_settings_update


@role_required(ADMINISTRATOR)
def reminder_settings(request):
    row = ReminderSettings.of(request.user.clinic_id)
    form = ReminderSettingsForm(request.POST or None, instance=row)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            try:
                reminder_settings_update(
                    clinic_id=request.user.clinic_id,
                    by=request.user,
                    expected_version=version,
                    **data,
                )
            except VersionConflict as conflict:
                keep_input(form, conflict)
                return render(
                    request, "messaging/reminder_settings.html", {"form": form}, status=409
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Reminder settings saved.")
                return redirect("messaging:reminder_settings")
        return render(request, "messaging/reminder_settings.html", {"form": form}, status=400)
    return render(request, "messaging/reminder_settings.html", {"form": form})


CHANNELS = {"email", "text"}


@role_required(ADMINISTRATOR, SCHEDULER)
def contact_consent(request, pk: int):
    contact = get_contact_for(request.user, pk, write=request.method == "POST")
    status = 200
    if request.method == "POST":
        channel = request.POST.get("channel", "")
        given = request.POST.get("given") == "yes"
        if channel not in CHANNELS:
            messages.error(request, "Choose e-mail or text messages.")
            status = 400
        else:
            try:
                contact_consent_set(contact=contact, channel=channel, given=given, by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 400
            else:
                messages.success(request, "Consent recorded." if given else "Consent withdrawn.")
                return redirect("messaging:contact_consent", pk=contact.pk)
        contact.refresh_from_db()
    return render(request, "messaging/contact_consent.html", {"contact": contact}, status=status)


@role_required(PATIENT)
def portal_consent(request):
    contacts = own_contacts(request.user)
    if request.method == "POST":
        by_pk = {str(contact.pk): contact for contact in contacts}
        contact, channel = by_pk.get(request.POST.get("contact", "")), request.POST.get("channel")
        if contact is None or channel not in CHANNELS:
            messages.error(request, "Choose one of your own contact entries and a kind of message.")
            return render(
                request, "messaging/portal_consent.html", {"contacts": contacts}, status=400
            )
        contact_consent_set(
            contact=contact,
            channel=channel,
            given=False,
            by=request.user,
            source="Turned off by the contact in the patient portal.",
        )
        messages.success(request, "Done: you will get no more of these messages.")
        return redirect("messaging:portal_consent")
    return render(request, "messaging/portal_consent.html", {"contacts": contacts})
