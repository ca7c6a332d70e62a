"""A chart case a merge emptied into another has left the chart for the family too: the portal
home does not list it and its request screen is a 404 (``PatientChartCase.objects.on_chart``,
the one rule the staff screens use)."""

from django.urls import reverse

from cases.merge import case_merge
from cases.merge_preview import merge_preview
from tests.factories import PatientCaseFactory, PatientChartCaseFactory


def test_a_merged_away_chart_case_is_off_the_portal(
    portal_client, portal_patient, speech_case, speech, administrator, clinic
):
    source = PatientCaseFactory(clinic=clinic, name="Feeding (old)", service_types=[speech])
    # Liam has both cases: his "Feeding (old)" chart case is emptied into his speech one.
    emptied = PatientChartCaseFactory(patient=portal_patient, case=source)
    assert "Feeding (old)" in portal_client.get(reverse("portal:home")).content.decode()

    preview = merge_preview(target=speech_case, sources=[source])
    case_merge(target=speech_case, sources=[source], token=preview.token, by=administrator)

    home = portal_client.get(reverse("portal:home")).content.decode()
    assert "Feeding (old)" not in home
    assert "Speech Therapy" in home
    response = portal_client.get(reverse("portal:request_create", args=[emptied.pk]))
    assert response.status_code == 404
