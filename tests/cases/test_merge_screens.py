"""The Merge Patient Cases screens as an administrator uses them: preview, merge, History,
undo; and every bad input a clear message with a 4xx and nothing changed."""

import pytest
from django.urls import reverse

from cases.models import PatientCase
from charts.models import DailyNote, PatientChartCase
from charts.services import reminder_create
from tests.factories import (
    DailyNoteFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("cases:case_merge")


@pytest.fixture
def feeding(clinic, speech, administrator):
    return PatientCaseFactory(clinic=clinic, name="Feeding", service_types=[speech])


@pytest.fixture
def feeding_therapy(clinic, speech, occupational):
    return PatientCaseFactory(clinic=clinic, name="Feeding Therapy", service_types=[occupational])


def _preview(client, target, *sources):
    return client.get(URL, {"target": target.pk, "sources": [s.pk for s in sources]})


def test_preview_merge_history_and_undo(
    administrator_client, clinic, feeding, feeding_therapy, therapist
):
    patient = PatientFactory(clinic=clinic)
    source = PatientChartCaseFactory(case=feeding, patient=patient)
    target = PatientChartCaseFactory(case=feeding_therapy, patient=patient)
    note = DailyNoteFactory(chart_case=source, author=therapist, signed_by=therapist)
    PatientChartCaseFactory(case=feeding)

    preview = _preview(administrator_client, feeding_therapy, feeding)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "is on <strong>2</strong> charts" in page
    assert "<strong>1</strong> patient has both" in page
    assert "Speech Therapy" in page  # the service the target lacks
    token = preview.context["preview"].token

    merged = administrator_client.post(
        URL, {"target": feeding_therapy.pk, "sources": [feeding.pk], "token": token}, follow=True
    )
    assert merged.status_code == 200
    assert "Merged “Feeding” into “Feeding Therapy”" in merged.content.decode()
    assert DailyNote.objects.get(pk=note.pk).chart_case_id == target.pk
    assert "Undo the latest merge" in merged.content.decode()

    undo_url = reverse("cases:case_merge_undo", args=[feeding_therapy.pk])
    assert administrator_client.get(undo_url).status_code == 200
    undone = administrator_client.post(undo_url, follow=True)
    assert "was undone" in undone.content.decode()
    assert DailyNote.objects.get(pk=note.pk).chart_case_id == source.pk
    assert not PatientCase.objects.get(pk=feeding.pk).is_archived


def test_undo_after_a_write_is_refused_with_what_changed(
    administrator_client, clinic, feeding, feeding_therapy, speech, administrator
):
    PatientCase.objects.get(pk=feeding_therapy.pk).service_types.add(
        speech, through_defaults={"clinic_id": clinic.pk}
    )
    chart_case = PatientChartCaseFactory(case=feeding)
    token = _preview(administrator_client, feeding_therapy, feeding).context["preview"].token
    administrator_client.post(
        URL, {"target": feeding_therapy.pk, "sources": [feeding.pk], "token": token}
    )
    from tests.factories import UserFactory

    therapist = UserFactory(clinic=clinic, roles=["Therapist"], service_types=[speech])
    chart_case.refresh_from_db()
    reminder_create(chart_case=chart_case, text="Call", due_on=clinic.today(), by=therapist)

    refused = administrator_client.post(reverse("cases:case_merge_undo", args=[feeding_therapy.pk]))

    assert refused.status_code == 409
    assert "can no longer be undone" in refused.content.decode()
    assert "Reminder created" in refused.content.decode()
    assert PatientChartCase.objects.get(pk=chart_case.pk).case_id == feeding_therapy.pk


def test_a_stale_preview_is_refused_with_the_new_one(
    administrator_client, feeding, feeding_therapy
):
    token = _preview(administrator_client, feeding_therapy, feeding).context["preview"].token
    PatientChartCaseFactory(case=feeding)

    response = administrator_client.post(
        URL, {"target": feeding_therapy.pk, "sources": [feeding.pk], "token": token}
    )

    assert response.status_code == 409
    assert "changed since this preview" in response.content.decode()
    assert "is on <strong>1</strong> chart" in response.content.decode()
    assert not PatientCase.objects.get(pk=feeding.pk).is_archived


@pytest.mark.parametrize(
    "bad",
    ["itself", "archived target", "other clinic target", "no source", "garbage id", "merged"],
)
def test_bad_input_is_a_400_beside_the_field(
    bad, administrator_client, clinic, feeding, feeding_therapy, other_admin, administrator
):
    data = {"target": feeding_therapy.pk, "sources": [feeding.pk], "token": ""}
    expected = ""
    if bad == "itself":
        data["sources"] = [feeding_therapy.pk]
        expected = "cannot be merged into itself"
    elif bad == "archived target":
        PatientCase.objects.filter(pk=feeding_therapy.pk).update(
            is_archived=True, archived_at="2026-01-01T00:00:00Z"
        )
        expected = "is archived"
    elif bad == "other clinic target":
        data["target"] = PatientCaseFactory(clinic=other_admin.clinic).pk
        expected = "Choose among your clinic"
    elif bad == "no source":
        data["sources"] = []
        expected = "This field is required"
    elif bad == "garbage id":
        data["sources"] = ["x" * 30]
        expected = "Choose among your clinic"
    else:
        PatientCase.objects.filter(pk=feeding.pk).update(merged_into=feeding_therapy)
        expected = "Choose among your clinic"
    for response in (administrator_client.post(URL, data), administrator_client.get(URL, data)):
        assert response.status_code == 400
        assert expected in response.content.decode()
    assert not PatientCase.objects.filter(merged_into__isnull=False).exclude(pk=feeding.pk)
    assert PatientCase.objects.get(pk=feeding_therapy.pk).merged_into_id is None


def test_undo_with_no_merge_is_a_404(administrator_client, feeding_therapy):
    url = reverse("cases:case_merge_undo", args=[feeding_therapy.pk])
    assert administrator_client.get(url).status_code == 404
