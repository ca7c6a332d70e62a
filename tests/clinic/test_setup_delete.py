"""Deleting a service or appointment type: asked first, refused while anything uses it."""

import pytest

from tests.clinic.helpers import page_text
from tests.clinic.kinds import KINDS, SERVICE_TYPES
from tests.factories import UserFactory

per_kind = pytest.mark.parametrize("kind", KINDS, ids=str)


@per_kind
def test_an_unused_row_is_confirmed_then_deleted(kind, administrator_client, clinic):
    row = kind.factory(clinic=clinic, name="Hippotherapy")

    confirm = administrator_client.get(kind.url("delete", row))

    assert confirm.status_code == 200
    assert "Nothing uses “Hippotherapy” yet, so it can be deleted for good." in page_text(confirm)
    assert kind.model.objects.filter(pk=row.pk).exists()  # asking deletes nothing

    response = administrator_client.post(kind.url("delete", row), follow=True)

    assert response.redirect_chain == [(kind.url("list"), 302)]
    assert f"{kind.label.title()} “Hippotherapy” deleted." in page_text(response)
    assert not kind.model.objects.filter(pk=row.pk).exists()


def test_a_service_type_a_therapist_has_is_not_deleted(administrator_client, therapist, speech):
    confirm = administrator_client.get(SERVICE_TYPES.url("delete", speech))

    assert "“Speech Therapy” cannot be deleted: users still use it" in page_text(confirm)
    assert "Delete Service Type</button>" not in confirm.content.decode()

    response = administrator_client.post(SERVICE_TYPES.url("delete", speech))

    assert response.status_code == 409
    assert "“Speech Therapy” cannot be deleted: users still use it" in page_text(response)
    assert "Deactivate it instead" in page_text(response)
    speech.refresh_from_db()
    assert list(therapist.service_types.all()) == [speech]


def test_a_deactivated_therapist_still_keeps_the_service_type(administrator_client, clinic, speech):
    UserFactory(clinic=clinic, roles=["Therapist"], service_types=[speech], is_active=False)

    response = administrator_client.post(SERVICE_TYPES.url("delete", speech))

    assert response.status_code == 409
    assert SERVICE_TYPES.model.objects.filter(pk=speech.pk).exists()


@per_kind
def test_another_clinics_row_cannot_be_deleted(kind, administrator_client, other_clinic):
    theirs = kind.factory(clinic=other_clinic, name="Hippotherapy")

    assert administrator_client.get(kind.url("delete", theirs)).status_code == 404
    assert administrator_client.post(kind.url("delete", theirs)).status_code == 404
    assert kind.model.objects.filter(pk=theirs.pk).exists()


@per_kind
def test_a_scheduler_cannot_delete(kind, client, scheduler, clinic):
    row = kind.factory(clinic=clinic)
    client.force_login(scheduler)

    assert client.post(kind.url("delete", row)).status_code == 403
    assert kind.model.objects.filter(pk=row.pk).exists()
