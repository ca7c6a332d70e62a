"""New staff are invited by e-mail to set their own password: the e-mail is sent by the real
worker after the commit; its one-time link (Django's signed token) sets the password once,
expires after 72 hours and dies when the password changes."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.models import AuditEntry
from core.roles import SCHEDULER
from tests.clinic.helpers import field_error, page_text
from tests.worker import link_in, run_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW_PASSWORD = "Quiet-Harbour-Lantern-7"


def _invite_tess(admin_client):
    response = admin_client.post(
        reverse("accounts:staff_create"),
        {
            "first_name": "Tess",
            "last_name": "Turner",
            "email": "tess@riverside.test",
            "roles": [Group.objects.get(name=SCHEDULER).pk],
        },
    )
    assert response.status_code == 302
    # The request is over and committed; the worker sends what it queued.
    assert mail.outbox == []
    run_worker()
    [message] = mail.outbox
    return message


def _set_password(client, link, password=NEW_PASSWORD):
    response = client.get(link)
    assert response.status_code == 302  # Django moves the token out of the URL into the session
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def _can_log_in(email, password):
    client = Client()
    client.post(reverse("accounts:login"), {"username": email, "password": password})
    return "_auth_user_id" in client.session


def test_a_new_staff_member_sets_their_own_password_from_the_invitation(
    admin_client, administrator
):
    message = _invite_tess(admin_client)

    assert message.to == ["tess@riverside.test"]
    assert message.subject == "You are invited to Fusion Patient Cases"
    assert "Riverside Therapy has invited you" in message.body
    assert "72 hours" in message.body
    link = link_in(message.body, "/accounts/invitation/")

    response = _set_password(Client(), link)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert _can_log_in("tess@riverside.test", NEW_PASSWORD)
    tess = User.objects.get(email="tess@riverside.test")
    assert [(e.action, e.actor) for e in AuditEntry.objects.filter(object_id=str(tess.pk))] == [
        ("password_set", tess),
        ("invite", administrator),
    ]


def test_the_set_password_page_says_so_and_checks_the_password(admin_client):
    link = link_in(_invite_tess(admin_client).body, "/accounts/invitation/")
    client = Client()
    form_url = client.get(link)["Location"]
    page = client.get(form_url)
    assert "Set your password" in page_text(page)
    assert "tess@riverside.test" in page_text(page)

    response = client.post(form_url, {"new_password1": "short", "new_password2": "short"})

    assert response.status_code == 400
    assert "This password is too short" in field_error(response, "new_password2")
    assert not User.objects.get(email="tess@riverside.test").has_usable_password()


def test_an_invitation_link_works_once(admin_client):
    link = link_in(_invite_tess(admin_client).body, "/accounts/invitation/")
    assert _set_password(Client(), link).status_code == 302

    response = Client().get(link, follow=True)

    assert response.status_code == 400
    assert "This link no longer works" in page_text(response)
    assert "already been used, has expired" in page_text(response)
    assert _can_log_in("tess@riverside.test", NEW_PASSWORD)


def test_an_invitation_link_expires_after_72_hours(admin_client):
    link = link_in(_invite_tess(admin_client).body, "/accounts/invitation/")

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=72, minutes=1)):
        response = Client().get(link, follow=True)

    assert response.status_code == 400
    assert "This link no longer works" in page_text(response)
    assert not User.objects.get(email="tess@riverside.test").has_usable_password()


def test_an_invitation_link_dies_when_the_password_changes_another_way(admin_client):
    link = link_in(_invite_tess(admin_client).body, "/accounts/invitation/")
    tess = User.objects.get(email="tess@riverside.test")
    tess.set_password("Some-Other-Password-5")
    tess.save()

    assert Client().get(link, follow=True).status_code == 400


def test_a_tampered_link_is_refused(admin_client):
    link = link_in(_invite_tess(admin_client).body, "/accounts/invitation/")
    tampered = link.rstrip("/")[:-2] + "xx/"

    response = Client().get(tampered, follow=True)

    assert response.status_code == 400
    assert not User.objects.get(email="tess@riverside.test").has_usable_password()


def test_nothing_is_sent_when_adding_the_staff_member_fails(admin_client):
    response = admin_client.post(
        reverse("accounts:staff_create"),
        {"first_name": "Tess", "last_name": "Turner", "email": "tess@riverside.test"},
    )
    assert response.status_code == 400
    run_worker()
    assert mail.outbox == []
