"""The demo clinic's one registered integration, so that the README's ``curl`` example works
against ``make run``. Its id and secret are printed by ``load_demo`` and written in the README:
for the demo database only (load_demo refuses to run with DEBUG off)."""

from oauth2_provider.models import Application

from accounts.models import User
from fhir.models import Integration
from fhir.services import integration_register

DEMO_CLIENT_ID = "demo-billing"
DEMO_CLIENT_SECRET = "demo-billing-secret-for-the-demo-only"  # noqa: S105 - demo data, printed


def load(clinic) -> list[str]:
    """Register the demo back-end once (running again keeps it); lines to print."""
    application = Application.objects.filter(client_id=DEMO_CLIENT_ID).first()
    if application is None:
        integration_register(
            clinic=clinic,
            by=User.objects.get(email="admin@demo.clinic"),
            name="Demo Billing Service",
            kind=Integration.Kind.BACKEND,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
        )
    return [
        "FHIR API demo integration (Admin > Basic Setup > Integrations), for the demo only:",
        f"  client id {DEMO_CLIENT_ID}, client secret {DEMO_CLIENT_SECRET}",
    ]
