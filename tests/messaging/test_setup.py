"""Reminder settings, consent per contact (front desk) and a parent's own opt-out (portal)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from charts.models import PatientContact
from core.models import AuditEntry
from messaging.models import ReminderSettings
from tests.factories import PatientContactFactory, PortalLinkFactory

pytestmark = pytest.mark.django_db

VALID = {
    "enabled": "on",
    "first_lead_hours": "24",
    "second_lead_hours": "3",
    "quiet_start": "20:00",
    "quiet_end": "07:30",
    "wording": "See you on {date} at {time}, {location}. {clinic}",
    "cancel_window_hours": "12",
    "late_cancel": "refuse",
    "phone": "555-0199",
    "version": "1",
}


def test_an_administrator_saves_the_settings(administrator_client, clinic):
    response = administrator_client.post(reverse("messaging:reminder_settings"), VALID)
    assert response.status_code == 302
    row = ReminderSettings.objects.get(clinic=clinic)
    assert (row.first_lead_hours, row.second_lead_hours, row.late_cancel) == (24, 3, "refuse")
    assert AuditEntry.objects.filter(object_type="reminder settings").exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_lead_hours": "0"}, "first_lead_hours", "greater than or equal to 1"),
        ({"first_lead_hours": "337"}, "first_lead_hours", "less than or equal to 336"),
        ({"second_lead_hours": "30"}, "second_lead_hours", "fewer hours"),
        ({"quiet_start": "08:00", "quiet_end": "08:00"}, "quiet_end", "leave no time"),
        ({"wording": "Your {diagnosis} visit"}, "wording", "remove {diagnosis}"),
        ({"wording": "Your {service} visit"}, "wording", "remove {service}"),
        ({"wording": "Your {clinic.name} visit"}, "wording", "remove"),
        ({"wording": "Unclosed {clinic"}, "wording", "both braces"),
    ],
)
def test_bad_settings_get_a_message_and_change_nothing(
    administrator_client, clinic, changes, field, message
):
    response = administrator_client.post(
        reverse("messaging:reminder_settings"), {**VALID, **changes}
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not ReminderSettings.objects.filter(clinic=clinic).exists()


def test_the_service_may_be_named_when_the_clinic_turns_it_on(administrator_client, clinic):
    data = {**VALID, "wording": "Your {service} visit", "show_service": "on"}
    assert (
        administrator_client.post(reverse("messaging:reminder_settings"), data).status_code == 302
    )


def test_the_front_desk_records_consent_with_who_and_when(client, scheduler, speech_patient):
    contact = PatientContactFactory(patient=speech_patient)
    client.force_login(scheduler)
    url = reverse("messaging:contact_consent", kwargs={"pk": contact.pk})
    assert client.post(url, {"channel": "email", "given": "yes"}).status_code == 302
    contact.refresh_from_db()
    assert contact.email_consent_by == scheduler
    assert contact.email_consent_at is not None
    assert PatientContact.objects.consented("email").filter(pk=contact.pk).exists()


def test_text_consent_needs_a_mobile_number(client, scheduler, speech_patient):
    contact = PatientContactFactory(patient=speech_patient, phone="")
    client.force_login(scheduler)
    url = reverse("messaging:contact_consent", kwargs={"pk": contact.pk})
    response = client.post(url, {"channel": "text", "given": "yes"})
    assert response.status_code == 400
    assert "Add a mobile number" in response.content.decode()
    contact.refresh_from_db()
    assert contact.text_consent_at is None


def test_a_parent_turns_their_own_messages_off_in_the_portal(client, speech_patient):
    link = PortalLinkFactory(patient=speech_patient, user__email="maria.carter@example.com")
    mine = PatientContactFactory(
        patient=speech_patient, email="maria.carter@example.com", email_consent_at=timezone.now()
    )
    other = PatientContactFactory(
        patient=speech_patient, email="dad@example.com", email_consent_at=timezone.now()
    )
    client.force_login(link.user)
    url = reverse("messaging:portal_consent")
    page = client.get(url).content.decode()
    assert "maria.carter@example.com" in page
    assert "dad@example.com" not in page
    # Another contact's row is not theirs to change.
    assert client.post(url, {"contact": other.pk, "channel": "email"}).status_code == 400
    assert client.post(url, {"contact": mine.pk, "channel": "email"}).status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.email_consent_at is None
    assert other.email_consent_at is not None
