"""core.aggregates.JSONList, the list aggregate read with a list's rows, on both databases."""

from cases.models import PatientCase, PatientCaseServiceType
from core.aggregates import json_list_of
from core.sql import read_json_list
from tests.factories import PatientCaseFactory, ServiceTypeFactory


def _lists(queryset, *fields):
    links = PatientCaseServiceType.objects.all()
    listed = queryset.annotate(listed=json_list_of(links, "case", *fields)).order_by("name")
    return {case.name: sorted(read_json_list(case.listed)) for case in listed}


def test_a_list_of_names_and_of_pairs_and_of_nothing(clinic, speech, administrator):
    hostile = ServiceTypeFactory(clinic=clinic, name='O\'Hara, "quoted" & <b>, comma')
    PatientCaseFactory(
        clinic=clinic, name="Both", service_types=[speech, hostile], created_by=administrator
    )
    PatientCaseFactory(clinic=clinic, name="None", service_types=[], created_by=administrator)
    cases = PatientCase.objects.filter(clinic=clinic)

    assert _lists(cases, "service_type__name") == {
        "Both": sorted([speech.name, hostile.name]),
        "None": [],
    }
    assert _lists(cases, "service_type__name", "service_type_id") == {
        "Both": sorted([[speech.name, speech.pk], [hostile.name, hostile.pk]]),
        "None": [],
    }
