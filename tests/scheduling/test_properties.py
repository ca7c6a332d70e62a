"""Random sequences of book, reschedule, cancel and series for a few therapists and patients:
afterwards no two appointments of one therapist or one patient that are not cancelled overlap,
and every refused operation wrote nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import AuditEntry
from core.roles import THERAPIST
from scheduling import services
from scheduling.models import Appointment
from tests.factories import PatientChartCaseFactory, UserFactory
from tests.fixtures.scheduling import local, open_every_day

book = st.tuples(
    st.just("book"),
    st.integers(0, 1),  # therapist
    st.integers(0, 2),  # patient
    st.integers(0, 2),  # day after tomorrow
    st.integers(0, 12),  # quarter hour after 10:00
    st.sampled_from([15, 30, 45, 60]),
)
reschedule = st.tuples(
    st.just("reschedule"),
    st.integers(0, 20),
    st.integers(0, 2),
    st.integers(0, 12),
    st.sampled_from([15, 30, 45, 60]),
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 20))
series = st.tuples(
    st.just("series"), st.integers(0, 1), st.integers(0, 2), st.integers(0, 12), st.integers(2, 4)
)
operations = st.lists(st.one_of(book, reschedule, cancel, series), min_size=1, max_size=12)


def _assert_no_overlaps():
    rows = list(Appointment.objects.not_cancelled().order_by("start"))
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if a.start < b.end and b.start < a.end:
                assert a.therapist_id != b.therapist_id, (a, b)
                assert a.patient_id != b.patient_id, (a, b)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_random_bookings_never_double_book(
    ops, clinic, speech, speech_case, location, treatment, tomorrow, scheduler, therapist
):
    second = UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech])
    open_every_day(location, second)
    therapists = [therapist, second]
    chart_cases = [PatientChartCaseFactory(case=speech_case) for _ in range(3)]
    with transaction.atomic():
        for op in ops:
            rows_before = sorted(
                Appointment.objects.values_list("pk", "start", "end", "status", "therapist_id")
            )
            audit_before = AuditEntry.objects.count()
            try:
                run(op, therapists, chart_cases, location, treatment, tomorrow, scheduler)
            except ValidationError:
                assert (
                    sorted(
                        Appointment.objects.values_list(
                            "pk", "start", "end", "status", "therapist_id"
                        )
                    )
                    == rows_before
                )
                assert AuditEntry.objects.count() == audit_before
            _assert_no_overlaps()
        transaction.set_rollback(True)


def run(op, therapists, chart_cases, location, treatment, tomorrow, scheduler):
    kind = op[0]
    existing = list(Appointment.objects.order_by("pk"))
    if kind == "book":
        _, t, p, day, quarter, minutes = op
        services.appointment_book(
            clinic=location.clinic,
            chart_case=chart_cases[p],
            therapist=therapists[t],
            location=location,
            appointment_type=treatment,
            start=local(location, tomorrow + datetime.timedelta(days=day), 10)
            + datetime.timedelta(minutes=15 * quarter),
            duration_minutes=minutes,
            by=scheduler,
        )
    elif kind == "reschedule" and existing:
        _, index, day, quarter, minutes = op
        services.appointment_reschedule(
            appointment=existing[index % len(existing)],
            start=local(location, tomorrow + datetime.timedelta(days=day), 10)
            + datetime.timedelta(minutes=15 * quarter),
            duration_minutes=minutes,
            reason="Moved",
            by=scheduler,
        )
    elif kind == "cancel" and existing:
        services.appointment_cancel(
            appointment=existing[op[1] % len(existing)],
            status="clinic_cancelled",
            reason="Closed",
            by=scheduler,
        )
    elif kind == "series":
        _, t, p, quarter, count = op
        services.series_book(
            clinic=location.clinic,
            chart_case=chart_cases[p],
            therapist=therapists[t],
            location=location,
            appointment_type=treatment,
            start=local(location, tomorrow, 10) + datetime.timedelta(minutes=15 * quarter),
            duration_minutes=45,
            rule=services.SeriesRule(interval=1, weekdays=(tomorrow.weekday(),), count=count),
            by=scheduler,
            skip_conflicts=bool(count % 2),
        )
