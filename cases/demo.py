"""Demo patient cases (used by ``load_demo``)."""

from accounts.models import User
from cases.models import PatientCase
from cases.services import RuleInput, case_create
from clinic.models import AppointmentType, Clinic, ServiceType

# case name: (its services, appointment types patients may request with their minutes)
CASES = {
    "Speech Therapy": (["Speech Therapy"], {"Treatment": 45, "Re-evaluation": 60}),
    "Occupational Therapy": (["Occupational Therapy"], {"Treatment": 45, "Re-evaluation": 60}),
    "Physical Therapy": (["Physical Therapy"], {"Treatment": 45, "Re-evaluation": 60}),
    "Feeding Therapy": (["Speech Therapy", "Occupational Therapy"], {}),
}


def load(clinic: Clinic, *, by: User) -> dict[str, PatientCase]:
    cases = {}
    appointment_types = list(AppointmentType.objects.for_clinic(clinic).active())
    for name, (service_names, allowed) in CASES.items():
        case = PatientCase.objects.for_clinic(clinic).filter(name=name).first()
        if case is None:
            case = case_create(
                clinic=clinic,
                name=name,
                service_types=ServiceType.objects.for_clinic(clinic).filter(name__in=service_names),
                rules=[
                    RuleInput(
                        appointment_type=appointment_type,
                        allow_requests=appointment_type.name in allowed,
                        duration_minutes=allowed.get(
                            appointment_type.name, appointment_type.default_duration_minutes
                        ),
                    )
                    for appointment_type in appointment_types
                ],
                by=by,
            )
        cases[name] = case
    return cases
