"""Patients' details."""

import datetime

from django.db import transaction

from accounts.models import User
from charts.models import (
    Patient,
)
from charts.services.common import _day
from clinic.models import Clinic
from core import audit


def _snapshot(patient: Patient) -> dict[str, str]:
    return {
        "First name": patient.first_name,
        "Last name": patient.last_name,
        "Date of birth": _day(patient.date_of_birth),
    }


@transaction.atomic
def patient_create(
    *,
    clinic: Clinic,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
    by: User | None = None,
) -> Patient:
    patient = Patient.objects.create(
        clinic=clinic, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth
    )
    audit.record(
        clinic_id=clinic.pk,
        actor=by,
        action="create",
        obj=patient,
        patient=patient,
        changes=audit.diff({}, _snapshot(patient)),
    )
    return patient


@transaction.atomic
def patient_update(
    *,
    patient: Patient,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
    by: User | None = None,
) -> Patient:
    # "Before" from the row: a ModelForm bound to ``patient`` has already copied the input.
    before = _snapshot(Patient.objects.get(pk=patient.pk))
    patient.first_name = first_name
    patient.last_name = last_name
    patient.date_of_birth = date_of_birth
    changes = audit.diff(before, _snapshot(patient))
    if not changes:
        return patient
    patient.save(update_fields=["first_name", "last_name", "date_of_birth"])
    audit.record(
        clinic_id=patient.clinic_id,
        actor=by,
        action="update",
        obj=patient,
        patient=patient,
        changes=changes,
    )
    return patient
