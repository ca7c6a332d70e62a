"""Patients' details and contacts."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from charts.models import (
    Patient,
    PatientContact,
)
from charts.services.common import _day
from clinic.models import Clinic
from core import audit

# The details an administrator or scheduler keeps, beside the name and date of birth.
DETAILS = ("sex", "phone", "email", "address", "preferred_language")
CONTACT_FIELDS = ("name", "relationship", "phone", "email", "is_guardian")


def _words(row, fields) -> dict[str, str]:
    words = {}
    for name in fields:
        field = row._meta.get_field(name)
        value = getattr(row, name)
        if name == "is_guardian":
            value = "Yes" if value else "No"
        elif field.choices:
            value = getattr(row, f"get_{name}_display")()
        words[str(field.verbose_name).capitalize()] = value or ""
    return words


def _snapshot(patient: Patient, details=DETAILS) -> dict[str, str]:
    return {
        "First name": patient.first_name,
        "Last name": patient.last_name,
        "Date of birth": _day(patient.date_of_birth),
        **_words(patient, details),
    }


@transaction.atomic
def patient_create(
    *,
    clinic: Clinic,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
    by: User | None = None,
    **details: str,
) -> Patient:
    _check_details(details)
    patient = Patient.objects.create(
        clinic=clinic,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        **details,
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
    **details: str,
) -> Patient:
    _check_details(details)
    # Re-read: a model form has already written the new values onto the instance it was given.
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    before = _snapshot(patient, details)
    patient.first_name = first_name
    patient.last_name = last_name
    patient.date_of_birth = date_of_birth
    for name, value in details.items():
        setattr(patient, name, value)
    changes = audit.diff(before, _snapshot(patient, details))
    if not changes:
        return patient
    patient.save(update_fields=["first_name", "last_name", "date_of_birth", *details])
    audit.record(
        clinic_id=patient.clinic_id,
        actor=by,
        action="update",
        obj=patient,
        patient=patient,
        changes=changes,
    )
    return patient


def _check_details(details) -> None:
    unknown = set(details) - set(DETAILS)
    if unknown:
        raise TypeError(f"Unknown patient details: {sorted(unknown)}")


def _clean_contact(fields: dict) -> dict:
    fields = {name: fields[name] for name in CONTACT_FIELDS}
    fields["name"] = " ".join(fields["name"].split())
    if not fields["name"]:
        raise ValidationError({"name": "Enter the contact's name."})
    if fields["is_guardian"] and not (fields["phone"].strip() or fields["email"].strip()):
        raise ValidationError({"phone": "Give a guardian's phone number or e-mail address."})
    return fields


@transaction.atomic
def contact_create(*, patient: Patient, by: User, **fields) -> PatientContact:
    contact = PatientContact.objects.create(
        clinic_id=patient.clinic_id, patient=patient, **_clean_contact(fields)
    )
    audit.record(
        clinic_id=patient.clinic_id,
        actor=by,
        action="create",
        obj=contact,
        object_type="patient contact",
        patient=patient,
        changes=audit.diff({}, _words(contact, CONTACT_FIELDS)),
    )
    return contact


@transaction.atomic
def contact_update(*, contact: PatientContact, by: User, **fields) -> PatientContact:
    contact = PatientContact.objects.select_for_update().get(pk=contact.pk)
    before = _words(contact, CONTACT_FIELDS)
    for name, value in _clean_contact(fields).items():
        setattr(contact, name, value)
    contact.save()
    audit.record(
        clinic_id=contact.clinic_id,
        actor=by,
        action="update",
        obj=contact,
        object_type="patient contact",
        patient=contact.patient,
        changes=audit.diff(before, _words(contact, CONTACT_FIELDS)),
    )
    return contact


@transaction.atomic
def contact_delete(*, contact: PatientContact, by: User) -> None:
    before = _words(contact, CONTACT_FIELDS)
    patient = contact.patient
    audit.record(
        clinic_id=contact.clinic_id,
        actor=by,
        action="delete",
        obj=contact,
        object_type="patient contact",
        patient=patient,
        changes=audit.diff(before, {}),
    )
    contact.delete()
