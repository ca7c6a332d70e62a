"""The chart page's reads (charts/reads.py, querysets of the models' own rules): the gate gives
every role the patients and chart cases the visibility rules give, nothing of another
clinic is read, the lists keep their orders, and what the page shows of them is escaped."""

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

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


def test_the_tabs_count_what_is_unsigned(administrator, therapist, speech_chart_case):
    """The tab's count is the notes and evaluations that ``unsigned()`` finds."""
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist)
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)
    EvaluationFactory(chart_case=speech_chart_case, author=therapist)
    EvaluationFactory(chart_case=speech_chart_case, author=therapist, signed_by=therapist)

    _, (chart_case,) = get_chart_for(administrator, speech_chart_case.patient_id)

    assert chart_case.unsigned_count == 2


def test_the_latest_progress_entry_is_the_newest_date_then_the_last_written(
    therapist, speech_chart_case
):
    goal = GoalFactory(chart_case=speech_chart_case, created_by=therapist)
    GoalFactory(chart_case=speech_chart_case, created_by=therapist)  # no progress at all
    for day, note in [(2, "second day"), (3, "first of the third"), (3, "last of the third")]:
        goal.progress.create(
            clinic=goal.clinic,
            date=datetime.date(2026, 4, day),
            status="active",
            note=note,
            author=therapist,
        )

    first, second = reads.goals(speech_chart_case)

    assert first["progress"]["note"] == "last of the third"
    assert first["progress"]["author__first_name"] == therapist.first_name
    assert second["progress"] is None


def test_no_read_returns_another_clinics_rows(
    other_clinic, other_admin, speech_chart_case, therapist
):
    """Read inside a clinic's scope, as every request is, the reads find nothing of another
    clinic even when handed its rows' ids."""
    other_patient = PatientFactory(clinic=other_clinic)
    other_case = PatientCaseFactory(
        clinic=other_clinic, service_types=[ServiceTypeFactory(clinic=other_clinic)]
    )
    theirs = PatientChartCaseFactory(patient=other_patient, case=other_case)
    author = UserFactory(clinic=other_clinic, roles=[THERAPIST])
    PatientContactFactory(patient=other_patient)
    goal = GoalFactory(chart_case=theirs, created_by=author)
    goal.progress.create(clinic=other_clinic, date=goal.start_date, status="active", author=author)
    DailyNoteFactory(chart_case=theirs, author=author)
    EvaluationFactory(chart_case=theirs, author=author)
    ReminderFactory(chart_case=theirs, created_by=author)
    DiagnosisFactory(chart_case=theirs)
    DischargeSummaryFactory(chart_case=theirs, author=author)

    def everything():
        return [
            list(reads.contacts(other_patient)),
            reads.service_names(theirs),
            reads.goals(theirs),
            reads.notes(theirs)[0:21],
            list(reads.evaluations(theirs)),
            list(reads.open_reminders(theirs)),
            list(reads.diagnoses(theirs)),
            list(reads.discharge_summaries(theirs)),
        ]

    with scope(clinic=speech_chart_case.clinic):
        assert everything() == [[]] * 8
        assert list(reads.chart_tabs(therapist, other_patient.pk)) == []
    # And with their own clinic's scope the same reads do find them: the test proves the scope.
    with scope(clinic=other_clinic):
        assert all(len(rows) == 1 for rows in everything())
        assert len(list(reads.chart_tabs(other_admin, other_patient.pk))) == 1


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
    # Jinja2 renders the cards (markupsafe writes a quote as &#34;, Django's escape &quot;).
    assert "&#34;quoted&#34; &lt;b&gt;" in text


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

    def pks(rows):
        return [row["pk"] for row in rows]

    assert (
        pks(reads.evaluations(speech_chart_case))
        == [e.pk for e in speech_chart_case.evaluations.order_by("-date", "-pk")]
        == [new.pk, old.pk]
    )
    assert (
        pks(reads.open_reminders(speech_chart_case))
        == [r.pk for r in speech_chart_case.reminders.open().order_by("due_on", "pk")]
        == [sooner.pk, later.pk]
    )
    assert (
        pks(reads.diagnoses(speech_chart_case))
        == [d.pk for d in speech_chart_case.diagnoses.order_by("-kind", "pk")]
        == [treatment.pk, medical.pk]
    )
    assert pks(reads.discharge_summaries(speech_chart_case)) == [second.pk, first.pk]
    assert reads.evaluations(speech_chart_case)[0]["author__first_name"] == therapist.first_name


def test_contacts_and_services_keep_the_databases_order(clinic, administrator, speech_patient):
    """Names in the order of ``ORDER BY`` (the database's collation), guardians first."""
    for name, guardian in [("zoe Adams", False), ("Abe Baker", False), ("Carla Diaz", True)]:
        PatientContactFactory(patient=speech_patient, name=name, is_guardian=guardian)
    services = [ServiceTypeFactory(clinic=clinic, name=name) for name in ("speech", "Aba", "OT")]
    case = PatientCaseFactory(clinic=clinic, service_types=services)
    chart_case = PatientChartCaseFactory(patient=speech_patient, case=case)

    assert [row["name"] for row in reads.contacts(speech_patient)] == list(
        speech_patient.contacts.order_by("-is_guardian", "name", "pk").values_list(
            "name", flat=True
        )
    )
    assert reads.contacts(speech_patient)[0]["name"] == "Carla Diaz"
    assert reads.service_names(chart_case) == list(
        case.service_types.order_by("name", "pk").values_list("name", flat=True)
    )


def test_a_notes_row_and_every_authors_name_are_escaped(
    therapist_client, therapist, speech_chart_case
):
    hostile = "\"'><script>x</script>"
    therapist.first_name = hostile
    therapist.save()
    DailyNoteFactory(chart_case=speech_chart_case, author=therapist, assessment=hostile)
    goal = GoalFactory(chart_case=speech_chart_case, created_by=therapist, text="Say /s/")
    goal.progress.create(
        clinic=goal.clinic, date=datetime.date(2026, 4, 2), status="active", author=therapist
    )
    url = reverse(
        "charts:chart_case_detail", args=[speech_chart_case.patient_id, speech_chart_case.pk]
    )

    text = therapist_client.get(url).content.decode()  # as sent, entities and all

    assert "<script>" not in text and "'><" not in text and "\"'" not in text
    # The note's assessment, its author and the goal's last progress author (and the top bar's
    # user name, escaped by the template). The notes and the goal cards are Jinja2's, whose
    # markupsafe writes the quotes as &#34; and &#39;; Django's escape as &quot; and &#x27;.
    escaped = text.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    assert escaped.count("&quot;&#x27;&gt;&lt;script&gt;x&lt;/script&gt;") >= 3
