"""Admin > Basic Setup > Integrations: an administrator registers a client bound to the clinic,
sees its secret once, and revokes it after confirming."""

import pytest
from django.urls import reverse
from oauth2_provider.models import Application

from core.models import AuditEntry
from fhir.models import Integration

pytestmark = pytest.mark.django_db


def test_register_a_backend_shows_its_secret_once(administrator_client, clinic):
    response = administrator_client.post(
        reverse("fhir:integration_create"), {"name": "  Acme   Billing ", "kind": "backend"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "“Acme Billing” is registered. Copy its secret now" in page
    integration = Integration.objects.get()
    assert integration.clinic == clinic
    assert integration.application.authorization_grant_type == "client-credentials"
    secret = response.context["secret"]
    assert secret in page
    # Stored hashed only: the list never shows it again.
    assert integration.application.client_secret != secret
    listing = administrator_client.get(reverse("fhir:integration_list")).content.decode()
    assert integration.application.client_id in listing and secret not in listing
    entry = AuditEntry.objects.get(object_type="integration")
    assert entry.action == "created" and entry.clinic_id == clinic.pk


def test_register_an_app_needs_a_redirect_address(administrator_client):
    response = administrator_client.post(
        reverse("fhir:integration_create"), {"name": "Notes", "kind": "app"}
    )

    assert response.status_code == 400
    assert "An app needs at least one redirect address." in response.content.decode()
    assert not Application.objects.exists()


def test_a_bad_redirect_address_is_refused_beside_the_field(administrator_client):
    response = administrator_client.post(
        reverse("fhir:integration_create"),
        {"name": "Notes", "kind": "app", "redirect_uris": "javascript:alert(1)"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["redirect_uris"]
    assert not Integration.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"name": "", "kind": "backend"}, {"name": "X", "kind": "robot"}, {"name": "x" * 300}],
)
def test_bad_input_changes_nothing(administrator_client, data):
    response = administrator_client.post(reverse("fhir:integration_create"), data)

    assert response.status_code == 400
    assert not Integration.objects.exists()


def test_revoke_asks_first_then_revokes(administrator_client, backend_integration, system_token):
    url = reverse("fhir:integration_revoke", args=[backend_integration.pk])

    page = administrator_client.get(url)
    assert page.status_code == 200
    assert "Revoke “Acme Billing”" in page.content.decode()
    assert Integration.objects.get().revoked_at is None

    response = administrator_client.post(url, follow=True)
    assert "“Acme Billing” is revoked" in response.content.decode()
    assert Integration.objects.get().revoked_at is not None
    refused = administrator_client.get(
        "/fhir/R4/Patient", HTTP_AUTHORIZATION=f"Bearer {system_token}"
    )
    assert refused.status_code == 401


def test_another_clinics_integration_is_404(client, other_admin, backend_integration):
    client.force_login(other_admin)
    url = reverse("fhir:integration_revoke", args=[backend_integration.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Integration.objects.get().revoked_at is None


def test_the_setup_menu_links_integrations(administrator_client):
    page = administrator_client.get(reverse("fhir:integration_list")).content.decode()

    assert 'href="/setup/integrations/" aria-current="page"' in page
