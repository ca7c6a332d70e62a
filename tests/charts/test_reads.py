"""The chart page's reads in SQL (charts/reads.py) against the ORM rules they stand in for:
the same patients and chart cases for every role, nothing of another clinic, the values the
ORM would give, and what the page shows of them."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from charts import reads
from charts.access import get_chart_for, may_write_documentation
from charts.models import Patient, PatientChartCase
from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from tests.factories import (
    DailyNoteFactory,
    DiagnosisFactory,
    DischargeSummaryFactory,
    EvaluationFactory,
    GoalFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientContactFactory,
    PatientFactory,
    ReminderFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.pages import page_html

ROLES = {
    "administrator": ([ADMINISTRATOR], []),
    "scheduler": ([SCHEDULER], []),
    "speech therapist": ([THERAPIST], ["speech"]),
    "occupational therapist": ([THERAPIST], ["occupational"]),
    "therapist of both": ([THERAPIST], ["speech", "occupational"]),
    "therapist of no service": ([THERAPIST], []),
    "speech therapist and scheduler": ([THERAPIST, SCHEDULER], ["speech"]),
    "speech therapist and administrator": ([THERAPIST, ADMINISTRATOR], ["speech"]),
    "portal user": ([PATIENT], []),
}


@pytest.fixture
def charts(clinic, speech, occupational, therapist):
    """Three patients: one with a speech case (two unsigned documents) and a discharged
    occupational one, one with an occupational case only, one with nothing on the chart."""
    speech_case = PatientCaseFactory(clinic=clinic, name="Speech", service_types=[speech])
    ot_case = PatientCaseFactory(clinic=clinic, name="OT", service_types=[occupational])
    both = PatientFactory(clinic=clinic)
    speech_tab = PatientChartCaseFactory(
        patient=both, case=speech_case, started_on=datetime.date(2026, 3, 1)
    )
    PatientChartCaseFactory(
        patient=both,
        case=ot_case,
        started_on=datetime.date(2026, 1, 1),
        status=PatientChartCase.Status.DISCHARGED,
        discharged_on=datetime.date(2026, 2, 1),
    )
    DailyNoteFactory(chart_case=speech_tab, author=therapist)
    DailyNoteFactory(chart_case=speech_tab, author=therapist, signed_by=therapist)
    EvaluationFactory(chart_case=speech_tab, author=therapist)
    ot_only = PatientFactory(clinic=clinic)
    PatientChartCaseFactory(patient=ot_only, case=ot_case)
    return [both, ot_only, PatientFactory(clinic=clinic)]


@pytest.mark.parametrize("role", ROLES)
def test_the_gate_sees_what_the_querysets_see(role, clinic, speech, occupational, charts):
    roles, services = ROLES[role]
    by_name = {"speech": speech, "occupational": occupational}
    user = UserFactory(
        clinic=clinic, roles=roles, service_types=[by_name[name] for name in services]
    )

    for patient in charts:
        visible = Patient.objects.visible_to(user).filter(pk=patient.pk).exists()
        expected = list(
            PatientChartCase.objects.visible_to(user)
            .filter(patient=patient)
            .order_by("status", "started_on", "pk")
        )
        if not visible:
            with pytest.raises(Http404):
                get_chart_for(user, patient.pk)
            continue
        loaded, chart_cases = get_chart_for(user, patient.pk)
        assert loaded == patient and loaded.last_name == patient.last_name
        assert chart_cases == expected
        documentable = set(
            PatientChartCase.objects.documentable_by(user).values_list("pk", flat=True)
        )
        for chart_case in chart_cases:
            assert chart_case.documentable == (chart_case.pk in documentable)
            assert chart_case.unsigned_count == (
                chart_case.daily_notes.unsigned().count()
                + chart_case.evaluations.unsigned().count()
            )
            assert chart_case.case.name == PatientChartCase.objects.get(pk=chart_case.pk).case.name
            assert chart_case.patient is loaded


def test_a_therapist_of_no_service_sees_no_patient(clinic, charts):
    user = UserFactory(clinic=clinic, roles=[THERAPIST])

    for patient in charts:
        with pytest.raises(Http404):
            get_chart_for(user, patient.pk)


def test_the_gate_refuses_another_clinics_patient_and_ids_that_are_no_rows(
    other_admin, administrator, charts
):
    for user, pk in [
        (other_admin, charts[0].pk),
        (administrator, 0),
        (administrator, 10**30),
        (administrator, max(p.pk for p in charts) + 1),
    ]:
        with pytest.raises(Http404):
            get_chart_for(user, pk)


def test_the_chart_cases_answer_the_write_check_without_a_query(
    therapist, charts, django_assert_num_queries
):
    _, chart_cases = get_chart_for(therapist, charts[0].pk)
    with django_assert_num_queries(0):
        assert [may_write_documentation(therapist, cc) for cc in chart_cases] == [True]


def test_values_come_as_the_orm_gives_them(administrator, therapist, speech_chart_case):
    """Dates as dates, booleans as booleans, whatever the database (SQLite returns numbers
    and text unless converted)."""
    patient = speech_chart_case.patient
    PatientContactFactory(patient=patient, name="Maria Carter", is_guardian=True)
    goal = GoalFactory(chart_case=speech_chart_case, created_by=therapist)
    goal.progress.create(
        clinic=goal.clinic, date=datetime.date(2026, 4, 2), status="active", author=therapist
    )
    ReminderFactory(chart_case=speech_chart_case, created_by=therapist)
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)
    DiagnosisFactory(chart_case=speech_chart_case)
    DischargeSummaryFactory(chart_case=speech_chart_case, author=therapist)

    loaded, (chart_case,) = get_chart_for(administrator, patient.pk)
    assert isinstance(loaded.date_of_birth, datetime.date)
    assert loaded.date_of_birth == patient.date_of_birth
    assert isinstance(chart_case.started_on, datetime.date)
    assert chart_case.case.is_archived is False
    lists = reads.short_lists(loaded, chart_case, documentation=True)
    assert lists["contact"][0]["flag"] is True
    (read_goal,) = reads.goals(chart_case)
    assert read_goal["target_date"] == goal.target_date
    assert read_goal["progress"]["date"] == datetime.date(2026, 4, 2)
    (note,) = reads.NotesNewestFirst(chart_case)[0:21]
    assert note["signed"] is True and isinstance(note["date_of_service"], datetime.date)
    assert isinstance(lists["reminder"][0]["date"], datetime.date)
    assert isinstance(lists["discharge summary"][0]["date"], datetime.date)
    assert lists["discharge summary"][0]["flag"] is True
    assert lists["diagnosis"][0]["date"] is None


def test_no_read_returns_another_clinics_rows(
    other_clinic, other_admin, speech_chart_case, therapist
):
    """Each statement names the clinic itself (raw SQL has no scope check): asked for another
    clinic's rows by their ids under this clinic's id, each finds nothing."""
    other_patient = PatientFactory(clinic=other_clinic)
    other_case = PatientCaseFactory(
        clinic=other_clinic, service_types=[ServiceTypeFactory(clinic=other_clinic)]
    )
    theirs = PatientChartCaseFactory(patient=other_patient, case=other_case)
    author = UserFactory(clinic=other_clinic, roles=[THERAPIST])
    PatientContactFactory(patient=other_patient)
    GoalFactory(chart_case=theirs, created_by=author)
    DailyNoteFactory(chart_case=theirs, author=author)
    EvaluationFactory(chart_case=theirs, author=author)
    ReminderFactory(chart_case=theirs, created_by=author)
    DiagnosisFactory(chart_case=theirs)
    DischargeSummaryFactory(chart_case=theirs, author=author)
    # Their rows, seen with our clinic's id.
    disguised = PatientChartCase(
        pk=theirs.pk,
        clinic_id=speech_chart_case.clinic_id,
        patient_id=other_patient.pk,
        case_id=other_case.pk,
    )
    posing_patient = Patient(pk=other_patient.pk, clinic_id=speech_chart_case.clinic_id)

    assert reads.goals(disguised) == []
    assert reads.NotesNewestFirst(disguised)[0:21] == []
    assert all(
        rows == []
        for rows in reads.short_lists(posing_patient, disguised, documentation=True).values()
    )
    # And the same reads with their own clinic's id do find them: the test proves the filter.
    assert len(reads.goals(theirs)) == 1
    assert all(
        len(rows) == 1
        for rows in reads.short_lists(other_patient, theirs, documentation=True).values()
    )


def test_the_plan_of_care_shows_diagnoses_and_summaries_with_their_links(
    therapist_client, scheduler_client, therapist, speech_chart_case
):
    diagnosis = DiagnosisFactory(chart_case=speech_chart_case, kind="medical", code="R48.8")
    summary = DischargeSummaryFactory(
        chart_case=speech_chart_case, author=therapist, date=datetime.date(2026, 5, 4)
    )
    url = reverse(
        "charts:chart_case_detail", args=[speech_chart_case.patient_id, speech_chart_case.pk]
    )

    text = page_html(therapist_client.get(url))

    assert "Medical diagnosis: <strong>R48.8</strong>" in text
    remove = reverse("charts:diagnosis_delete", args=[speech_chart_case.pk, diagnosis.pk])
    assert f'href="{remove}"' in text
    detail = reverse("charts:discharge_summary_detail", args=[speech_chart_case.pk, summary.pk])
    assert f'<a href="{detail}">Discharge summary of May 4, 2026</a>' in text


def test_a_discharged_case_offers_no_remove_link(therapist_client, therapist, speech_chart_case):
    diagnosis = DiagnosisFactory(chart_case=speech_chart_case)
    PatientChartCase.objects.filter(pk=speech_chart_case.pk).update(
        status=PatientChartCase.Status.DISCHARGED, discharged_on=timezone.localdate()
    )
    url = reverse(
        "charts:chart_case_detail", args=[speech_chart_case.patient_id, speech_chart_case.pk]
    )

    text = page_html(therapist_client.get(url))

    assert "Phonological disorder" in text
    remove = reverse("charts:diagnosis_delete", args=[speech_chart_case.pk, diagnosis.pk])
    assert remove not in text


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999999", "2147483648"])
def test_any_notes_page_number_is_answered(therapist_client, therapist, speech_chart_case, page):
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist)
    url = reverse(
        "charts:chart_case_detail", args=[speech_chart_case.patient_id, speech_chart_case.pk]
    )

    assert therapist_client.get(url, {"notes": page}).status_code == 200


def test_a_goal_card_escapes_what_was_typed(therapist_client, therapist, speech_chart_case):
    goal = GoalFactory(
        chart_case=speech_chart_case, created_by=therapist, text="<script>x</script> & more"
    )
    goal.progress.create(
        clinic=goal.clinic,
        date=datetime.date(2026, 4, 2),
        status="active",
        note='"quoted" <b>',
        author=therapist,
    )
    url = reverse(
        "charts:chart_case_detail", args=[speech_chart_case.patient_id, speech_chart_case.pk]
    )

    text = therapist_client.get(url).content.decode()  # as sent, entities and all

    assert "<script>x</script>" not in text and "&lt;script&gt;x&lt;/script&gt; &amp; more" in text
    assert "&quot;quoted&quot; &lt;b&gt;" in text


def test_the_short_lists_keep_the_orms_orders(therapist, speech_chart_case):
    day = datetime.date(2026, 4, 1)
    old, new = (
        EvaluationFactory(chart_case=speech_chart_case, author=therapist, date=day + delta)
        for delta in (datetime.timedelta(0), datetime.timedelta(days=9))
    )
    later, sooner = (
        ReminderFactory(chart_case=speech_chart_case, created_by=therapist, due_on=day + delta)
        for delta in (datetime.timedelta(days=5), datetime.timedelta(days=1))
    )
    medical = DiagnosisFactory(chart_case=speech_chart_case, kind="medical", code="R48.8")
    treatment = DiagnosisFactory(chart_case=speech_chart_case, kind="treatment", code="F80.0")
    first, second = (
        DischargeSummaryFactory(chart_case=speech_chart_case, author=therapist, date=day + delta)
        for delta in (datetime.timedelta(0), datetime.timedelta(days=3))
    )

    lists = reads.short_lists(speech_chart_case.patient, speech_chart_case, documentation=True)

    assert (
        [row["pk"] for row in lists["evaluation"]]
        == [e.pk for e in speech_chart_case.evaluations.order_by("-date", "-pk")]
        == [new.pk, old.pk]
    )
    assert (
        [row["pk"] for row in lists["reminder"]]
        == [r.pk for r in speech_chart_case.reminders.open().order_by("due_on", "pk")]
        == [sooner.pk, later.pk]
    )
    assert (
        [row["pk"] for row in lists["diagnosis"]]
        == [d.pk for d in speech_chart_case.diagnoses.order_by("-kind", "pk")]
        == [treatment.pk, medical.pk]
    )
    assert [row["pk"] for row in lists["discharge summary"]] == [second.pk, first.pk]
    assert lists["evaluation"][0]["first_name"] == therapist.first_name


def test_contacts_and_services_keep_the_databases_order(clinic, administrator, speech_patient):
    """Names in the order of ``ORDER BY`` (the database's collation), guardians first."""
    for name, guardian in [("zoe Adams", False), ("Abe Baker", False), ("Carla Diaz", True)]:
        PatientContactFactory(patient=speech_patient, name=name, is_guardian=guardian)
    services = [ServiceTypeFactory(clinic=clinic, name=name) for name in ("speech", "Aba", "OT")]
    case = PatientCaseFactory(clinic=clinic, service_types=services)
    chart_case = PatientChartCaseFactory(patient=speech_patient, case=case)

    lists = reads.short_lists(speech_patient, chart_case)

    assert [row["text"] for row in lists["contact"]] == list(
        speech_patient.contacts.order_by("-is_guardian", "name", "pk").values_list(
            "name", flat=True
        )
    )
    assert lists["contact"][0]["text"] == "Carla Diaz"
    assert [row["text"] for row in lists["service"]] == list(
        case.service_types.order_by("name", "pk").values_list("name", flat=True)
    )
    assert set(lists) == {"contact", "service"}
