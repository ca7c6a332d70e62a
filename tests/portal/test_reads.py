"""The request screen's reads (portal/reads/request.py, portal.access) give the choices of the
querysets the request services check a request against, and nothing of another clinic or
another family; the week's slot inputs (scheduling.reads.availability.slot_inputs) read only
the location's and the therapists' own rows of the clinic."""

import datetime

import pytest
from django.http import Http404

from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from portal.access import get_portal_chart_case_for
from scheduling import services
from scheduling.models import Location
from scheduling.reads.availability import slot_inputs
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AppointmentTypeRuleFactory,
    ClinicFactory,
    LocationFactory,
    PatientChartCaseFactory,
    PortalLinkFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.fixtures.scheduling import local, open_every_day


@pytest.fixture
def rich_setup(clinic, speech, occupational, speech_case, portal_chart_case, treatment, location):
    """Types, locations and staff that each rule of the choices keeps out (or in)."""
    speech_case.service_types.add(occupational, through_defaults={"clinic_id": clinic.pk})
    for name, allow, active in (
        ("Assessment", True, True),
        ("Consultation <b>", True, True),
        ("Group", False, True),
        ("Retired", True, False),
    ):
        AppointmentTypeRuleFactory(
            case=speech_case,
            appointment_type=AppointmentTypeFactory(clinic=clinic, name=name, is_active=active),
            allow_requests=allow,
            duration_minutes=30,
        )
    LocationFactory(clinic=clinic, name="Annex", available_for_requests=True)
    LocationFactory(clinic=clinic, name="Closed", available_for_requests=True, is_active=False)
    LocationFactory(clinic=clinic, name="Staff only", available_for_requests=False)
    UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech, occupational])
    UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[speech], is_active=False)
    UserFactory(clinic=clinic, roles=[SCHEDULER], service_types=[speech])
    UserFactory(clinic=clinic, roles=[THERAPIST], service_types=[ServiceTypeFactory(clinic=clinic)])
    UserFactory(
        clinic=clinic, roles=[THERAPIST, ADMINISTRATOR], first_name="", last_name="",
        email="nameless@riverside.test", service_types=[speech],
    )  # fmt: skip
    elsewhere = ClinicFactory(name="Elsewhere")
    LocationFactory(clinic=elsewhere, name="Their office", available_for_requests=True)
    # A user of another clinic with this clinic's service (data that should not exist).
    UserFactory(clinic=elsewhere, roles=[THERAPIST], service_types=[speech])
    return portal_chart_case


def test_the_choices_are_those_of_the_request_rules(rich_setup, patient_user):
    choices = get_portal_chart_case_for(
        patient_user, rich_setup.pk, with_request_choices=True
    ).request_choices
    assert [
        (r.pk, r.appointment_type_id, r.type_name, r.duration_minutes) for r in choices.rules
    ] == [
        (r.pk, r.appointment_type_id, r.appointment_type.name, r.duration_minutes)
        for r in services.allowed_rules(rich_setup)
    ]
    assert [r.type_name for r in choices.rules] == [
        "Assessment",
        "Consultation <b>",
        "Treatment",
    ]
    locations = Location.objects.for_clinic(rich_setup.clinic_id).available_for_requests()
    assert [(p.pk, p.name, p.address, p.time_zone) for p in choices.locations] == [
        (loc.pk, loc.name, loc.address, loc.time_zone) for loc in locations
    ]
    assert [p.name for p in choices.locations] == ["Annex", "Main Street"]
    therapists = services.case_therapists(rich_setup)
    assert [(t.pk, str(t)) for t in choices.therapists] == [(t.pk, str(t)) for t in therapists]
    assert "nameless@riverside.test" in [str(t) for t in choices.therapists]
    # The fixture's two therapists, the one with both services and the nameless one.
    assert len(choices.therapists) == 4


def test_the_chart_case_carries_what_the_screen_reads(
    portal_chart_case, patient_user, django_assert_num_queries
):
    # The chart case with its case and patient, then its choices.
    with django_assert_num_queries(2):
        chart_case = get_portal_chart_case_for(
            patient_user, portal_chart_case.pk, with_request_choices=True
        )
        assert str(chart_case.patient) == str(portal_chart_case.patient)
        assert chart_case.case.name == portal_chart_case.case.name
        assert chart_case.case.is_archived is False
        assert chart_case.is_active
        assert chart_case.clinic == portal_chart_case.clinic
        assert chart_case.request_choices.rules


def test_another_familys_or_clinics_chart_case_is_not_found(
    clinic, portal_chart_case, patient_user, other_family, other_family_patient, speech_case
):
    def found(user, pk):
        try:
            get_portal_chart_case_for(user, pk, with_request_choices=True)
        except Http404:
            return False
        return True

    theirs = PatientChartCaseFactory(patient=other_family_patient, case=speech_case)
    assert not found(patient_user, theirs.pk)
    assert not found(other_family, portal_chart_case.pk)
    elsewhere = ClinicFactory(name="Elsewhere")
    stranger = UserFactory(clinic=elsewhere, roles=["Patient"])
    their_chart_case = PatientChartCaseFactory(case__clinic=elsewhere, patient__clinic=elsewhere)
    PortalLinkFactory(user=stranger, patient=their_chart_case.patient)
    assert not found(patient_user, their_chart_case.pk)
    # Their own link to our patient's id would not do either: the clinic is theirs.
    assert not found(stranger, portal_chart_case.pk)
    assert not found(patient_user, 10**30)
    assert found(patient_user, portal_chart_case.pk)


def test_the_slot_inputs_are_the_locations_and_therapists_own(
    clinic, portal_chart_case, location, therapist, treatment, django_assert_num_queries
):
    day = clinic.today() + datetime.timedelta(days=2)
    visit = AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=portal_chart_case.case),
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, day, 10) + datetime.timedelta(microseconds=1),
    )
    elsewhere = ClinicFactory(name="Elsewhere")
    their_location = LocationFactory(clinic=elsewhere, available_for_requests=True)
    their_therapist = UserFactory(clinic=elsewhere, roles=[THERAPIST])
    open_every_day(their_location, their_therapist)
    AppointmentFactory(
        chart_case=PatientChartCaseFactory(case__clinic=elsewhere, patient__clinic=elsewhere),
        therapist=their_therapist,
        location=their_location,
        start=local(location, day, 10),
    )
    window = dict(
        first=day,
        last=day + datetime.timedelta(days=1),
        start=local(location, day, 0),
        end=local(location, day, 23),
    )
    with django_assert_num_queries(2):
        ours = slot_inputs(
            clinic_id=clinic.pk,
            location_id=location.pk,
            therapist_ids=[therapist.pk],
            patient_id=portal_chart_case.patient_id,
            **window,
        )
    assert len(ours.clinic_hours) == 7
    assert len(ours.availability[therapist.pk]) == 7
    # Whole seconds, widened: busy to the microsecond stays busy.
    start = int(visit.start.timestamp())
    assert ours.busy == {therapist.pk: [(start, int(visit.end.timestamp()) + 1)]}
    # Another clinic's location and therapist, asked for under our clinic: nothing.
    theirs = slot_inputs(
        clinic_id=clinic.pk,
        location_id=their_location.pk,
        therapist_ids=[their_therapist.pk],
        patient_id=portal_chart_case.patient_id,
        **window,
    )
    assert theirs.clinic_hours == []
    assert theirs.availability == {their_therapist.pk: []}
    assert theirs.busy == {their_therapist.pk: []}
