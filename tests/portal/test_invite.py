"""Administrators and schedulers invite a portal user from the patient's page; the invitation
travels through the worker; the new portal user sets a password and lands on the portal."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from core.models import AuditEntry
from core.roles import PATIENT
from portal.models import PortalLink
from tests.clinic.helpers import choice_labels, field_error, page_text
from tests.factories import PatientFactory, PortalLinkFactory, UserFactory
from tests.worker import link_in, run_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Maple-Lighthouse-Orbit-8"


def _invite(client, patient, **data):
    return client.post(
        reverse("portal:invite", args=[patient.pk]),
        {"email": "parent@family.test", "relationship": "parent", **data},
    )


def test_the_patient_page_links_to_portal_access(client, scheduler, charted_patient):
    client.force_login(scheduler)
    response = client.get(reverse("charts:patient_detail", args=[charted_patient.pk]))
    assert reverse("portal:invite", args=[charted_patient.pk]) in response.content.decode()


def test_the_therapist_sees_no_portal_access_link(client, therapist, charted_patient):
    client.force_login(therapist)
    response = client.get(reverse("charts:patient_detail", args=[charted_patient.pk]))
    assert reverse("portal:invite", args=[charted_patient.pk]) not in response.content.decode()


def test_a_scheduler_invites_a_parent_who_sets_a_password_and_sees_the_child(
    client, scheduler, charted_patient
):
    client.force_login(scheduler)
    page = client.get(reverse("portal:invite", args=[charted_patient.pk]))
    assert choice_labels(page, "relationship") == ["Self", "Parent", "Guardian"]

    response = _invite(client, charted_patient, first_name="Maria", last_name="Carter")

    assert response.status_code == 302
    parent = User.objects.get(email="parent@family.test")
    assert parent.clinic == charted_patient.clinic
    assert list(parent.groups.values_list("name", flat=True)) == [PATIENT]
    assert not parent.has_usable_password()
    link = PortalLink.objects.get(user=parent)
    assert (link.patient, link.relationship, link.invited_by) == (
        charted_patient,
        "parent",
        scheduler,
    )
    entry = AuditEntry.objects.get(action="invite")
    assert (entry.actor, entry.patient_id, entry.object_type) == (
        scheduler,
        charted_patient.pk,
        "portal access",
    )
    listed = client.get(reverse("portal:invite", args=[charted_patient.pk]))
    assert "parent@family.test (Maria Carter) · Parent · invited, no password set yet" in (
        page_text(listed)
    )

    run_worker()
    [message] = mail.outbox
    assert message.to == ["parent@family.test"]
    assert message.subject == "Riverside Therapy: your patient portal"
    assert "follow the care of Liam Carter" in message.body
    parent_browser = Client()
    form_url = parent_browser.get(link_in(message.body, "/accounts/invitation/"))["Location"]
    parent_browser.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    response = parent_browser.post(
        reverse("accounts:login"),
        {"username": "parent@family.test", "password": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("portal:home"), 302)]
    assert "Liam Carter" in page_text(response)
    assert "Speech Therapy" in page_text(response)


def test_an_existing_portal_user_gets_the_patient_added(
    client, administrator, clinic, patient_user, portal_patient
):
    sister = PatientFactory(clinic=clinic, first_name="Mia", last_name="Carter")
    client.force_login(administrator)

    response = _invite(client, sister, email="Parent@Riverside.TEST")

    assert response.status_code == 302
    assert User.objects.filter(email="parent@riverside.test").count() == 1
    assert set(PortalLink.objects.filter(user=patient_user).values_list("patient", flat=True)) == {
        portal_patient.pk,
        sister.pk,
    }
    run_worker()
    [message] = mail.outbox
    assert "added Mia Carter to your patient portal account" in message.body
    assert "/accounts/invitation/" not in message.body
    assert patient_user.check_password("correct-horse-battery-9")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"email": "slp@riverside.test"},
            "email",
            "This e-mail address already belongs to an account that cannot be used for the "
            "portal. Use another address.",
            id="a staff member's address",
        ),
        pytest.param(
            {"email": "admin@hillside.test"},
            "email",
            "This e-mail address already belongs to an account that cannot be used for the "
            "portal. Use another address.",
            id="another clinic's address",
        ),
        pytest.param(
            {"email": "parent@riverside.test"},
            "email",
            "parent@riverside.test already has portal access to Liam Carter.",
            id="already linked",
        ),
        pytest.param({"email": "nope"}, "email", "Enter a valid email address.", id="bad e-mail"),
        pytest.param(
            {"relationship": "uncle"},
            "relationship",
            "Select a valid choice. uncle is not one of the available choices.",
            id="unknown relationship",
        ),
        pytest.param(
            {"relationship": ""},
            "relationship",
            "Choose the relationship to the patient.",
            id="no relationship",
        ),
    ],
)
def test_bad_invitations_are_refused_and_change_nothing(
    client, scheduler, therapist, other_admin, portal_patient, data, field, message
):
    client.force_login(scheduler)
    users, links = User.objects.count(), PortalLink.objects.count()

    response = _invite(client, portal_patient, **data)

    assert response.status_code == 400
    assert message in field_error(response, field)
    assert (User.objects.count(), PortalLink.objects.count()) == (users, links)
    assert not AuditEntry.objects.filter(action="invite").exists()
    run_worker()
    assert mail.outbox == []


def test_a_deactivated_portal_user_is_not_given_more_patients(client, scheduler, clinic):
    gone = UserFactory(clinic=clinic, email="gone@family.test", roles=[PATIENT], is_active=False)
    PortalLinkFactory(user=gone)
    client.force_login(scheduler)
    response = _invite(client, PatientFactory(clinic=clinic), email="gone@family.test")
    assert response.status_code == 400
    assert field_error(response, "email") == "This portal account is deactivated."
