"""The request screen's written-out reads (portal/reads/request.py) give what the querysets and
services they stand in for give, and nothing of another clinic or another family."""

import datetime

import pytest

from core.roles import ADMINISTRATOR, SCHEDULER, THERAPIST
from portal import reads
from scheduling import services
from scheduling.models import Location
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
    UserFactory(clinic=clinic, roles=[THERAPIST, ADMINISTRATOR], first_name="", last_name="")
    elsewhere = ClinicFactory(name="Elsewhere")
    LocationFactory(clinic=elsewhere, name="Their office", available_for_requests=True)
    # A user of another clinic with this clinic's service (data that should not exist).
    UserFactory(clinic=elsewhere, roles=[THERAPIST], service_types=[speech])
    return portal_chart_case


def test_the_choices_are_those_of_the_services_and_querysets(rich_setup, patient_user):
    chart_case = reads.request_chart_case(patient_user, rich_setup.pk)
    choices = chart_case.request_choices
    rules = services.allowed_rules(rich_setup)
    assert [
        (r.pk, r.appointment_type_id, r.type_name, r.duration_minutes) for r in choices.rules
    ] == [(r.pk, r.appointment_type_id, r.appointment_type.name, r.duration_minutes) for r in rules]
    assert [r.type_name for r in choices.rules] == [
        "Assessment",
        "Consultation <b>",
        "Treatment",
    ]
    locations = Location.objects.for_clinic(rich_setup.clinic_id).available_for_requests()
    assert [(p.pk, p.name, p.address, p.time_zone) for p in choices.locations] == [
        (loc.pk, loc.name, loc.address, loc.time_zone) for loc in locations
    ]
    therapists = services.case_therapists(rich_setup)
    assert [(t.pk, t.name) for t in choices.therapists] == [(t.pk, str(t)) for t in therapists]
    assert len(choices.therapists) == 3  # the fixture's two therapists and the one with both


def test_the_chart_case_carries_what_the_screen_reads(portal_chart_case, patient_user):
    chart_case = reads.request_chart_case(patient_user, portal_chart_case.pk)
    assert chart_case.pk == portal_chart_case.pk
    assert chart_case.patient_id == portal_chart_case.patient_id
    assert str(chart_case.patient) == str(portal_chart_case.patient)
    assert chart_case.case.name == portal_chart_case.case.name
    assert chart_case.case.is_archived is False
    assert chart_case.is_active
    assert chart_case.clinic == portal_chart_case.clinic
    # A field the screen does not read is deferred, and read when asked for.
    assert chart_case.started_on == portal_chart_case.started_on


def test_another_familys_or_clinics_chart_case_is_not_found(
    clinic, portal_chart_case, patient_user, other_family, other_family_patient, speech_case
):
    theirs = PatientChartCaseFactory(patient=other_family_patient, case=speech_case)
    assert reads.request_chart_case(patient_user, theirs.pk) is None
    assert reads.request_chart_case(other_family, portal_chart_case.pk) is None
    elsewhere = ClinicFactory(name="Elsewhere")
    stranger = UserFactory(clinic=elsewhere, roles=["Patient"])
    their_chart_case = PatientChartCaseFactory(case__clinic=elsewhere, patient__clinic=elsewhere)
    PortalLinkFactory(user=stranger, patient=their_chart_case.patient)
    assert reads.request_chart_case(patient_user, their_chart_case.pk) is None
    # Their own link to our patient's id would not do either: the clinic is theirs.
    assert reads.request_chart_case(stranger, portal_chart_case.pk) is None


def test_the_slot_inputs_are_the_locations_and_therapists_own(
    clinic, portal_chart_case, location, therapist, treatment
):
    day = clinic.today() + datetime.timedelta(days=2)
    visit = AppointmentFactory(
        chart_case=PatientChartCaseFactory(case=portal_chart_case.case),
        therapist=therapist,
        location=location,
        appointment_type=treatment,
        start=local(location, day, 10),
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
    ours = reads.slot_inputs(
        clinic_id=clinic.pk,
        location_id=location.pk,
        therapist_ids=[therapist.pk],
        patient_id=portal_chart_case.patient_id,
        **window,
    )
    assert len(ours.clinic_hours) == 7
    assert len(ours.availability[therapist.pk]) == 7
    assert ours.busy == {therapist.pk: [(visit.start.timestamp(), visit.end.timestamp())]}
    # Another clinic's location and therapist, asked for under our clinic: nothing.
    theirs = reads.slot_inputs(
        clinic_id=clinic.pk,
        location_id=their_location.pk,
        therapist_ids=[their_therapist.pk],
        patient_id=portal_chart_case.patient_id,
        **window,
    )
    assert theirs.clinic_hours == []
    assert theirs.availability == {their_therapist.pk: []}
    assert theirs.busy == {their_therapist.pk: []}
