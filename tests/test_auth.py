"""Logging in and out, the lock-out, password change, the idle timeout, and what a visitor is
shown when refused: the log-in page, or a friendly 403/404 in the site's layout."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.clinic.helpers import field_error, page_text

LOGIN_URL = reverse("accounts:login")
PASSWORD = "correct-horse-battery-9"  # the factories' password
WRONG_LOGIN = "Please enter a correct e-mail address and password."


def _log_in(client, email, password, **extra):
    return client.post(LOGIN_URL, {"username": email, "password": password, **extra})


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


# --- log in ---------------------------------------------------------------------------------


def test_the_login_page_is_open_to_visitors(client, db):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert "E-mail" in page_text(response)


@pytest.mark.parametrize("typed", ["admin@riverside.test", " Admin@Riverside.TEST "])
def test_log_in_by_email_through_the_form(typed, client, administrator):
    response = _log_in(client, typed, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert _logged_in_as(client) == str(administrator.pk)


def test_log_in_returns_to_the_page_asked_for(client, administrator):
    response = _log_in(client, administrator.email, PASSWORD, next="/setup/service-types/")

    assert response.url == "/setup/service-types/"


def test_log_in_never_sends_to_another_site(client, administrator):
    response = _log_in(client, administrator.email, PASSWORD, next="https://evil.example/")

    assert response.url == reverse("home")


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("admin@riverside.test", "wrong-password"),
        ("admin@riverside.test", PASSWORD.upper()),
        ("nobody@riverside.test", PASSWORD),
    ],
)
def test_a_wrong_password_or_unknown_email_is_refused(email, password, client, administrator):
    response = _log_in(client, email, password)

    assert response.status_code == 400
    assert WRONG_LOGIN in page_text(response)
    assert not _logged_in_as(client)


def test_empty_fields_are_refused_next_to_the_field(client, db):
    response = _log_in(client, "", "")

    assert response.status_code == 400
    assert "This field is required." in field_error(response, "username")
    assert "This field is required." in field_error(response, "password")


def test_a_deactivated_user_cannot_log_in(client, administrator):
    administrator.is_active = False
    administrator.save()

    response = _log_in(client, administrator.email, PASSWORD)

    assert response.status_code == 400
    assert not _logged_in_as(client)


def test_five_failures_lock_the_account_even_against_the_right_password(client, administrator):
    for _ in range(5):
        _log_in(client, administrator.email, "wrong-password")

    response = _log_in(client, administrator.email, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed log-ins" in page_text(response)
    assert not _logged_in_as(client)


def test_other_spellings_of_a_locked_email_are_locked_too(client, administrator):
    for _ in range(5):
        _log_in(client, administrator.email, "wrong-password")

    response = _log_in(client, "ADMIN@riverside.test", PASSWORD)

    assert response.status_code == 429
    assert not _logged_in_as(client)


def test_four_failures_do_not_lock(client, administrator):
    for _ in range(4):
        _log_in(client, administrator.email, "wrong-password")

    response = _log_in(client, administrator.email, PASSWORD)

    assert response.status_code == 302
    assert _logged_in_as(client) == str(administrator.pk)


def test_a_lock_out_is_for_that_email_only(client, administrator, scheduler):
    for _ in range(5):
        _log_in(client, administrator.email, "wrong-password")

    _log_in(client, scheduler.email, PASSWORD)

    assert _logged_in_as(client) == str(scheduler.pk)


# --- log out --------------------------------------------------------------------------------


def test_log_out_needs_a_post(administrator_client, administrator):
    response = administrator_client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert _logged_in_as(administrator_client) == str(administrator.pk)


def test_log_out(administrator_client):
    response = administrator_client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response.url == LOGIN_URL
    assert not _logged_in_as(administrator_client)
    assert administrator_client.get(reverse("home")).status_code == 302


# --- password change ------------------------------------------------------------------------

PASSWORD_URL = reverse("accounts:password_change")


def _change(client, old, new1, new2=None):
    return client.post(
        PASSWORD_URL,
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
        follow=True,
    )


def test_password_change(administrator_client, administrator):
    response = _change(administrator_client, PASSWORD, "Willow-Harbour-88")

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your password was changed." in page_text(response)
    assert _logged_in_as(administrator_client) == str(administrator.pk)  # still logged in
    administrator.refresh_from_db()
    assert administrator.check_password("Willow-Harbour-88")
    assert _log_in(Client(), administrator.email, "Willow-Harbour-88").status_code == 302


@pytest.mark.parametrize(
    ("old", "new1", "new2", "field", "message"),
    [
        (
            "wrong-password",
            "Willow-Harbour-88",
            None,
            "old_password",
            "Your old password was entered incorrectly.",
        ),
        (PASSWORD, "Willow-Harbour-88", "Willow-Harbour-89", "new_password2", "didn’t match"),
        (PASSWORD, "short", None, "new_password2", "This password is too short."),
    ],
)
def test_a_bad_password_change_is_refused(
    old, new1, new2, field, message, administrator_client, administrator
):
    response = _change(administrator_client, old, new1, new2)

    assert response.status_code == 400
    assert message in field_error(response, field)
    administrator.refresh_from_db()
    assert administrator.check_password(PASSWORD)


# --- idle timeout ---------------------------------------------------------------------------


def test_sessions_end_after_thirty_idle_minutes_by_default():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True


def _session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_every_request_pushes_the_timeout_back(administrator_client):
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))

    administrator_client.get(reverse("home"))

    remaining = _session_row(administrator_client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_an_idle_session_has_expired(administrator_client):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = administrator_client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/setup/", "/setup/service-types/", "/setup/staff/"])
def test_a_visitor_is_sent_to_log_in(path, client, db):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={path}"


def test_an_administrator_sees_the_admin_tab(administrator_client):
    response = administrator_client.get(reverse("home"))

    assert "Admin" in [tab["label"] for tab in response.context["nav_tabs"]]
    assert 'href="/setup/">Admin</a>' in response.content.decode()


@pytest.mark.parametrize("role", ["scheduler", "therapist"])
def test_other_roles_do_not_see_the_admin_tab(role, client, request):
    client.force_login(request.getfixturevalue(role))

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Admin" not in [tab["label"] for tab in response.context["nav_tabs"]]
    assert 'href="/setup/"' not in response.content.decode()


@pytest.mark.parametrize("url_name", ["accounts:password_change"])
def test_a_portal_user_is_refused_every_staff_page(url_name, client, patient_user):
    """Holding only the Patient role, they reach no staff screen (the site's address takes
    them to the portal instead, issue 24: tests/scheduling/test_front_desk.py)."""
    client.force_login(patient_user)

    response = client.get(reverse(url_name))

    assert response.status_code == 403
    assert "Admin" not in response.content.decode()


def test_page_not_found_uses_the_layout(administrator_client):
    response = administrator_client.get("/no-such-page/")

    assert response.status_code == 404
    text = page_text(response)
    assert "Fusion Patient Cases" in text
    assert "Page not found" in text
    assert "There is nothing at this address, or it is not yours to see." in text


def test_another_clinics_row_gets_the_same_friendly_404(administrator_client, other_clinic):
    from tests.factories import ServiceTypeFactory

    theirs = ServiceTypeFactory(clinic=other_clinic)

    response = administrator_client.get(reverse("clinic:servicetype_update", args=[theirs.pk]))

    assert response.status_code == 404
    assert "There is nothing at this address, or it is not yours to see." in page_text(response)


def test_permission_denied_uses_the_layout(client, scheduler):
    client.force_login(scheduler)

    response = client.get(reverse("clinic:setup_home"))

    assert response.status_code == 403
    text = page_text(response)
    assert "Fusion Patient Cases" in text
    assert "You are not allowed to open this page" in text
    assert "ask your clinic's administrator" in text
