"""One gate per app: another clinic's row, or one the user may not see, is a 404; a row the
user sees but may not change is a 403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import get_staff_member_for
from cases.access import get_case_for
from charts.access import get_chart_case_for, get_patient_for
from clinic.access import get_appointment_type_for, get_service_type_for
from tests.factories import PatientCaseFactory, ServiceTypeFactory


@pytest.fixture
def rows(speech, treatment, speech_case, scheduler, charted_patient, speech_chart_case):
    return {
        "service type": (get_service_type_for, speech),
        "appointment type": (get_appointment_type_for, treatment),
        "case": (get_case_for, speech_case),
        "staff member": (get_staff_member_for, scheduler),
        "patient": (get_patient_for, charted_patient),
    }


KINDS = ["service type", "appointment type", "case", "staff member", "patient"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_administrator_loads_and_may_change_their_clinics_rows(kind, rows, administrator):
    gate, row = rows[kind]

    assert gate(administrator, row.pk) == row
    assert gate(administrator, row.pk, write=True) == row


@pytest.mark.parametrize("kind", KINDS)
def test_another_clinics_administrator_gets_a_404(kind, rows, other_admin):
    gate, row = rows[kind]

    with pytest.raises(Http404):
        gate(other_admin, row.pk)


@pytest.mark.parametrize("kind", KINDS)
def test_a_portal_user_gets_a_404(kind, rows, patient_user):
    gate, row = rows[kind]

    with pytest.raises(Http404):
        gate(patient_user, row.pk)


@pytest.mark.parametrize("kind", ["service type", "appointment type", "case", "staff member"])
def test_a_scheduler_sees_but_may_not_change_basic_setup(kind, rows, scheduler):
    gate, row = rows[kind]

    assert gate(scheduler, row.pk) == row
    with pytest.raises(PermissionDenied):
        gate(scheduler, row.pk, write=True)


def test_a_therapist_reads_a_patient_but_does_not_edit_their_details(therapist, charted_patient):
    assert get_patient_for(therapist, charted_patient.pk) == charted_patient
    with pytest.raises(PermissionDenied):
        get_patient_for(therapist, charted_patient.pk, write=True)


def test_chart_cases_another_discipline_does_not_see_are_a_404(
    ot_therapist, administrator, speech_chart_case
):
    with pytest.raises(Http404):
        get_chart_case_for(ot_therapist, speech_chart_case.pk)
    # The administrator reads the documentation but does not write it.
    assert get_chart_case_for(administrator, speech_chart_case.pk, documentation=True)
    with pytest.raises(PermissionDenied):
        get_chart_case_for(administrator, speech_chart_case.pk, write=True)


def test_rows_of_another_clinic_are_never_found_by_number(administrator, other_clinic, other_admin):
    theirs = ServiceTypeFactory(clinic=other_clinic, name="Hillside Speech")
    their_case = PatientCaseFactory(
        clinic=other_clinic, name="Hillside", service_types=[theirs], created_by=other_admin
    )

    for gate, row in [(get_service_type_for, theirs), (get_case_for, their_case)]:
        with pytest.raises(Http404):
            gate(administrator, row.pk, write=True)
