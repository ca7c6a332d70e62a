"""Two administrators edit the same case: the second save is refused, shows what changed and
keeps the second administrator's input; nothing is silently overwritten."""

import pytest

from cases import services
from cases.models import PatientCase
from tests.cases.helpers import (
    LIST_URL,
    archive_url,
    case_history,
    case_state,
    form_data,
    input_value,
    page_text,
    row_counts,
    update_url,
)
from tests.factories import AppointmentTypeRuleFactory, PatientCaseFactory


@pytest.fixture
def feeding(clinic, administrator, speech, occupational, types, treatment):
    case = PatientCaseFactory(
        clinic=clinic,
        name="Feeding Therapy",
        service_types=[speech, occupational],
        created_by=administrator,
    )
    AppointmentTypeRuleFactory(case=case, appointment_type=treatment, duration_minutes=45)
    return case


def test_second_save_from_a_stale_screen_is_refused_and_keeps_its_input(
    administrator_client, second_client, administrator, feeding, speech, occupational
):
    first = form_data(administrator_client.get(update_url(feeding)))
    second = form_data(second_client.get(update_url(feeding)))
    assert first["version"] == second["version"] == ["1"]

    first["name"] = ["Feeding and Swallowing"]
    assert administrator_client.post(update_url(feeding), first).status_code == 302

    second["name"] = ["Feeding Program"]
    second["rules-1-duration_minutes"] = ["60"]
    before = row_counts()
    response = second_client.post(update_url(feeding), second)

    assert response.status_code == 409
    text = page_text(response)
    assert "Someone else saved this case after you opened it" in text
    assert "Your changes were not saved." in text
    assert f"{administrator} (" in text
    assert "Name: Feeding Therapy → Feeding and Swallowing" in text
    # The second administrator's input is still on the form...
    assert input_value(response, "name") == "Feeding Program"
    assert input_value(response, "rules-1-duration_minutes") == "60"
    # ...now carrying the version the first save left.
    assert input_value(response, "version") == "2"
    # The first administrator's save stands, and the refused one wrote nothing.
    assert row_counts() == before
    state = case_state(feeding)
    assert (state["name"], state["version"]) == ("Feeding and Swallowing", 2)
    assert state["rules"] == [("Evaluation", False, None), ("Treatment", True, 45)]

    # Having read what changed, the second administrator saves the re-rendered form.
    response = second_client.post(update_url(feeding), form_data(response), follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    state = case_state(feeding)
    assert (state["name"], state["version"]) == ("Feeding Program", 3)
    assert state["rules"] == [("Evaluation", False, None), ("Treatment", True, 60)]
    assert list(case_history(feeding).order_by("pk").values_list("details", "changes")) == [
        ("Version 2", [["Name", "Feeding Therapy", "Feeding and Swallowing"]]),
        (
            "Version 3",
            [
                ["Name", "Feeding and Swallowing", "Feeding Program"],
                ["Requests: Treatment", "Allowed, 45 min", "Allowed, 60 min"],
            ],
        ),
    ]


def test_archive_in_between_also_refuses_the_stale_save(
    administrator_client, second_client, feeding
):
    stale = form_data(second_client.get(update_url(feeding)))
    administrator_client.post(archive_url(feeding))

    stale["name"] = ["Feeding Program"]
    response = second_client.post(update_url(feeding), stale)

    assert response.status_code == 409
    assert "Status: Active → Archived" in page_text(response)
    assert "This case is archived." in page_text(response)
    assert PatientCase.objects.get(pk=feeding.pk).name == "Feeding Therapy"


def test_stale_service_change_is_refused_and_the_ticks_are_kept(
    administrator_client, second_client, feeding, speech
):
    first = form_data(administrator_client.get(update_url(feeding)))
    second = form_data(second_client.get(update_url(feeding)))
    first["name"] = ["Feeding"]
    administrator_client.post(update_url(feeding), first)

    second["service_types"] = [str(speech.pk)]
    response = second_client.post(update_url(feeding), second)

    assert response.status_code == 409
    assert form_data(response)["service_types"] == [str(speech.pk)]
    assert case_state(feeding)["services"] == ["Occupational Therapy", "Speech Therapy"]


def test_case_update_claims_the_version_once(administrator, second_admin, feeding, speech):
    """Of two saves made from version 1, exactly one is applied."""
    services.case_update(
        case=PatientCase.objects.get(pk=feeding.pk),
        expected_version=1,
        name="First",
        service_types=[speech],
        rules=[],
        by=administrator,
    )
    state = case_state(feeding)

    with pytest.raises(services.CaseChangedError) as refused:
        services.case_update(
            case=PatientCase.objects.get(pk=feeding.pk),
            expected_version=1,
            name="Second",
            service_types=[speech],
            rules=[],
            by=second_admin,
        )

    assert refused.value.case.version == 2
    assert [entry.actor for entry in refused.value.entries] == [administrator]
    assert case_state(feeding) == state
