"""Demo reference data for "Demo Therapy Clinic" (used by ``load_demo``)."""

from django_scopes import scope

from clinic.models import AppointmentType, Clinic, ServiceType

CLINIC_NAME = "Demo Therapy Clinic"
SERVICE_TYPES = ["Speech Therapy", "Occupational Therapy", "Physical Therapy"]
APPOINTMENT_TYPES = {"Evaluation": 60, "Treatment": 45, "Re-evaluation": 60, "Consultation": 30}


def load() -> Clinic:
    clinic, _ = Clinic.objects.get_or_create(
        name=CLINIC_NAME, defaults={"time_zone": "America/New_York"}
    )
    with scope(clinic=clinic.pk):
        for name in SERVICE_TYPES:
            ServiceType.objects.get_or_create(clinic=clinic, name=name)
        for name, minutes in APPOINTMENT_TYPES.items():
            AppointmentType.objects.get_or_create(
                clinic=clinic, name=name, defaults={"default_duration_minutes": minutes}
            )
    return clinic
