"""Admin > Basic Setup > Appointment Requests: the clinic's rules for portal requests."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic.models import Clinic
from core.models import AuditEntry
from tests.clinic.helpers import field_error, page_text

URL = reverse("clinic:request_settings")
GOOD = {
    "requests_enabled": "on",
    "request_horizon_days": "30",
    "request_min_notice_hours": "48",
    "request_max_pending": "2",
    "request_pending_lifetime_days": "5",
}


def test_requests_start_off_with_the_documented_defaults(clinic):
    assert (
        clinic.requests_enabled,
        clinic.request_horizon_days,
        clinic.request_min_notice_hours,
        clinic.request_max_pending,
        clinic.request_pending_lifetime_days,
    ) == (False, 60, 24, 3, 7)


def test_the_setting_is_in_the_basic_setup_menu(admin_client):
    response = admin_client.get(reverse("clinic:setup_home"))
    assert f'href="{URL}"' in response.content.decode()


def test_an_administrator_changes_the_settings_and_it_is_audited(
    admin_client, clinic, administrator
):
    response = admin_client.post(URL, GOOD, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Appointment request settings saved." in page_text(response)
    clinic.refresh_from_db()
    assert (
        clinic.requests_enabled,
        clinic.request_horizon_days,
        clinic.request_min_notice_hours,
        clinic.request_max_pending,
        clinic.request_pending_lifetime_days,
    ) == (True, 30, 48, 2, 5)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_type) == (
        administrator,
        "update",
        "appointment request settings",
    )
    assert entry.changes == [
        ["Patients may request appointments", "Off", "On"],
        ["How far ahead patients may ask (days)", "60", "30"],
        ["Minimum notice (hours)", "24", "48"],
        ["Most pending requests per patient", "3", "2"],
        ["A pending request expires after (days)", "7", "5"],
    ]


def test_saving_without_a_change_writes_no_audit_entry(admin_client):
    admin_client.post(
        URL,
        {
            **GOOD,
            "requests_enabled": "",
            "request_horizon_days": "60",
            "request_min_notice_hours": "24",
            "request_max_pending": "3",
            "request_pending_lifetime_days": "7",
        },
    )
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("request_horizon_days", "0", "Ensure this value is greater than or equal to 1."),
        ("request_horizon_days", "366", "Ensure this value is less than or equal to 365."),
        ("request_min_notice_hours", "-1", "Ensure this value is greater than or equal to 0."),
        ("request_min_notice_hours", "721", "Ensure this value is less than or equal to 720."),
        ("request_max_pending", "0", "Ensure this value is greater than or equal to 1."),
        ("request_pending_lifetime_days", "91", "Ensure this value is less than or equal to 90."),
        ("request_pending_lifetime_days", "", "This field is required."),
        ("request_horizon_days", "1.5", "Enter a whole number."),
    ],
)
def test_bad_values_are_refused_and_change_nothing(admin_client, clinic, field, value, message):
    response = admin_client.post(URL, {**GOOD, field: value})

    assert response.status_code == 400
    assert field_error(response, field) == message
    clinic.refresh_from_db()
    assert (clinic.requests_enabled, clinic.request_horizon_days) == (False, 60)
    assert not AuditEntry.objects.exists()


def test_the_database_keeps_the_bounds(clinic):
    with pytest.raises(IntegrityError), transaction.atomic():
        Clinic.objects.filter(pk=clinic.pk).update(request_max_pending=0)
