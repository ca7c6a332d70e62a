"""Tokens: client credentials for a clinic's back-end, the authorization code with PKCE for an
app acting for a staff member, SMART v2 scopes, and every way a token is refused."""

import base64
import datetime
import hashlib
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from core.models import AuditEntry
from fhir.models import Integration
from fhir.services import integration_register, integration_revoke
from tests.fhir.helpers import assert_conforms, get
from tests.fixtures.fhir import make_token

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def client_credentials(client, integration, scope="system/Appointment.rs system/Patient.rs"):
    return client.post(
        "/oauth/token/",
        {
            "grant_type": "client_credentials",
            "client_id": integration.application.client_id,
            "client_secret": integration.secret,
            "scope": scope,
        },
    )


def test_a_backend_gets_a_token_and_reads_its_clinic(client, backend_integration, appointment):
    response = client_credentials(client, backend_integration)

    assert response.status_code == 200, response.content
    token = response.json()
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "system/Appointment.rs system/Patient.rs"
    bundle = get(client, "Appointment", **bearer(token["access_token"])).json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(appointment.pk)]
    # The scope names Appointment and Patient only.
    refused = get(client, "Location", **bearer(token["access_token"]))
    assert refused.status_code == 403
    assert_conforms(refused.json())


def test_a_backend_may_not_ask_for_user_scopes(client, backend_integration):
    response = client_credentials(client, backend_integration, scope="user/*.rs")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_wrong_secret_gets_no_token(client, backend_integration):
    backend_integration.secret = "not-the-secret"

    assert client_credentials(client, backend_integration).status_code == 401


def test_a_revoked_integration_gets_no_token_and_its_tokens_stop(
    client, backend_integration, system_token, administrator
):
    integration_revoke(integration=backend_integration, by=administrator)

    assert client_credentials(client, backend_integration).status_code == 401
    response = get(client, "Patient", **bearer(system_token))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_revoked_at_the_revocation_endpoint_stops(client, backend_integration):
    token = client_credentials(client, backend_integration).json()["access_token"]
    revoked = client.post(
        "/oauth/revoke-token/",
        {
            "token": token,
            "client_id": backend_integration.application.client_id,
            "client_secret": backend_integration.secret,
        },
    )

    assert revoked.status_code == 200
    assert get(client, "Patient", **bearer(token)).status_code == 401


def test_an_expired_token_is_refused(client, backend_integration, appointment):
    token = make_token(backend_integration, seconds=-1)

    response = get(client, f"Appointment/{appointment.pk}", **bearer(token))

    assert response.status_code == 401
    assert "Liam" not in response.content.decode()


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "bearer lower-case"],
)
def test_a_missing_or_unknown_token_is_401(client, appointment, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}

    response = get(client, f"Appointment/{appointment.pk}", **extra)

    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_token_without_the_scope_is_403(client, backend_integration, appointment):
    token = make_token(backend_integration, scope="system/Patient.rs")

    assert get(client, f"Appointment/{appointment.pk}", **bearer(token)).status_code == 403
    read_only = make_token(backend_integration, scope="system/Appointment.r")
    assert get(client, f"Appointment/{appointment.pk}", **bearer(read_only)).status_code == 200
    assert get(client, "Appointment", **bearer(read_only)).status_code == 403


def test_a_user_scope_on_a_backend_token_is_403(client, backend_integration, appointment):
    token = make_token(backend_integration, scope="user/*.rs")

    assert get(client, f"Appointment/{appointment.pk}", **bearer(token)).status_code == 403


def test_another_clinics_integration_sees_none_of_ours(
    client, other_clinic, other_admin, appointment
):
    theirs, _ = integration_register(
        clinic=other_clinic, by=other_admin, name="Theirs", kind=Integration.Kind.BACKEND
    )
    token = make_token(theirs)

    response = get(client, f"Appointment/{appointment.pk}", **bearer(token))

    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"
    assert get(client, "Appointment", **bearer(token)).json()["total"] == 0
    assert get(client, f"Patient/{appointment.patient_id}", **bearer(token)).status_code == 404


def test_a_user_token_for_a_user_of_another_clinic_is_401(
    client, app_integration, other_admin, appointment
):
    token = make_token(app_integration, user=other_admin, scope="user/*.rs")

    assert get(client, "Appointment", **bearer(token)).status_code == 401


def test_a_user_token_of_a_portal_user_is_403(client, app_integration, patient_user):
    token = make_token(app_integration, user=patient_user, scope="user/*.rs")

    assert get(client, "Patient", **bearer(token)).status_code == 403


def test_a_user_token_of_a_deactivated_user_is_401(client, app_integration, therapist):
    token = make_token(app_integration, user=therapist, scope="user/*.rs")
    therapist.is_active = False
    therapist.save()

    assert get(client, "Patient", **bearer(token)).status_code == 401


def test_a_user_token_sees_what_its_user_sees(
    client, app_integration, therapist, ot_therapist, rich_data
):
    """A speech therapist sees the speech episode; an occupational therapist does not, nor
    its patient, nor the speech therapist's appointments."""
    chart_case = rich_data["chart_case"]
    speech = bearer(make_token(app_integration, user=therapist, scope="user/*.rs"))
    ot = bearer(make_token(app_integration, user=ot_therapist, scope="user/*.rs"))

    assert get(client, f"EpisodeOfCare/{chart_case.pk}", **speech).status_code == 200
    assert get(client, f"EpisodeOfCare/{chart_case.pk}", **ot).status_code == 404
    assert get(client, f"Patient/{chart_case.patient_id}", **ot).status_code == 404
    assert get(client, "EpisodeOfCare", **ot).json()["total"] == 0
    assert get(client, "Appointment", **ot).json()["total"] == 0
    speech_appointments = get(client, "Appointment", **speech).json()
    # Their three appointments; the request prefers no therapist, so their calendar (and
    # this) leaves it to the front desk.
    assert speech_appointments["total"] == 3
    assert all(not e["resource"]["id"].startswith("req-") for e in speech_appointments["entry"])


def pkce_pair() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(b"a-verifier-of-enough-length-for-pkce-0123456789").decode()
    verifier = verifier.rstrip("=")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def authorize(client, integration, *, challenge=None, scope="user/Appointment.rs"):
    params = {
        "response_type": "code",
        "client_id": integration.application.client_id,
        "redirect_uri": "https://app.example/callback",
        "scope": scope,
        "state": "xyz",
    }
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return params


def test_an_app_gets_a_user_token_with_pkce_and_sees_what_the_user_sees(
    client, app_integration, therapist, appointment
):
    verifier, challenge = pkce_pair()
    client.force_login(therapist)
    params = authorize(client, app_integration, challenge=challenge)
    page = client.get("/oauth/authorize/", params)
    assert page.status_code == 200
    assert "Allow “Therapy Notes App” to read for you?" in page.content.decode()

    allowed = client.post("/oauth/authorize/", {**params, "allow": "Authorize"})
    assert allowed.status_code == 302
    code = parse_qs(urlparse(allowed["Location"]).query)["code"][0]
    client.logout()
    token = client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://app.example/callback",
            "client_id": app_integration.application.client_id,
            "client_secret": app_integration.secret,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.content
    access = token.json()["access_token"]
    assert AccessToken.objects.get(application=app_integration.application).user == therapist

    bundle = get(client, "Appointment", **bearer(access)).json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(appointment.pk)]
    entry = AuditEntry.objects.filter(action="access", object_type="fhir api").latest("pk")
    assert entry.actor == therapist
    assert "Therapy Notes App" in entry.details


@pytest.mark.parametrize("who", ["other_admin", "patient_user"])
def test_only_staff_of_the_integrations_clinic_may_allow_it(client, app_integration, request, who):
    client.force_login(request.getfixturevalue(who))
    _, challenge = pkce_pair()
    params = authorize(client, app_integration, challenge=challenge)

    assert client.get("/oauth/authorize/", params).status_code == 403
    assert client.post("/oauth/authorize/", {**params, "allow": "Authorize"}).status_code == 403
    assert not AccessToken.objects.exists()


def test_the_consent_page_asks_an_anonymous_visitor_to_log_in(client, app_integration):
    _, challenge = pkce_pair()

    response = client.get(
        "/oauth/authorize/", authorize(client, app_integration, challenge=challenge)
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/oauth/authorize/")


def test_the_authorization_code_needs_pkce(client, app_integration, therapist):
    client.force_login(therapist)
    params = authorize(client, app_integration)

    response = client.get("/oauth/authorize/", params)

    # django-oauth-toolkit sends the error back to the app's redirect address.
    assert response.status_code == 302
    assert "error=invalid_request" in response["Location"]


def test_a_rate_limit_per_client(client, backend_integration, settings, system_token):
    from django.core.cache import cache

    cache.clear()
    settings.FHIR_RATE_LIMIT_PER_MINUTE = 3
    statuses = [get(client, "Location", **bearer(system_token)).status_code for _ in range(4)]

    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
    response = get(client, "Location", **bearer(system_token))
    assert int(response["Retry-After"]) >= 1
    assert_conforms(response.json())
    cache.clear()


def test_every_read_and_search_is_audited_with_the_client(fhir_client, rich_data):
    appointment = rich_data["appointment"]
    before = AuditEntry.objects.count()

    get(fhir_client, f"Appointment/{appointment.pk}")
    get(fhir_client, "Appointment?date=ge2020-01-01")

    read, search = AuditEntry.objects.order_by("pk")[before:]
    assert read.action == "access" and read.object_type == "appointment"
    assert read.patient_id == appointment.patient_id
    assert "Acme Billing" in read.details
    assert search.object_type == "fhir api"
    assert "search Appointment?date=ge2020-01-01" in search.details
    assert "Acme Billing" in search.details


def test_token_expiry_comes_from_settings(client, backend_integration):
    token = client_credentials(client, backend_integration).json()
    assert token["expires_in"] == 3600
    row = AccessToken.objects.get(application=backend_integration.application)
    assert row.expires - timezone.now() < datetime.timedelta(seconds=3601)
