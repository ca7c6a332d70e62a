"""Issue 26: the portal's password change counts wrong current passwords as the staff one does
(item 11), and "Forgot your password?" is limited per client address and per e-mail address
(item 5)."""

import datetime

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from tests.hardening.helpers import text

PASSWORD = "correct-horse-battery-9"  # the factories' password
LOGIN_URL = reverse("accounts:login")


def _log_in(client, email, password, address="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=address)


def test_wrong_current_passwords_on_the_portal_count_toward_the_lock_out(patient_user):
    client = Client()
    assert _log_in(client, patient_user.email, PASSWORD).status_code == 302
    url = reverse("portal:password_change")
    wrong = {
        "old_password": "guess",
        "new_password1": "Willow-88-x",
        "new_password2": "Willow-88-x",
    }

    statuses = [client.post(url, wrong, REMOTE_ADDR="10.0.0.1").status_code for _ in range(5)]
    right = client.post(url, {**wrong, "old_password": PASSWORD}, REMOTE_ADDR="10.0.0.1")

    assert statuses == [400] * 4 + [429]
    assert "_auth_user_id" not in client.session
    assert right.status_code == 302 and right["Location"].startswith(LOGIN_URL)
    patient_user.refresh_from_db()
    assert patient_user.check_password(PASSWORD)
    assert _log_in(Client(), patient_user.email, PASSWORD).status_code == 429


RESET_URL = reverse("accounts:password_reset")


def _ask(email, address):
    return Client().post(RESET_URL, {"email": email}, REMOTE_ADDR=address)


def _links_sent(user) -> int:
    return AuditEntry.objects.filter(
        action="password_reset_request", object_id=str(user.pk)
    ).count()


def test_one_client_address_may_ask_for_reset_links_only_so_often(scheduler, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 10
    asked = [_ask(f"person{n}@elsewhere.test", "10.0.0.9").status_code for n in range(10)]

    refused = _ask(scheduler.email, "10.0.0.9")
    elsewhere = _ask(scheduler.email, "10.0.0.10")

    assert asked == [302] * 10
    assert refused.status_code == 429
    assert "Too many password reset requests came from your network" in text(refused)
    assert elsewhere.status_code == 302
    assert _links_sent(scheduler) == 1


def test_the_limit_forgets_requests_older_than_an_hour(scheduler, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 2
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=61)):
        assert [_ask(scheduler.email, "10.0.0.9").status_code for _ in range(3)] == [
            302,
            302,
            429,
        ]

    assert _ask(scheduler.email, "10.0.0.9").status_code == 302


def test_one_e_mail_address_is_sent_only_so_many_links_an_hour(patient_user, settings):
    """Asked from many addresses, the page answers as always, so the limit says nothing about
    whether the address has an account; the inbox gets three links, not thirty."""
    settings.PASSWORD_RESET_EMAIL_LIMIT = 3

    answers = [_ask(patient_user.email.upper(), f"10.0.1.{n}").status_code for n in range(6)]

    assert answers == [302] * 6
    assert _links_sent(patient_user) == 3
