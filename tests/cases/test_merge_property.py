"""For random clinics of charts and documentation, a merge keeps, per patient, the count of
every kind of item and every signed text byte for byte; undo puts every affected row back
exactly (a dump of the rows compared before and after)."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.merge import case_merge
from cases.merge_preview import merge_preview
from cases.merge_rows import MOVABLE_ROWS
from cases.merge_undo import case_merge_undo
from cases.models import PatientCase
from charts.models import (
    Addendum,
    DailyNote,
    Evaluation,
    GoalProgress,
    PatientChartCase,
)
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    DailyNoteFactory,
    DiagnosisFactory,
    DischargeSummaryFactory,
    EvaluationFactory,
    GoalFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientFactory,
    ReminderFactory,
)

pytestmark = pytest.mark.django_db

CASES = 3  # the target (0) and two sources

documents = st.fixed_dictionaries(
    {
        "goals": st.integers(0, 2),
        "notes": st.lists(st.booleans(), max_size=3),  # signed or not
        "evaluations": st.lists(st.booleans(), max_size=2),
        "reminders": st.integers(0, 1),
        "summaries": st.integers(0, 1),
        "diagnoses": st.lists(st.sampled_from(["F80.0", "R13.12"]), max_size=2, unique=True),
        "visits": st.integers(0, 1),
    }
)
chart_case = st.tuples(st.integers(0, CASES - 1), st.booleans(), st.integers(0, 400), documents)
clinics = st.lists(st.lists(chart_case, max_size=4), min_size=1, max_size=5)


def _signed_texts(clinic) -> set:
    notes = (
        DailyNote.objects.filter(clinic=clinic)
        .signed()
        .values_list(
            "pk", "subjective", "objective", "assessment", "plan", "signature", "signed_at"
        )
    )
    evaluations = (
        Evaluation.objects.filter(clinic=clinic)
        .signed()
        .values_list("pk", "findings", "recommendations", "signature", "signed_at")
    )
    return set(notes) | set(evaluations)


def _per_patient(clinic) -> dict:
    counts = {}
    for kind in MOVABLE_ROWS:
        rows = kind.model_class.objects.filter(clinic=clinic).values_list(
            f"{kind.chart_case_field}__patient_id", flat=True
        )
        for patient_id in rows:
            counts[(kind.kind, patient_id)] = counts.get((kind.kind, patient_id), 0) + 1
    return counts


def _dump(clinic) -> dict:
    models = [PatientChartCase, GoalProgress, Addendum] + [k.model_class for k in MOVABLE_ROWS]
    dump = {
        model.__name__: list(model.objects.filter(clinic=clinic).order_by("pk").values())
        for model in models
    }
    dump["cases"] = list(PatientCase.objects.filter(clinic=clinic).order_by("pk").values())
    for row in dump["cases"]:
        row.pop("version")
    return dump


def _build(clinic, cases, charts, therapist, location, visit_type):
    today = clinic.today()
    visit_day = 0
    for patient_spec in charts:
        patient = PatientFactory(clinic=clinic)
        active_cases = set()
        for case_index, active, days_ago, docs in patient_spec:
            active = active and case_index not in active_cases
            active_cases |= {case_index} if active else set()
            start = today - datetime.timedelta(days=days_ago + 30)
            row = PatientChartCase.objects.create(
                clinic=clinic,
                patient=patient,
                case=cases[case_index],
                started_on=start,
                status="active" if active else "discharged",
                discharged_on=None if active else start + datetime.timedelta(days=10),
            )
            for _ in range(docs["goals"]):
                GoalFactory(chart_case=row, created_by=therapist)
            for signed in docs["notes"]:
                DailyNoteFactory(
                    chart_case=row,
                    author=therapist,
                    signed_by=therapist if signed else None,
                    signature="Electronically signed by Dana" if signed else "",
                )
            for signed in docs["evaluations"]:
                EvaluationFactory(
                    chart_case=row, author=therapist, signed_by=therapist if signed else None
                )
            for _ in range(docs["reminders"]):
                ReminderFactory(chart_case=row, created_by=therapist)
            for _ in range(docs["summaries"]):
                DischargeSummaryFactory(chart_case=row, author=therapist)
            for code in docs["diagnoses"]:
                DiagnosisFactory(chart_case=row, code=code)
            for _ in range(docs["visits"]):
                visit_day += 1
                AppointmentFactory(
                    chart_case=row,
                    therapist=therapist,
                    location=location,
                    appointment_type=visit_type,
                    start=datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC)
                    + datetime.timedelta(days=visit_day),
                )
    PatientCase.objects.filter(clinic=clinic).recount_patients()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(charts=clinics)
def test_merge_keeps_every_item_and_undo_restores_every_row(
    charts, clinic, speech, therapist, administrator
):
    with transaction.atomic():
        cases = [
            PatientCaseFactory(clinic=clinic, name=f"Case {n}", service_types=[speech])
            for n in range(CASES)
        ]
        location = LocationFactory(clinic=clinic)
        _build(clinic, cases, charts, therapist, location, AppointmentTypeFactory(clinic=clinic))
        before, counts, texts = _dump(clinic), _per_patient(clinic), _signed_texts(clinic)

        preview = merge_preview(target=cases[0], sources=cases[1:])
        merge = case_merge(
            target=cases[0], sources=cases[1:], token=preview.token, by=administrator
        )

        assert _per_patient(clinic) == counts
        assert _signed_texts(clinic) == texts
        live = PatientChartCase.objects.filter(clinic=clinic, merged_into__isnull=True)
        assert not live.exclude(case=cases[0]).exists()
        for kind in MOVABLE_ROWS:
            if not kind.unique_on:  # a duplicate diagnosis stays on the emptied chart case
                assert not kind.model_class.objects.filter(
                    clinic=clinic, chart_case__merged_into__isnull=False
                ).exists()
        assert live.filter(status="active").count() == (
            live.filter(status="active").values("patient").distinct().count()
        )

        case_merge_undo(merge=merge, by=administrator)

        assert _dump(clinic) == before
        transaction.set_rollback(True)
