"""The portal shows a portal user only their own patients; staff screens send them to the
portal at log-in, and the portal refuses staff-only users."""

import pytest
from django.test import Client
from django.urls import reverse

from charts.models import PatientChartCase
from core.models import AuditEntry
from core.roles import PATIENT
from tests.clinic.helpers import page_text
from tests.factories import (
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    PortalLinkFactory,
    UserFactory,
)
from tests.portal.test_portal_query_counts import HOME_QUERIES

HOME = reverse("portal:home")


def test_a_portal_user_sees_only_their_patients_and_active_cases(
    portal_client, portal_patient, other_family_patient, speech_case, clinic, occupational
):
    ot_case = PatientCaseFactory(
        clinic=clinic, name="Occupational Therapy", service_types=[occupational]
    )
    PatientChartCaseFactory(
        patient=portal_patient,
        case=ot_case,
        status=PatientChartCase.Status.DISCHARGED,
        discharged_on=clinic.today(),
    )
    PatientChartCaseFactory(patient=other_family_patient, case=speech_case)

    text = page_text(portal_client.get(HOME))

    assert "Liam Carter" in text
    assert "You are the parent" in text
    assert "Speech Therapy" in text
    assert "Occupational Therapy" not in text  # discharged: not current care
    assert "Zoe Other" not in text


def test_another_familys_patient_is_a_404(portal_client, other_family_patient):
    url = reverse("portal:patient_detail", args=[other_family_patient.pk])
    assert portal_client.get(url).status_code == 404


def test_another_clinics_patient_is_a_404(portal_client, other_clinic):
    stranger = PatientFactory(clinic=other_clinic)
    url = reverse("portal:patient_detail", args=[stranger.pk])
    assert portal_client.get(url).status_code == 404


def test_a_portal_users_patient_page_shows_the_cases_and_is_audited(
    portal_client, portal_patient, patient_user
):
    response = portal_client.get(reverse("portal:patient_detail", args=[portal_patient.pk]))
    assert response.status_code == 200
    assert "Speech Therapy" in page_text(response)
    entry = AuditEntry.objects.get(action="access")
    assert (entry.actor, entry.patient_id) == (patient_user, portal_patient.pk)


def test_portal_pages_carry_no_staff_links(portal_client, portal_patient):
    content = portal_client.get(HOME).content.decode()
    for staff_url in (reverse("charts:patient_list"), reverse("clinic:setup_home"), "/setup/"):
        assert f'href="{staff_url}' not in content
    assert 'href="/"' not in content


@pytest.mark.parametrize("fixture", ["administrator", "scheduler", "therapist"])
def test_staff_only_users_are_refused_the_portal(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(HOME).status_code == 403


def test_a_portal_user_logs_in_to_the_portal(patient_user, portal_patient):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "parent@riverside.test", "password": "correct-horse-battery-9"},
    )
    assert response["Location"] == HOME


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [("/", "/portal/"), ("/patients/", "/portal/"), ("/portal/password/", "/portal/password/")],
)
def test_a_portal_user_is_never_sent_on_to_a_staff_page(patient_user, next_url, landing):
    response = Client().post(
        reverse("accounts:login") + f"?next={next_url}",
        {"username": "parent@riverside.test", "password": "correct-horse-battery-9"},
    )
    assert response["Location"] == landing


def test_staff_still_log_in_to_the_staff_home(scheduler):
    response = Client().post(
        reverse("accounts:login"),
        {"username": "scheduler@riverside.test", "password": "correct-horse-battery-9"},
    )
    assert response["Location"] == reverse("home")


def test_a_portal_user_changes_their_password_in_the_portal(portal_client, patient_user):
    new = "Cedar-Meadow-Violet-4"
    response = portal_client.post(
        reverse("portal:password_change"),
        {"old_password": "correct-horse-battery-9", "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == HOME
    patient_user.refresh_from_db()
    assert patient_user.check_password(new)


def test_the_portal_home_runs_a_fixed_number_of_queries(
    client, clinic, speech_case, django_assert_num_queries
):
    parent = UserFactory(clinic=clinic, roles=[PATIENT])
    for _ in range(5):
        child = PatientFactory(clinic=clinic)
        PortalLinkFactory(user=parent, patient=child)
        PatientChartCaseFactory(patient=child, case=speech_case)
    client.force_login(parent)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(HOME)
    assert response.status_code == 200
    assert page_text(response).count("Speech Therapy") == 5


def test_the_portal_patient_page_runs_a_fixed_number_of_queries(
    portal_client, portal_patient, speech_case, clinic, occupational, django_assert_num_queries
):
    for number in range(4):
        case = PatientCaseFactory(
            clinic=clinic, name=f"Case {number}", service_types=[occupational]
        )
        PatientChartCaseFactory(patient=portal_patient, case=case)
    url = reverse("portal:patient_detail", args=[portal_patient.pk])
    # session, user (with clinic and roles), patient, link, chart cases with their case, audit
    # entry, session save (in a savepoint: 3)
    with django_assert_num_queries(9):
        response = portal_client.get(url)
    assert page_text(response).count("Active since") == 5


def test_the_portal_access_screen_runs_a_fixed_number_of_queries(
    client, scheduler, clinic, django_assert_num_queries
):
    child = PatientFactory(clinic=clinic)
    for _ in range(4):
        PortalLinkFactory(patient=child, user=UserFactory(clinic=clinic, roles=[PATIENT]))
    client.force_login(scheduler)
    # session, user (with clinic and roles), patient, links with their users, session save (3),
    # the Schedule tab's pending-request count
    with django_assert_num_queries(8):
        response = client.get(reverse("portal:invite", args=[child.pk]))
    assert page_text(response).count("· Parent") == 4
