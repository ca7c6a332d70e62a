"""Random sequences of book, reschedule, cancel, complete, no-show, add/change authorization
and turning the clinic's no-show setting on or off, on two chart cases of one patient (some
authorizations drawing on a shared limit): after every step, what the screens show as
authorized · used · booked · left equals a count made here, independently, from the visits in
the database, and the counts stored on the authorizations (which the report reads) equal a
fresh ``tally``."""

import datetime
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insurance import counting, reads, stored
from insurance.models import Authorization, AuthorizationType, InsuranceSettings, SharedLimit
from insurance.services import authorization_save, settings_save
from scheduling import services
from scheduling.models import Appointment
from tests.factories import (
    AppointmentTypeFactory,
    AuthorizationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
)
from tests.fixtures.scheduling import local

book = st.tuples(
    st.just("book"),
    st.integers(0, 1),  # chart case
    st.integers(0, 8),  # day after tomorrow
    st.integers(8, 16),  # hour
    st.sampled_from([15, 20, 45, 60]),
    st.integers(0, 1),  # appointment type
)
reschedule = st.tuples(
    st.just("reschedule"), st.integers(0, 20), st.integers(0, 8), st.integers(8, 16)
)
status = st.tuples(
    st.sampled_from(["cancel", "complete", "no_show", "check_in"]), st.integers(0, 20)
)
add = st.tuples(
    st.just("add"),
    st.integers(0, 1),  # chart case
    st.integers(-3, 6),  # first date, days after tomorrow
    st.integers(0, 8),  # length in days
    st.integers(1, 4),  # quantity
    st.sampled_from(["visits", "units"]),
    st.sampled_from([(), (0,), (1,), (0, 1)]),  # types
    st.booleans(),  # on the shared limit
)
change = st.tuples(st.just("change"), st.integers(0, 10), st.integers(1, 5), st.integers(0, 8))
no_shows = st.tuples(st.just("no_shows"), st.booleans())
operations = st.lists(
    st.one_of(book, reschedule, status, add, change, no_shows), min_size=1, max_size=14
)


def independent_counts(clinic, count_no_shows):
    """Each authorization's and shared limit's [authorized, used, booked], from the rows."""
    grants = list(Authorization.objects.filter(clinic=clinic).order_by("pk"))
    types = defaultdict(set)
    for row in AuthorizationType.objects.filter(clinic=clinic):
        types[row.authorization_id].add(row.appointment_type_id)
    result = {("a", g.pk): [g.quantity, 0, 0] for g in grants}
    for limit in SharedLimit.objects.filter(clinic=clinic):
        result[("s", limit.pk)] = [limit.quantity, 0, 0]
    seen = set()
    for visit in Appointment.objects.filter(clinic=clinic).select_related("location"):
        if visit.visit in seen or visit.status in Appointment.CANCELLED:
            continue
        seen.add(visit.visit)
        if visit.status == "no_show" and not count_no_shows:
            continue
        column = 2 if visit.status == "scheduled" else 1
        day = visit.start.astimezone(visit.location.tzinfo).date()
        covering = sorted(
            (
                g
                for g in grants
                if g.chart_case_id == visit.chart_case_id
                and g.first_date <= day <= g.last_date
                and (not types[g.pk] or visit.appointment_type_id in types[g.pk])
            ),
            key=lambda g: (g.last_date, g.pk),
        )
        if not covering:
            continue
        grant = covering[0]
        amount = 1 if grant.unit == "visits" else (visit.duration_minutes + 7) // 15
        result[("a", grant.pk)][column] += amount
        if grant.shared_limit_id:
            result[("s", grant.shared_limit_id)][column] += amount
    return result


def shown_counts(clinic, chart_cases):
    """What the screens show, read as each screen reads it: the chart case's Authorizations
    page (and its shared limits), the + Appointment form's summary, the report's first page
    (paged by the database, only the page counted), its lists (every candidate counted) and
    its CSV. They must all agree; the one they agree on is returned."""
    today = clinic.today()
    shown = {}
    for chart_case in chart_cases:
        rows, limits = reads.chart_case_authorizations(chart_case, today=today)
        for row in rows:
            shown[("a", row.grant.pk)] = _columns(row.tally)
        for limit, tally in limits:
            if tally.used or tally.booked or limit.authorizations.exists():
                shown[("s", limit.pk)] = _columns(tally)
        summary = counting.chart_case_summary(
            clinic_id=clinic.pk, chart_case_id=chart_case.pk, patient_id=chart_case.patient_id
        )
        assert sorted(summary) == sorted(f"{row.grant.label}: {row.tally}" for row in rows)
    page = reads.report_page(clinic.pk, today=today, filters={}, number=1, per_page=1000)
    csv_rows = reads.report(clinic.pk, today=today, filters={})
    for found in (page.object_list, csv_rows):
        assert {("a", row.authorization.pk): _columns(row.tally) for row in found} == {
            key: value for key, value in shown.items() if key[0] == "a"
        }
    for kind in reads.FLAGS:
        listed = reads.report_page(
            clinic.pk, today=today, filters={"kind": kind}, number=1, per_page=1000
        )
        for row in listed.object_list:
            assert _columns(row.tally) == shown[("a", row.authorization.pk)]
            assert reads.FLAGS[kind] in row.flags
    return shown


def _columns(tally) -> list[int]:
    return [tally.authorized, tally.used, tally.booked]


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, count_no_shows=st.booleans())
def test_what_is_shown_left_equals_an_independent_count(
    ops,
    count_no_shows,
    clinic,
    speech,
    speech_chart_case,
    speech_patient,
    location,
    treatment,
    tomorrow,
    scheduler,
    therapist,
    payer,
):
    with transaction.atomic():
        InsuranceSettings.objects.create(clinic=clinic, count_no_shows=count_no_shows)
        types = [treatment, AppointmentTypeFactory(clinic=clinic, name="Evaluation")]
        second = PatientChartCaseFactory(
            patient=speech_patient,
            case=PatientCaseFactory(clinic=clinic, name="Speech, second", service_types=[speech]),
        )
        chart_cases = [speech_chart_case, second]
        limit = SharedLimit.objects.create(
            clinic=clinic, patient=speech_patient, name="Total", quantity=4
        )
        world = dict(
            chart_cases=chart_cases,
            types=types,
            limit=limit,
            location=location,
            tomorrow=tomorrow,
            scheduler=scheduler,
            therapist=therapist,
            payer=payer,
        )
        for op in ops:
            try:
                with transaction.atomic():
                    run(op, **world)
            except ValidationError:
                pass
            counted_no_shows = InsuranceSettings.objects.get(clinic=clinic).count_no_shows
            expected = independent_counts(clinic, counted_no_shows)
            shown = shown_counts(clinic, chart_cases)
            assert stored.stale(clinic.pk) == []
            assert shown == {key: value for key, value in expected.items() if key in shown}
            assert {key for key in expected if key[0] == "a"} <= set(shown)
        transaction.set_rollback(True)


def run(op, *, chart_cases, types, limit, location, tomorrow, scheduler, therapist, payer):
    kind = op[0]
    existing = list(Appointment.objects.order_by("pk"))
    grants = list(Authorization.objects.order_by("pk"))
    day = lambda offset: tomorrow + datetime.timedelta(days=offset)  # noqa: E731
    if kind == "book":
        _, case, offset, hour, minutes, type_index = op
        services.appointment_book(
            clinic=location.clinic,
            chart_case=chart_cases[case],
            therapist=therapist,
            location=location,
            appointment_type=types[type_index],
            start=local(location, day(offset), hour),
            duration_minutes=minutes,
            by=scheduler,
            authorization_override="Testing past the count",
        )
    elif kind == "reschedule" and existing:
        _, index, offset, hour = op
        target = existing[index % len(existing)]
        services.appointment_reschedule(
            appointment=target,
            start=local(location, day(offset), hour),
            duration_minutes=target.duration_minutes,
            reason="Moved",
            by=scheduler,
            authorization_override="Testing past the count",
        )
    elif kind == "cancel" and existing:
        services.appointment_cancel(
            appointment=existing[op[1] % len(existing)],
            status="clinic_cancelled",
            reason="Closed",
            by=scheduler,
        )
    elif kind in ("complete", "no_show", "check_in") and existing:
        status = {"complete": "completed", "no_show": "no_show", "check_in": "checked_in"}[kind]
        services.appointment_set_status(
            appointment=existing[op[1] % len(existing)], status=status, by=scheduler
        )
    elif kind == "add":
        _, case, first, length, quantity, unit, type_indexes, shared = op
        grant = AuthorizationFactory.build(
            chart_case=chart_cases[case],
            payer=payer,
            first_date=day(first),
            last_date=day(first + length),
            quantity=quantity,
            unit=unit,
            shared_limit=limit if shared else None,
        )
        authorization_save(
            authorization=grant, appointment_types=[types[i] for i in type_indexes], by=scheduler
        )
    elif kind == "no_shows":
        row = InsuranceSettings.objects.get(clinic=location.clinic)
        row.count_no_shows = op[1]
        settings_save(settings=row, by=scheduler)
    elif kind == "change" and grants:
        _, index, quantity, length = op
        grant = grants[index % len(grants)]
        grant.quantity = quantity
        grant.last_date = grant.first_date + datetime.timedelta(days=length)
        authorization_save(
            authorization=grant,
            appointment_types=list(grant.appointment_types.all()),
            by=scheduler,
            expected_version=grant.version,
        )
