"""Issue 24, part 6: Delete is offered only where it can succeed. A setup row that something
uses offers Deactivate (service and appointment types) or Archive (patient cases) instead; the
list and the delete that refuses read one rule (``core.deletion``), so a row that offers
Delete is deleted, and a row that does not is refused."""

import re

import pytest
from django.urls import reverse

from cases.models import PatientCase
from clinic.models import AppointmentType, ServiceType
from tests.clinic.helpers import page_text
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientCaseFactory,
    ServiceTypeFactory,
)
from tests.pages import text


def _offers(response, name: str) -> set[str]:
    """The actions the list's row of ``name`` offers, by their visible words."""
    html = response.content.decode()
    row = next(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{name}</a>" in row)
    words = {text(link).split()[0] for link in re.findall(r"<a [^>]*btn[^>]*>(.*?)</a>", row)}
    return words & {"Delete", "Deactivate", "Archive", "Restore"}


def test_a_type_in_use_offers_deactivate_and_an_unused_one_delete(
    administrator_client, clinic, therapist, speech, treatment, speech_chart_case
):
    ServiceTypeFactory(clinic=clinic, name="Hippotherapy")
    # Named by an appointment only: a relation with no accessor, which the delete refused
    # over without naming it.
    AppointmentFactory(chart_case=speech_chart_case, appointment_type=treatment)
    AppointmentTypeFactory(clinic=clinic, name="Consultation")

    services = administrator_client.get(reverse("clinic:servicetype_list"))
    types = administrator_client.get(reverse("clinic:appointmenttype_list"))

    assert _offers(services, "Speech Therapy") == {"Deactivate"}
    assert _offers(services, "Hippotherapy") == {"Delete"}
    assert _offers(types, "Treatment") == {"Deactivate"}
    assert _offers(types, "Consultation") == {"Delete"}
    # The refusal names what uses the type.
    refused = administrator_client.post(
        reverse("clinic:appointmenttype_delete", args=[treatment.pk])
    )
    assert refused.status_code == 409
    assert "“Treatment” cannot be deleted: appointments still use it" in page_text(refused)


@pytest.mark.parametrize(
    ("model", "list_name", "delete_name"),
    [
        (ServiceType, "clinic:servicetype_list", "clinic:servicetype_delete"),
        (AppointmentType, "clinic:appointmenttype_list", "clinic:appointmenttype_delete"),
    ],
)
def test_a_row_offering_delete_is_deleted_and_one_not_offering_it_is_refused(
    model, list_name, delete_name, administrator_client, clinic, therapist, speech_chart_case
):
    AppointmentFactory(chart_case=speech_chart_case, therapist=therapist)
    AppointmentTypeFactory(clinic=clinic, name="Unused type")
    ServiceTypeFactory(clinic=clinic, name="Unused service")
    listed = administrator_client.get(reverse(list_name))
    html = listed.content.decode()

    for row in model.objects.for_clinic(clinic):
        offered = reverse(delete_name, args=[row.pk]) in html
        response = administrator_client.post(reverse(delete_name, args=[row.pk]))

        assert response.status_code == (302 if offered else 409), row.name
        assert model.objects.filter(pk=row.pk).exists() is not offered


def test_a_case_in_use_offers_archive_on_the_list_and_no_delete_on_its_page(
    administrator_client, clinic, speech, speech_chart_case, merged_into_case
):
    unused = PatientCaseFactory(clinic=clinic, name="Apraxia", service_types=[speech])
    # A merge's target with no patient of its own is in use too: its delete is refused.
    target = PatientCaseFactory(clinic=clinic, name="Fluency", service_types=[speech])
    PatientCase.objects.filter(name="Speech Therapy (old)").update(merged_into=target)

    listed = administrator_client.get(reverse("cases:case_list"))

    assert _offers(listed, "Speech Therapy") == {"Archive"}
    assert _offers(listed, "Fluency") == {"Archive"}
    assert _offers(listed, "Apraxia") == {"Delete"}
    for case, deletable in [(speech_chart_case.case, False), (target, False), (unused, True)]:
        page = administrator_client.get(reverse("cases:case_update", args=[case.pk]))
        assert (f"/setup/patient-cases/{case.pk}/delete/" in page.content.decode()) is deletable
    refused = administrator_client.post(reverse("cases:case_delete", args=[target.pk]))
    assert refused.status_code == 409
    assert PatientCase.objects.filter(pk=target.pk).exists()
    done = administrator_client.post(reverse("cases:case_delete", args=[unused.pk]))
    assert done.status_code == 302
    assert not PatientCase.objects.filter(pk=unused.pk).exists()
