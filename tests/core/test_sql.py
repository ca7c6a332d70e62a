"""``core.sql.clinic_rows``, the one way to run SQL written by hand: the clinic is always a
named parameter of the statement, every value is named, and another clinic's rows are not
read through it."""

import pytest

from core.sql import clinic_rows
from tests.factories import PatientFactory

PATIENTS = 'SELECT id FROM "charts_patient" WHERE clinic_id = %(clinic)s ORDER BY id'


def test_reads_only_the_named_clinic(clinic, other_clinic):
    mine = PatientFactory(clinic=clinic)
    theirs = PatientFactory(clinic=other_clinic)
    assert clinic_rows(PATIENTS, clinic=clinic) == [(mine.pk,)]
    assert clinic_rows(PATIENTS, clinic=other_clinic.pk) == [(theirs.pk,)]
    # Another clinic's id asked for by name still goes through the clinic's condition.
    asked = PATIENTS.replace("ORDER BY", "AND id = %(pk)s ORDER BY")
    assert clinic_rows(asked, clinic=clinic, pk=theirs.pk) == []


def test_a_statement_without_its_clinic_is_refused(clinic):
    with pytest.raises(ValueError, match="clinic"):
        clinic_rows('SELECT id FROM "charts_patient"', clinic=clinic)


def test_positional_parameters_are_refused(clinic):
    with pytest.raises(ValueError, match="named"):
        clinic_rows(PATIENTS.replace("ORDER BY", "AND id = %s ORDER BY"), clinic=clinic)
