"""Editing a case: the impact shown before saving, the confirmation a service removal needs,
and that a save which changes nothing leaves no trace."""

import pytest

from cases.models import PatientCase
from charts.models import PatientChartCase
from core.models import AuditEntry
from tests.cases.helpers import (
    LIST_URL,
    case_data,
    case_state,
    field_error,
    flash_messages,
    form_data,
    page_text,
    put_on_charts,
    row_counts,
    update_url,
)
from tests.factories import (
    AppointmentTypeRuleFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
)


@pytest.fixture
def feeding(clinic, administrator, speech, occupational, types, treatment, evaluation):
    """A shared case; Treatment may be requested for 45 minutes, Evaluation not."""
    case = PatientCaseFactory(
        clinic=clinic,
        name="Feeding Therapy",
        service_types=[speech, occupational],
        created_by=administrator,
    )
    AppointmentTypeRuleFactory(case=case, appointment_type=treatment, duration_minutes=45)
    AppointmentTypeRuleFactory(
        case=case, appointment_type=evaluation, allow_requests=False, duration_minutes=None
    )
    return case


def _edit_data(case, **changes):
    """The edit page's own data for ``case``, with ``changes`` over it."""
    fields = {
        "name": case.name,
        "services": list(case.service_types.all()),
        "allowed": {
            rule.appointment_type: rule.duration_minutes
            for rule in case.rules.filter(allow_requests=True)
        },
        "version": PatientCase.objects.get(pk=case.pk).version,
    }
    fields.update(changes)
    return case_data(case.clinic, **fields)


def test_edit_page_shows_the_case_as_saved(administrator_client, feeding, speech, occupational):
    response = administrator_client.get(update_url(feeding))

    assert response.status_code == 200
    posted = form_data(response)
    assert posted["name"] == ["Feeding Therapy"]
    assert sorted(posted["service_types"]) == sorted([str(speech.pk), str(occupational.pk)])
    assert posted["version"] == ["1"]
    # Row 0 Evaluation: not allowed, prefilled with its default; row 1 Treatment: allowed, 45.
    assert "rules-0-allow_requests" not in posted
    assert posted["rules-0-duration_minutes"] == ["60"]
    assert posted["rules-1-allow_requests"] == ["on"]
    assert posted["rules-1-duration_minutes"] == ["45"]
    assert "No patient has this case on their chart yet." in page_text(response)


def test_an_inactive_service_stays_listed_and_ticked_on_the_case_that_has_it(
    administrator_client, administrator, clinic, speech, physical_inactive, feeding
):
    """Other cases do not offer it; the case that has it shows it ticked, marked inactive."""
    case = PatientCaseFactory(
        clinic=clinic,
        name="Gait",
        service_types=[speech, physical_inactive],
        created_by=administrator,
    )

    on_case = administrator_client.get(update_url(case))
    elsewhere = administrator_client.get(update_url(feeding))

    assert sorted(form_data(on_case)["service_types"]) == sorted(
        [str(speech.pk), str(physical_inactive.pk)]
    )
    assert "Physical Therapy (inactive)" in page_text(on_case)
    assert "Physical Therapy" not in page_text(elsewhere)


def test_rename_shows_on_the_list_and_on_every_chart(administrator_client, feeding):
    chart_cases = put_on_charts(feeding, 3)

    response = administrator_client.post(
        update_url(feeding), _edit_data(feeding, name="Feeding and Swallowing"), follow=True
    )

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "Patient case “Feeding and Swallowing” saved." in flash_messages(response)
    text = page_text(response)
    assert "Feeding and Swallowing" in text
    assert "Feeding Therapy" not in text
    feeding.refresh_from_db()
    assert (feeding.name, feeding.version) == ("Feeding and Swallowing", 2)
    # The charts point at the case: each of them now reads the new name.
    names = PatientChartCase.objects.filter(pk__in=[c.pk for c in chart_cases]).values_list(
        "case__name", flat=True
    )
    assert set(names) == {"Feeding and Swallowing"}


def test_rename_to_own_name_in_other_letter_case_is_allowed(administrator_client, feeding):
    response = administrator_client.post(
        update_url(feeding), _edit_data(feeding, name="FEEDING therapy")
    )

    assert response.status_code == 302
    assert PatientCase.objects.get(pk=feeding.pk).name == "FEEDING therapy"


def test_rename_to_another_cases_name_is_refused(administrator_client, feeding, speech_case):
    state = case_state(feeding)

    response = administrator_client.post(
        update_url(feeding), _edit_data(feeding, name=" speech therapy")
    )

    assert response.status_code == 400
    assert "“speech therapy” already exists" in field_error(response, "name")
    assert case_state(feeding) == state


def test_rule_change_is_saved(administrator_client, feeding, evaluation, treatment):
    response = administrator_client.post(
        update_url(feeding), _edit_data(feeding, allowed={evaluation: 90, treatment: 60})
    )

    assert response.status_code == 302
    rules = dict(
        feeding.rules.filter(allow_requests=True).values_list(
            "appointment_type__name", "duration_minutes"
        )
    )
    assert rules == {"Evaluation": 90, "Treatment": 60}


def test_disallowing_a_type_is_saved(administrator_client, feeding, treatment):
    response = administrator_client.post(update_url(feeding), _edit_data(feeding, allowed={}))

    assert response.status_code == 302
    assert not feeding.rules.filter(allow_requests=True).exists()


@pytest.mark.parametrize(("patients", "words"), [(1, "the 1 patient"), (3, "all 3 patients")])
def test_edit_page_says_how_many_patients_the_change_reaches(
    administrator_client, feeding, patients, words
):
    PatientChartCaseFactory.create_batch(patients, case=feeding)

    response = administrator_client.get(update_url(feeding))

    assert f"Changes apply to {words} with this case." in page_text(response)


def test_impact_counts_patients_not_chart_cases(administrator_client, feeding):
    """A patient discharged from the case and started on it again is one patient."""
    patient = PatientFactory(clinic=feeding.clinic)
    PatientChartCaseFactory(
        case=feeding,
        patient=patient,
        status="discharged",
        started_on="2024-01-08",
        discharged_on="2024-06-03",
    )
    PatientChartCaseFactory(case=feeding, patient=patient, started_on="2025-01-06")
    PatientChartCaseFactory(case=feeding)

    response = administrator_client.get(update_url(feeding))

    assert "Changes apply to all 2 patients with this case." in page_text(response)


def test_removing_a_service_from_a_case_in_use_needs_confirmation(
    administrator_client, feeding, speech, occupational
):
    put_on_charts(feeding, 2)
    put_on_charts(feeding, 1, status="discharged")
    before, state = row_counts(), case_state(feeding)

    response = administrator_client.post(
        update_url(feeding), _edit_data(feeding, services=[speech])
    )

    assert response.status_code == 400
    assert (
        "Removing Occupational Therapy: therapists of Occupational Therapy will no longer see "
        "this case on 3 patient chart cases." in page_text(response)
    )
    assert "Confirm the removal of Occupational Therapy to save." in field_error(
        response, "confirm_service_removal"
    )
    assert row_counts() == before
    assert case_state(feeding) == state

    # The administrator ticks the confirmation on the re-rendered form and saves again.
    data = form_data(response)
    data["confirm_service_removal"] = ["on"]
    response = administrator_client.post(update_url(feeding), data)

    assert response.status_code == 302
    assert list(feeding.service_types.all()) == [speech]
    assert case_state(feeding)["version"] == 2


def test_removal_warning_uses_the_singular_for_one_chart_case(
    administrator_client, feeding, speech
):
    put_on_charts(feeding, 1)

    response = administrator_client.post(
        update_url(feeding), _edit_data(feeding, services=[speech])
    )

    assert response.status_code == 400
    assert "will no longer see this case on 1 patient chart case." in page_text(response)


def test_adding_a_service_to_a_case_in_use_needs_no_confirmation(
    administrator_client, clinic, administrator, speech, occupational, types
):
    case = PatientCaseFactory(
        clinic=clinic, name="Speech", service_types=[speech], created_by=administrator
    )
    put_on_charts(case, 2)

    response = administrator_client.post(
        update_url(case), _edit_data(case, services=[speech, occupational])
    )

    assert response.status_code == 302
    assert set(case.service_types.all()) == {speech, occupational}


def test_removing_a_service_from_an_unused_case_needs_no_confirmation(
    administrator_client, feeding, speech
):
    response = administrator_client.post(
        update_url(feeding), _edit_data(feeding, services=[speech])
    )

    assert response.status_code == 302
    assert list(feeding.service_types.all()) == [speech]


def test_saving_without_a_change_adds_no_history_and_keeps_the_version(
    administrator_client, feeding
):
    put_on_charts(feeding, 2)
    form = form_data(administrator_client.get(update_url(feeding)))
    history = AuditEntry.objects.count()

    response = administrator_client.post(update_url(feeding), form, follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert AuditEntry.objects.count() == history
    assert PatientCase.objects.get(pk=feeding.pk).version == 1


def test_edit_records_one_history_entry_and_bumps_the_version(
    administrator_client, administrator, feeding
):
    administrator_client.post(update_url(feeding), _edit_data(feeding, name="Feeding"))

    entry = AuditEntry.objects.get(object_id=str(feeding.pk))
    assert (entry.action, entry.details, entry.actor) == ("update", "Version 2", administrator)
    assert entry.changes == [["Name", "Feeding Therapy", "Feeding"]]
    assert PatientCase.objects.get(pk=feeding.pk).version == 2


def test_new_appointment_type_gets_a_row_on_an_existing_case(administrator_client, feeding, clinic):
    from tests.factories import AppointmentTypeFactory

    AppointmentTypeFactory(clinic=clinic, name="Re-evaluation", default_duration_minutes=60)

    form = form_data(administrator_client.get(update_url(feeding)))
    assert form["rules-TOTAL_FORMS"] == ["3"]
    form["rules-1-allow_requests"] = ["on"]  # Re-evaluation sits between the two others.

    response = administrator_client.post(update_url(feeding), form)

    assert response.status_code == 302
    rule = feeding.rules.get(appointment_type__name="Re-evaluation")
    assert (rule.allow_requests, rule.duration_minutes) == (True, 60)


def test_a_save_that_changes_nothing_says_so(administrator_client, feeding):
    page = administrator_client.get(update_url(feeding))

    response = administrator_client.post(update_url(feeding), form_data(page), follow=True)

    assert f"No changes to save in “{feeding.name}”." in page_text(response)
    feeding.refresh_from_db()
    assert feeding.version == 1
