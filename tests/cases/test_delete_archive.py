"""Deleting a case nobody uses; refusing to delete one on a chart and offering Archive instead;
archiving and restoring."""

import pytest
from django.urls import reverse

from cases import services, views
from cases.models import AppointmentTypeRule, PatientCase, PatientCaseServiceType
from charts.models import PatientChartCase
from core.deletion import protected_uses
from core.models import AuditEntry
from tests.cases.helpers import (
    LIST_URL,
    archive_url,
    case_history,
    case_state,
    delete_url,
    flash_messages,
    page_text,
    put_on_charts,
    restore_url,
    row_counts,
    update_url,
)
from tests.factories import AppointmentTypeRuleFactory, PatientCaseFactory


@pytest.fixture
def articulation(clinic, administrator, speech, treatment):
    case = PatientCaseFactory(
        clinic=clinic, name="Articulation", service_types=[speech], created_by=administrator
    )
    AppointmentTypeRuleFactory(case=case, appointment_type=treatment, duration_minutes=45)
    return case


def _history(case):
    return list(case_history(case).order_by("pk").values_list("action", flat=True))


# Delete


def test_unused_case_delete_page_offers_the_delete_button(administrator_client, articulation):
    response = administrator_client.get(delete_url(articulation))

    assert response.status_code == 200
    text = page_text(response)
    assert "No patient has “Articulation” on their chart, so it can be deleted for good" in text
    assert '<button type="submit" class="btn btn-danger">Delete Patient Case</button>' in (
        response.content.decode()
    )


def test_unused_case_is_deleted_and_its_history_kept(
    administrator_client, administrator, articulation
):
    response = administrator_client.post(delete_url(articulation), follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "Patient case “Articulation” deleted." in flash_messages(response)
    assert update_url(articulation) not in response.content.decode()
    assert not PatientCase.objects.filter(pk=articulation.pk).exists()
    assert not AppointmentTypeRule.objects.filter(case_id=articulation.pk).exists()
    assert not PatientCaseServiceType.objects.filter(case_id=articulation.pk).exists()
    entry = case_history(articulation).get()
    assert (entry.action, entry.object_repr) == ("delete", "Articulation")
    assert entry.actor == administrator
    assert ["Name", "Articulation", ""] in entry.changes


def test_history_of_a_deleted_case_outlives_it(administrator_client, clinic, speech, administrator):
    case = services.case_create(
        clinic=clinic, name="Short-lived", service_types=[speech], rules=[], by=administrator
    )

    administrator_client.post(delete_url(case))

    assert _history(case) == ["create", "delete"]
    assert set(AuditEntry.objects.values_list("object_repr", flat=True)) == {"Short-lived"}


def test_case_on_a_chart_delete_page_refuses_and_offers_archive(administrator_client, articulation):
    put_on_charts(articulation, 2)

    response = administrator_client.get(delete_url(articulation))

    assert response.status_code == 200
    text = page_text(response)
    assert "“Articulation” cannot be deleted because it is on 2 patient chart cases." in text
    assert "Archive it instead" in text
    content = response.content.decode()
    assert f'<form method="post" action="{archive_url(articulation)}">' in content
    assert "Delete Patient Case</button>" not in content


def test_case_on_a_chart_is_not_deleted(administrator_client, articulation):
    put_on_charts(articulation, 1, status="discharged")
    before, state = row_counts(), case_state(articulation)

    response = administrator_client.post(delete_url(articulation))

    assert response.status_code == 409
    assert "cannot be deleted because it is on 1 patient chart case" in page_text(response)
    assert row_counts() == before
    assert case_state(articulation) == state


def test_archived_case_on_a_chart_is_refused_without_a_second_archive(
    administrator_client, administrator, articulation
):
    put_on_charts(articulation, 1)
    services.case_archive(case=articulation, by=administrator)

    response = administrator_client.get(delete_url(articulation))

    assert "This case is already archived." in page_text(response)
    assert f'action="{archive_url(articulation)}"' not in response.content.decode()


def test_chart_added_between_check_and_delete_refuses_the_delete(
    administrator_client, articulation, monkeypatch
):
    """The check says unused; a chart takes the case before the DELETE runs."""
    monkeypatch.setattr(views, "protected_uses", lambda case: {})
    calls = []

    def unused_then_used(case):
        calls.append(case)
        if len(calls) == 1:
            put_on_charts(case, 1)
            return {}
        return protected_uses(case)

    monkeypatch.setattr(services, "protected_uses", unused_then_used)
    history = AuditEntry.objects.count()

    response = administrator_client.post(delete_url(articulation))

    assert response.status_code == 409
    assert "cannot be deleted because it is on 1 patient chart case" in page_text(response)
    assert PatientCase.objects.filter(pk=articulation.pk).exists()
    assert articulation.rules.count() == 1
    # The "deleted" entry was written before the refused DELETE: it went back with it.
    assert AuditEntry.objects.count() == history


# Archive and restore


def test_archive_page_says_what_archiving_does(administrator_client, articulation):
    put_on_charts(articulation, 2)

    response = administrator_client.get(archive_url(articulation))

    assert response.status_code == 200
    text = page_text(response)
    assert "will disappear from every picker" in text
    assert "The 2 patients who have it keep it on their charts." in text


def test_archived_case_leaves_the_list_and_pickers_but_stays_on_charts(
    administrator_client, administrator, articulation
):
    chart_cases = put_on_charts(articulation, 2)

    response = administrator_client.post(archive_url(articulation), follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert (
        "Patient case “Articulation” archived. It stays on the charts that have it and is no "
        "longer offered for anything new." in flash_messages(response)
    )
    assert "Articulation" not in page_text(administrator_client.get(LIST_URL))
    archived_list = page_text(administrator_client.get(LIST_URL, {"archived": "1"}))
    assert "Articulation Archived" in archived_list
    articulation.refresh_from_db()
    assert articulation.is_archived and articulation.archived_at is not None
    assert articulation.archived_by == administrator
    assert articulation.version == 2
    assert not PatientCase.objects.pickable().filter(pk=articulation.pk).exists()
    assert (
        PatientChartCase.objects.filter(
            pk__in=[chart_case.pk for chart_case in chart_cases], case=articulation
        ).count()
        == 2
    )
    assert "This case is archived." in page_text(administrator_client.get(update_url(articulation)))
    assert _history(articulation) == ["archive"]


def test_restore_brings_the_case_back(administrator_client, administrator, articulation):
    services.case_archive(case=articulation, by=administrator)

    assert administrator_client.get(restore_url(articulation)).status_code == 200
    response = administrator_client.post(restore_url(articulation), follow=True)

    assert "Patient case “Articulation” restored." in flash_messages(response)
    assert "Articulation" in page_text(response)
    assert "Archived" not in page_text(response)
    articulation.refresh_from_db()
    assert not articulation.is_archived
    assert (articulation.archived_at, articulation.archived_by) == (None, None)
    assert PatientCase.objects.pickable().filter(pk=articulation.pk).exists()
    assert _history(articulation) == ["archive", "restore"]


def test_archiving_an_archived_case_is_an_error(administrator_client, administrator, articulation):
    services.case_archive(case=articulation, by=administrator)
    state = case_state(articulation)

    response = administrator_client.post(archive_url(articulation), follow=True)

    assert "“Articulation” is already archived." in flash_messages(response)
    assert case_state(articulation) == state


def test_restoring_a_case_that_is_not_archived_is_an_error(administrator_client, articulation):
    state = case_state(articulation)

    response = administrator_client.post(restore_url(articulation), follow=True)

    assert "“Articulation” is not archived." in flash_messages(response)
    assert case_state(articulation) == state


def test_archived_unused_case_can_still_be_deleted(
    administrator_client, administrator, articulation
):
    services.case_archive(case=articulation, by=administrator)

    response = administrator_client.post(delete_url(articulation))

    assert response.status_code == 302
    assert not PatientCase.objects.filter(pk=articulation.pk).exists()


def test_refusal_counts_one_chart_case_in_the_singular(administrator_client, speech_case):
    from tests.factories import PatientChartCaseFactory

    PatientChartCaseFactory(case=speech_case)

    response = administrator_client.get(reverse("cases:case_delete", args=[speech_case.pk]))

    assert "it is on 1 patient chart case." in " ".join(response.content.decode().split())
