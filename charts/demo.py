"""Demo patients with cases on their charts (used by ``load_demo``)."""

import datetime

from cases.models import PatientCase
from charts.models import Patient, PatientChartCase
from clinic.models import Clinic

# (first, last, date of birth, cases on the chart)
PATIENTS = [
    ("Liam", "Carter", datetime.date(2018, 4, 12), ["Speech Therapy"]),
    ("Olivia", "Nguyen", datetime.date(2016, 9, 3), ["Occupational Therapy", "Feeding Therapy"]),
    ("Noah", "Patel", datetime.date(2019, 1, 27), ["Feeding Therapy"]),
    ("Emma", "Rossi", datetime.date(1958, 6, 30), ["Physical Therapy"]),
    ("Ava", "Johnson", datetime.date(2017, 11, 15), ["Speech Therapy", "Occupational Therapy"]),
    ("Mason", "Kim", datetime.date(2020, 2, 8), []),
]


def load(clinic: Clinic, cases: dict[str, PatientCase]) -> None:
    started = datetime.date(2026, 9, 1)
    for first, last, born, case_names in PATIENTS:
        patient, _ = Patient.objects.get_or_create(
            clinic=clinic, first_name=first, last_name=last, defaults={"date_of_birth": born}
        )
        for name in case_names:
            PatientChartCase.objects.get_or_create(
                clinic=clinic,
                patient=patient,
                case=cases[name],
                status=PatientChartCase.Status.ACTIVE,
                defaults={"started_on": started},
            )
