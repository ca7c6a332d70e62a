"""Staff under Admin > Basic Setup: add, edit, deactivate and reactivate, and the list."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.forms import EMAIL_UNUSABLE
from accounts.models import User
from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from tests.clinic.helpers import checked_labels, choice_labels, field_error, page_text
from tests.factories import ServiceTypeFactory, UserFactory

PASSWORD = "Lantern-Orchard-42"
CREATE_URL = reverse("accounts:staff_create")
LIST_URL = reverse("accounts:staff_list")


def _role_ids(*names):
    return [group.pk for group in Group.objects.filter(name__in=names)]


def _new_staff(**overrides):
    data = {
        "first_name": "Tess",
        "last_name": "Turner",
        "email": "tess@riverside.test",
        "roles": _role_ids(SCHEDULER),
        "service_types": [],
    }
    data.update(overrides)
    return data


def _login(email, password):
    """Log in through the form in a fresh browser; whether that worked."""
    client = Client()
    client.post(reverse("accounts:login"), {"username": email, "password": password})
    return "_auth_user_id" in client.session


# --- add ------------------------------------------------------------------------------------


def test_a_therapist_is_added_with_roles_and_service_types(
    administrator_client, clinic, speech, occupational
):
    response = administrator_client.post(
        CREATE_URL,
        _new_staff(
            email=" Tess@Riverside.TEST ",
            roles=_role_ids(THERAPIST, SCHEDULER),
            service_types=[speech.pk, occupational.pk],
        ),
        follow=True,
    )

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "Staff member Tess Turner added." in page_text(response)
    tess = User.objects.get(email="tess@riverside.test")
    assert tess.clinic == clinic
    assert tess.is_active
    assert set(tess.groups.values_list("name", flat=True)) == {THERAPIST, SCHEDULER}
    assert set(tess.service_types.all()) == {speech, occupational}
    # Nobody typed a password: Tess sets her own from the invitation (tests/accounts/
    # test_invitations.py follows that e-mail).
    assert not tess.has_usable_password()
    assert not _login("tess@riverside.test", PASSWORD)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param(
            {"email": "ADMIN@Riverside.Test"},
            "email",
            EMAIL_UNUSABLE,
            id="e-mail taken in another case",
        ),
        pytest.param(
            {"email": "admin@hillside.test"},
            "email",
            EMAIL_UNUSABLE,
            id="e-mail taken in another clinic",
        ),
        pytest.param(
            {"email": "not-an-address"}, "email", "Enter a valid email address.", id="bad e-mail"
        ),
        pytest.param({"first_name": " "}, "first_name", "This field is required.", id="no name"),
        pytest.param({"roles": []}, "roles", "Choose at least one role.", id="no role"),
        pytest.param(
            {"roles": "THERAPIST"},
            "service_types",
            "A therapist needs at least one service type.",
            id="therapist without service type",
        ),
        pytest.param(
            {"roles": "PATIENT"},
            "roles",
            "is not one of the available choices.",
            id="patient role",
        ),
        pytest.param(
            {"service_types": "FOREIGN"},
            "service_types",
            "is not one of the available choices.",
            id="service type of another clinic",
        ),
        pytest.param(
            {"service_types": "INACTIVE"},
            "service_types",
            "is not one of the available choices.",
            id="inactive service type",
        ),
    ],
)
def test_bad_input_on_add_is_refused_next_to_the_field(
    overrides, field, message, administrator_client, clinic, speech, other_admin
):
    foreign = ServiceTypeFactory(clinic=other_admin.clinic, name="Foreign")
    inactive = ServiceTypeFactory(clinic=clinic, name="Retired", is_active=False)
    placeholders = {
        "THERAPIST": _role_ids(THERAPIST),
        "PATIENT": _role_ids(PATIENT),
        "FOREIGN": [foreign.pk],
        "INACTIVE": [inactive.pk],
    }
    data = _new_staff(
        **{
            key: placeholders.get(value, value) if isinstance(value, str) else value
            for key, value in overrides.items()
        }
    )
    users_before = User.objects.count()

    response = administrator_client.post(CREATE_URL, data)

    assert response.status_code == 400
    assert message in field_error(response, field)
    assert User.objects.count() == users_before


def test_a_therapist_in_a_clinic_without_service_types_is_told_why(administrator_client, clinic):
    ServiceTypeFactory(clinic=clinic, name="Retired", is_active=False)

    response = administrator_client.post(CREATE_URL, _new_staff(roles=_role_ids(THERAPIST)))

    assert response.status_code == 400
    assert "A therapist needs at least one service type, and your clinic has none active" in (
        field_error(response, "roles")
    )
    assert not User.objects.filter(email="tess@riverside.test").exists()


def test_only_staff_roles_are_offered(administrator_client):
    response = administrator_client.get(CREATE_URL)

    assert choice_labels(response, "roles") == [ADMINISTRATOR, SCHEDULER, THERAPIST]


def test_only_the_clinics_active_service_types_are_offered(
    administrator_client, clinic, speech, other_clinic
):
    ServiceTypeFactory(clinic=clinic, name="Retired", is_active=False)
    ServiceTypeFactory(clinic=other_clinic, name="Hippotherapy")

    response = administrator_client.get(CREATE_URL)

    assert choice_labels(response, "service_types") == ["Speech Therapy"]


# --- edit -----------------------------------------------------------------------------------


def test_the_edit_form_shows_the_persons_roles_and_service_types_ticked(
    administrator_client, clinic, speech, occupational
):
    person = UserFactory(clinic=clinic, roles=[THERAPIST, SCHEDULER], service_types=[occupational])

    response = administrator_client.get(reverse("accounts:staff_update", args=[person.pk]))

    assert checked_labels(response, "roles") == [SCHEDULER, THERAPIST]
    assert checked_labels(response, "service_types") == ["Occupational Therapy"]


def test_edit_changes_name_email_roles_and_service_types(
    administrator_client, therapist, occupational
):
    response = administrator_client.post(
        reverse("accounts:staff_update", args=[therapist.pk]),
        {
            "first_name": "Sophie",
            "last_name": "Speech",
            "email": "Sophie@Riverside.test",
            "roles": _role_ids(THERAPIST, ADMINISTRATOR),
            "service_types": [occupational.pk],
            "version": therapist.version,
        },
        follow=True,
    )

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "Staff member Sophie Speech saved." in page_text(response)
    therapist.refresh_from_db()
    assert (therapist.first_name, therapist.email) == ("Sophie", "sophie@riverside.test")
    assert set(therapist.groups.values_list("name", flat=True)) == {THERAPIST, ADMINISTRATOR}
    assert list(therapist.service_types.all()) == [occupational]


def test_edit_keeps_an_inactive_service_type_the_person_already_has(
    administrator_client, therapist, speech
):
    speech.is_active = False
    speech.save()

    response = administrator_client.post(
        reverse("accounts:staff_update", args=[therapist.pk]),
        {
            "first_name": "Sophie",
            "last_name": "Speech",
            "email": therapist.email,
            "roles": _role_ids(THERAPIST),
            "service_types": [speech.pk],
            "version": therapist.version,
        },
    )

    assert response.status_code == 302
    assert list(therapist.service_types.all()) == [speech]


def test_edit_refuses_an_email_someone_else_has(administrator_client, therapist, scheduler):
    response = administrator_client.post(
        reverse("accounts:staff_update", args=[therapist.pk]),
        {
            "first_name": "Sophie",
            "last_name": "Speech",
            "email": scheduler.email.upper(),
            "roles": _role_ids(THERAPIST),
            "service_types": [therapist.service_types.get().pk],
        },
    )

    assert response.status_code == 400
    assert EMAIL_UNUSABLE in field_error(response, "email")
    therapist.refresh_from_db()
    assert therapist.email == "slp@riverside.test"


def test_edit_refuses_removing_a_therapists_last_service_type(
    administrator_client, therapist, speech
):
    response = administrator_client.post(
        reverse("accounts:staff_update", args=[therapist.pk]),
        {
            "first_name": "Sophie",
            "last_name": "Speech",
            "email": therapist.email,
            "roles": _role_ids(THERAPIST),
        },
    )

    assert response.status_code == 400
    assert "A therapist needs at least one service type." in field_error(response, "service_types")
    assert list(therapist.service_types.all()) == [speech]


def test_another_clinics_staff_cannot_be_opened_or_edited(administrator_client, other_admin):
    url = reverse("accounts:staff_update", args=[other_admin.pk])

    assert administrator_client.get(url).status_code == 404
    response = administrator_client.post(
        url,
        {
            "first_name": "Taken",
            "last_name": "Over",
            "email": "taken@riverside.test",
            "roles": _role_ids(ADMINISTRATOR),
        },
    )

    assert response.status_code == 404
    other_admin.refresh_from_db()
    assert other_admin.email == "admin@hillside.test"


def test_a_portal_user_is_not_staff(administrator_client, patient_user):
    url = reverse("accounts:staff_update", args=[patient_user.pk])

    assert administrator_client.get(url).status_code == 404
    assert (
        administrator_client.post(
            reverse("accounts:staff_deactivate", args=[patient_user.pk])
        ).status_code
        == 404
    )
    patient_user.refresh_from_db()
    assert patient_user.is_active


# --- deactivate and reactivate ----------------------------------------------------------------


def test_deactivating_asks_first_then_stops_log_in(administrator_client, scheduler):
    url = reverse("accounts:staff_deactivate", args=[scheduler.pk])

    confirm = administrator_client.get(url)

    assert confirm.status_code == 200
    assert "will no longer be able to log in" in page_text(confirm)
    scheduler.refresh_from_db()
    assert scheduler.is_active  # asking changes nothing

    response = administrator_client.post(url, follow=True)

    assert response.redirect_chain == [(reverse("accounts:staff_update", args=[scheduler.pk]), 302)]
    assert f"{scheduler} deactivated." in page_text(response)
    assert "This person is deactivated and cannot log in." in page_text(response)
    scheduler.refresh_from_db()
    assert not scheduler.is_active
    assert not _login(scheduler.email, "correct-horse-battery-9")


def test_a_deactivated_users_open_session_ends(administrator_client, scheduler):
    client = Client()
    client.force_login(scheduler)
    assert client.get("/").status_code == 200

    administrator_client.post(reverse("accounts:staff_deactivate", args=[scheduler.pk]))

    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_administrator_cannot_deactivate_themselves(administrator_client, administrator):
    response = administrator_client.post(
        reverse("accounts:staff_deactivate", args=[administrator.pk])
    )

    assert response.status_code == 400
    assert "You cannot deactivate your own account." in page_text(response)
    administrator.refresh_from_db()
    assert administrator.is_active


def test_reactivating_lets_the_person_log_in_again(administrator_client, clinic):
    former = UserFactory(
        clinic=clinic, email="former@riverside.test", roles=[SCHEDULER], is_active=False
    )
    url = reverse("accounts:staff_reactivate", args=[former.pk])

    assert "will be able to log in again" in page_text(administrator_client.get(url))
    response = administrator_client.post(url, follow=True)

    assert f"{former} reactivated." in page_text(response)
    former.refresh_from_db()
    assert former.is_active
    assert _login("former@riverside.test", "correct-horse-battery-9")


def test_another_clinics_staff_cannot_be_deactivated(administrator_client, other_admin):
    response = administrator_client.post(
        reverse("accounts:staff_deactivate", args=[other_admin.pk])
    )

    assert response.status_code == 404
    other_admin.refresh_from_db()
    assert other_admin.is_active


# --- list -----------------------------------------------------------------------------------


def test_the_list_hides_deactivated_staff_unless_asked(administrator_client, clinic, other_admin):
    UserFactory(clinic=clinic, first_name="Active", last_name="Annie", roles=[SCHEDULER])
    UserFactory(
        clinic=clinic, first_name="Gone", last_name="Gary", roles=[SCHEDULER], is_active=False
    )

    default = page_text(administrator_client.get(LIST_URL))
    everyone = page_text(administrator_client.get(LIST_URL, {"show": "all"}))

    assert "Active Annie" in default
    assert "Gone Gary" not in default
    assert "Active Annie" in everyone
    assert "Gone Gary" in everyone
    assert "Deactivated" in everyone
    assert other_admin.email not in everyone


def test_the_list_leaves_out_portal_users(administrator_client, patient_user):
    assert patient_user.email not in page_text(administrator_client.get(LIST_URL, {"show": "all"}))


# Session, user (with their clinic and roles), pager count, page of staff (with their roles and
# service types), the session saved again (savepoint, update, release), and the Schedule tab's
# pending-request count.
STAFF_LIST_QUERIES = 8


@pytest.mark.parametrize("staff", [3, 30])
def test_the_list_takes_the_same_queries_at_any_length(
    staff, administrator_client, clinic, speech, django_assert_num_queries
):
    for _ in range(staff - 1):  # the administrator is the first
        UserFactory(clinic=clinic, roles=[THERAPIST, SCHEDULER], service_types=[speech])

    with django_assert_num_queries(STAFF_LIST_QUERIES):
        response = administrator_client.get(LIST_URL)

    assert response.status_code == 200
    assert len(response.context["staff"]) == staff
    assert "Therapist, Scheduler" in page_text(response) or "Scheduler, Therapist" in page_text(
        response
    )


def test_each_row_shows_names_roles_and_services_escaped_and_sorted(
    administrator_client, clinic, speech
):
    occupational = ServiceTypeFactory(clinic=clinic, name="occupational <b>Therapy</b>")
    member = UserFactory(
        clinic=clinic,
        first_name="<script>alert(1)</script>",
        last_name="O'Hara & Sons",
        roles=[THERAPIST, SCHEDULER],
        service_types=[speech, occupational],
    )

    response = administrator_client.get(LIST_URL)
    html = response.content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; O&#x27;Hara &amp; Sons" in html
    assert "<b>Therapy</b>" not in html
    row = next(line for line in page_text(response).splitlines() if "O'Hara" in line)
    assert "Scheduler, Therapist" in row
    assert "occupational <b>Therapy</b>, Speech Therapy" in row
    assert reverse("accounts:staff_update", args=[member.pk]) in html
