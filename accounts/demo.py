"""Demo staff for "Demo Therapy Clinic" (used by ``load_demo``)."""

from django.contrib.auth.models import Group

from accounts.models import User
from clinic.models import Clinic, ServiceType
from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the demo clinic's published password (README)

# e-mail: (first name, last name, roles, service types)
STAFF = {
    "admin@demo.clinic": ("Ada", "Admin", [ADMINISTRATOR], []),
    "scheduler@demo.clinic": ("Sam", "Scheduler", [SCHEDULER], []),
    "slp@demo.clinic": ("Sophie", "Speech", [THERAPIST], ["Speech Therapy"]),
    "ot@demo.clinic": ("Oscar", "Occupational", [THERAPIST], ["Occupational Therapy"]),
    "pt@demo.clinic": ("Petra", "Physical", [THERAPIST], ["Physical Therapy"]),
}

# Shown in the therapists' signatures.
CREDENTIALS = {"slp@demo.clinic": "CCC-SLP", "ot@demo.clinic": "OTR/L", "pt@demo.clinic": "DPT"}


def load(clinic: Clinic) -> list[tuple[str, list[str]]]:
    logins = []
    for email, (first, last, roles, services) in STAFF.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
            )
        user.clinic = clinic
        user.is_active = True
        user.credentials = CREDENTIALS.get(email, "")
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=roles))
        user.service_types.set(ServiceType.objects.for_clinic(clinic).filter(name__in=services))
        logins.append((email, roles))
    return logins
