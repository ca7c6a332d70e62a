"""Bugs planted on a copy of the code that the suite used to let through."""

import datetime

from cases import services as case_services
from charts.models import PatientChartCase
from tests.cases.helpers import case_data, form_data, page_text, update_url
from tests.factories import PatientFactory
from tests.hardening.helpers import logged_in


def test_the_conflict_list_shows_only_what_changed_after_the_screen_was_opened(
    clinic, administrator, second_admin, speech, occupational, treatment
):
    """A list that started at the version already seen would repeat its creation."""
    case = case_services.case_create(
        clinic=clinic, name="Feeding Therapy", service_types=[speech], rules=[], by=administrator
    )
    first, second = logged_in(administrator), logged_in(second_admin)
    first_form = form_data(first.get(update_url(case)))
    second_form = form_data(second.get(update_url(case)))
    first_form["name"] = ["Feeding and Swallowing"]
    assert first.post(update_url(case), first_form).status_code == 302

    second_form["name"] = ["Feeding Program"]
    response = second.post(update_url(case), second_form)

    assert response.status_code == 409
    text = page_text(response)
    assert "edited" in text and "Name: Feeding Therapy → Feeding and Swallowing" in text
    assert "created" not in text
    assert response.context["conflict"].entries[0].action == "update"
    assert len(response.context["conflict"].entries) == 1


def test_the_impact_count_counts_chart_cases_not_patients(
    administrator_client, clinic, administrator, speech, occupational, treatment
):
    """One patient with the case twice (discharged, then active again) is two chart cases
    that the occupational therapists stop seeing."""
    case = case_services.case_create(
        clinic=clinic,
        name="Feeding Therapy",
        service_types=[speech, occupational],
        rules=[],
        by=administrator,
    )
    patient = PatientFactory(clinic=clinic)
    start = datetime.date(2025, 1, 6)
    PatientChartCase.objects.create(
        clinic=clinic,
        patient=patient,
        case=case,
        started_on=start,
        status=PatientChartCase.Status.DISCHARGED,
        discharged_on=start,
    )
    PatientChartCase.objects.create(clinic=clinic, patient=patient, case=case, started_on=start)

    response = administrator_client.post(
        update_url(case), case_data(clinic, name=case.name, services=[speech], version=1)
    )

    assert response.status_code == 400
    assert "will no longer see this case on 2 patient chart cases." in page_text(response)
