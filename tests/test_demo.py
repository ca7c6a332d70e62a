"""``manage.py load_demo``: the demo clinic with its reference data and five staff logins."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from clinic.models import AppointmentType, Clinic, ServiceType

DEMO_PASSWORD = "demo-pass-2026"
STAFF = {
    "admin@demo.clinic": ({"Administrator"}, set()),
    "scheduler@demo.clinic": ({"Scheduler"}, set()),
    "slp@demo.clinic": ({"Therapist"}, {"Speech Therapy"}),
    "ot@demo.clinic": ({"Therapist"}, {"Occupational Therapy"}),
    "pt@demo.clinic": ({"Therapist"}, {"Physical Therapy"}),
}


def _load(**options):
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def _row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_refuses_with_debug_off(db):
    with pytest.raises(CommandError, match="refuses to run with DEBUG off.*--force"):
        _load()

    assert not Clinic.objects.exists()
    assert not User.objects.exists()


def test_runs_with_debug_on(db, settings):
    settings.DEBUG = True

    _load()

    assert Clinic.objects.filter(name="Demo Therapy Clinic").exists()


def test_loads_the_clinic_and_its_reference_data(db):
    output = _load(force=True)

    clinic = Clinic.objects.get(name="Demo Therapy Clinic")
    assert set(ServiceType.objects.for_clinic(clinic).values_list("name", flat=True)) >= {
        "Speech Therapy",
        "Occupational Therapy",
        "Physical Therapy",
    }
    durations = dict(
        AppointmentType.objects.for_clinic(clinic).values_list("name", "default_duration_minutes")
    )
    assert durations == {"Evaluation": 60, "Treatment": 45, "Re-evaluation": 60, "Consultation": 30}
    assert "Demo data loaded for “Demo Therapy Clinic”." in output
    assert DEMO_PASSWORD in output


def test_loads_five_staff_with_the_demo_password_and_their_roles(db):
    _load(force=True)

    clinic = Clinic.objects.get(name="Demo Therapy Clinic")
    staff = User.objects.for_clinic(clinic).staff()
    assert {user.email for user in staff} == set(STAFF)
    for user in staff:
        roles, services = STAFF[user.email]
        assert user.is_active
        assert user.check_password(DEMO_PASSWORD), user.email
        assert set(user.groups.values_list("name", flat=True)) == roles
        assert set(user.service_types.values_list("name", flat=True)) == services


def test_running_twice_changes_nothing(db):
    _load(force=True)
    first = _row_counts()

    _load(force=True)

    assert _row_counts() == first
    assert Clinic.objects.filter(name="Demo Therapy Clinic").count() == 1


def test_running_again_restores_a_changed_demo_login(db):
    _load(force=True)
    admin = User.objects.get(email="admin@demo.clinic")
    admin.set_password("something-else-entirely")
    admin.is_active = False
    admin.save()

    _load(force=True)

    admin.refresh_from_db()
    assert admin.is_active
    assert admin.check_password(DEMO_PASSWORD)


def test_the_demo_administrator_can_log_in_and_open_basic_setup(db):
    _load(force=True)
    client = Client()

    response = client.post(
        reverse("accounts:login"),
        {"username": "admin@demo.clinic", "password": DEMO_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200

    setup = client.get(reverse("clinic:servicetype_list"))
    assert setup.status_code == 200
    assert "Speech Therapy" in setup.content.decode()


def test_loads_a_portal_parent_of_two_patients(db):
    from portal.models import PortalLink

    _load(force=True)
    _load(force=True)  # safe to run again

    parent = User.objects.get(email="parent@demo.clinic")
    assert parent.check_password(DEMO_PASSWORD)
    assert set(parent.groups.values_list("name", flat=True)) == {"Patient"}
    assert sorted(
        (str(link.patient), link.relationship) for link in PortalLink.objects.filter(user=parent)
    ) == [("Liam Carter", "parent"), ("Noah Patel", "guardian")]
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "parent@demo.clinic", "password": DEMO_PASSWORD}
    )
    assert response["Location"] == reverse("portal:home")
