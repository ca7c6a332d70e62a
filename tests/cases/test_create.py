"""Adding a patient case: what is saved, what the administrator sees, all or nothing."""

import pytest
from django.db import IntegrityError

from cases import services
from cases.forms import BaseRuleFormSet
from cases.models import AppointmentTypeRule, PatientCase
from core.models import AuditEntry
from tests.cases.helpers import (
    CREATE_URL,
    LIST_URL,
    case_data,
    flash_messages,
    form_data,
    page_text,
    row_counts,
)


def test_add_page_offers_active_services_and_one_row_per_active_appointment_type(
    administrator_client, speech, occupational, physical_inactive, types, consultation_inactive
):
    response = administrator_client.get(CREATE_URL)

    assert response.status_code == 200
    text = page_text(response)
    assert "Speech Therapy" in text and "Occupational Therapy" in text
    assert "Physical Therapy" not in text
    assert "Consultation" not in text
    posted = form_data(response)
    assert posted["rules-TOTAL_FORMS"] == ["2"]
    # Prefilled with each type's default duration, nothing allowed yet.
    assert posted["rules-0-duration_minutes"] == ["60"]
    assert posted["rules-1-duration_minutes"] == ["45"]
    assert "rules-0-allow_requests" not in posted


def test_create_saves_case_services_rules_and_history(
    administrator_client, administrator, clinic, speech, types, evaluation, treatment
):
    data = case_data(clinic, name="  Speech   Therapy ", services=[speech], allowed={treatment: 30})

    response = administrator_client.post(CREATE_URL, data, follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "Patient case “Speech Therapy” saved." in flash_messages(response)
    case = PatientCase.objects.get()
    assert case.name == "Speech Therapy"
    assert case.clinic == clinic
    assert case.created_by == administrator and case.updated_by == administrator
    assert case.version == 1 and not case.is_archived
    assert list(case.service_types.all()) == [speech]
    rules = {rule.appointment_type: rule for rule in AppointmentTypeRule.objects.filter(case=case)}
    assert set(rules) == {evaluation, treatment}
    assert (rules[treatment].allow_requests, rules[treatment].duration_minutes) == (True, 30)
    assert rules[evaluation].allow_requests is False
    assert all(rule.clinic_id == clinic.pk for rule in rules.values())
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.actor) == ("create", str(case.pk), administrator)
    assert ["Name", "", "Speech Therapy"] in entry.changes
    assert ["Requests: Treatment", "", "Allowed, 30 min"] in entry.changes
    # And the list shows it, with what patients may request.
    assert "Speech Therapy" in page_text(response)
    assert "Treatment (30 min)" in page_text(response)


def test_create_from_the_rendered_add_page(administrator_client, speech, types):
    """What the browser would post: the page's own fields, the name typed and a box ticked."""
    data = form_data(administrator_client.get(CREATE_URL))
    data["name"] = ["Articulation"]
    data["service_types"] = [str(speech.pk)]
    data["rules-1-allow_requests"] = ["on"]

    response = administrator_client.post(CREATE_URL, data)

    assert response.status_code == 302
    case = PatientCase.objects.get(name="Articulation")
    allowed = case.rules.filter(allow_requests=True).values_list(
        "appointment_type__name", "duration_minutes"
    )
    assert list(allowed) == [("Treatment", 45)]


def test_shared_case_is_marked_shared_on_the_list(
    administrator_client, clinic, speech, occupational, types
):
    data = case_data(clinic, name="Feeding Therapy", services=[speech, occupational])

    response = administrator_client.post(CREATE_URL, data, follow=True)

    case = PatientCase.objects.get()
    assert set(case.service_types.all()) == {speech, occupational}
    text = page_text(response)
    assert "Feeding Therapy Shared" in text
    assert "Occupational Therapy, Speech Therapy" in text


def test_single_service_case_is_not_marked_shared(administrator_client, clinic, speech, types):
    administrator_client.post(
        CREATE_URL, case_data(clinic, name="Speech Therapy", services=[speech])
    )

    assert "Shared" not in page_text(administrator_client.get(LIST_URL))


def test_create_with_no_active_appointment_types_saves_case_without_rules(
    administrator_client, clinic, speech
):
    response = administrator_client.post(
        CREATE_URL, case_data(clinic, name="Speech", services=[speech])
    )

    assert response.status_code == 302
    assert PatientCase.objects.filter(name="Speech").exists()
    assert AppointmentTypeRule.objects.count() == 0


def test_rule_refused_by_the_database_writes_nothing(
    administrator_client, clinic, speech, types, treatment, monkeypatch
):
    """The case, its services and the first rule are written before the last rule fails:
    the transaction takes them all back."""
    real_rule_inputs = BaseRuleFormSet.rule_inputs

    def last_rule_breaks_the_duration_check(formset):
        rules = real_rule_inputs(formset)
        rules[-1] = services.RuleInput(rules[-1].appointment_type, True, 7)
        return rules

    monkeypatch.setattr(BaseRuleFormSet, "rule_inputs", last_rule_breaks_the_duration_check)
    administrator_client.raise_request_exception = False
    before = row_counts()

    response = administrator_client.post(
        CREATE_URL, case_data(clinic, name="Speech", services=[speech], allowed={treatment: 45})
    )

    assert response.status_code == 500
    assert row_counts() == before


def test_case_create_service_is_one_transaction(administrator, clinic, speech, types):
    evaluation, treatment = types
    before = row_counts()

    with pytest.raises(IntegrityError):
        services.case_create(
            clinic=clinic,
            name="Speech",
            service_types=[speech],
            rules=[
                services.RuleInput(evaluation, True, 60),
                services.RuleInput(treatment, True, None),
            ],
            by=administrator,
        )

    assert row_counts() == before


def test_markup_in_a_name_is_shown_as_text(administrator_client, clinic, speech, types):
    administrator_client.post(
        CREATE_URL, case_data(clinic, name="<b>Bold</b> & Co", services=[speech])
    )

    content = administrator_client.get(LIST_URL).content.decode()

    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in content
    assert "<b>Bold</b>" not in content
