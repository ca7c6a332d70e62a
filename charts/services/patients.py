"""Patients' details and contacts."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from charts.models import (
    Patient,
    PatientContact,
)
from charts.services.common import _day
from clinic.models import Clinic
from core import audit
from core.concurrency import claim_version

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
    expected_version: int | None,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
    by: User | None = None,
    **details: str,
) -> Patient:
    """Save the details shown at ``expected_version``; a stale screen gets VersionConflict."""
    _check_details(details)
    claim_version(patient, expected_version)
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


CONSENT_CHANNELS = {"email": "e-mail", "text": "text messages"}


@transaction.atomic
def contact_consent_set(
    *, contact: PatientContact, channel: str, given: bool, by: User | None, source: str = ""
) -> PatientContact:
    """Record (or withdraw) a contact's consent to appointment messages on ``channel``.
    ``by`` is the staff member who recorded it, or None when the contact acted themselves
    (``by_user`` then names them in the audit trail). Text needs a phone number, e-mail an
    address."""
    if channel not in CONSENT_CHANNELS:
        raise ValidationError({"channel": "Choose e-mail or text messages."})
    contact = PatientContact.objects.select_for_update().get(pk=contact.pk)
    if given and channel == "text" and not contact.phone.strip():
        raise ValidationError(
            {"text": "Add a mobile number to this contact before recording consent to texts."}
        )
    if given and channel == "email" and not contact.email.strip():
        raise ValidationError(
            {"email": "Add an e-mail address to this contact before recording consent to e-mail."}
        )
    at_field, by_field = f"{channel}_consent_at", f"{channel}_consent_by"
    was_given = getattr(contact, at_field) is not None
    if was_given == given:
        return contact
    setattr(contact, at_field, timezone.now() if given else None)
    setattr(contact, by_field, by if given else None)
    contact.save(update_fields=[at_field, by_field])
    words = CONSENT_CHANNELS[channel]
    audit.record(
        clinic_id=contact.clinic_id,
        actor=by,
        action="update",
        obj=contact,
        object_type="patient contact",
        patient=contact.patient,
        changes=[[f"Consent to {words}", "yes" if was_given else "no", "yes" if given else "no"]],
        details=source,
    )
    return contact
