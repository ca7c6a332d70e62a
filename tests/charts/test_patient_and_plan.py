"""Patient details and contacts, diagnoses and the plan of care (issue 12, items 7-8)."""

import datetime

import pytest
from django.urls import reverse

from charts import services
from charts.models import Diagnosis, Patient, PatientContact, Reminder
from core.models import AuditEntry
from tests.charts.helpers import chart_url, iso, page_html, url

DAY = datetime.timedelta(days=1)


# Patient details and contacts -------------------------------------------------------------


def test_an_administrator_records_the_patients_details(administrator_client, charted_patient):
    data = {
        "first_name": "Liam",
        "last_name": "Carter",
        "date_of_birth": iso(charted_patient.date_of_birth),
        "sex": "male",
        "phone": "555-0123",
        "email": "carters@example.com",
        "address": "12 Elm St\nSpringfield",
        "preferred_language": "Spanish",
    }

    response = administrator_client.post(
        reverse("charts:patient_update", args=[charted_patient.pk]), data
    )

    assert response.status_code == 302
    patient = Patient.objects.get(pk=charted_patient.pk)
    assert (patient.sex, patient.phone, patient.email, patient.preferred_language) == (
        "male",
        "555-0123",
        "carters@example.com",
        "Spanish",
    )
    entry = AuditEntry.objects.get(action="update", object_type="patient")
    assert ["Sex", "", "Male"] in entry.changes
    text = page_html(administrator_client.get(reverse("charts:patient_detail", args=[patient.pk])))
    assert "Prefers Spanish" in text and "carters@example.com" in text


def test_a_bad_patient_email_is_refused(scheduler_client, charted_patient):
    data = {
        "first_name": "Liam",
        "last_name": "Carter",
        "date_of_birth": iso(charted_patient.date_of_birth),
        "email": "not-an-address",
    }

    response = scheduler_client.post(
        reverse("charts:patient_update", args=[charted_patient.pk]), data
    )

    assert response.status_code == 400
    assert Patient.objects.get(pk=charted_patient.pk).email == ""


def test_a_scheduler_adds_a_guardian_contact(scheduler_client, scheduler, charted_patient):
    response = scheduler_client.post(
        reverse("charts:contact_create", args=[charted_patient.pk]),
        {
            "name": " Maria  Carter ",
            "relationship": "Mother",
            "phone": "",
            "email": "maria@example.com",
            "is_guardian": "on",
        },
    )

    assert response.status_code == 302
    contact = PatientContact.objects.get()
    assert (contact.name, contact.is_guardian, contact.email) == (
        "Maria Carter",
        True,
        "maria@example.com",
    )
    assert AuditEntry.objects.get(object_type="patient contact").actor == scheduler
    text = page_html(
        scheduler_client.get(reverse("charts:patient_detail", args=[charted_patient.pk]))
    )
    assert "Maria Carter" in text and "Guardian" in text


def test_a_guardian_without_phone_or_email_is_refused(administrator_client, charted_patient):
    response = administrator_client.post(
        reverse("charts:contact_create", args=[charted_patient.pk]),
        {"name": "Maria", "relationship": "Mother", "is_guardian": "on"},
    )

    assert response.status_code == 400
    assert "Give a guardian's phone number or e-mail address." in page_html(response)
    assert not PatientContact.objects.exists()


def test_a_contact_is_edited_and_removed(administrator_client, patient_contact):
    patient = patient_contact.patient
    edit = reverse("charts:contact_update", args=[patient.pk, patient_contact.pk])

    edited = administrator_client.post(
        edit, {"name": "Maria Carter", "relationship": "Aunt", "phone": "555", "email": ""}
    )
    patient_contact.refresh_from_db()
    removed = administrator_client.post(
        reverse("charts:contact_delete", args=[patient.pk, patient_contact.pk])
    )

    assert (edited.status_code, removed.status_code) == (302, 302)
    assert (patient_contact.relationship, patient_contact.is_guardian) == ("Aunt", False)
    assert not PatientContact.objects.exists()
    assert AuditEntry.objects.filter(object_type="patient contact", action="delete").exists()


def test_a_contact_of_another_patient_is_not_found(administrator_client, patient_contact, clinic):
    from tests.factories import PatientFactory

    other = PatientFactory(clinic=clinic)

    response = administrator_client.get(
        reverse("charts:contact_update", args=[other.pk, patient_contact.pk])
    )

    assert response.status_code == 404


# Diagnoses --------------------------------------------------------------------------------


def test_an_administrator_adds_a_diagnosis(administrator_client, speech_chart_case):
    response = administrator_client.post(
        url("diagnosis_create", speech_chart_case),
        {"kind": "treatment", "code": " f80.0 ", "description": "Phonological disorder"},
    )

    assert response.status_code == 302
    diagnosis = Diagnosis.objects.get()
    assert (diagnosis.code, diagnosis.kind) == ("F80.0", "treatment")
    text = page_html(administrator_client.get(chart_url(speech_chart_case)))
    assert "Treatment diagnosis: <strong>F80.0</strong> Phonological disorder" in text
    assert AuditEntry.objects.filter(object_type="diagnosis", action="create").exists()


@pytest.mark.parametrize("code", ["F80", "80.0", "F8", "F80.00000", "F80-0", "FF0.1", ""])
def test_an_invalid_icd10_code_is_refused(therapist_client, speech_chart_case, code):
    response = therapist_client.post(
        url("diagnosis_create", speech_chart_case),
        {"kind": "medical", "code": code, "description": "Something"},
    )

    if code == "F80":
        # Three characters is a valid category code.
        assert response.status_code == 302
        return
    assert response.status_code == 400
    assert not Diagnosis.objects.exists()


def test_the_service_refuses_an_invalid_code(speech_chart_case, therapist):
    with pytest.raises(services.ValidationError):
        services.diagnosis_add(
            chart_case=speech_chart_case, kind="medical", code="12.3", description="x", by=therapist
        )
    assert not Diagnosis.objects.exists()


def test_the_database_refuses_an_invalid_code(speech_chart_case):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Diagnosis.objects.create(
            clinic=speech_chart_case.clinic,
            chart_case=speech_chart_case,
            code="bad",
            description="x",
        )


def test_the_same_diagnosis_twice_is_refused(therapist_client, speech_diagnosis):
    response = therapist_client.post(
        url("diagnosis_create", speech_diagnosis.chart_case),
        {"kind": "treatment", "code": "F80.0", "description": "Again"},
    )

    assert response.status_code == 400
    assert "F80.0 is already on this case." in page_html(response)
    assert Diagnosis.objects.count() == 1


def test_a_diagnosis_is_removed(therapist_client, speech_diagnosis):
    response = therapist_client.post(
        url("diagnosis_delete", speech_diagnosis.chart_case, diagnosis_pk=speech_diagnosis.pk)
    )

    assert response.status_code == 302
    assert not Diagnosis.objects.exists()


# Plan of care -----------------------------------------------------------------------------


def test_the_plan_of_care_sets_its_reminder_and_moves_it_with_the_end(
    therapist_client, speech_chart_case, today
):
    start, end = today - 10 * DAY, today + 80 * DAY
    data = {"referring_provider": "Dr. Ana Ortiz", "plan_of_care_start": iso(start)}

    first = therapist_client.post(
        url("plan_of_care_update", speech_chart_case), data | {"plan_of_care_end": iso(end)}
    )
    moved = therapist_client.post(
        url("plan_of_care_update", speech_chart_case),
        data | {"plan_of_care_end": iso(end + 30 * DAY)},
    )

    assert (first.status_code, moved.status_code) == (302, 302)
    speech_chart_case.refresh_from_db()
    assert speech_chart_case.referring_provider == "Dr. Ana Ortiz"
    open_reminders = Reminder.objects.filter(kind="plan_of_care", done_at__isnull=True)
    assert [r.due_on for r in open_reminders] == [end + 30 * DAY - 14 * DAY]
    assert (
        Reminder.objects.filter(kind="plan_of_care", closed_reason="end date changed").count() == 1
    )
    text = page_html(therapist_client.get(chart_url(speech_chart_case)))
    assert "Referring provider: Dr. Ana Ortiz" in text


def test_a_plan_of_care_ending_before_it_starts_is_refused(
    administrator_client, speech_chart_case, today
):
    response = administrator_client.post(
        url("plan_of_care_update", speech_chart_case),
        {
            "referring_provider": "",
            "plan_of_care_start": iso(today),
            "plan_of_care_end": iso(today - DAY),
        },
    )

    assert response.status_code == 400
    assert "The plan of care cannot end before it starts." in page_html(response)
    speech_chart_case.refresh_from_db()
    assert speech_chart_case.plan_of_care_end is None
    assert not Reminder.objects.exists()


def test_the_plan_of_care_service_refuses_an_end_before_the_start(
    speech_chart_case, therapist, today
):
    with pytest.raises(services.ValidationError):
        services.plan_of_care_update(
            chart_case=speech_chart_case,
            referring_provider="",
            plan_of_care_start=today,
            plan_of_care_end=today - DAY,
            by=therapist,
        )


def test_the_database_refuses_an_end_before_the_start(speech_chart_case, today):
    from django.db import IntegrityError, transaction

    speech_chart_case.plan_of_care_start = today
    speech_chart_case.plan_of_care_end = today - DAY
    with pytest.raises(IntegrityError), transaction.atomic():
        speech_chart_case.save()


def test_another_disciplines_therapist_cannot_edit_the_plan(ot_client, feeding_chart_case, today):
    """A shared case's other therapist may; a case outside their services is a 404."""
    response = ot_client.post(
        url("plan_of_care_update", feeding_chart_case),
        {"referring_provider": "Dr. X", "plan_of_care_start": "", "plan_of_care_end": ""},
    )

    assert response.status_code == 302
