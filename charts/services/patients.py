"""Patients' details."""

import datetime

from django.db import transaction

from charts.models import (
    Patient,
)
from clinic.models import Clinic
from core.concurrency import claim_version


@transaction.atomic
def patient_create(
    *, clinic: Clinic, first_name: str, last_name: str, date_of_birth: datetime.date
) -> Patient:
    return Patient.objects.create(
        clinic=clinic, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
    )


@transaction.atomic
def patient_update(
    *,
    patient: Patient,
    expected_version: int | None,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
) -> Patient:
    """Save the details shown at ``expected_version``; a stale screen gets VersionConflict."""
    claim_version(patient, expected_version)
    patient.first_name = first_name
    patient.last_name = last_name
    patient.date_of_birth = date_of_birth
    patient.save(update_fields=["first_name", "last_name", "date_of_birth"])
    return patient
