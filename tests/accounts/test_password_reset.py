"""Forgot your password? on the login page: Django's reset flow, e-mailed through the worker;
the same answer whether or not an address has an account; a link used twice or expired is
refused clearly."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import AuditEntry
from tests.clinic.helpers import field_error, page_text
from tests.factories import UserFactory
from tests.worker import link_in, run_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RESET_URL = reverse("accounts:password_reset")
NEW_PASSWORD = "Amber-Willow-Canyon-3"


def _ask(email):
    return Client().post(RESET_URL, {"email": email}, follow=True)


def _can_log_in(email, password):
    client = Client()
    client.post(reverse("accounts:login"), {"username": email, "password": password})
    return "_auth_user_id" in client.session


def _reset_with(link, password=NEW_PASSWORD):
    client = Client()
    form_url = client.get(link)["Location"]
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_the_login_page_offers_a_reset(client, db):
    response = client.get(reverse("accounts:login"))
    assert f'href="{RESET_URL}"' in response.content.decode()
    assert "Forgot your password?" in page_text(response)


def test_a_staff_member_resets_a_forgotten_password(scheduler):
    response = _ask("Scheduler@Riverside.TEST")

    assert response.redirect_chain == [(reverse("accounts:password_reset_done"), 302)]
    assert "Check your e-mail" in page_text(response)
    run_worker()
    [message] = mail.outbox
    assert message.to == ["scheduler@riverside.test"]
    assert message.subject == "Reset your Fusion Patient Cases password"

    response = _reset_with(link_in(message.body, "/accounts/reset/"))

    assert response.status_code == 302
    assert _can_log_in("scheduler@riverside.test", NEW_PASSWORD)
    assert not _can_log_in("scheduler@riverside.test", "correct-horse-battery-9")
    entries = list(AuditEntry.objects.filter(object_id=str(scheduler.pk)).order_by("at", "pk"))
    assert [(e.action, e.actor) for e in entries] == [
        ("password_reset_request", None),
        ("password_set", scheduler),
    ]


def test_an_unknown_address_gets_the_same_answer_and_no_email(scheduler):
    known = _ask("scheduler@riverside.test")
    unknown = _ask("nobody@riverside.test")

    assert unknown.redirect_chain == known.redirect_chain
    assert page_text(unknown) == page_text(known)
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert [message.to for message in mail.outbox] == [["scheduler@riverside.test"]]


def test_a_deactivated_account_gets_no_email(clinic):
    UserFactory(clinic=clinic, email="gone@riverside.test", is_active=False)
    assert _ask("gone@riverside.test").status_code == 200
    run_worker()
    assert mail.outbox == []


def test_an_invalid_address_is_refused_with_a_message(db):
    response = Client().post(RESET_URL, {"email": "not-an-address"})
    assert response.status_code == 400
    assert field_error(response, "email") == "Enter a valid email address."
    assert not DBTaskResult.objects.exists()


def test_a_reset_link_used_twice_is_refused(scheduler):
    _ask("scheduler@riverside.test")
    run_worker()
    link = link_in(mail.outbox[0].body, "/accounts/reset/")
    assert _reset_with(link).status_code == 302

    response = Client().get(link, follow=True)

    assert response.status_code == 400
    assert "This link no longer works" in page_text(response)
    assert "Forgot your password?" in page_text(response)
    assert _can_log_in("scheduler@riverside.test", NEW_PASSWORD)


def test_an_expired_reset_link_is_refused(scheduler):
    _ask("scheduler@riverside.test")
    run_worker()
    link = link_in(mail.outbox[0].body, "/accounts/reset/")

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=73)):
        response = Client().get(link, follow=True)
        assert response.status_code == 400
        assert "This link no longer works" in page_text(response)
    assert _can_log_in("scheduler@riverside.test", "correct-horse-battery-9")


def test_an_older_reset_link_dies_once_a_newer_one_is_used(scheduler):
    _ask("scheduler@riverside.test")
    _ask("scheduler@riverside.test")
    run_worker()
    first, second = (link_in(m.body, "/accounts/reset/") for m in mail.outbox)
    assert _reset_with(second).status_code == 302
    assert Client().get(first, follow=True).status_code == 400


def test_someone_who_lost_their_invitation_can_reset(clinic):
    invited = UserFactory(clinic=clinic, email="new@riverside.test", password=None)
    invited.set_unusable_password()
    invited.save()
    _ask("new@riverside.test")
    run_worker()
    assert _reset_with(link_in(mail.outbox[0].body, "/accounts/reset/")).status_code == 302
    assert _can_log_in("new@riverside.test", NEW_PASSWORD)


def test_a_portal_user_resets_a_forgotten_password_and_lands_on_the_portal(patient_user):
    _ask("parent@riverside.test")
    run_worker()
    assert _reset_with(link_in(mail.outbox[0].body, "/accounts/reset/")).status_code == 302
    response = Client().post(
        reverse("accounts:login"), {"username": "parent@riverside.test", "password": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("portal:home")
