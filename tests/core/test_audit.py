"""The audit trail is append-only and written with the change it records."""

import pytest
from django.db import transaction

from core import audit
from core.models import AppendOnlyError, AuditEntry
from tests.factories import PatientFactory


def test_an_entry_names_who_did_what_to_whom(clinic, administrator):
    patient = PatientFactory(clinic=clinic, first_name="Liam", last_name="Carter")
    entry = audit.record(
        clinic_id=clinic.pk,
        actor=administrator,
        action="update",
        obj=patient,
        patient=patient,
        changes=audit.diff({"Last name": "Karter"}, {"Last name": "Carter"}),
    )
    entry.refresh_from_db()
    assert entry.actor_name == administrator.get_full_name()
    assert entry.object_type == "patient"
    assert entry.patient_id == patient.pk
    assert entry.changes == [["Last name", "Karter", "Carter"]]


def test_entries_are_never_changed_or_deleted(clinic, administrator):
    entry = audit.record(
        clinic_id=clinic.pk, actor=administrator, action="create", object_type="note", object_id=1
    )
    entry.details = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(details="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().details == ""


def test_a_change_that_rolls_back_leaves_no_entry(clinic, administrator):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(
            clinic_id=clinic.pk, actor=administrator, action="create", object_type="x", object_id=1
        )
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()
