"""Add Patient Case: which cases are offered, which are refused, and what is recorded."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from charts import services
from charts.models import PatientChartCase
from tests.charts.helpers import (
    chart_url,
    flash_messages,
    history,
    iso,
    options,
    page_html,
    recorded,
)
from tests.factories import (
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    ServiceTypeFactory,
)

REFUSED = (
    "That case cannot be added: it is archived, already on this chart, or not one of your "
    "service types' cases."
)


@pytest.fixture
def catalogue(clinic, other_clinic, speech, feeding_case, handwriting_case, administrator):
    """The clinic's cases besides "Speech Therapy" (already active on Liam's chart)."""
    archived = PatientCaseFactory(
        clinic=clinic,
        name="Stuttering (old)",
        service_types=[speech],
        is_archived=True,
        archived_at=timezone.now(),
        created_by=administrator,
    )
    articulation = PatientCaseFactory(
        clinic=clinic, name="Articulation", service_types=[speech], created_by=administrator
    )
    other_speech = ServiceTypeFactory(clinic=other_clinic, name="Speech Therapy")
    foreign = PatientCaseFactory(
        clinic=other_clinic, name="Hillside Speech", service_types=[other_speech]
    )
    return {
        "archived": archived,
        "articulation": articulation,
        "feeding": feeding_case,
        "handwriting": handwriting_case,
        "foreign": foreign,
    }


def _add_url(patient) -> str:
    return reverse("charts:chart_case_add", args=[patient.pk])


def test_only_addable_cases_are_offered(therapist_client, charted_patient, catalogue):
    response = therapist_client.get(_add_url(charted_patient))

    assert response.status_code == 200
    assert list(options(response, "case")) == ["Articulation", "Feeding Therapy"]


def test_the_occupational_therapist_is_offered_their_own_cases(
    ot_client, charted_patient, feeding_chart_case, catalogue
):
    """Feeding Therapy is already active on the chart; Handwriting Club is not."""
    response = ot_client.get(_add_url(charted_patient))

    assert list(options(response, "case")) == ["Handwriting Club"]


def test_adding_a_case_puts_it_on_the_chart_and_records_it(
    therapist_client, therapist, charted_patient, catalogue, today
):
    started = today - datetime.timedelta(days=2)

    response = therapist_client.post(
        _add_url(charted_patient), {"case": catalogue["feeding"].pk, "started_on": iso(started)}
    )

    chart_case = PatientChartCase.objects.get(case=catalogue["feeding"])
    assert response.status_code == 302
    assert response["Location"] == chart_url(chart_case)
    assert (chart_case.patient, chart_case.status, chart_case.started_on) == (
        charted_patient,
        PatientChartCase.Status.ACTIVE,
        started,
    )
    assert flash_messages(response) == ["“Feeding Therapy” added to Liam Carter's chart."]
    [event] = history(chart_case)
    assert (event.words, event.actor) == ("Case added to the chart", therapist)
    assert event.patient_id == charted_patient.pk


@pytest.mark.parametrize("which", ["archived", "handwriting", "foreign", "active"])
def test_a_case_that_may_not_be_added_is_refused_and_nothing_is_written(
    which, therapist_client, charted_patient, speech_case, catalogue, today
):
    case = speech_case if which == "active" else catalogue[which]
    before = PatientChartCase.objects.count()

    response = therapist_client.post(
        _add_url(charted_patient), {"case": case.pk, "started_on": iso(today)}
    )

    assert response.status_code == 400
    assert REFUSED in page_html(response)
    assert PatientChartCase.objects.count() == before
    assert not recorded().exists()


@pytest.mark.parametrize(
    ("started_on", "message"),
    [
        (1, "The date cannot be in the future."),
        (None, "This field is required."),
    ],
)
def test_a_bad_start_date_is_refused(
    started_on, message, therapist_client, charted_patient, catalogue, today
):
    day = "" if started_on is None else iso(today + datetime.timedelta(days=started_on))

    response = therapist_client.post(
        _add_url(charted_patient), {"case": catalogue["feeding"].pk, "started_on": day}
    )

    assert response.status_code == 400
    assert message in page_html(response)
    assert not PatientChartCase.objects.filter(case=catalogue["feeding"]).exists()


def test_a_missing_case_is_refused(therapist_client, charted_patient, catalogue, today):
    response = therapist_client.post(_add_url(charted_patient), {"started_on": iso(today)})

    assert response.status_code == 400
    assert "This field is required." in page_html(response)
    assert PatientChartCase.objects.count() == 1


def test_the_service_refuses_what_the_form_would(therapist, charted_patient, catalogue, today):
    """A path around the form (a stale picker, a script) meets the same rules."""
    for case, message in [
        (catalogue["archived"], "“Stuttering (old)” is archived and cannot be added."),
        (catalogue["handwriting"], "“Handwriting Club” is not one of your service types' cases."),
        (charted_patient.chart_cases.get().case, "“Speech Therapy” is already active"),
    ]:
        with pytest.raises(services.ValidationError) as error:
            services.chart_case_add(
                patient=charted_patient, case=case, started_on=today, by=therapist
            )
        assert message in error.value.messages[0]
    assert PatientChartCase.objects.count() == 1


def test_a_discharged_case_can_be_added_again(
    therapist_client, therapist, speech_chart_case, today
):
    services.chart_case_discharge(
        chart_case=speech_chart_case, discharged_on=today, discharge_evaluation=None, by=therapist
    )
    patient = speech_chart_case.patient

    assert list(options(therapist_client.get(_add_url(patient)), "case")) == ["Speech Therapy"]
    response = therapist_client.post(
        _add_url(patient), {"case": speech_chart_case.case_id, "started_on": iso(today)}
    )

    assert response.status_code == 302
    speech_chart_case.refresh_from_db()
    assert speech_chart_case.status == PatientChartCase.Status.DISCHARGED
    new = PatientChartCase.objects.exclude(pk=speech_chart_case.pk).get()
    assert (new.case_id, new.status) == (speech_chart_case.case_id, "active")


def test_a_discharged_case_can_be_added_again_while_active_on_other_charts(
    therapist_client, therapist, speech_chart_case, clinic, today
):
    """The case is active on another patient's chart: that says nothing about this chart."""
    PatientChartCaseFactory(
        case=speech_chart_case.case, patient=PatientFactory(clinic=clinic), started_on=today
    )
    services.chart_case_discharge(
        chart_case=speech_chart_case, discharged_on=today, discharge_evaluation=None, by=therapist
    )
    patient = speech_chart_case.patient

    assert list(options(therapist_client.get(_add_url(patient)), "case")) == ["Speech Therapy"]
    response = therapist_client.post(
        _add_url(patient), {"case": speech_chart_case.case_id, "started_on": iso(today)}
    )

    assert response.status_code == 302
    assert patient.chart_cases.filter(status="active").count() == 1


def test_a_case_active_on_another_chart_is_offered_here(
    therapist_client, speech_chart_case, clinic, catalogue, today
):
    other = PatientFactory(clinic=clinic)
    PatientChartCaseFactory(case=catalogue["articulation"], patient=other, started_on=today)

    response = therapist_client.get(_add_url(speech_chart_case.patient))

    assert "Articulation" in options(response, "case")


def test_nothing_to_add_says_so(therapist_client, charted_patient):
    response = therapist_client.get(_add_url(charted_patient))

    assert "Every case of your service types is already active on this chart." in page_html(
        response
    )


def test_a_patient_the_therapist_may_not_see_is_not_found(
    therapist_client, ot_patient, catalogue, today
):
    response = therapist_client.post(
        _add_url(ot_patient), {"case": catalogue["articulation"].pk, "started_on": iso(today)}
    )

    assert response.status_code == 404
    assert not PatientChartCase.objects.filter(patient=ot_patient, case=catalogue["articulation"])


def test_the_case_counts_each_patient_once(
    therapist_client, therapist, charted_patient, speech_chart_case, catalogue, today
):
    """The Patient Cases list reads a stored count: adding keeps it, re-adding a discharged
    case to the same chart does not count the patient twice, and it matches a recount."""
    articulation = catalogue["articulation"]
    other_patient = PatientChartCaseFactory(case=speech_chart_case.case).patient

    for patient in (charted_patient, other_patient):
        response = therapist_client.post(
            _add_url(patient), {"case": articulation.pk, "started_on": iso(today)}
        )
        assert response.status_code == 302
    articulation.refresh_from_db()
    assert articulation.patient_count == 2

    added = PatientChartCase.objects.get(patient=charted_patient, case=articulation)
    services.chart_case_discharge(
        chart_case=added, discharged_on=today, discharge_evaluation=None, by=therapist
    )
    therapist_client.post(
        _add_url(charted_patient), {"case": articulation.pk, "started_on": iso(today)}
    )
    articulation.refresh_from_db()
    assert PatientChartCase.objects.filter(case=articulation).count() == 3
    assert articulation.patient_count == 2

    type(articulation).objects.filter(pk=articulation.pk).update(patient_count=0)
    type(articulation).objects.filter(pk=articulation.pk).recount_patients()
    articulation.refresh_from_db()
    assert articulation.patient_count == 2
