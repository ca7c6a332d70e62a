"""The request queue and a request's page as the front desk sees them, recorded
(tests/snapshot.py) so that a rewrite of how they read and render shows any change: every
status filter and several pages of the queue (the second, one past the end, one that is no
number), a request's page pending (with its therapist's calendar around it, a clash, a
cancelled visit left out), pending past its time, approved, declined, cancelled and expired,
and the two forms sent back with errors; as an administrator and as a scheduler, with hostile
names, notes and reasons, the clinic in New York and in London, requests on both sides of each
zone's daylight-saving change (London on Oct 25, New York on Nov 1, 2026) and a location in the
other zone."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from core.roles import ADMINISTRATOR, PATIENT, SCHEDULER, THERAPIST
from scheduling import slots
from scheduling.models import Appointment, AppointmentRequest
from tests.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AppointmentTypeRuleFactory,
    ClinicFactory,
    LocationFactory,
    PatientCaseFactory,
    PatientChartCaseFactory,
    PatientFactory,
    ServiceTypeFactory,
    UserFactory,
)
from tests.snapshot import assert_page

NOW = datetime.datetime(2026, 10, 22, 14, 0, tzinfo=datetime.UTC)
FIRST_DAY = datetime.date(2026, 10, 23)
OTHER_ZONE = {"America/New_York": "Europe/London", "Europe/London": "America/New_York"}
RECORD = pytest.mark.django_db(transaction=True, serialized_rollback=True, reset_sequences=True)
HOSTILE_PATIENTS = [
    ("Zoë <script>alert(1)</script>", "O'Brien & Sons"),
    ('Liam "Lee"', "Carter"),
    ("Ann", "<b>Bold</b> & Co"),
]


def _at(location, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return slots.wall(day, datetime.time(hour, minute), location.tzinfo)


def _clinic(zone: str):
    clinic = ClinicFactory(
        name="Riverside & <Co>",
        time_zone=zone,
        requests_enabled=True,
        request_min_notice_hours=24,
        request_horizon_days=60,
        request_max_pending=50,
        request_pending_lifetime_days=7,
    )
    speech = ServiceTypeFactory(clinic=clinic, name="Speech & <Language>")
    occupational = ServiceTypeFactory(clinic=clinic, name="Occupational")
    users = {
        "administrator": UserFactory(
            clinic=clinic, email="admin@clinic.test", first_name="Ada", last_name="Admin",
            roles=[ADMINISTRATOR],
        ),
        "scheduler": UserFactory(
            clinic=clinic, email="desk@clinic.test", first_name="Sam <u>", last_name="Desk",
            roles=[SCHEDULER],
        ),
    }  # fmt: skip
    therapists = [
        UserFactory(
            clinic=clinic, email="adams@clinic.test", first_name="Al <i>", last_name="Adams",
            roles=[THERAPIST], service_types=[speech],
        ),
        UserFactory(
            clinic=clinic, email="baker@clinic.test", first_name='Bea "B" & Co',
            last_name="Baker", roles=[THERAPIST], service_types=[speech, occupational],
        ),
        UserFactory(
            clinic=clinic, email="nameless<x>@clinic.test", first_name="", last_name="",
            roles=[THERAPIST], service_types=[speech],
        ),
        # Not offered for the speech case: another service, and one no longer active.
        UserFactory(
            clinic=clinic, email="ot@clinic.test", first_name="Otto", last_name="Clark",
            roles=[THERAPIST], service_types=[occupational],
        ),
        UserFactory(
            clinic=clinic, email="gone@clinic.test", first_name="Gone", last_name="Dale",
            roles=[THERAPIST], service_types=[speech], is_active=False,
        ),
    ]  # fmt: skip
    return clinic, speech, users, therapists


def _setup(zone: str):
    clinic, speech, users, therapists = _clinic(zone)
    case = PatientCaseFactory(
        clinic=clinic, name="Speech & <Language> 'case'", service_types=[speech],
        created_by=users["administrator"],
    )  # fmt: skip
    treatment = AppointmentTypeFactory(clinic=clinic, name="Treatment & care")
    evaluation = AppointmentTypeFactory(clinic=clinic, name="Evaluation <b>first</b>")
    AppointmentTypeFactory(clinic=clinic, name="Retired type", is_active=False)
    AppointmentTypeRuleFactory(case=case, appointment_type=treatment, duration_minutes=45)
    AppointmentTypeRuleFactory(case=case, appointment_type=evaluation, duration_minutes=90)
    main = LocationFactory(
        clinic=clinic, name="Main <St> & 'Co'", time_zone=zone, available_for_requests=True
    )
    annex = LocationFactory(
        clinic=clinic, name="Annex", time_zone=OTHER_ZONE[zone], available_for_requests=True
    )
    LocationFactory(clinic=clinic, name="Old office", time_zone=zone, is_active=False)
    portal_user = UserFactory(clinic=clinic, email="parent@clinic.test", roles=[PATIENT])
    chart_cases = [
        PatientChartCaseFactory(
            case=case,
            patient=PatientFactory(
                clinic=clinic,
                first_name=first,
                last_name=last,
                date_of_birth=datetime.date(2015, 1, 1 + index),
            ),
            started_on=datetime.date(2026, 6, 1),
        )  # fmt: skip
        for index, (first, last) in enumerate(HOSTILE_PATIENTS * 2)
    ]
    return {
        "clinic": clinic,
        "users": users,
        "therapists": therapists[:3],
        "types": [treatment, evaluation],
        "locations": [main, annex],
        "chart_cases": chart_cases,
        "portal_user": portal_user,
    }


def _request(world, index: int, start: datetime.datetime, **fields) -> AppointmentRequest:
    chart_case = world["chart_cases"][index % len(world["chart_cases"])]
    return AppointmentRequest.objects.create(
        clinic=world["clinic"],
        chart_case=chart_case,
        patient=chart_case.patient,
        appointment_type=world["types"][index % 2],
        location=fields.pop("location", world["locations"][0]),
        therapist=world["therapists"][index % 3],
        preferred_therapist=world["therapists"][0] if index % 4 == 0 else None,
        start=start,
        duration_minutes=45 if index % 2 == 0 else 90,
        note=fields.pop("note", '<script>x</script> Mornings & "after 3"' if index % 3 else ""),
        created_by=world["portal_user"],
        **fields,
    )


def _appointment(world, therapist, location, start, *, status="scheduled", minutes=45):
    # A patient of its own: one patient's visits may not overlap (PostgreSQL's constraint).
    number = len(world.setdefault("visitors", [])) + 1
    chart_case = PatientChartCaseFactory(
        case=world["chart_cases"][0].case,
        patient=PatientFactory(
            clinic=world["clinic"], first_name=f"Visitor <{number}>", last_name="& Sons",
            date_of_birth=datetime.date(2010, 1, 1) + datetime.timedelta(days=number),
        ),
        started_on=datetime.date(2026, 6, 1),
    )  # fmt: skip
    world["visitors"].append(chart_case)
    return AppointmentFactory(
        chart_case=chart_case,
        therapist=therapist,
        location=location,
        appointment_type=world["types"][0],
        start=start,
        duration_minutes=minutes,
        status=status,
        created_by=world["users"]["scheduler"],
    )


def _pending(world) -> list[AppointmentRequest]:
    """56 live pending requests over twelve days (both changes of the clocks), some at the
    annex in the other zone, each therapist with visits near some of them: one clashing,
    one just before, one cancelled (not shown)."""
    main, annex = world["locations"]
    made = []
    for index in range(56):
        day = FIRST_DAY + datetime.timedelta(days=index % 12)
        location = annex if index % 7 == 3 else main
        made.append(
            _request(
                world,
                index,
                _at(location, day, 8 + index // 12, 15 * (index % 4) + 5 * (location == annex)),
                location=location,
            )
        )
    for request in made[:12]:
        if request.pk % 3 == 0:
            _appointment(world, request.therapist, request.location, request.start)
        elif request.pk % 3 == 1:
            _appointment(
                world, request.therapist, annex, request.start - datetime.timedelta(minutes=90)
            )
            _appointment(
                world, request.therapist, main, request.start + datetime.timedelta(hours=1),
                status=Appointment.Status.CLINIC_CANCELLED,
            )  # fmt: skip
    return made


def _decided(world) -> dict:
    """One request in each other state, and pending ones past their time or lifetime."""
    main = world["locations"][0]
    day = FIRST_DAY + datetime.timedelta(days=4)
    at = iter(range(60, 90))
    approved = _request(world, next(at), _at(main, day, 9))
    visit = _appointment(world, approved.therapist, main, _at(main, day, 10))
    AppointmentRequest.objects.filter(pk=approved.pk).update(
        status="approved", appointment=visit, decided_by=world["users"]["scheduler"]
    )
    declined = _request(
        world, next(at), _at(main, day, 11), status="declined",
        decline_reason="<script>alert('no')</script> Away & \"closed\"",
    )  # fmt: skip
    cancelled = _request(world, next(at), _at(main, day, 12), status="cancelled")
    expired = _request(world, next(at), _at(main, day, 13), status="expired")
    past = _request(world, next(at), _at(main, day, 14))
    AppointmentRequest.objects.filter(pk=past.pk).update(start=NOW - datetime.timedelta(hours=3))
    stale = _request(world, next(at), _at(main, day, 15))
    AppointmentRequest.objects.filter(pk=stale.pk).update(
        created_at=NOW - datetime.timedelta(days=8)
    )
    return {
        "approved": approved,
        "declined": declined,
        "cancelled": cancelled,
        "expired": expired,
        "past": past,
        "stale": stale,
    }


QUEUE_VIEWS = [
    ("pending", ""),
    ("pending-2", "?status=pending&page=2"),
    ("pending-past-end", "?status=pending&page=9"),
    ("pending-not-a-number", "?page=two"),
    ("approved", "?status=approved"),
    ("declined", "?status=declined"),
    ("cancelled", "?status=cancelled"),
    ("expired", "?status=expired"),
    ("unknown-filter", "?status=<b>"),
]


@RECORD
@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London"])
def test_the_queue_and_request_pages_are_recorded(client, zone):
    with time_machine.travel(NOW, tick=False):
        world = _setup(zone)
        pending = _pending(world)
        decided = _decided(world)
        pages = {"pending": pending[0], "pending-busy": pending[2], **decided}
        city = zone.split("/")[1].lower()
        for role, user in world["users"].items():
            client.force_login(user)
            for name, query in QUEUE_VIEWS:
                response = client.get(reverse("scheduling:request_list") + query)
                assert response.status_code == 200
                assert_page(f"requests/queue-{name}-{role}-{city}", response.content)
            for name, request in pages.items():
                response = client.get(reverse("scheduling:request_detail", args=[request.pk]))
                assert response.status_code == 200
                assert_page(f"requests/request-{name}-{role}-{city}", response.content)
        _refused_forms(client, pending[1], city)


def _refused_forms(client, request, city: str) -> None:
    """The page sent back with the approve form's and the decline form's errors (400)."""
    approve = reverse("scheduling:request_approve", args=[request.pk])
    response = client.post(
        approve,
        {"duration_minutes": "7", "therapist": "999999", "date": "2026-13-40", "time": "x"},
    )
    assert response.status_code == 400
    assert_page(f"requests/request-approve-refused-{city}", response.content)
    decline = reverse("scheduling:request_decline", args=[request.pk])
    response = client.post(decline, {"reason": "   "})
    assert response.status_code == 400
    assert_page(f"requests/request-decline-refused-{city}", response.content)
