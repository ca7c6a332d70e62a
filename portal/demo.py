"""The demo portal user: a parent of two demo patients (used by ``load_demo``)."""

from django.contrib.auth.models import Group

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from charts.models import Patient
from clinic.models import Clinic
from core.roles import PATIENT
from portal.models import PortalLink

EMAIL = "parent@demo.clinic"
# (first name, last name of the patient, relationship)
CHILDREN = [("Liam", "Carter", "parent"), ("Noah", "Patel", "guardian")]


def load(clinic: Clinic) -> list[tuple[str, list[str]]]:
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=EMAIL, password=DEMO_PASSWORD, first_name="Paula", last_name="Parent"
        )
    user.clinic = clinic
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.set(Group.objects.filter(name=PATIENT))
    for first, last, relationship in CHILDREN:
        patient = Patient.objects.get(clinic=clinic, first_name=first, last_name=last)
        PortalLink.objects.update_or_create(
            clinic=clinic, user=user, patient=patient, defaults={"relationship": relationship}
        )
    return [(EMAIL, [f"{PATIENT} (portal: Liam Carter, Noah Patel)"])]
