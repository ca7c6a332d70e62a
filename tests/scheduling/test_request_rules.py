"""The rules of a request, each one queryset method that the portal, the case list, the services
and the request pages compose: the therapists who may take a case, the requestable types, the
locations open to requests; and the queue's calendars around its requests, which read the
appointments of a whole page at once, agree with ``overlapping`` for each request on random
calendars."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from cases.models import AppointmentTypeRule
from core.roles import SCHEDULER, THERAPIST
from scheduling import services
from scheduling.models import Appointment, AppointmentRequest, Location
from scheduling.reads import requests as reads
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AppointmentTypeRuleFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    ServiceTypeFactory,
    UserFactory,
)


def test_who_may_take_a_case_is_its_services_active_therapists_once_each_by_name(
    clinic, speech, occupational, other_clinic, administrator
):
    shared = PatientCaseFactory(
        clinic=clinic, service_types=[speech, occupational], created_by=administrator
    )
    both = UserFactory(
        clinic=clinic, first_name="Bo", last_name="Both", roles=[THERAPIST],
        service_types=[speech, occupational],
    )  # fmt: skip
    one = UserFactory(
        clinic=clinic, first_name="Al", last_name="Adams", roles=[THERAPIST],
        service_types=[occupational],
    )  # fmt: skip
    UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech], is_active=False)
    UserFactory(clinic=clinic, roles=[SCHEDULER], service_types=[speech])  # not a therapist
    UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[ServiceTypeFactory(clinic=clinic)])
    UserFactory(
        clinic=other_clinic, roles=[THERAPIST],
        service_types=[ServiceTypeFactory(clinic=other_clinic)],
    )  # fmt: skip

    assert list(User.objects.who_may_take(shared)) == [one, both]
    assert list(User.objects.for_clinic(clinic).who_may_take(shared.pk)) == [one, both]
    assert list(User.objects.for_clinic(other_clinic).who_may_take(shared.pk)) == []


def test_therapists_are_the_users_with_the_role_active_or_not(clinic, speech):
    active = UserFactory(clinic=clinic, roles=[THERAPIST, SCHEDULER])
    former = UserFactory(clinic=clinic, roles=[THERAPIST], is_active=False)
    UserFactory(clinic=clinic, roles=[SCHEDULER])

    assert set(User.objects.for_clinic(clinic).therapists()) == {active, former}
    assert User.objects.for_clinic(clinic).therapists().count() == 2  # no row twice


def test_requestable_rules_are_allowed_and_of_an_active_type_by_name(
    clinic, speech_case, speech_chart_case
):
    def rule(name, **fields):
        kind = AppointmentTypeFactory(clinic=clinic, name=name, is_active=fields.pop("on", True))
        return AppointmentTypeRuleFactory(case=speech_case, appointment_type=kind, **fields)

    treatment = rule("Treatment")
    evaluation = rule("Evaluation", duration_minutes=90)
    rule("Group", allow_requests=False, duration_minutes=None)
    rule("Retired", on=False)
    AppointmentTypeRuleFactory(
        case=PatientCaseFactory(clinic=clinic),
        appointment_type=AppointmentTypeFactory(clinic=clinic),
    )

    assert list(AppointmentTypeRule.objects.requestable_for(speech_chart_case)) == [
        evaluation,
        treatment,
    ]
    assert services.allowed_rules(speech_chart_case) == [evaluation, treatment]
    assert set(AppointmentTypeRule.objects.for_clinic(clinic).requestable()) == {
        treatment,
        evaluation,
        *AppointmentTypeRule.objects.exclude(case=speech_case),
    }


def test_a_location_closed_to_requests_is_refused_and_nothing_is_written(
    pending_request, portal_chart_case, patient_user, treatment, location
):
    inactive = LocationFactory(clinic=location.clinic, available_for_requests=True, is_active=False)
    staff_only = LocationFactory(clinic=location.clinic)
    assert list(Location.objects.for_clinic(location.clinic).available_for_requests()) == [location]
    for closed in (inactive, staff_only):
        with pytest.raises(ValidationError) as refused:
            services.request_create(
                chart_case=portal_chart_case,
                appointment_type=treatment,
                location=closed,
                start=pending_request.start + datetime.timedelta(hours=2),
                by=patient_user,
            )
        assert refused.value.message_dict == {"location": ["This location does not take requests."]}
    assert AppointmentRequest.objects.count() == 1


# The queue's calendars around its requests, on random calendars

# Each therapist's visits one after another (the database keeps one therapist's visits apart):
# (gap before it in quarters of an hour, minutes, cancelled).
day = st.lists(
    st.tuples(st.integers(0, 12), st.sampled_from([15, 45, 120, 480]), st.booleans()),
    max_size=8,
)
visits = st.tuples(day, day)
asks = st.lists(
    st.tuples(st.integers(0, 1), st.integers(-40, 40), st.sampled_from([30, 45, 90])),
    min_size=1,
    max_size=5,
)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(visits=visits, asks=asks)
def test_the_queues_calendars_are_each_requests_overlapping_appointments(
    visits, asks, pending_request, therapist, ot_therapist
):
    therapists = [therapist, ot_therapist]
    base = pending_request.start
    quarter = datetime.timedelta(minutes=15)
    with transaction.atomic():
        for who, visits_of_one in enumerate(visits):
            at = base - 60 * quarter
            for gap, minutes, cancelled in visits_of_one:
                at += gap * quarter
                AppointmentFactory(
                    chart_case=PatientChartCaseFactory(case=pending_request.chart_case.case),
                    therapist=therapists[who],
                    location=pending_request.location,
                    appointment_type=pending_request.appointment_type,
                    start=at,
                    duration_minutes=minutes,
                    end=at + datetime.timedelta(minutes=minutes),
                    status="clinic_cancelled" if cancelled else "scheduled",
                )
                at += datetime.timedelta(minutes=minutes)
        # Declined: any number at one time (one pending request per case and time).
        requests = [
            AppointmentRequest.objects.create(
                clinic=pending_request.clinic,
                chart_case=pending_request.chart_case,
                patient=pending_request.patient,
                appointment_type=pending_request.appointment_type,
                location=pending_request.location,
                therapist=therapists[who],
                start=base + at * quarter,
                duration_minutes=minutes,
                created_by=pending_request.created_by,
                status="declined",
                decline_reason="Away.",
            )
            for who, at, minutes in asks
        ]
        shown = reads.snapshots(pending_request.clinic, requests)
        for request in requests:
            expected = list(
                Appointment.objects.filter(therapist=request.therapist)
                .not_cancelled()
                .overlapping(request.start - reads.AROUND, request.end + reads.AROUND)
                .order_by("start", "pk")
                .values_list("start", "end")
            )
            assert [(a.start, a.end) for a in shown[request.pk]] == expected
        transaction.set_rollback(True)
