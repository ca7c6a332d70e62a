"""Account safety: the clinic's last administrator, generic e-mail refusals, spraying and
lock-outs, sessions that end on deactivation and after an absolute lifetime."""

import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.forms import EMAIL_UNUSABLE
from accounts.models import User
from core.middleware import SESSION_STARTED_KEY
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from tests.factories import UserFactory
from tests.hardening.helpers import form_data, logged_in, text

PASSWORD = "correct-horse-battery-9"  # the factories' password
LOGIN_URL = reverse("accounts:login")


def _log_in(client, email, password, address="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=address)


def _roles(*names):
    return [str(pk) for pk in Group.objects.filter(name__in=names).values_list("pk", flat=True)]


def test_the_last_administrator_cannot_remove_their_own_administrator_role(administrator):
    client = logged_in(administrator)
    url = reverse("accounts:staff_update", args=[administrator.pk])
    data = form_data(client.get(url))
    data["roles"] = _roles(SCHEDULER)

    response = client.post(url, data)

    assert response.status_code == 400
    assert "is the clinic's last active administrator" in text(response)
    assert administrator.groups.filter(name=ADMINISTRATOR).exists()


def test_with_a_second_administrator_the_role_may_go(administrator, second_admin):
    client = logged_in(administrator)
    url = reverse("accounts:staff_update", args=[second_admin.pk])
    data = form_data(client.get(url))
    data["roles"] = _roles(SCHEDULER)

    assert client.post(url, data).status_code == 302
    assert not second_admin.groups.filter(name=ADMINISTRATOR).exists()


def test_a_deactivated_administrator_does_not_count(administrator, second_admin):
    from accounts import services

    second_admin.is_active = False
    second_admin.save()

    with pytest.raises(services.ValidationError, match="last active administrator"):
        services.staff_update(
            user=administrator,
            expected_version=administrator.version,
            email=administrator.email,
            first_name="A",
            last_name="B",
            roles=Group.objects.filter(name=SCHEDULER),
            service_types=[],
        )
    with pytest.raises(services.ValidationError, match="last active administrator"):
        services.staff_set_active(user=administrator, active=False, by=second_admin)


def test_an_email_used_in_another_clinic_gets_the_generic_message(
    administrator, other_admin, speech
):
    response = logged_in(administrator).post(
        reverse("accounts:staff_create"),
        {
            "first_name": "Ann",
            "last_name": "Other",
            "email": other_admin.email,
            "roles": _roles(SCHEDULER),
            "password1": "Willow-Harbour-88",
            "password2": "Willow-Harbour-88",
        },
    )

    assert response.status_code == 400
    assert EMAIL_UNUSABLE in text(response)
    assert "already exists" not in text(response)


def test_one_address_trying_one_password_against_many_accounts_is_locked_out(clinic):
    users = [UserFactory(clinic=clinic, roles=[THERAPIST]) for _ in range(21)]
    client = Client()
    statuses = [_log_in(client, user.email, "Spring2026!").status_code for user in users[:20]]
    # Each e-mail failed once only; the address failed twenty times: the twentieth locks it.
    assert statuses == [400] * 19 + [429]

    # The next account, never tried before, with its right password: the address is locked.
    locked = _log_in(client, users[20].email, PASSWORD)
    elsewhere = _log_in(Client(), users[20].email, PASSWORD, address="10.0.0.2")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_a_stranger_cannot_lock_a_user_out_from_another_address(administrator):
    for _ in range(5):
        _log_in(Client(), administrator.email, "wrong", address="10.9.9.9")

    assert _log_in(Client(), administrator.email, "wrong", address="10.9.9.9").status_code == 429
    assert _log_in(Client(), administrator.email, PASSWORD).status_code == 302


def test_wrong_current_passwords_on_password_change_count_toward_the_lock_out(administrator):
    client = Client()
    assert _log_in(client, administrator.email, PASSWORD).status_code == 302
    url = reverse("accounts:password_change")
    wrong = {
        "old_password": "guess",
        "new_password1": "Willow-88-x",
        "new_password2": "Willow-88-x",
    }

    statuses = [client.post(url, wrong, REMOTE_ADDR="10.0.0.1").status_code for _ in range(5)]

    assert statuses[:4] == [400] * 4
    assert statuses[4] == 429
    # The session ended, and the right password is refused for the lock-out's time.
    assert "_auth_user_id" not in client.session
    assert _log_in(Client(), administrator.email, PASSWORD).status_code == 429


def test_deactivation_ends_the_sessions_and_reactivation_does_not_revive_them(
    administrator, scheduler
):
    victim = logged_in(scheduler)
    assert victim.get(reverse("home")).status_code == 200
    admin = logged_in(administrator)

    admin.post(reverse("accounts:staff_deactivate", args=[scheduler.pk]))
    admin.post(reverse("accounts:staff_reactivate", args=[scheduler.pk]))

    response = victim.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    # Logging in again works.
    assert _log_in(Client(), scheduler.email, PASSWORD).status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_however_active(administrator, settings):
    client = Client()
    _log_in(client, administrator.email, PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    started = session[SESSION_STARTED_KEY]
    assert abs(started - time.time()) < 60
    session[SESSION_STARTED_KEY] = started - (settings.SESSION_ABSOLUTE_LIFETIME_HOURS * 3600 + 1)
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_the_absolute_lifetime_defaults_to_twelve_hours():
    from fusion import settings as fusion_settings

    assert fusion_settings.SESSION_ABSOLUTE_LIFETIME_HOURS == 12


def test_an_email_is_stored_once_whatever_the_clinic(db):
    assert User._meta.get_field("email").unique
