"""Default patient cases: one per active service type, from the command, the service and the
Add Service Type screen."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_scopes import scope

from cases.models import PatientCase
from cases.services import case_create_default
from clinic.models import ServiceType
from core.models import AuditEntry
from tests.factories import PatientCaseFactory, ServiceTypeFactory


def run(*args) -> str:
    out = io.StringIO()
    call_command("create_default_cases", *args, stdout=out)
    return out.getvalue()


def single_service_cases(service_type):
    return [
        case
        for case in PatientCase.objects.filter(service_types=service_type)
        if case.service_types.count() == 1
    ]


@pytest.mark.django_db
def test_command_creates_one_case_per_active_type_and_is_idempotent(
    clinic, speech, occupational, administrator
):
    ServiceTypeFactory(clinic=clinic, name="Physical Therapy", is_active=False)
    output = run("--clinic", str(clinic.pk))
    assert "created 2 default cases" in output
    names = set(PatientCase.objects.filter(clinic=clinic).values_list("name", flat=True))
    assert names == {"Speech Therapy", "Occupational Therapy"}
    case = PatientCase.objects.get(name="Speech Therapy")
    assert list(case.service_types.all()) == [speech]
    assert not case.rules.exists()
    assert case.created_by == administrator
    # One entry in the audit trail, which the case's own history reads.
    assert AuditEntry.objects.filter(action="create", object_id=str(case.pk)).count() == 1

    output = run("--clinic", clinic.name)
    assert "created 0 default cases" in output
    assert "2 service types already had one" in output
    assert PatientCase.objects.filter(clinic=clinic).count() == 2


@pytest.mark.django_db
def test_dry_run_writes_nothing(clinic, speech, administrator):
    output = run("--clinic", str(clinic.pk), "--dry-run")
    assert "would create 1 default case: Speech Therapy (Speech Therapy)" in output
    assert not PatientCase.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_existing_single_service_case_counts_shared_and_archived_do_not(
    clinic, speech, occupational, administrator
):
    PatientCaseFactory(clinic=clinic, name="Articulation", service_types=[speech])
    PatientCaseFactory(clinic=clinic, name="Feeding", service_types=[speech, occupational])
    archived = PatientCaseFactory(
        clinic=clinic, name="Occupational Therapy", service_types=[occupational]
    )
    archived.is_archived = True
    archived.archived_at = archived.created_at
    archived.save()
    run("--clinic", str(clinic.pk))
    # Speech already had its own case; occupational only a shared and an archived one, whose
    # name is taken, so the new default case gets a free name.
    assert len(single_service_cases(speech)) == 1
    made = PatientCase.objects.get(name="Occupational Therapy (default)")
    assert list(made.service_types.all()) == [occupational]


@pytest.mark.django_db
def test_every_clinic_each_in_its_own_scope(clinic, speech, administrator, other_admin):
    other_type = ServiceTypeFactory(clinic=other_admin.clinic, name="Hillside Speech")
    output = run()
    assert "Riverside Therapy: created 1" in output
    assert "Hillside Rehab: created 1" in output
    assert PatientCase.objects.get(name="Hillside Speech").clinic == other_type.clinic


@pytest.mark.django_db
def test_clinic_without_administrator_is_refused(clinic, speech):
    with pytest.raises(CommandError, match="no active administrator"):
        run("--clinic", str(clinic.pk))
    with pytest.raises(CommandError, match="No clinic"):
        run("--clinic", "Nowhere")


@pytest.mark.django_db
def test_service_prefers_the_case_named_after_the_type(clinic, speech, administrator):
    PatientCaseFactory(clinic=clinic, name="Articulation", service_types=[speech])
    named = PatientCaseFactory(clinic=clinic, name="speech therapy", service_types=[speech])
    with scope(clinic=clinic.pk):
        case, created = case_create_default(service_type=speech, by=administrator)
        assert (case, created) == (named, False)
        assert PatientCase.objects.defaults_by_service(clinic) == {speech.pk: named}


@pytest.mark.django_db
def test_add_service_type_screen_offers_a_default_case_ticked(administrator_client, clinic):
    page = administrator_client.get(reverse("clinic:servicetype_create"))
    assert b"Create a default patient case for it" in page.content
    assert b'name="create_default_case"' in page.content and b"checked" in page.content

    response = administrator_client.post(
        reverse("clinic:servicetype_create"),
        {"name": "Feeding Therapy", "is_active": "on", "create_default_case": "on"},
    )
    assert response.status_code == 302
    service_type = ServiceType.objects.get(name="Feeding Therapy")
    case = PatientCase.objects.get(name="Feeding Therapy")
    assert list(case.service_types.all()) == [service_type]


@pytest.mark.django_db
def test_add_service_type_unticked_makes_no_case(administrator_client, clinic):
    response = administrator_client.post(
        reverse("clinic:servicetype_create"), {"name": "Feeding Therapy", "is_active": "on"}
    )
    assert response.status_code == 302
    assert ServiceType.objects.filter(name="Feeding Therapy").exists()
    assert not PatientCase.objects.exists()


@pytest.mark.django_db
def test_edit_service_type_screen_does_not_offer_it(administrator_client, speech):
    page = administrator_client.get(reverse("clinic:servicetype_update", args=[speech.pk]))
    assert b"create_default_case" not in page.content
